"""The template_mining agent: names and classifies the templates that matter.

It picks the anomalous and error templates of the digest, gives each a category (on the rule
path from its words, with the classifier the suspects use too; from the LLM when one is
available, validated against the closed vocabulary), proposes advice and builds the query for
the next knowledge search. It reads only the typed digest (:class:`BatchDigest`): the digest
carries no unmatched-record count, so it cannot ask pass 1 to run again.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel, Field, field_validator

from argus.agents.context import DiagnosisContext
from argus.agents.digest import NO_DIGEST, BatchDigest
from argus.agents.findings import Findings, MinedTemplate, TemplateMiningFindings
from argus.agents.state import DiagnosisState
from argus.errors import ArgusError
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import CATEGORIES, Anomaly, Category, Mode, TemplateEvidence, is_category
from argus.tools.textsignals import category_of_text

AGENT = "template_mining"


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
    """Classify the templates that matter and prepare the next knowledge query."""
    digest = state.get("digest", NO_DIGEST)
    named = [_rule_name(t) for t in important_templates(digest)]
    mode: Mode = "rule-based"
    errors: list[str] = []
    if named and ctx.llm_ready(AGENT):
        try:
            named = await _llm_name(named, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"template_mining: LLM path failed, rule names kept ({exc.message})")
    query = " ".join([*digest.error_codes[:5], *(t.template for t in named)])
    found = TemplateMiningFindings(templates=named, query=query)
    return {
        "findings": replace(state.get("findings", Findings()), template_mining=found),
        "modes": {**state.get("modes", {}), "template_mining": mode},
        "errors": errors,
    }


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
