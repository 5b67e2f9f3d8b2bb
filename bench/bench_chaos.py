"""Chaos benchmark (issue #11): batches through ``argus serve`` + a worker while faults strike.

    python -m bench chaos [-- --batches 100 --faults 10 --seed 1 --lines 3000 --duration 75
                              --wait 600 --keep]

Everything runs on loopback under a temporary directory: PostgreSQL and the tansu broker owned
by this process (bench/chaos_procs.py), ``argus serve --workers 1`` and one ``argus worker``,
each with its own ARGUS_HOME, ARGUS_LLM=none. After 4 warm-up batches (not counted), the client
submits ``--batches`` batches (one generated ``--lines``-line gzip each) at a steady rate over
``--duration`` seconds, retrying refused, timed-out and 5xx requests with back-off
(bench/chaos_client.py), while ``--faults`` faults strike at seeded random moments of that window
(bench/chaos_faults.py): the worker or serve process SIGKILLed and started again at once, the
postmaster or the broker SIGKILLed and started again after 2-8 s. Then it waits (``--wait``) for
every submitted batch to be diagnosed or failed and prints the verdict (bench/chaos_report.py);
the per-batch record goes to bench/out/chaos-<seed>-<faults>.json. Exit status 1 when a batch
was lost or diagnosed twice; the temporary directory (service logs) is then kept, as with
``--keep``. Every process started here is stopped at the end, also on Ctrl-C, SIGTERM or an
error. ``--faults 0`` is the peer run: same load, no fault.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from argus.runtime.kafka import free_port
from bench.chaos_client import Submission, batch_body, new_client, submit
from bench.chaos_faults import WORKER_UP, Fault, Targets, plan, run_schedule
from bench.chaos_procs import ArgusProcess, Infra, argus_env, wait_ready
from bench.chaos_report import (
    Figures,
    Outcome,
    figures,
    orphans,
    print_figures,
    wait_terminal,
)
from bench.machine import exit_cleanly_on_signals, print_machine

OUT = Path(__file__).resolve().parent / "out"
SOURCE = "chaos"
READY_S = 240.0
GIVE_UP_S = 300.0
WARM_UP_BATCHES = 4  #: a batch whose submission keeps failing this long is given up


@dataclasses.dataclass(kw_only=True)
class Run:
    """Everything one run started, so that all of it can be stopped whatever happens."""

    root: Path
    infra: Infra
    serve: ArgusProcess
    worker: ArgusProcess
    serve_url: str
    exits: list[str] = dataclasses.field(default_factory=list)  #: unplanned process exits
    warm_up_ids: list[str] = dataclasses.field(default_factory=list)  #: not counted

    def stop(self) -> None:
        """Stop the argus processes, then the broker and PostgreSQL; safe to call again."""
        for proc in (self.serve, self.worker):
            with contextlib.suppress(Exception):
                proc.stop()
        self.infra.stop()


def new_run(root: Path) -> Run:
    """The parts of a run, nothing started yet (the services' addresses come with ``start``)."""
    port = free_port()
    serve = ArgusProcess(
        name="serve",
        log=root / "serve.log",
        env={},
        argv=["-v", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
    )
    worker = ArgusProcess(name="worker", argv=["-v", "worker"], env={}, log=root / "worker.log")
    return Run(
        root=root,
        infra=Infra(root=root, kafka_port=free_port()),
        serve=serve,
        worker=worker,
        serve_url=f"http://127.0.0.1:{port}",
    )


async def start(run: Run) -> None:
    """Start PostgreSQL, the broker, then both argus processes; wait until both are up."""
    await run.infra.start()
    for proc in (run.serve, run.worker):
        home = run.root / f"home-{proc.name}"
        proc.env = argus_env(home, run.infra.database_url, run.infra.bootstrap)
        proc.start()
    if not await wait_ready(run.serve_url, READY_S):
        tail = run.serve.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"argus serve not ready within {READY_S:.0f} s:\n{tail}")
    if not await run.worker.wait_output(WORKER_UP, READY_S):
        tail = run.worker.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"argus worker not up within {READY_S:.0f} s:\n{tail}")


async def keep_running(run: Run, t0: float) -> None:
    """Start again, at once, an argus process that ended by itself (as a process supervisor
    would); each such exit is recorded in ``run.exits``. Never ends by itself."""
    while True:
        await asyncio.sleep(1)
        for proc in (run.serve, run.worker):
            code = proc.exit_code()
            if code is not None:
                run.exits.append(f"t={time.monotonic() - t0:.1f} s {proc.name} exited ({code})")
                print(f"  UNPLANNED EXIT: {run.exits[-1]}; started again", flush=True)
                proc.start()


