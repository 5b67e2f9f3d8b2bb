"""The template_mining agent's rule path: what it reads of the digest and its categories."""

from __future__ import annotations

import pytest

from argus.agents import template_mining
from argus.agents.context import DiagnosisContext
from argus.agents.digest import BatchDigest
from argus.agents.findings import Findings, TemplateMiningFindings
from argus.agents.log_analysis import Analysis, analyse
from argus.graph.inputs import digest_of
from tests.tools.frames import stats, steady

TEXTS = {
    1: "GET /cart ok",
    2: "db query ok",
    3: "java.lang.NullPointerException at Cart.total",
    4: "cpu throttled for <*> ms",
    5: "OutOfMemoryError: Java heap space",
    6: "request to db timed out after <*> ms",
    7: "no space left on device",
    8: "db query failed: connection refused",
    9: "price returned -1 for item <*>",
}


def _analysis(error_tid: int) -> Analysis:
    base = steady(1, "api", 30, 3) + steady(2, "db", 20, 3)
    current = base + steady(error_tid, "db", 10, 3, "ERROR")
    return analyse(stats(current, TEXTS), stats(base, TEXTS))


async def _mine(digest: BatchDigest) -> TemplateMiningFindings:
    ctx = DiagnosisContext(batch_id="b1", analyse=lambda: digest, search=None)
    update = await template_mining.run({"digest": digest, "findings": Findings()}, ctx)
    found = update["findings"].template_mining
    assert found is not None
    return found


async def test_the_agent_needs_nothing_but_the_digest() -> None:
    """The agent names templates and builds a query from the typed digest alone (nothing is
    unmatched here, so it asks pass 1 for nothing)."""
    digest = digest_of(_analysis(8))
    found = await _mine(digest)
    assert found.templates and "db query failed" in found.query
    assert digest.unmatched == 0 and found.remine is None
    assert {t.template_id for t in found.templates} <= {
        *(a.template_id for a in digest.anomalies),
        *(e.template_id for e in digest.error_templates),
    }


@pytest.mark.parametrize("error_tid", sorted(set(TEXTS) - {1, 2}))
async def test_template_mining_and_the_suspects_agree_on_the_category(error_tid: int) -> None:
    analysis = _analysis(error_tid)
    assert analysis.incident and analysis.top_module == "db"
    found = await _mine(digest_of(analysis))
    named = {t.template_id: t.category for t in found.templates}
    expected = analysis.category  # the suspects' vote, from the same classifier
    # an error template whose words name no category is a wrong return value to the suspects
    assert named[error_tid] == ("unknown" if expected == "code_wrong_return_value" else expected)
