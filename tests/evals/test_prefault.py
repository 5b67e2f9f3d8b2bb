"""The pre-fault check: a fault case's minutes before its fault, judged against its baseline."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from argus.agents.log_analysis import analyse
from argus.config import DiagnosisSettings, Settings
from argus.errors import InputError
from argus.evals.cases import load_case, load_cases
from argus.evals.prefault import fault_start, prefault_check
from argus.evals.prepared import prepare_cases
from argus.evals.stats_cache import StatsCache
from tests.evals.synthetic import write_case

START = datetime(2023, 3, 1, 10, 0, 5)


def test_the_fault_start_comes_from_case_yaml_or_from_the_notes(tmp_path: Path) -> None:
    noted = write_case(
        tmp_path,
        "noted",
        START,
        fault_in="ts-beta-service",
        notes="injected at 2023-03-01 10:01:30 UTC",
    )
    assert fault_start(load_case(noted)) == datetime(2023, 3, 1, 10, 1, 30)
    given = write_case(tmp_path, "given", START, fault_in="ts-beta-service")
    meta = yaml.safe_load((given / "case.yaml").read_text())
    meta["fault_start"] = "2023-03-01T11:01:30+01:00"  # an aware time is taken to UTC
    (given / "case.yaml").write_text(yaml.safe_dump(meta))
    assert fault_start(load_case(given)) == datetime(2023, 3, 1, 10, 1, 30)
    assert fault_start(load_case(write_case(tmp_path, "silent", START, fault_in=None))) is None


def test_the_minutes_before_a_fault_are_judged_and_claim_nothing(tmp_path: Path) -> None:
    late = "injected at 2023-03-01 10:01:35"  # 90 s in: the minute from 10:00:05 is fault-free
    write_case(tmp_path, "late", START, fault_in="ts-beta-service", fault_from_s=90, notes=late)
    early = "injected at 2023-03-01 10:00:15"  # no whole minute before it
    write_case(tmp_path, "early", START, fault_in="ts-gamma-service", seed=3, notes=early)
    prepared = prepare_cases(load_cases(tmp_path), Settings(), StatsCache(None))
    tuning = DiagnosisSettings()

    whole = {p.case.id: analyse(p.stats.current, p.stats.baseline, tuning) for p in prepared}
    assert whole["late"].incident and whole["late"].top_module == "ts-beta-service"

    check = prefault_check(prepared, tuning)
    (judged,) = check.diagnoses
    assert judged.case_id == "late" and not judged.incident and judged.category == "none"
    assert judged.seconds == timedelta(seconds=55).total_seconds()
    assert judged.since_previous_fault == 80 / 60  # the early case's fault began before it
    assert check.incidents == 0 and check.incidents_after(0.0) == (0, 1)
    assert check.skipped == ["early: 0 s before the fault (at least 30 s needed)"]


def test_a_fault_start_that_is_not_a_time_is_a_typed_error(tmp_path: Path) -> None:
    folder = write_case(tmp_path, "bad", START, fault_in="ts-beta-service")
    meta = yaml.safe_load((folder / "case.yaml").read_text())
    meta["fault_start"] = "half past nine"
    (folder / "case.yaml").write_text(yaml.safe_dump(meta))
    with pytest.raises(InputError, match="fault_start 'half past nine' is not an ISO time"):
        fault_start(load_case(folder))