async def warm_up(run: Run, lines: int, count: int = WARM_UP_BATCHES) -> None:
    """``count`` batches at once through the cold services (so that both processes most likely
    get one), not counted."""
    subs = [Submission(index=10_000 + i, started_at=time.time()) for i in range(count)]
    async with new_client(run.serve_url) as client:
        await asyncio.gather(
            *(
                submit(client, sub, batch_body(i, lines, seed=-1), SOURCE, GIVE_UP_S)
                for i, sub in enumerate(subs)
            )
        )
    for sub in subs:
        if sub.batch_id is None or sub.accepted_at is None:
            raise RuntimeError(f"a warm-up batch was not accepted: {sub.error}")
        run.warm_up_ids.append(sub.batch_id)
    seen = await wait_terminal(run.infra.database_url, run.warm_up_ids, READY_S)
    print(
        f"warm-up: {sorted(o.status for o in seen.values())} after "
        f"{time.time() - subs[0].started_at:.1f} s",
        flush=True,
    )


async def submit_all(
    run: Run, bodies: list[bytes], duration_s: float, faults: list[Fault], t0: float
) -> list[Submission]:
    """Submit one batch per body at a steady rate over ``duration_s`` while the faults strike;
    return once every batch was submitted or given up and every fault is over."""
    targets = Targets(infra=run.infra, serve=run.serve, worker=run.worker, serve_url=run.serve_url)
    schedule = asyncio.create_task(run_schedule(faults, targets, t0))
    subs: list[Submission] = []
    async with new_client(run.serve_url) as client:
        tasks = []
        for i, body in enumerate(bodies):
            await asyncio.sleep(max(0.0, t0 + i * duration_s / len(bodies) - time.monotonic()))
            subs.append(Submission(index=i, started_at=time.time()))
            tasks.append(asyncio.create_task(submit(client, subs[-1], body, SOURCE, GIVE_UP_S)))
        await asyncio.gather(*tasks)
    print(
        f"  t={time.monotonic() - t0:6.1f} s  {sum(s.accepted_at is not None for s in subs)}"
        f"/{len(subs)} batches submitted",
        flush=True,
    )
    await schedule
    return subs


@dataclasses.dataclass(kw_only=True)
class Result:
    """What one run saw."""

    faults: list[Fault]
    subs: list[Submission]
    seen: dict[str, Outcome]  #: the submitted batches as PostgreSQL had them at the end
    figures: Figures
    wall_s: float  #: first submission to the last batch diagnosed or failed (± 1 s)


async def chaos(run: Run, args: argparse.Namespace) -> Result:
    """Warm up, submit under faults, wait for the outcome."""
    await start(run)
    print(f"services up in {run.root}; warm-up ...", flush=True)
    await warm_up(run, args.lines)
    faults = plan(random.Random(args.seed), args.faults, args.duration)
    bodies = [batch_body(i, args.lines, args.seed) for i in range(args.batches)]
    print(
        f"{args.batches} batches over {args.duration:.0f} s, {len(faults)} faults ...", flush=True
    )
    t0, t0_epoch = time.monotonic(), time.time()
    supervisor = asyncio.create_task(keep_running(run, t0))
    try:
        subs = await submit_all(run, bodies, args.duration, faults, t0)
        ids = [s.batch_id for s in subs if s.batch_id and s.accepted_at is not None]
        seen = await wait_terminal(run.infra.database_url, ids, args.wait)
        wall_s = time.monotonic() - t0
        known = [*run.warm_up_ids, *(s.batch_id for s in subs if s.batch_id)]
        orphan_count = await orphans(run.infra.database_url, known)
    finally:
        supervisor.cancel()
    fig = figures(subs, seen, faults, t0_epoch, orphan_count)
    return Result(faults=faults, subs=subs, seen=seen, figures=fig, wall_s=wall_s)


def record(args: argparse.Namespace, result: Result, exits: list[str]) -> Path:
    """Write the run's details (per batch and per fault) to bench/out/chaos-<seed>-<faults>.json."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"chaos-{args.seed}-{args.faults}.json"
    body = {"args": vars(args), "unplanned_exits": exits, **dataclasses.asdict(result)}
    path.write_text(json.dumps(body, indent=1, default=str))
    return path


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The bench's options (defaults: about 3-4 minutes on 2 busy cores)."""
    ap = argparse.ArgumentParser(prog="python -m bench chaos")
    ap.add_argument("--batches", type=int, default=100)
    ap.add_argument("--faults", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lines", type=int, default=3000, help="lines per batch")
    ap.add_argument("--duration", type=float, default=75.0, help="submission window, s")
    ap.add_argument("--wait", type=float, default=600.0, help="for the last batches, s")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    return ap.parse_args(argv)


def main(argv: list[str]) -> None:
    """Run the chaos bench; exit 1 when a batch was lost or diagnosed twice."""
    args = parse_args(argv)
    exit_cleanly_on_signals()
    print_machine(f"start {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    root = Path(tempfile.mkdtemp(prefix="argus-bench-chaos-"))
    run = new_run(root)
    ok = False
    try:
        result = asyncio.run(chaos(run, args))
        print_figures(result.figures, result.faults, result.subs, result.wall_s)
        for line in run.exits:
            print(f"UNPLANNED EXIT: {line}")
        print(f"\nper-batch record: {record(args, result, run.exits)}")
        ok = result.figures.ok
    except KeyboardInterrupt:
        raise SystemExit("interrupted: every process stopped") from None
    finally:
        run.stop()
        print_machine("end")
        if ok and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"service logs kept in {root}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
