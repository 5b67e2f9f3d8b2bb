"""Loading eval cases: valid folders load, every defect is an InputError naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from argus.errors import InputError
from argus.evals.cases import load_case, load_cases

GOOD = """id: c1
system: shop
log_format: "<Date> <Time> <Level> <Module>: <Content>"
expected:
  root_cause_module: payment
  category: database
  knowledge_ids: [kb-1]
notes: x
"""


def _case(root: Path, name: str, text: str, logs: bool = True) -> Path:
    folder = root / name
    (folder / "logs").mkdir(parents=True)
    (folder / "case.yaml").write_text(text)
    if logs:
        (folder / "logs" / "a.log").write_text("line\n")
    return folder


def test_a_valid_case_loads(tmp_path: Path) -> None:
    folder = _case(tmp_path, "c1", GOOD)
    (folder / "baseline").mkdir()
    (folder / "baseline" / "b.log.gz").write_bytes(b"")
    [case] = load_cases(tmp_path)
    assert (case.id, case.expected.root_cause_module, case.expected.category) == (
        "c1",
        "payment",
        "database",
    )
    assert case.expected.knowledge_ids == ("kb-1",)
    assert [p.name for p in case.logs] == ["a.log"] and [p.name for p in case.baseline] == [
        "b.log.gz"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed", "not valid YAML"),
        ("- a list", "mapping at the top level"),
        (GOOD.replace("id: c1\n", ""), "'id' must be a non-empty string"),
        (GOOD.replace("category: database", "category: gremlins"), "is not one of"),
        (GOOD.replace("  root_cause_module: payment\n", ""), "root_cause_module is missing"),
        (GOOD.replace("root_cause_module: payment", "root_cause_module: null"), "category 'none'"),
        (GOOD.replace("knowledge_ids: [kb-1]", "knowledge_ids: kb-1"), "knowledge_ids must be"),
    ],
)
def test_defects_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    folder = _case(tmp_path, "bad", text)
    with pytest.raises(InputError) as err:
        load_case(folder)
    assert message in err.value.message and str(folder / "case.yaml") in err.value.message


def test_a_case_without_logs_is_refused(tmp_path: Path) -> None:
    folder = _case(tmp_path, "c1", GOOD, logs=False)
    with pytest.raises(InputError, match="no log file"):
        load_case(folder)


def test_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        load_cases(tmp_path / "missing")
    with pytest.raises(InputError, match="no case folder"):
        load_cases(tmp_path)
    _case(tmp_path, "a", GOOD)
    _case(tmp_path, "b", GOOD)
    with pytest.raises(InputError, match="repeats"):
        load_cases(tmp_path)
