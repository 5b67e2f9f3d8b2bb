"""The LLM drafter on Loghub-2k: ARGUS_MINING__DRAFTER=llm against the local llama.cpp server
(the bundled SmolLM2, started as ARGUS_LLM=local starts it), next to the rule drafter.

Per system: GA / PA of both drafters, the LLM requests made (each system is 2,000 lines, so
this is calls per 2k lines), the clusters asked about, the requests that failed (their
clusters kept the rule drafts), the LLM drafts the arbiter accepted (``kept``) and the
seconds taken.

    python -m bench loghub -- --drafter llm [SYSTEM...]
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from pathlib import Path

from argus.config import MiningSettings, Settings
from argus.mining.index import Template
from argus.mining.library import MemoryTemplateStore, NewTemplate
from argus.mining.llm_drafter import LLMDrafter, mining_drafter
from argus.mining.scoring import score

#: One answer of SmolLM2 on a loaded 2-core machine may take long.
TIMEOUT_S = 300.0


class CountingStore(MemoryTemplateStore):
    """A library in memory that counts the templates the LLM drafted (accepted by the arbiter)."""

    def __init__(self) -> None:
        super().__init__()
        self.from_llm = 0

    def add(self, new: NewTemplate) -> Template:
        """Keep a new template; count it when the LLM drafted it."""
        self.from_llm += new.source == "llm"
        return super().add(new)


def run(systems: list[str]) -> None:
    """Print the two drafters' scores and the LLM's calls per system, and their averages."""
    from bench.bench_loghub import DATA, FORMATS, argus_templates, engine_templates, truth

    try:
        from argus.runtime.llm import bundled_gguf, local_llm

        bundled_gguf()
    except Exception as exc:  # the local-llm extra is absent
        print(f"skipped: {exc}")
        return
    # why a request fell back (invalid answers, timeouts) goes to stderr
    logging.basicConfig(format="%(name)s: %(message)s")
    for name in ("argus.mining.llm_drafter", "argus.llm.runtime"):
        logging.getLogger(name).setLevel(logging.INFO)
    home = Path(tempfile.mkdtemp(prefix="argus-bench-llm-"))
    settings = Settings(
        llm="local",  # type: ignore[arg-type]
        home=home,
        llm_timeout_s=TIMEOUT_S,
        mining=MiningSettings(drafter="llm"),
    )
    print(
        f"{'system':<10} {'rule GA':>7} {'PA':>6} | {'llm GA':>6} {'PA':>6} "
        f"{'calls':>5} {'asked':>5} {'err':>4} {'kept':>4} {'s':>7}"
    )
    rows = []
    with local_llm(settings) as base_url:
        for system in systems:
            expected = truth(system)
            rule = score(expected, argus_templates(system)[0])
            drafter = mining_drafter(settings, base_url)
            assert isinstance(drafter, LLMDrafter)
            started = time.perf_counter()
            path = DATA / system / f"{system}_2k.log"
            store = CountingStore()
            predicted, _, _ = engine_templates(path, FORMATS[system], drafter=drafter, store=store)
            seconds = time.perf_counter() - started
            llm = score(expected, predicted)
            rows.append((rule, llm, drafter.calls, drafter.asked, drafter.errors, store.from_llm))
            print(
                f"{system:<10} {rule.ga:7.3f} {rule.pa:6.3f} | {llm.ga:6.3f} {llm.pa:6.3f} "
                f"{drafter.calls:5d} {drafter.asked:5d} {drafter.errors:4d} "
                f"{store.from_llm:4d} {seconds:7.1f}",
                flush=True,
            )
    mean = statistics.fmean
    print(
        f"{'average':<10} {mean(r[0].ga for r in rows):7.3f} {mean(r[0].pa for r in rows):6.3f} | "
        f"{mean(r[1].ga for r in rows):6.3f} {mean(r[1].pa for r in rows):6.3f} "
        f"{mean(r[2] for r in rows):5.1f} {mean(r[3] for r in rows):5.1f} "
        f"{mean(r[4] for r in rows):4.1f} {mean(r[5] for r in rows):4.1f}"
    )
