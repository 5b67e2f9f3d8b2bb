"""Feedback on a diagnosis: resolve the truth it states, store it, and teach the knowledge base.

A confirmed or corrected diagnosis of an incident becomes the knowledge entry
``feedback/<batch id>`` (source ``feedback``), written through the one write path
(:func:`argus.knowledge.upsert.write_entries`), so later diagnoses and knowledge searches find
it. Its symptom is what the batch showed (error codes and error templates, the text the
knowledge agent searches with); its module and category are the truth. Later feedback on the
same batch replaces the entry; feedback saying there was no incident removes it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg

from argus.batch_rows import BatchRow
from argus.errors import ConflictError, InputError
from argus.knowledge.categories import Category, report_category
from argus.knowledge.embeddings import Embedder
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.upsert import write_entries
from argus.report import Report
from argus.store import feedback as store
from argus.store import knowledge as knowledge_store

#: Source of the knowledge entries feedback writes.
FEEDBACK_SOURCE = "feedback"


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What a person says of a diagnosis."""

    correct: bool  #: the diagnosis was right
    incident: bool = True  #: there was an incident (False with correct=False: a false alarm)
    module: str | None = None  #: the true module (required when correcting an incident)
    category: Category | None = None  #: the true category (required when correcting one)
    note: str = ""  #: free text: what really happened, what fixed it
    author: str  #: who says so


@dataclass(frozen=True, kw_only=True)
class Truth:
    """The answer a verdict implies, in the report's vocabulary."""

    module: str | None  #: None for no incident (or a confirmed report naming no module)
    category: str | None  #: report category, "none" for no incident; None: not labelled


def feedback_source_id(batch_id: object) -> str:
    """The source id of the knowledge entry taught by feedback on ``batch_id``."""
    return f"feedback/{batch_id}"


def resolve_truth(report: Report, verdict: Verdict) -> Truth:
    """The truth of ``verdict`` on ``report``; InputError when the verdict contradicts itself
    (confirming a diagnosis while naming another module or category, or correcting an incident
    without naming its module and category)."""
    cause = report.root_cause
    if verdict.correct:
        if verdict.module is not None and verdict.module != cause.module:
            raise InputError(
                f"correct=true, but module {verdict.module!r} is not the diagnosed "
                f"{cause.module!r}",
                hint="send correct=false to correct the diagnosis",
            )
        if verdict.category is not None and report_category(verdict.category) != cause.category:
            raise InputError(
                f"correct=true, but category {verdict.category.value!r} is not a kind of the "
                f"diagnosed {cause.category!r}",
                hint="send correct=false to correct the diagnosis",
            )
        if not report.incident:
            return Truth(module=None, category="none")
        if cause.module is None:
            return Truth(module=None, category=None)  # confirmed, but nothing to label
        return Truth(module=cause.module, category=cause.category)
    if not verdict.incident:
        if not report.incident:
            raise InputError(
                "correct=false and incident=false, but the diagnosis found no incident",
                hint="send correct=true to confirm it",
            )
        return Truth(module=None, category="none")
    if verdict.module is None or verdict.category is None:
        raise InputError(
            "a corrected incident needs its true module and category",
            hint="send module and category (or incident=false for a false alarm)",
        )
    return Truth(module=verdict.module, category=report_category(verdict.category))


def feedback_entry(
    batch: BatchRow, report: Report, verdict: Verdict, truth: Truth
) -> KnowledgeEntry:
    """The knowledge entry taught by ``verdict`` on the batch's ``report`` (truth an incident)."""
    labels = batch.labels
    shown = [
        *report.error_codes[:5],
        *(t.template for t in report.top_error_templates[:5]),
        *(a.template for a in report.anomalies[:3]),
    ]
    symptom = "\n".join(dict.fromkeys(s.strip() for s in shown if s.strip())) or report.summary
    kind = (verdict.category.value if verdict.category else truth.category or "").replace("_", " ")
    cause = verdict.note.strip() or report.root_cause.description
    where = f"{truth.module}: {kind}".strip(": ")
    steps = verdict.note.strip() or "\n".join(report.recommendations)
    return KnowledgeEntry(
        source_id=feedback_source_id(batch.batch_id),
        error_code=report.error_codes[0][:100] if report.error_codes else None,
        platform=_label(labels, "platform"),
        firmware=_label(labels, "firmware"),
        module=(truth.module or "")[:100] or None,
        category=verdict.category,
        symptom=symptom,
        root_cause=f"{where}. {cause}".strip() if cause else where,
        solution=steps or f"As diagnosed for batch {batch.batch_id}, confirmed by feedback.",
        tags=(FEEDBACK_SOURCE, "confirmed" if verdict.correct else "corrected"),
        source=FEEDBACK_SOURCE,
    )


def _label(labels: Mapping[str, Any], key: str) -> str | None:
    value = labels.get(key)
    return str(value)[:100] if value not in (None, "") else None


async def record_feedback(
    conn: psycopg.AsyncConnection[Any],
    batch: BatchRow,
    verdict: Verdict,
    embedder: Embedder,
) -> store.FeedbackRow:
    """Store ``verdict`` on the diagnosis of ``batch`` (a row of ``store.batches.get_batch``)
    and update the batch's feedback knowledge entry, in one transaction. ConflictError when
    the batch has no diagnosis yet; InputError when the verdict contradicts itself."""
    batch_id = batch.batch_id
    async with conn.transaction():
        diagnosis = await store.diagnosis_of(conn, batch_id)
        if diagnosis is None:
            raise ConflictError(f"batch {batch_id} has no diagnosis yet: nothing to judge")
        diagnosis_id, stored_report = diagnosis
        report = Report.model_validate(stored_report)
        truth = resolve_truth(report, verdict)
        row = await store.insert_feedback(
            conn,
            store.NewFeedback(
                batch_id=batch_id,
                diagnosis_id=diagnosis_id,
                correct=verdict.correct,
                incident=truth.category != "none",
                module=verdict.module,
                category=verdict.category.value if verdict.category else None,
                note=verdict.note,
                author=verdict.author,
                expected_module=truth.module,
                expected_category=truth.category,
            ),
        )
        if truth.category in (None, "none"):
            await _forget(conn, batch_id)
            return row
        entry = feedback_entry(batch, report, verdict, truth)
        written = await write_entries(conn, [entry], embedder)
        kb_id = written.kb_ids[entry.source_id]
        await store.set_knowledge(conn, row.feedback_id, kb_id)
        return dataclasses.replace(row, kb_id=kb_id)


async def _forget(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> None:
    """Remove the batch's feedback entry (its latest feedback says there was no incident)."""
    states = await knowledge_store.stored_states(conn, [feedback_source_id(batch_id)])
    for state in states.values():
        await knowledge_store.delete_entry(conn, state.kb_id)
