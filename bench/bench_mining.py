"""Speed and memory of the template engine on generated bracket-format logs, with peers.

Measured in one run on the same file: ``zcat FILE | wc -l`` (the floor: decompress and count),
pass 2 (parse, match, aggregate) with a warm library, pass 1 from an empty library (cold start,
no LLM), Drain3 (defaults) on the same key texts, and ``argus stats FILE`` end to end: the real
command line as a fresh process each time (interpreter start, imports, the embedded PostgreSQL
started and migrated in a private ARGUS_HOME, the file hashed and registered, pass 2 with the
library ``argus mine FILE`` stored there first, the statistics written), wall time. Peak memory
of both passes over a 5M-line file is read from a child process. Medians of ``--repeat`` runs.

    python -m bench mining [-- --lines 2000000 --repeat 3 --memory-lines 5000000 --no-cli]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from argus.config import MiningSettings
from argus.ingest.formats import LogFormat
from argus.ingest.reader import iter_line_chunks
from argus.mining.engine import MiningEngine
from argus.mining.library import MemoryTemplateStore
from bench.machine import print_machine

OUT = Path(__file__).resolve().parent / "out"
GENERATOR = Path(__file__).resolve().parent / "gen_logs.py"


def sample_file(lines: int) -> Path:
    """The generated gz of ``lines`` lines (made once, then reused)."""
    path = OUT / f"bench-{lines}.log.gz"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        print(f"generating {path.name} ...", flush=True)
        cmd = [
            sys.executable,
            str(GENERATOR),
            str(path),
            "--lines",
            str(lines),
            "--seed",
            "3",
            "--fault",
            "db-pool",
        ]
        subprocess.run(cmd, check=True)
    return path


#: CPU seconds (all threads of this process) of the last :func:`timed` measure, median.
LAST_CPU: list[float] = [0.0]


def timed(fn: object, repeat: int) -> float:
    """Median wall time of ``repeat`` calls (their median CPU time goes to LAST_CPU: on a
    shared machine it says how much work was done when wall times say mostly how busy it was).
    """
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    LAST_CPU[0] = statistics.median(cpu)
    return statistics.median(times)


def zcat_seconds(path: Path, repeat: int) -> float:
    """``zcat FILE | wc -l``, the decompress-and-count floor."""
    return timed(
        lambda: subprocess.run(f"zcat {path} | wc -l", shell=True, check=True, capture_output=True),
        repeat,
    )


def engine() -> MiningEngine:
    """A fresh engine with an empty in-memory library, no LLM."""
    return MiningEngine(MemoryTemplateStore(), MiningSettings(), LogFormat.parse(None))


def drain3_rate(path: Path, limit: int) -> float:
    """Drain3 (default config) lines/s on the first ``limit`` key texts of the file."""
    from drain3 import TemplateMiner

    fmt = LogFormat.parse(None)
    contents: list[str] = []
    for chunk in iter_line_chunks(path):
        contents += [(fmt.parse_line(line) or {}).get("content") or line for line in chunk]
        if len(contents) >= limit:
            break
    contents = contents[:limit]
    miner = TemplateMiner()
    started = time.perf_counter()
    for text in contents:
        miner.add_log_message(text)
    return len(contents) / (time.perf_counter() - started)


_CHILD = """
import resource, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from bench.bench_mining import engine
e = engine()
e.mine(Path({path!r}))
e.count(Path({path!r}))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


#: CPU seconds of each CLI process run (user + system, the process and its waited children).
CLI_CPU: list[float] = []

#: The per-file line the CLI prints ends with the file's own seconds and rate.
_CLI_SECONDS = re.compile(r"([0-9.]+)s \(([0-9,]+) lines/s\)")


@dataclass(frozen=True, kw_only=True)
class CliTimes:
    """Wall times of the command line as fresh processes (medians)."""

    mine: float  #: ``argus mine FILE`` once, on an empty library (pass 1 end to end)
    stats: float  #: ``argus stats FILE``, median of the repeats
    stats_inside: float  #: the seconds ``argus stats`` itself reports for the file (median)
    stats_cpu: float  #: CPU seconds of an ``argus stats`` process (median)


