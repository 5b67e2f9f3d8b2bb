"""template_mining's request to re-run pass 1 when much of the batch is unmatched (DESIGN §6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from argus.agents import diagnosis, template_mining
from argus.agents.context import DiagnosisContext, Remine, Remined
from argus.agents.digest import BatchDigest
from argus.agents.findings import Findings, Remining, TemplateMiningFindings
from argus.agents.state import DiagnosisState
from argus.graph.run import run_diagnosis
from argus.report import TemplateEvidence

BEFORE = BatchDigest(records=66, unmatched=34, window_minutes=10.0, incident=False)
AFTER = BatchDigest(
    records=98,
    unmatched=2,
    window_minutes=10.0,
    incident=False,
    error_templates=[
        TemplateEvidence(
            template_id=99, template="replica <*> refused connection", module="db", count=30
        )
    ],
)


@dataclass(kw_only=True)
class FakeRemine:
    """A remine port that counts its calls and answers AFTER (or raises ``error``)."""

    error: Exception | None = None
    calls: list[int] = field(default_factory=list)

    async def __call__(self) -> Remined:
        self.calls.append(1)
        if self.error is not None:
            raise self.error
        return Remined(digest=AFTER, templates_added=5)


def _ctx(remine: Remine | None, digest: BatchDigest = BEFORE) -> DiagnosisContext:
    return DiagnosisContext(
        batch_id="b1", analyse=lambda: digest, remine=remine, remine_unmatched_rate=0.1
    )


async def _run(
    ctx: DiagnosisContext, digest: BatchDigest = BEFORE, findings: Findings | None = None
) -> tuple[DiagnosisState, TemplateMiningFindings]:
    state: DiagnosisState = {"digest": digest, "findings": findings or Findings()}
    update = await template_mining.run(state, ctx)
    found = update["findings"].template_mining
    assert found is not None
    return update, found


def test_the_digest_knows_its_unmatched_rate() -> None:
    assert BEFORE.unmatched_rate == 0.34
    assert BatchDigest(records=0, window_minutes=0.0, incident=False).unmatched_rate == 0.0


async def test_a_high_unmatched_rate_asks_for_a_rerun_and_replaces_the_digest() -> None:
    port = FakeRemine()
    update, found = await _run(_ctx(port))
    assert len(port.calls) == 1
    assert update["digest"] == AFTER
    assert found.remine == Remining(
        outcome="done", rate_before=0.34, threshold=0.1, rate_after=0.02, templates_added=5
    )
    assert found.remine.describe() == "Pass 1 re-run: unmatched 34% -> 2%, 5 template(s) added."
    # the templates it names come from the new digest
    assert [t.template_id for t in found.templates] == [99]
    assert update["errors"] == []


async def test_a_low_unmatched_rate_asks_for_nothing() -> None:
    port = FakeRemine()
    low = BEFORE.model_copy(update={"records": 95, "unmatched": 5})
    update, found = await _run(_ctx(port, low), low)
    assert port.calls == [] and found.remine is None and "digest" not in update


async def test_the_rate_must_be_above_the_threshold() -> None:
    port = FakeRemine()
    edge = BEFORE.model_copy(update={"records": 90, "unmatched": 10})  # exactly 10%
    _, found = await _run(_ctx(port, edge), edge)
    assert port.calls == [] and found.remine is None


async def test_a_failing_rerun_keeps_the_digest_and_records_an_error() -> None:
    port = FakeRemine(error=OSError("file gone"))
    update, found = await _run(_ctx(port))
    assert len(port.calls) == 1 and "digest" not in update
    assert found.remine is not None and found.remine.outcome == "failed"
    assert "file gone" in found.remine.error
    assert update["errors"] == [
        "template_mining: pass 1 re-run failed, digest kept (OSError: file gone)"
    ]


async def test_without_the_port_the_rerun_is_recorded_as_unavailable() -> None:
    update, found = await _run(_ctx(None))
    assert "digest" not in update
    assert found.remine == Remining(outcome="unavailable", rate_before=0.34, threshold=0.1)
    assert "unavailable" in found.remine.describe()


async def test_the_rerun_is_asked_for_once_per_diagnosis() -> None:
    port = FakeRemine()
    asked = Remining(outcome="done", rate_before=0.5, threshold=0.1, rate_after=0.34)
    earlier = Findings(template_mining=TemplateMiningFindings(remine=asked))
    _, found = await _run(_ctx(port), findings=earlier)
    assert port.calls == [] and found.remine is None


async def test_the_report_summary_tells_the_rerun() -> None:
    _, found = await _run(_ctx(FakeRemine()))
    state: DiagnosisState = {"digest": AFTER, "findings": Findings(template_mining=found)}
    update = await diagnosis.run(state, _ctx(None))
    report = update["report"]
    assert report is not None
    assert report.summary.endswith("Pass 1 re-run: unmatched 34% -> 2%, 5 template(s) added.")


async def test_the_graph_reruns_pass_1_once_and_reports_it() -> None:
    port = FakeRemine()
    report, state = await run_diagnosis(_ctx(port))
    assert len(port.calls) == 1
    assert state["digest"] == AFTER
    assert "Pass 1 re-run: unmatched 34% -> 2%, 5 template(s) added." in report.summary
