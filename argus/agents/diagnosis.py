"""The diagnosis agent: the final structured report.

The rule path builds the report from the digest (suspects, anomalies, error templates and
codes), the template names and the knowledge hits. The LLM path writes the summary, picks the
root cause among the suspects and the category from the closed vocabulary; its answer is
validated, and anything it gets wrong is replaced by the rule path's value. A draft that
contradicts the rule path (the incident flag, a category to or from "none", a summary denying
the incident, no suspect named) is rejected whole: the rule report stands, the fallback is
recorded. The evidence (suspects, anomalies, templates, codes, knowledge, runbook steps) is
always the rule path's. Either summary ends with the re-run of pass 1 template_mining asked for.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from argus.agents.context import DiagnosisContext
from argus.agents.digest import NO_DIGEST, BatchDigest
from argus.agents.findings import Findings, MinedTemplate
from argus.agents.state import DiagnosisState
from argus.agents.template_mining import with_remine_note
from argus.errors import ArgusError, LLMOutputInvalid
from argus.knowledge.categories import Category as KnowledgeCategory
from argus.knowledge.categories import report_category
from argus.knowledge.search import SearchHit
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import (
    CATEGORIES,
    Category,
    Evidence,
    KnowledgeEvidence,
    Report,
    RootCause,
    Suspect,
    is_category,
)

AGENT = "diagnosis"
PROMPT = """You write the diagnosis of an incident found in a batch of logs, from the evidence
given. Answer JSON only: {"summary": "<2-4 sentences>", "root_cause_module": "<one of SUSPECTS
or null>", "category": one of CATS, "description": "<one sentence>",
"recommendations": ["<step>", ...], "confidence": <0..1>}. RULE""".replace(
    "CATS", ", ".join(c for c in CATEGORIES if c != "none")
).replace("RULE", DATA_RULE)
MAX_RECOMMENDATIONS = 10

#: A summary or description that denies the incident the statistics found.
_DENIAL = re.compile(
    r"\bno (?:incident|issue|problem|failure|fault|outage|anomal\w*)s?\b"
    r"|\b(?:all|every) (?:services?|systems?|modules?|components?)\b[^.]{0,40}"
    r"\b(?:healthy|normal|fine|ok|operational)\b"
    r"|\bclose (?:this|the) (?:ticket|incident|alert)\b|\bfalse (?:alarm|positive)\b"
    r"|\bnothing (?:is )?(?:wrong|abnormal)\b",
    re.IGNORECASE,
)


class DiagnosisDraft(BaseModel):
    """The LLM's answer."""

    summary: str = Field(min_length=1, max_length=4000)
    root_cause_module: str | None = None
    category: str = "unknown"
    description: str = Field("", max_length=2000)
    recommendations: list[str] = Field(default_factory=list, max_length=10)
    confidence: float = 0.5
    incident: bool | None = None  #: not asked for; when given, it must agree with the rules


#: Cosine similarity at which the best knowledge hit is trusted to name the category.
TRUSTED_SIMILARITY = 0.55


def known_category(knowledge: list[SearchHit]) -> Category | None:
    """The report category of a knowledge hit that matched the batch's own error code, or of
    the best hit when it is close or first by both vector and full-text ranking; None when
    unsure or when the hit has no category."""
    for hit in knowledge[:3]:
        if hit.code_match:
            return _report_category(hit)
    if not knowledge:
        return None
    best = knowledge[0]
    close = (best.vector_similarity or 0.0) >= TRUSTED_SIMILARITY
    agreed = best.vector_rank == 1 and best.text_rank == 1  # both signals agree
    return _report_category(best) if close or agreed else None


def _report_category(hit: SearchHit) -> Category | None:
    try:
        return report_category(KnowledgeCategory(str(hit.category)))
    except ValueError:  # no category, or one outside the knowledge vocabulary
        return None


def rule_report(state: DiagnosisState) -> Report:
    """The report the statistics and the knowledge base support on their own."""
    digest = state.get("digest", NO_DIGEST)
    suspects = digest.suspects[:5]
    knowledge = state.get("knowledge", [])[:5]
    top = suspects[0] if (suspects and digest.incident) else None
    guess = known_category(knowledge) or digest.category_guess
    category: Category = guess if digest.incident else "none"
    return Report(
        summary=_summary(top, category, digest, knowledge),
        incident=digest.incident,
        root_cause=RootCause(
            module=top.module if top else None,
            category=category,
            description="; ".join(top.reasons[:3]) if top else "",
        ),
        suspects=suspects,
        top_error_templates=digest.error_templates[:10],
        error_codes=digest.error_codes[:20],
        anomalies=digest.anomalies[:20],
        recommendations=_recommendations(state, knowledge)[:8],
        evidence=_evidence(digest, knowledge),
        confidence=state.get("confidence", 0.0) if digest.incident else 0.8,
        mode="rule-based",
    )


def _recommendations(state: DiagnosisState, knowledge: list[SearchHit]) -> list[str]:
    """The best hit's runbook steps, then the advice template_mining gave."""
    steps = steps_of(knowledge[0].solution) if knowledge else []
    return steps + [t.advice for t in _named(state) if t.advice]


def _evidence(digest: BatchDigest, knowledge: list[SearchHit]) -> Evidence:
    return Evidence(
        template_ids=[a.template_id for a in digest.anomalies[:10]],
        knowledge=[
            KnowledgeEvidence(
                kb_id=h.kb_id, source_id=h.source_id, snippet=h.symptom[:300], score=h.score
            )
            for h in knowledge
        ],
    )


