"""Feedback on a diagnosis over real HTTP (embedded PostgreSQL): stored and listed, turned into
a knowledge entry that searches and later diagnoses find, and scored by the knowledge metrics."""

from __future__ import annotations

import uuid

import httpx
import pytest

from argus.config import Settings
from argus.pipeline.diagnose import BatchRequest, diagnose_batch
from tests.api.conftest import AUTH
from tests.diagnosed import FAULTY, shop_incident

pytestmark = pytest.mark.integration

CORRECTION = {
    "correct": False,
    "module": "payment",
    "category": "db_pool_exhaustion",
    "note": "HikariCP pool of payment too small; raised maximumPoolSize to 40",
    "by": "oncall@example.com",
}


async def test_feedback_teaches_the_knowledge_base_and_later_diagnoses_cite_it(
    base_url: str, settings: Settings, db_url: str
) -> None:
    source = f"shop-{uuid.uuid4().hex[:6]}"
    batch_id = await shop_incident(settings, db_url, source)
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=120) as api:
        given = await api.post(f"/api/v1/batches/{batch_id}/feedback", json=CORRECTION)
        assert given.status_code == 201, given.text
        feedback = given.json()
        assert feedback["expected_module"] == "payment"
        assert feedback["expected_category"] == "database"  # the report's vocabulary
        kb_id = feedback["kb_id"]
        assert kb_id is not None

        listed = (await api.get(f"/api/v1/batches/{batch_id}/feedback")).json()
        assert [f["feedback_id"] for f in listed["feedback"]] == [feedback["feedback_id"]]
        assert listed["feedback"][0]["by"] == "oncall@example.com"

        entry = (await api.get(f"/api/v1/knowledge/{kb_id}")).json()
        assert entry["source"] == "feedback"
        assert entry["source_id"] == f"feedback/{batch_id}"
        assert (entry["module"], entry["category"]) == ("payment", "db_pool_exhaustion")

        report = (await api.get(f"/api/v1/batches/{batch_id}/report")).json()
        query = " ".join(t["template"] for t in report["top_error_templates"][:3])
        found = await api.get(
            "/api/v1/knowledge/search", params={"q": query, "module": "payment", "limit": 5}
        )
        assert kb_id in [h["kb_id"] for h in found.json()["hits"]]

    # The same failure again, in a new batch: its diagnosis retrieves and cites the entry.
    again = await diagnose_batch(
        settings, db_url, BatchRequest(paths=[FAULTY], source=f"{source}-again")
    )
    assert kb_id in [k.kb_id for k in again.report.evidence.knowledge]


async def test_feedback_is_refused_when_it_cannot_be_acted_on(
    base_url: str, settings: Settings, db_url: str
) -> None:
    batch_id = await shop_incident(settings, db_url, f"shop-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        url = f"/api/v1/batches/{batch_id}/feedback"
        missing = await api.post(url, json={"correct": False, "by": "me"})
        assert missing.status_code == 400, missing.text
        assert "module and category" in missing.json()["detail"]
        contradicting = {"correct": True, "module": "not-the-diagnosed-one", "by": "me"}
        assert (await api.post(url, json=contradicting)).status_code == 400
        unknown = {**CORRECTION, "category": "bad_luck"}
        assert (await api.post(url, json=unknown)).status_code == 422
        nobody = await api.post(f"/api/v1/batches/{uuid.uuid4()}/feedback", json=CORRECTION)
        assert nobody.status_code == 404

        created = await api.post("/api/v1/batches", json={"source": "not-diagnosed"})
        pending = created.json()["batch_id"]
        early = await api.post(f"/api/v1/batches/{pending}/feedback", json=CORRECTION)
        assert early.status_code == 409, early.text
        assert (await api.get(f"{url}")).json()["feedback"] == []
        unauthenticated = await httpx.AsyncClient(base_url=base_url).get(url)
        assert unauthenticated.status_code == 401


async def test_a_false_alarm_removes_the_feedback_entry(
    base_url: str, settings: Settings, db_url: str
) -> None:
    batch_id = await shop_incident(settings, db_url, f"shop-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        url = f"/api/v1/batches/{batch_id}/feedback"
        kb_id = (await api.post(url, json=CORRECTION)).json()["kb_id"]
        alarm = await api.post(url, json={"correct": False, "incident": False, "by": "lead"})
        assert alarm.status_code == 201, alarm.text
        assert alarm.json()["expected_category"] == "none"
        assert alarm.json()["kb_id"] is None
        assert (await api.get(f"/api/v1/knowledge/{kb_id}")).status_code == 404
        listed = (await api.get(url)).json()["feedback"]
        assert [f["expected_category"] for f in listed] == ["none", "database"]


async def test_knowledge_stats_score_cited_entries_against_feedback(
    base_url: str, settings: Settings, db_url: str
) -> None:
    batch_id = await shop_incident(settings, db_url, f"shop-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        report = (await api.get(f"/api/v1/batches/{batch_id}/report")).json()
        cited = [k["kb_id"] for k in report["evidence"]["knowledge"] if k["kb_id"]]
        assert cited, "the shop incident cites the starter pack's pool-exhaustion entry"
        before = (await api.get("/api/v1/knowledge/stats")).json()
        confirm = {"correct": True, "by": "lead"}
        assert (await api.post(f"/api/v1/batches/{batch_id}/feedback", json=confirm)).is_success

        stats = (await api.get("/api/v1/knowledge/stats", params={"top": 50})).json()
        assert stats["diagnoses"] >= 2 and stats["citing_diagnoses"] >= 1
        assert stats["hit_rate"] == round(stats["citing_diagnoses"] / stats["diagnoses"], 4)
        assert stats["judged_citations"] >= before["judged_citations"] + len(cited)
        assert 0 < stats["precision"] <= 1
        assert set(cited) <= {e["kb_id"] for e in stats["most_cited"]}

        metrics = (await api.get("/metrics")).text
        hit_rate = next(
            line for line in metrics.splitlines() if line.startswith("argus_knowledge_hit_rate ")
        )
        assert float(hit_rate.split()[1]) > 0
        assert "argus_knowledge_cited_precision " in metrics