def cli_env(home: Path) -> dict[str, str]:
    """The environment of the CLI runs: this tree's code, a private home with the embedded
    PostgreSQL, no LLM, lines wide enough for the per-file line to stay on one line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env.update(ARGUS_HOME=str(home), ARGUS_LLM="none", COLUMNS="250")
    return env


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``argus ARGS`` as a fresh process: its wall time and the file seconds it reports
    (its CPU time is added to CLI_CPU)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "argus", *args], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CLI_CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if out.returncode != 0:
        raise RuntimeError(f"argus {' '.join(args)} failed: {out.stderr[-2000:]}")
    found = _CLI_SECONDS.search(out.stdout)
    return wall, float(found.group(1)) if found else float("nan")


def cli_times(path: Path, repeat: int) -> CliTimes:
    """``argus mine FILE`` once, then ``argus stats FILE`` ``repeat`` times, each a fresh process
    on the same private home (its embedded PostgreSQL is started and stopped by each)."""
    with tempfile.TemporaryDirectory(prefix="argus-bench-home-") as home:
        env = cli_env(Path(home))
        mine, _ = run_cli(["mine", str(path)], env)
        CLI_CPU.clear()
        runs = [run_cli(["stats", str(path)], env) for _ in range(repeat)]
    return CliTimes(
        mine=mine,
        stats=statistics.median(w for w, _ in runs),
        stats_inside=statistics.median(s for _, s in runs),
        stats_cpu=statistics.median(CLI_CPU),
    )


def peak_memory_mb(path: Path) -> float:
    """Peak RSS of a child process running pass 1 and pass 2 over ``path``."""
    root = str(Path(__file__).resolve().parents[1])
    code = _CHILD.format(root=root, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main(argv: list[str]) -> None:
    """Print the figures recorded in RESULTS.md."""
    ap = argparse.ArgumentParser(prog="python -m bench mining")
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--drain3-lines", type=int, default=200_000)
    ap.add_argument("--memory-lines", type=int, default=5_000_000)
    ap.add_argument("--no-cli", action="store_true", help="skip `argus stats` end to end")
    args = ap.parse_args(argv)
    print_machine("start")
    path = sample_file(args.lines)
    n = args.lines
    zcat = zcat_seconds(path, args.repeat)
    warm = engine()
    warm.mine(path)
    pass2 = timed(lambda: warm.count(path), args.repeat)
    pass2_cpu = LAST_CPU[0]
    pass1 = timed(lambda: engine().mine(path), args.repeat)
    pass1_cpu = LAST_CPU[0]
    drain = drain3_rate(path, args.drain3_lines)
    cli = None if args.no_cli else cli_times(path, args.repeat)
    print(f"file: {path.name}, {n:,} lines, {path.stat().st_size / 1e6:.1f} MB gz")
    print(f"zcat | wc -l      {zcat:6.2f} s  {n / zcat:12,.0f} lines/s")
    ratio = zcat / pass2
    print(
        f"pass 2 (warm)     {pass2:6.2f} s  {n / pass2:12,.0f} lines/s  = {ratio:.2f} of zcat"
        f"  (CPU {pass2_cpu:.2f} s)"
    )
    print(f"pass 1 (cold)     {pass1:6.2f} s  {n / pass1:12,.0f} lines/s  (CPU {pass1_cpu:.2f} s)")
    print(
        f"Drain3 (defaults) {'':6}    {drain:12,.0f} lines/s  (first {args.drain3_lines:,} lines)"
    )
    print(f"pass 1 / Drain3   {n / pass1 / drain:.1f}x")
    if cli is not None:
        print(
            f"argus stats (CLI) {cli.stats:6.2f} s  {n / cli.stats:12,.0f} lines/s  "
            f"= {zcat / cli.stats:.2f} of zcat  (fresh process, end to end; the file itself "
            f"{cli.stats_inside:.2f} s as the CLI reports it; CPU {cli.stats_cpu:.2f} s)"
        )
        print(f"argus mine (CLI)  {cli.mine:6.2f} s  {n / cli.mine:12,.0f} lines/s  (once)")
    if args.memory_lines:
        big = sample_file(args.memory_lines)
        print(
            f"peak RSS, pass 1 + pass 2 over {args.memory_lines:,} lines: "
            f"{peak_memory_mb(big):,.0f} MB"
        )
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")
    print_machine("end")


if __name__ == "__main__":
    main(sys.argv[1:])