def steps_of(solution: str) -> list[str]:
    """A runbook's remediation text as separate steps (its own numbering removed)."""
    steps = [re.sub(r"^\s*(?:\d+[.)]|[-*])\s*", "", line).strip() for line in solution.splitlines()]
    return [s for s in steps if s]


def _named(state: DiagnosisState) -> list[MinedTemplate]:
    found = state.get("findings", Findings()).template_mining
    return found.templates if found is not None else []


def _summary(
    top: Suspect | None, category: str, digest: BatchDigest, knowledge: list[SearchHit]
) -> str:
    unbaselined = "" if digest.baseline_minutes is not None else NO_BASELINE
    if top is None:
        return _abstention(digest) + unbaselined
    text = f"Most likely root cause: {top.module} ({category.replace('_', ' ')})."
    if digest.anomalies:
        text += f" {len(digest.anomalies)} template(s) differ from the baseline."
    if knowledge:
        text += f" Closest known issue: {knowledge[0].source_id}."
    return text + _timing_caveat(top, digest) + unbaselined


#: Signals that rest on request timing alone.
TIMING = frozenset({"own_time", "slow_link"})


def _timing_caveat(top: Suspect, digest: BatchDigest) -> str:
    """When the root cause rests on request timing, say how far apart the windows are: timing
    drifts between windows hours apart (bench/RESULTS.md, issue #13, pre-fault check)."""
    gap = digest.baseline_gap_minutes
    if not top.evidence or top.evidence[0].signal not in TIMING or gap is None:
        return ""
    when = (
        f"that ended {_duration(gap)} before the batch began"
        if gap >= 0
        else "that does not end before the batch begins"
    )
    return (
        f" The claim rests on request timing against a baseline {when}; timing drifts between "
        "windows far apart, so confirm it against a recent fault-free window."
    )


def _duration(minutes: float) -> str:
    """``minutes`` (>= 0) as "3 h 5 min", "12 min" or "under a minute"."""
    whole = round(minutes)
    if whole == 0:
        return "under a minute"
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


#: Said of every batch diagnosed without a baseline.
NO_BASELINE = (
    " No baseline was available: the batch was judged against itself (error templates that "
    "start partway through it), which is weaker evidence than a comparison."
)


def _abstention(digest: BatchDigest) -> str:
    """No incident claimed: say so, and name the candidates the evidence points to, if any."""
    candidates = [s for s in digest.suspects[:3] if s.score > 0]
    if not candidates:
        return "No incident: nothing in the batch stands out against the baseline."
    named = ", ".join(f"{s.module} ({s.score:.2f})" for s in candidates)
    return (
        "No confident root cause: no module's evidence clears the bar for an incident. "
        f"Candidates, strongest first: {named}."
    )


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> DiagnosisState:
    """Write the report (LLM path when available, rule path otherwise or on failure)."""
    report, errors = rule_report(state), []
    if report.incident and ctx.llm_ready(AGENT):
        try:
            report = await _llm_report(report, state, ctx)
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"diagnosis: LLM path failed, rule-based report used ({exc.message})")
    report = with_remine_note(report, state)
    return {
        "report": report,
        "errors": errors,
        "modes": {**state.get("modes", {}), "diagnosis": report.mode},
    }


async def _llm_report(rule: Report, state: DiagnosisState, ctx: DiagnosisContext) -> Report:
    assert ctx.llm is not None
    suspects = [s.module for s in rule.suspects]
    evidence = {
        "SUSPECTS": suspects,
        "anomalies": [a.template[:200] for a in rule.anomalies[:8]],
        "error_templates": [t.template[:200] for t in rule.top_error_templates[:5]],
        "error_codes": rule.error_codes[:10],
        "knowledge": [k.snippet[:200] for k in rule.evidence.knowledge[:3]],
    }
    draft = await ctx.llm.ask(DiagnosisDraft, PROMPT, "Evidence:\n" + data_block(evidence))
    check_draft(draft, rule)
    module = draft.root_cause_module if draft.root_cause_module in suspects else None
    category = draft.category if is_category(draft.category) else None
    root = rule.root_cause.model_copy(
        update={
            "module": module or rule.root_cause.module,
            "category": category or rule.root_cause.category,
            "description": draft.description or rule.root_cause.description,
        }
    )
    extra = [r[:500] for r in draft.recommendations if r not in rule.recommendations]
    return rule.model_copy(
        update={
            "summary": draft.summary,
            "root_cause": root,
            "recommendations": [*rule.recommendations, *extra][:MAX_RECOMMENDATIONS],
            "confidence": min(1.0, max(0.0, draft.confidence)),
            "mode": "llm",
            "model": ctx.llm.model_name,
        }
    )


def check_draft(draft: DiagnosisDraft, rule: Report) -> None:
    """Raise LLMOutputInvalid when the draft contradicts the rule path: it may never flip the
    incident flag, move the category to or from "none", deny the incident in its text, or
    name none of the suspects the rule path found."""
    if draft.incident is not None and draft.incident != rule.incident:
        raise LLMOutputInvalid("LLM report contradicts the rule path's incident flag")
    if (draft.category == "none") != (rule.root_cause.category == "none"):
        raise LLMOutputInvalid("LLM report contradicts the rule path (category none)")
    if rule.incident and _DENIAL.search(f"{draft.summary} {draft.description}"):
        raise LLMOutputInvalid("LLM report summary denies the incident the evidence shows")
    suspects = [s.module for s in rule.suspects]
    text = f"{draft.summary} {draft.description}".lower()
    named = draft.root_cause_module in suspects or any(m.lower() in text for m in suspects)
    if suspects and not named:
        raise LLMOutputInvalid("LLM report names none of the suspect modules")
