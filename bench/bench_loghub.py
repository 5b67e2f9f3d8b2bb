"""Parsing accuracy of the real engine on Loghub-2k (8 systems), with Drain3 as the peer.

For each system the raw ``<System>_2k.log`` goes through the same code as ``argus parse``: pass 1
(streaming, committee, hot-swapped index), pass 2, re-feed of the misses, and the per-line
assignment; an empty library per system, no LLM. Scores follow the data's README (GA, FGA, PA).

    python -m bench loghub            (or: python bench/bench_loghub.py [SYSTEM...])
    python -m bench loghub -- --loso  (leave-one-system-out, see bench/loghub_loso.py)
    python -m bench loghub -- --drafter llm [SYSTEM...]
        (ARGUS_MINING__DRAFTER=llm against the local llama.cpp server with the bundled SmolLM2,
        next to the rule drafter: GA / PA and LLM calls per 2k lines; needs argus[local-llm])
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

import polars as pl

from argus.config import MiningSettings
from argus.ingest.formats import LogFormat
from argus.mining.committee import Drafter
from argus.mining.engine import MiningEngine
from argus.mining.library import MemoryTemplateStore, TemplateStore
from argus.mining.scoring import ParsingScores, score

#: Prefix of the label given to a line no template matched (unique per line: each is a group).
UNMATCHED = "<unmatched "

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub2k"

FORMATS = {
    "HDFS": "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    "Spark": "<Date> <Time> <Level> <Component>: <Content>",
    "BGL": "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> "
    "<Content>",
    "Apache": r"\[<Time>\] \[<Level>\] <Content>",
    "HealthApp": r"<Time>\|<Component>\|<Pid>\|<Content>",
    "OpenStack": r"<Logrecord> <Date> <Time> <Pid> <Level> <Component> \[<ADDR>\] <Content>",
    "Android": "<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
    "Linux": r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
}


def truth(system: str) -> list[str]:
    """Ground-truth EventTemplate of each line."""
    path = DATA / system / f"{system}_2k.log_structured_corrected.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["EventTemplate"] for row in csv.DictReader(fh)]


def argus_templates(system: str) -> tuple[list[str], float, int]:
    """Per-line template strings from the engine, the seconds it took and its template count."""
    return engine_templates(DATA / system / f"{system}_2k.log", FORMATS[system])


def engine_templates(
    path: Path,
    log_format: str,
    params: MiningSettings | None = None,
    drafter: Drafter | None = None,
    store: TemplateStore | None = None,
) -> tuple[list[str], float, int]:
    """Per-line templates of ``path`` as ``argus parse`` assigns them, seconds, template count.

    An empty library, no LLM unless ``drafter`` is one; a line no template matches gets a label
    of its own.
    """
    engine = MiningEngine(
        store or MemoryTemplateStore(),
        params or MiningSettings(),
        LogFormat.parse(log_format),
        drafter=drafter,
    )
    started = time.perf_counter()
    engine.process(path)
    names = {t.template_id: t.template for t in engine.holder.active.templates}
    frames = list(engine.assign_lines(path))
    seconds = time.perf_counter() - started
    tids = pl.concat(frames)["tid"].to_list()
    return (
        [names.get(t, f"{UNMATCHED}{i}>") if t else f"{UNMATCHED}{i}>" for i, t in enumerate(tids)],
        seconds,
        len(names),
    )


def drain3_templates(system: str) -> list[str]:
    """Per-line templates from Drain3 with its default configuration, on the same contents."""
    from drain3 import TemplateMiner

    fmt = LogFormat.parse(FORMATS[system])
    lines = (DATA / system / f"{system}_2k.log").read_text(encoding="utf-8").splitlines()
    contents = [(fmt.parse_line(line) or {}).get("content") or line for line in lines]
    miner = TemplateMiner()
    ids = [miner.add_log_message(c)["cluster_id"] for c in contents]
    clusters = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return [clusters[i] for i in ids]


def main(argv: list[str]) -> None:
    """Print per-system and average GA / FGA / PA for Argus and Drain3."""
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the shared data folder must sit beside the checkout)")
        return
    systems = [a for a in argv if a in FORMATS] or list(FORMATS)
    if "--loso" in argv:
        from bench.loghub_loso import run

        run(systems)
        return
    if "--drafter" in argv and argv[argv.index("--drafter") + 1 :][:1] == ["llm"]:
        from bench.loghub_llm import run as run_llm

        run_llm(systems)
        return
    rows: list[tuple[str, ParsingScores, ParsingScores, float, int]] = []
    untemplated_lines: dict[str, int] = {}
    for system in systems:
        expected = truth(system)
        predicted, seconds, count = argus_templates(system)
        untemplated_lines[system] = sum(p.startswith(UNMATCHED) for p in predicted)
        rows.append(
            (
                system,
                score(expected, predicted),
                score(expected, drain3_templates(system)),
                seconds,
                count,
            )
        )
    print(
        f"{'system':<10} {'GA':>6} {'FGA':>6} {'PA':>6} {'tmpl':>5} {'s':>6} {'none':>5} "
        "| Drain3 GA  FGA   PA"
    )
    for system, ours, peer, seconds, count in rows:
        ours_text = f"{ours.ga:6.3f} {ours.fga:6.3f} {ours.pa:6.3f} {count:5d} {seconds:6.2f}"
        untemplated = untemplated_lines[system]
        print(
            f"{system:<10} {ours_text} {untemplated:5d} |  "
            f"{peer.ga:6.3f} {peer.fga:5.3f} {peer.pa:5.3f}"
        )
    mean = statistics.fmean
    print(
        f"{'average':<10} {mean(r[1].ga for r in rows):6.3f} {mean(r[1].fga for r in rows):6.3f} "
        f"{mean(r[1].pa for r in rows):6.3f} {'':5} {'':6} |  {mean(r[2].ga for r in rows):6.3f} "
        f"{mean(r[2].fga for r in rows):5.3f} {mean(r[2].pa for r in rows):5.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
