"""The template_mining agent: names and classifies the templates that matter.

First, when the share of the batch's records no template matched is above
``ctx.remine_unmatched_rate`` (``ARGUS_MINING__REMINE_UNMATCHED_RATE``), it asks pass 1 to run
again on those records (DESIGN.md §6) through the front door's ``ctx.remine`` port, once per
diagnosis: the batch is counted and analysed again and the new digest replaces the old one in
the state. Its findings record the request (rates before and after, templates added); without
the port the request is recorded as unavailable, and a failing re-run is an error in the state
that keeps the first digest.

Then it picks the anomalous and error templates of the digest, gives each a category (on the
rule path from its words, with the classifier the suspects use too; from the LLM when one is
available, validated against the closed vocabulary), proposes advice and builds the query for
the next knowledge search. It reads only the typed digest (:class:`BatchDigest`).
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, Field, field_validator

from argus.agents.context import DiagnosisContext
from argus.agents.digest import NO_DIGEST, BatchDigest
from argus.agents.findings import Findings, MinedTemplate, Remining, TemplateMiningFindings
from argus.agents.state import DiagnosisState
from argus.errors import ArgusError
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import (
    CATEGORIES,
    Anomaly,
    Category,
    Mode,
    Report,
    TemplateEvidence,
    is_category,
)
from argus.tools.textsignals import category_of_text

AGENT = "template_mining"
MAX_SUMMARY = 4000  #: Report.summary's max_length


class NamedTemplate(BaseModel):
    """The LLM's description of one template."""

    template_id: int
    name: str = Field("", max_length=120)
    category: Category = "unknown"
    advice: str = Field("", max_length=500)

    @field_validator("category", mode="before")
    @classmethod
    def _known(cls, value: object) -> Category:
        text = str(value or "").strip().lower()  # "none" names no failure: not a template's
        return text if is_category(text) and text != "none" else "unknown"


class Naming(BaseModel):
    """The LLM's answer."""

    templates: list[NamedTemplate] = Field(default_factory=list, max_length=20)


PROMPT = """You name log templates. For each template, answer JSON {"templates":
[{"template_id": <id>, "name": "<3-6 words>", "category": one of CATS,
"advice": "<one sentence or empty>"}]}. RULE""".replace(
    "CATS", ", ".join(c for c in CATEGORIES if c != "none")
).replace("RULE", DATA_RULE)


def important_templates(digest: BatchDigest, limit: int = 6) -> list[Anomaly | TemplateEvidence]:
    """Anomalous templates first, then error templates, without repeats."""
    picked: dict[int, Anomaly | TemplateEvidence] = {}
    candidates: list[Anomaly | TemplateEvidence] = [*digest.anomalies, *digest.error_templates]
    for item in candidates:
        picked.setdefault(item.template_id, item)
        if len(picked) >= limit:
            break
    return list(picked.values())


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> DiagnosisState:
    """Re-run pass 1 when too much is unmatched; classify the templates that matter and
    prepare the next knowledge query."""
    digest, remining, errors = await remine_if_needed(state, ctx)
    named = [_rule_name(t) for t in important_templates(digest)]
    mode: Mode = "rule-based"
    if named and ctx.llm_ready(AGENT):
        try:
            named = await _llm_name(named, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"template_mining: LLM path failed, rule names kept ({exc.message})")
    query = " ".join([*digest.error_codes[:5], *(t.template for t in named)])
    found = TemplateMiningFindings(templates=named, query=query, remine=remining)
    update: DiagnosisState = {
        "findings": replace(state.get("findings", Findings()), template_mining=found),
        "modes": {**state.get("modes", {}), "template_mining": mode},
        "errors": errors,
    }
    if remining is not None and remining.outcome == "done":
        update["digest"] = digest
    return update


async def remine_if_needed(
    state: DiagnosisState, ctx: DiagnosisContext
) -> tuple[BatchDigest, Remining | None, list[str]]:
    """The digest to work from, the re-run of pass 1 asked for (None: not wanted) and the
    errors met. The re-run is asked for once per diagnosis, when the share of unmatched records
    is above the threshold; the digest is the re-run's when it succeeded, else the state's."""
    digest = state.get("digest", NO_DIGEST)
    threshold = ctx.remine_unmatched_rate
    if digest.unmatched_rate <= threshold or _asked_before(state):
        return digest, None, []
    asked = Remining(outcome="unavailable", rate_before=digest.unmatched_rate, threshold=threshold)
    if ctx.remine is None:
        return digest, asked, []
    try:
        remined = await ctx.remine()
    except Exception as exc:  # an optional second look: any failure keeps the first digest
        reason = f"{type(exc).__name__}: {exc}"[:300]
        failed = replace(asked, outcome="failed", error=reason)
        return digest, failed, [f"template_mining: pass 1 re-run failed, digest kept ({reason})"]
    done = replace(
        asked,
        outcome="done",
        rate_after=remined.digest.unmatched_rate,
        templates_added=remined.templates_added,
    )
    return remined.digest, done, []


def _asked_before(state: DiagnosisState) -> bool:
    """True when an earlier visit of this agent already asked for the re-run."""
    found = state.get("findings", Findings()).template_mining
    return found is not None and found.remine is not None


def with_remine_note(report: Report, state: DiagnosisState) -> Report:
    """``report`` with the re-run of pass 1 this agent asked for told at the end of its summary
    (whichever path wrote it); unchanged when none was asked for."""
    found = state.get("findings", Findings()).template_mining
    if found is None or found.remine is None:
        return report
    note = found.remine.describe()
    kept = report.summary[: MAX_SUMMARY - len(note) - 1]
    return report.model_copy(update={"summary": f"{kept} {note}"})


def _rule_name(template: Anomaly | TemplateEvidence) -> MinedTemplate:
    text = template.template
    return MinedTemplate(
        template_id=template.template_id, template=text, category=category_of_text(text)
    )


async def _llm_name(named: list[MinedTemplate], ctx: DiagnosisContext) -> list[MinedTemplate]:
    assert ctx.llm is not None
    listing = [{"template_id": t.template_id, "template": t.template[:300]} for t in named]
    answer = await ctx.llm.ask(Naming, PROMPT, "Templates:\n" + data_block(listing))
    by_id = {t.template_id: t for t in answer.templates}
    out = []
    for t in named:
        llm = by_id.get(t.template_id)
        if llm is None:
            out.append(t)
            continue
        category = llm.category if llm.category != "unknown" else t.category
        out.append(replace(t, name=llm.name, category=category, advice=llm.advice))
    return out
