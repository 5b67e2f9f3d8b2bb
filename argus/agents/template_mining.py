"""The template_mining agent: names and classifies the templates that matter.

It picks the anomalous and error templates of the digest, gives each a category (from its words
on the rule path, from the LLM when one is available, validated against the closed vocabulary),
proposes advice, builds the query for the next knowledge search, and asks for pass 1 to run
again when too many records went unmatched.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator

from argus.errors import ArgusError
from argus.graph.context import DiagnosisContext
from argus.graph.state import DiagnosisState
from argus.llm.prompts import DATA_RULE, data_block
from argus.report import CATEGORIES, is_category

AGENT = "template_mining"

#: Unmatched share of records above which pass 1 should run again.
RERUN_SHARE = 0.05

_WORDS: tuple[tuple[str, str], ...] = (
    (r"timed? ?out|timeout|deadline", "timeout"),
    (r"refused|reset by peer|unreachable|connection (closed|lost)", "network_connection"),
    (r"latency|slow|took \S+ ?ms", "network_latency"),
    (r"exception|traceback|stack ?trace|panic|segfault|nullpointer", "code_exception"),
    (r"out of memory|oom|heap", "resource_memory"),
    (r"no space|disk full|quota", "resource_disk"),
    (r"cpu|throttl", "resource_cpu"),
    (r"certificate|ssl|tls", "tls"),
    (r"unauthori[sz]ed|forbidden|denied|login fail|auth", "auth"),
    (r"deadlock|pool|sql|database|db-", "database"),
    (r"dns|resolve", "dns"),
    (r"checksum|crc|corrupt", "data_integrity"),
    (r"config|invalid (setting|parameter)|missing (key|property)", "config"),
    (r"return(ed)? (code|value|status)|status[ =:]\S*[45]\d\d|\b[45]\d\d\b",
     "code_wrong_return_value"),
)  # fmt: skip


def classify(text: str) -> str:
    """The category a template's words suggest ("unknown" when none)."""
    lowered = text.lower()
    for pattern, category in _WORDS:
        if re.search(pattern, lowered):
            return category
    return "unknown"


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
    named = [{"template_id": t["template_id"], "template": t["template"],
              "category": classify(t["template"]), "advice": ""} for t in templates]  # fmt: skip
    mode, errors = "rule-based", []
    if named and ctx.llm_ready(AGENT):
        try:
            named = await _llm_name(named, ctx)
            mode = "llm"
        except ArgusError as exc:
            ctx.fall_back(AGENT, exc.message)
            errors.append(f"template_mining: LLM path failed, rule names kept ({exc.message})")
    records = max(int(digest.get("records", 0)), 1)
    found = {
        "templates": named,
        "query": " ".join([*digest.get("error_codes", [])[:5], *(t["template"] for t in named)]),
        "rerun_pass1": int(digest.get("unmatched", 0)) / records > RERUN_SHARE,
    }
    return {
        "findings": {**state.get("findings", {}), "template_mining": found},
        "modes": {**state.get("modes", {}), "template_mining": mode}, "errors": errors,
    }  # fmt: skip


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
