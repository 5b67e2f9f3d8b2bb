"""Readiness of a process's workers, and instance slots that restarts take back."""

from __future__ import annotations

from pathlib import Path

from argus.config import Settings
from argus.runtime.services import Services
from argus.store.connection import direct
from argus.workers.instance import instance_slot
from argus.workers.pool import WorkerPool
from argus.workers.stage import WorkerScope

UNUSED = Services.at("postgresql://unused", "unused:9092")


def test_a_stage_without_a_live_consumer_is_reported_missing(tmp_path: Path) -> None:
    pool = WorkerPool(Settings(home=tmp_path), UNUSED, 1)
    assert pool.missing_stages() == ["parse", "diagnose", "alerts"]  # not started yet
    pool.scope = WorkerScope(
        owner="me", db=direct("postgresql://unused"), live={"parse": 2, "diagnose": 0, "alerts": 1}
    )
    assert pool.missing_stages() == ["diagnose"]
    pool.scope.live["diagnose"] = 1
    assert pool.missing_stages() == []
    api_only = WorkerPool(Settings(home=tmp_path), UNUSED, 0)
    assert api_only.missing_stages() == []  # no stage is expected of it


def test_live_processes_get_distinct_ids_and_a_restart_gets_its_own_back(tmp_path: Path) -> None:
    with instance_slot(tmp_path) as first, instance_slot(tmp_path) as second:
        assert first != second
    with instance_slot(tmp_path) as again:
        assert again == first  # the lowest free slot keeps its id across lives


def test_a_process_running_the_alerts_kind_runs_the_evaluator_and_the_deliverers(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, alerts={"deliverers": 3})  # type: ignore[arg-type]
    scope = WorkerScope(owner="me", db=direct("postgresql://unused"))
    names = [name for name, _ in WorkerPool(settings, UNUSED, 1)._tasks(scope)]
    assert names.count("alerts") == 1
    assert [n for n in names if n.startswith("deliver#")] == ["deliver#0", "deliver#1", "deliver#2"]
    only_parse = WorkerPool(settings, UNUSED, 1, ("parse",))._tasks(scope)
    assert not any(name in ("alerts", "deliver#0") for name, _ in only_parse)
