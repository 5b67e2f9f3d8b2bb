"""The template_mining agent: names and classifies the templates that matter.

It picks the anomalous and error templates of the digest, gives each a category (on the rule
path from its words, with the classifier the suspects use too; from the LLM when one is
available, validated against the closed vocabulary), proposes advice and builds the query for
the next knowledge search. It reads only digest keys that ``argus.graph.inputs.digest_of`` sets:
the digest carries no unmatched-record count, so it cannot ask pass 1 to run again.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from argus.agents.context import DiagnosisContext
from argus.agents.state import DiagnosisState
from argus.errors import ArgusError
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import CATEGORIES, is_category
from argus.tools.textsignals import category_of_text

AGENT = "template_mining"


class NamedTemplate(BaseModel):
    """The LLM's description of one template."""

    template_id: int
    name: str = Field("", max_length=120)
    category: str = "unknown"
    advice: str = Field("", max_length=500)

    @field_validator("category", mode="before")
    @classmethod
    def _known(cls, value: object) -> str:
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


def important_templates(digest: dict[str, Any], limit: int = 6) -> list[dict[str, Any]]:
    """Anomalous templates first, then error templates, without repeats."""
    picked: dict[int, dict[str, Any]] = {}
    for item in [*digest.get("anomalies", []), *digest.get("error_templates", [])]:
        picked.setdefault(int(item["template_id"]), item)
        if len(picked) >= limit:
            break
    return list(picked.values())


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> dict[str, Any]:
    """Classify the templates that matter and prepare the next knowledge query."""
    digest = state.get("digest", {})
    templates = important_templates(digest)
    named = [_rule_name(t) for t in templates]
    mode, errors = "rule-based", []
    if named and ctx.llm_ready(AGENT):
        try:
            named = await _llm_name(named, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"template_mining: LLM path failed, rule names kept ({exc.message})")
    found = {
        "templates": named,
        "query": " ".join([*digest.get("error_codes", [])[:5], *(t["template"] for t in named)]),
    }
    return {
        "findings": {**state.get("findings", {}), "template_mining": found},
        "modes": {**state.get("modes", {}), "template_mining": mode}, "errors": errors,
    }  # fmt: skip


def _rule_name(template: dict[str, Any]) -> dict[str, Any]:
    text = template["template"]
    return {"template_id": template["template_id"], "template": text,
            "category": category_of_text(text), "advice": ""}  # fmt: skip


async def _llm_name(named: list[dict[str, Any]], ctx: DiagnosisContext) -> list[dict[str, Any]]:
    assert ctx.llm is not None
    listing = [{"template_id": t["template_id"], "template": t["template"][:300]} for t in named]
    answer = await ctx.llm.ask(Naming, PROMPT, "Templates:\n" + data_block(listing))
    by_id = {t.template_id: t for t in answer.templates}
    out = []
    for t in named:
        llm = by_id.get(int(t["template_id"]))
        if llm is None:
            out.append(t)
            continue
        category = llm.category if llm.category != "unknown" else t["category"]
        out.append({**t, "name": llm.name, "category": category, "advice": llm.advice})
    return out
