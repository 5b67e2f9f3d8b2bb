"""Properties of the engine over generated logs (hypothesis).

Every line of every input gets a non-empty template, and each line matches the pattern of its
own template; literal ``<``, ``>`` and ``*`` next to values survive that round trip.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from argus.config import MiningSettings
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.mining.index import Template
from argus.mining.library import MemoryTemplateStore
from argus.mining.patterns import VAR

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
_MARKS = "<>*=:,()[]/."

#: A literal word: letters with, now and then, a mark such as < > * inside or around it.
literal_words = st.text(_LETTERS + _MARKS, min_size=1, max_size=8).filter(
    lambda w: VAR not in w and any(c.isalpha() for c in w)
)


@st.composite
def values(draw: st.DrawFn) -> str:
    """One variable value of some kind, maybe wrapped in literal < > * or brackets."""
    kind = draw(st.sampled_from(["int", "hex", "ip", "float", "id", "run"]))
    number = draw(st.integers(0, 10**6))
    value = {
        "int": str(number),
        "hex": f"0x{number:x}",
        "ip": f"10.{number % 256}.{number // 256 % 256}.{number % 7}",
        "float": f"{number / 1000:.3f}",
        "id": f"job_{number}",
        "run": " ".join(str(n) for n in range(number % 5 + 1)),
    }[kind]
    left, right = draw(st.sampled_from([("", ""), ("<", ""), ("", ">"), ("<", ">"), ("*", "*")]))
    return f"{left}{value}{right}"


@st.composite
def logs(draw: st.DrawFn) -> list[str]:
    """Lines of a few events: literal words with variable slots (or only slots), some lines
    with an optional parenthesised detail at the end."""
    events = draw(
        st.lists(
            st.lists(st.one_of(literal_words, st.just(VAR)), min_size=1, max_size=7),
            min_size=1,
            max_size=6,
        )
    )
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 300))):
        event = draw(st.sampled_from(events))
        line = " ".join(draw(values()) if w == VAR else w for w in event)
        if draw(st.integers(0, 3)) == 0:  # an optional parenthesised detail
            line += f" (took {draw(st.integers(0, 999))} ms)"
        lines.append(line)
    return lines


def _templates(lines: list[str]) -> list[Template | None]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.log"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        engine = MiningEngine(MemoryTemplateStore(), MiningSettings(), LogFormat.parse("<Content>"))
        engine.process(path)
        by_id = engine.holder.active.by_id()
        tids = pl.concat(list(engine.assign_lines(path)))["tid"].to_list()
    return [by_id.get(t) if t is not None else None for t in tids]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_every_line_gets_a_template_that_matches_it(lines: list[str]) -> None:
    templates = _templates(lines)
    assert len(templates) == len(lines)
    for line, template in zip(lines, templates, strict=True):
        assert template is not None and template.template.strip(), line
        assert re2.compile(template.pattern).search(line), (line, template.template)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(literal_words, values(), literal_words), min_size=1, max_size=30))
def test_literal_marks_next_to_values_round_trip(parts: list[tuple[str, str, str]]) -> None:
    from argus.mining.drafting import draft_templates

    lines = [f"{head} {value} {tail}" for head, value, tail in parts]
    drafts = draft_templates(lines)
    assert sorted(i for d in drafts for i in d.members) == list(range(len(lines)))
    for draft in drafts:
        regex = re2.compile(draft.pattern)
        for i in draft.members:
            assert regex.match(lines[i]), (lines[i], draft.template)
            if len(draft.members) == 1 and "<" in lines[i].split()[1]:
                assert "<" in draft.template.split()[1], (lines[i], draft.template)
