"""Pass 1's drafter for one mining run, with the local LLM server when the settings ask for it.

The LLM drafter (and the LLM client stack it pulls in, about 0.4 s of imports) is imported only
when the settings name it: ``argus stats`` and every rule-drafted run start without it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from argus.config import Settings
from argus.errors import LLMUnavailable
from argus.mining.committee import Drafter, RuleDrafter
from argus.runtime.llm import local_llm

log = logging.getLogger(__name__)


@contextlib.contextmanager
def run_drafter(settings: Settings) -> Iterator[Drafter]:
    """The drafter ``settings`` name (``mining_drafter``), for one mining run.

    With ARGUS_MINING__DRAFTER=llm and ARGUS_LLM=local, llama.cpp's server is started for the
    run the way a diagnosis starts it (``argus.runtime.llm.local_llm``) and stopped when the
    run ends; when it cannot start, the run drafts with the rules (logged). In every other
    case no server is started.
    """
    if settings.mining.drafter == "rule":
        yield RuleDrafter()
        return
    from argus.mining.llm_drafter import mining_drafter

    with contextlib.ExitStack() as stack:
        base_url: str | None = None
        if settings.mining.drafter == "llm" and settings.llm_mode == "local":
            try:
                base_url = stack.enter_context(local_llm(settings))
            except LLMUnavailable as exc:
                log.warning(
                    "ARGUS_MINING__DRAFTER=llm but %s: templates are drafted by the rules", exc
                )
        yield mining_drafter(settings, base_url)
