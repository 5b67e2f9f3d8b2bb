"""The LLM drafter: a description asked of the model through the one call path, from the
same profile the template drafter reads (sent as fenced, untrusted data), validated as plain
text. Any failure raises an ArgusError; the caller falls back to the template drafter."""

from __future__ import annotations

from argus.describe.from_templates import subject
from argus.describe.text import MAX_CHARS, plain_description
from argus.llm.prompts import DATA_RULE, data_block
from argus.llm.runtime import LLMRuntime
from argus.store.module_profile import ModuleProfile

SYSTEM = (
    "You write short descriptions of software modules for an operations team, from statistics "
    "of their logs. Answer with one plain-text paragraph of one to three sentences saying what "
    f"the module does and what it logs; at most {MAX_CHARS} characters; no Markdown, no HTML, "
    "no lists, no JSON, no quotes around the answer. " + DATA_RULE
)


def _facts(profile: ModuleProfile) -> dict[str, object]:
    return {
        "module": profile.mod,
        "submodule": profile.smod,
        "lines": profile.lines,
        "levels": profile.levels,
        "top_templates": [
            {"template": t.template[:200], "level": t.level, "lines": t.lines} for t in profile.top
        ],
        "submodules": profile.submodules[:20],
    }


async def llm_description(runtime: LLMRuntime, profile: ModuleProfile) -> str:
    """The model's description of ``profile``'s module, validated by ``plain_description``
    (re-asked once when invalid). Raises LLMOutputInvalid after two invalid answers and the
    call path's typed errors (transport, budget, breaker) when the server fails."""
    prompt = f"Describe the {subject(profile.mod, profile.smod)}.\n" + data_block(_facts(profile))
    return await runtime.ask_read(plain_description, SYSTEM, prompt, what="module description")
