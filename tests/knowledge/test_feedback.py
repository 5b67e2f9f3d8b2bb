"""The truth a verdict states, the entry it teaches, and whether a cited entry fits a truth."""

from __future__ import annotations

import pytest

from argus.errors import InputError
from argus.knowledge.categories import Category
from argus.knowledge.feedback import Truth, Verdict, feedback_entry, resolve_truth
from argus.knowledge.stats import fits_truth
from argus.report import Report, RootCause, TemplateEvidence
from argus.store.feedback import JudgedCitation
from tests.batch_rows import BATCH_ID, batch_record

REPORT = Report(
    summary="payment's connection pool is exhausted",
    incident=True,
    root_cause=RootCause(module="payment", category="database", description="pool empty"),
    error_codes=["HY000"],
    top_error_templates=[
        TemplateEvidence(template_id=1, template="Connection is not available <*>", count=90)
    ],
    recommendations=["raise the pool size"],
)
CALM = Report(summary="nothing wrong", incident=False)


def test_confirming_takes_the_report_and_refuses_a_contradiction() -> None:
    assert resolve_truth(REPORT, Verdict(correct=True, author="a")) == Truth(
        module="payment", category="database"
    )
    finer = Verdict(correct=True, category=Category.DB_POOL_EXHAUSTION, author="a")
    assert resolve_truth(REPORT, finer).category == "database"
    with pytest.raises(InputError, match="correct=false"):
        resolve_truth(REPORT, Verdict(correct=True, category=Category.DISK_FULL, author="a"))
    with pytest.raises(InputError, match="correct=false"):
        resolve_truth(REPORT, Verdict(correct=True, module="gateway", author="a"))
    assert resolve_truth(CALM, Verdict(correct=True, author="a")) == Truth(
        module=None, category="none"
    )


def test_correcting_needs_the_truth_or_calls_a_false_alarm() -> None:
    fixed = Verdict(correct=False, module="db", category=Category.DB_DEADLOCK, author="a")
    assert resolve_truth(REPORT, fixed) == Truth(module="db", category="database")
    with pytest.raises(InputError, match="module and category"):
        resolve_truth(REPORT, Verdict(correct=False, module="db", author="a"))
    alarm = Verdict(correct=False, incident=False, author="a")
    assert resolve_truth(REPORT, alarm) == Truth(module=None, category="none")
    with pytest.raises(InputError, match="found no incident"):
        resolve_truth(CALM, alarm)
    missed = Verdict(correct=False, module="disk", category=Category.DISK_FULL, author="a")
    assert resolve_truth(CALM, missed) == Truth(module="disk", category="resource_disk")


def test_the_entry_shows_what_the_batch_showed_and_states_the_truth() -> None:
    verdict = Verdict(
        correct=False, module="db", category=Category.DB_DEADLOCK, note="lock order", author="a"
    )
    batch = batch_record(labels={"platform": "pos", "log_format": "bracket"})
    entry = feedback_entry(batch, REPORT, verdict, resolve_truth(REPORT, verdict))
    assert entry.source_id == f"feedback/{BATCH_ID}" and entry.source == "feedback"
    assert (entry.module, entry.category, entry.platform) == ("db", Category.DB_DEADLOCK, "pos")
    assert entry.symptom.splitlines() == ["HY000", "Connection is not available <*>"]
    assert entry.root_cause == "db: db deadlock. lock order"
    assert entry.solution == "lock order"
    assert "corrected" in entry.tags


def _cited(module: str | None, category: str | None, truth: str = "database") -> JudgedCitation:
    return JudgedCitation(
        kb_id=1,
        module=module,
        category=category,
        expected_module="payment",
        expected_category=truth,
    )


def test_a_cited_entry_fits_when_its_category_and_module_are_the_true_ones() -> None:
    assert fits_truth(_cited("payment", "db_pool_exhaustion"))
    assert fits_truth(_cited(None, "db_deadlock"))  # a generic entry of the true kind
    assert fits_truth(_cited(None, None))
    assert not fits_truth(_cited("gateway", "db_pool_exhaustion"))
    assert not fits_truth(_cited("payment", "disk_full"))
    assert not fits_truth(_cited(None, None, truth="none"))  # nothing fits a false alarm
