"""The pass-1 re-run through the real engine and the real graph (the offline front door).

The library learns the baseline only; the batch is counted without being mined, so most of its
records (a failing replica's new error shapes) match no template and are outside every
statistic. template_mining asks pass 1 to run again on them: the engine drafts their templates,
the batch is counted and analysed again, and the report finds the incident it could not see.
"""

from __future__ import annotations

from pathlib import Path

from argus.agents.context import DiagnosisContext
from argus.config import Settings
from argus.evals.diagnose import analyse_files, remine_port
from argus.evals.offline import engine_for, mine_all
from argus.graph.inputs import digest_of
from argus.graph.run import run_diagnosis
from tests.graph.remine_logs import write_log


async def test_the_rerun_matches_the_batch_and_finds_the_incident(
    tmp_path: Path, settings: Settings
) -> None:
    baseline = write_log(tmp_path / "quiet.log.gz", 3_000, seed=1)
    batch = write_log(tmp_path / "failing.log.gz", 3_000, seed=2, failing_share=0.4)
    engine = engine_for(settings, None)
    mine_all(engine, [baseline])
    analysis, misses = analyse_files(engine, [batch], [baseline])
    first = digest_of(analysis)
    assert first.unmatched_rate > 0.3 and misses
    assert not first.incident, "the failing replica's records are all unmatched"

    ctx = DiagnosisContext(
        batch_id="remine-e2e",
        analyse=lambda: first,
        remine=remine_port(engine, [batch], [baseline], misses),
        remine_unmatched_rate=settings.mining.remine_unmatched_rate,
    )
    report, state = await run_diagnosis(ctx)

    mining = state["findings"].template_mining
    assert mining is not None and mining.remine is not None
    asked = mining.remine
    assert asked.outcome == "done" and asked.templates_added >= 1
    assert asked.rate_before == first.unmatched_rate
    assert asked.rate_after is not None and asked.rate_after < 0.02
    assert state["digest"].unmatched_rate == asked.rate_after
    assert state["digest"].records == 3_000 - state["digest"].unmatched
    assert "Pass 1 re-run: unmatched" in report.summary and "template(s) added" in report.summary
    assert report.incident and report.root_cause.module == "db"
    assert any(a.kind == "new" and a.module == "db" for a in report.anomalies)
