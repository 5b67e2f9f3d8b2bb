"""Service load benchmark (issue #6): batches per minute, upload-to-report latency, LLM bound.

    python -m bench load [-- --batches 60 --lines 100000 --workers 2 --concurrency 2 --clients 4
                             --llm-batches 16 --llm-lines 5000 --llm-workers 4 --llm-concurrency 2]

Everything runs on loopback, in a temporary ARGUS_HOME that is removed at the end (also on
Ctrl-C, SIGTERM or an error). ``argus serve`` runs as a child process with its own embedded
PostgreSQL and Kafka, so the client below never competes with the service for its GIL.
``--workers`` is ``argus serve --workers``: that many parse and that many diagnose consumers.

Phase 1, no LLM (ARGUS_LLM=none): one warm-up batch (model load, knowledge seeding, empty
template library; reported apart), then ``--batches`` batches of one ``--lines``-line gzip file
each (``bench/gen_logs.py``, distinct seeds, faults cycling none / db-pool / disk-full, one
source so the last 3 batches are the baseline), submitted by ``--clients`` closed-loop clients.
Per batch: the time from the start of its upload to the moment GET .../report answers 200,
and the time spent in each state the status endpoint shows (polled every ``--poll`` s).
Batches per minute = measured batches / (first upload start to last report).

Phase 2, LLM on (ARGUS_LLM=auto): a chat-completions stub on a loopback port answers every
request after a random 0.3-1.0 s with JSON that passes the agents' validation, and counts the
requests in flight. ``--llm-batches`` small faulty batches are submitted all at once to
``--llm-workers`` diagnose consumers (4 = one per partition of argus.parsed), more than
``--llm-concurrency`` (limits.diagnose_concurrency, one semaphore per process) lets run. The
bench reports the most requests the stub had in flight against that bound. It exits with
status 1 when the bound was exceeded or a batch of either phase got no report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gzip
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from argus.runtime.kafka import free_port
from bench.gen_logs import lines as generated_lines
from bench.machine import exit_cleanly_on_signals, print_machine

OUT = Path(__file__).resolve().parent / "out"
KEY = "bench-load-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
FAULTS = (None, "db-pool", "disk-full")
START = dt.datetime(2026, 11, 20, 10, 0, 0)
READY_TIMEOUT_S = 180.0
LLM_POLL_S = 0.5
#: The batch states before "diagnosed", in order, with what a batch does in each.
STATES = {
    "uploaded": "waiting for a parse consumer",
    "parsing": "both passes, statistics stored",
    "parsed": "waiting for a diagnose consumer",
    "diagnosing": "analysis, graph, report stored",
}


# ---------------------------------------------------------------------------------- data


def batch_file(lines: int, seed: int, fault: str | None) -> Path:
    """The generated gzip of one batch (made once in bench/out/, which git ignores)."""
    path = OUT / f"load-{lines}-{seed}-{fault or 'none'}.log.gz"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            out.writelines(generated_lines(lines, seed, fault, START))
        partial.replace(path)
    return path


def load_files(count: int, lines: int, first_seed: int) -> list[Path]:
    """``count`` batch files with consecutive seeds, faults cycling none / db-pool / disk-full."""
    return [batch_file(lines, first_seed + i, FAULTS[i % len(FAULTS)]) for i in range(count)]


# ------------------------------------------------------------------------------ LLM stub


@dataclass
class LLMStub:
    """Counters of the chat-completions stub (touched only on its own event loop)."""

    low_s: float = 0.3  #: shortest answer delay
    high_s: float = 1.0  #: longest answer delay
    in_flight: int = 0  #: requests being answered now
    max_in_flight: int = 0  #: the most at once
    calls: int = 0  #: requests received
    busy_s: float = 0.0  #: sum of the requests' durations (mean in-flight = busy_s / wall time)
    rng: random.Random = field(default_factory=lambda: random.Random(6))

    def reset(self) -> None:
        """Forget the requests seen so far (none may be in flight)."""
        self.max_in_flight, self.calls, self.busy_s = self.in_flight, 0, 0.0

    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Wait a random delay, counting this request as in flight; return a completion."""
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        started = time.monotonic()
        try:
            await asyncio.sleep(self.rng.uniform(self.low_s, self.high_s))
        finally:
            self.in_flight -= 1
            self.busy_s += time.monotonic() - started
        return completion(stub_reply(body.get("messages", [])), body.get("model", "stub"))


def stub_reply(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON answer that validates for the agent that asked (told apart by its prompt)."""
    system = str(messages[0].get("content", "")) if messages else ""
    user = str(messages[1].get("content", "")) if len(messages) > 1 else ""
    if "You supervise" in system:
        allowed = re.search(r"ALLOWED: \[([^\]]*)\]", user)
        moves = allowed.group(1) if allowed else ""
        move = next((m for m in ("template_mining", "knowledge") if f"'{m}'" in moves), None)
        return {"next": move or "diagnosis", "reason": "stub"}
    if "You analyse log statistics" in system:
        modules = re.findall(r"^- ([^:]+):", user, flags=re.MULTILINE)
        return {
            "suspects": [
                {"module": m, "score": 0.9 - 0.1 * i, "reason": "stub"}
                for i, m in enumerate(modules)
            ]
        }
    if "You name log templates" in system:
        ids = re.findall(r"^(\d+):", user, flags=re.MULTILINE)
        return {
            "templates": [
                {
                    "template_id": int(t),
                    "name": f"stub template {t}",
                    "category": "unknown",
                    "advice": "",
                }
                for t in ids
            ]
        }
    return {
        "summary": "Stub diagnosis for the load benchmark.",
        "root_cause_module": None,
        "category": "unknown",
        "description": "stub",
        "recommendations": [],
        "confidence": 0.5,
    }


def completion(answer: dict[str, Any], model: str) -> dict[str, Any]:
    """An OpenAI chat-completion body carrying ``answer`` as its content."""
    return {
        "id": f"stub-{random.getrandbits(32):08x}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(answer)},
            }
        ],
        "usage": {"prompt_tokens": 200, "completion_tokens": 50, "total_tokens": 250},
    }


@contextlib.contextmanager
def running_stub(stub: LLMStub) -> Iterator[str]:
    """Serve the stub on a free loopback port in a thread; yield its OpenAI base URL."""

    async def completions(request: Request) -> JSONResponse:
        return JSONResponse(await stub.answer(await request.json()))

    app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, name="llm-stub", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ------------------------------------------------------------------------------- service


@dataclass
class Service:
    """A running ``argus serve`` child process."""

    url: str  #: http://127.0.0.1:PORT
    proc: subprocess.Popen[bytes]  #: the serve process (leader of its own session)
    log: Path  #: its stdout and stderr


def service_env(home: Path, concurrency: int, llm_url: str | None) -> dict[str, str]:
    """The environment of the service: this one without ARGUS_*, plus the bench's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    env.update(
        {
            "ARGUS_HOME": str(home),
            "ARGUS_API_KEYS": json.dumps([KEY]),
            "ARGUS_LIMITS__DIAGNOSE_CONCURRENCY": str(concurrency),
            "ARGUS_LLM": "auto" if llm_url else "none",
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )
    if llm_url:
        env["ARGUS_LLM_BASE_URL"] = llm_url
    return env


@contextlib.contextmanager
def running_service(home: Path, workers: int, env: dict[str, str]) -> Iterator[Service]:
    """Start ``argus serve`` on a free loopback port, wait until /readyz answers, stop it after."""
    port = free_port()
    log = home / f"serve-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "argus",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    service = Service(f"http://127.0.0.1:{port}", proc, log)
    try:
        wait_ready(service)
        yield service
    finally:
        stop_service(service, home)


def wait_ready(service: Service) -> None:
    """Block until /readyz is 200; raise with the log's tail if the service dies or hangs."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(base_url=service.url, timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            if service.proc.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/readyz").status_code == 200:
                    return
            time.sleep(0.5)
    tail = service.log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"argus serve did not become ready (exit {service.proc.poll()}):\n{tail}")


def stop_service(service: Service, home: Path) -> None:
    """SIGINT (uvicorn's graceful stop), then SIGKILL of its session; then a stray PostgreSQL."""
    proc = service.proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    postmaster = home / "pgdata" / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        stray = psutil.Process(int(postmaster.read_text().split()[0]))
        stray.terminate()
        stray.wait(timeout=20)


# -------------------------------------------------------------------------------- client

#: One batch to submit: its file and its source.
Job = tuple[Path, str]


@dataclass
class BatchTiming:
    """What the client saw of one batch."""

    name: str  #: the uploaded file
    started: float = 0.0  #: monotonic time the upload started
    uploaded_s: float = 0.0  #: create + upload + complete
    latency_s: float | None = None  #: upload start to report available; None if it never was
    states: dict[str, float] = field(default_factory=dict)  #: state -> first seen (monotonic)
    status: str = "pending"  #: last state seen
    report: dict[str, Any] = field(default_factory=dict)  #: the report, when there is one

    def stage_seconds(self) -> dict[str, float]:
        """Time in each state seen, from its first sighting to the next state's (± one poll)."""
        order = sorted(self.states.items(), key=lambda kv: kv[1])
        end = self.started + (self.latency_s or 0.0)
        marks = [*order[1:], ("", end)]
        return {
            s: max(0.0, nxt - t)
            for (s, t), (_, nxt) in zip(order, marks, strict=True)
            if s != "diagnosed"
        }


async def upload(client: httpx.AsyncClient, path: Path, source: str) -> str:
    """Create a batch, stream its file, complete it; return its id."""
    created = await client.post(
        "/api/v1/batches", json={"source": source, "labels": {"platform": "bench"}}, headers=AUTH
    )
    created.raise_for_status()
    batch_id: str = created.json()["batch_id"]
    body = await asyncio.to_thread(path.read_bytes)
    put = await client.put(
        f"/api/v1/batches/{batch_id}/files/{path.name}", content=body, headers=AUTH
    )
    put.raise_for_status()
    (await client.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)).raise_for_status()
    return batch_id


async def one_batch(
    client: httpx.AsyncClient, path: Path, source: str, poll_s: float, timeout_s: float
) -> BatchTiming:
    """Upload a batch and poll it until its report is available (or it failed or timed out)."""
    timing = BatchTiming(path.name, started=time.monotonic())
    batch_id = await upload(client, path, source)
    timing.uploaded_s = time.monotonic() - timing.started
    timing.states["uploaded"] = time.monotonic()
    while time.monotonic() - timing.started < timeout_s and timing.status != "failed":
        await asyncio.sleep(poll_s)
        view = await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)
        timing.status = view.json()["status"]
        timing.states.setdefault(timing.status, time.monotonic())
        if timing.status == "diagnosed":
            report = await client.get(f"/api/v1/batches/{batch_id}/report", headers=AUTH)
            if report.status_code == 200:
                timing.latency_s = time.monotonic() - timing.started
                timing.report = report.json()
                break
    return timing


async def drive(
    url: str, jobs: list[Job], clients: int, poll_s: float, timeout_s: float
) -> tuple[list[BatchTiming], float]:
    """Submit the jobs (one batch each) through ``clients`` closed-loop clients; return the
    timings and the wall time from the first upload to the last report."""
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    timings: list[BatchTiming] = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            path, source = queue.get_nowait()
            timings.append(await one_batch(client, path, source, poll_s, timeout_s))

    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(
        base_url=url, timeout=120, trust_env=False, limits=limits
    ) as client:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
    ends = [t.started + t.latency_s for t in timings if t.latency_s is not None]
    return timings, (max(ends) if ends else time.monotonic()) - started


async def scrape(url: str) -> dict[str, float]:
    """The service's Prometheus samples, by series (name plus labels)."""
    async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
        text = (await client.get("/metrics", headers=AUTH)).text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                samples[series] = float(value)
    return samples


# ------------------------------------------------------------------------------- phases


def cpu_seconds(service: Service, home: Path) -> dict[str, float]:
    """CPU seconds used so far by the serve process, PostgreSQL (postmaster, live backends and
    reaped ones), the Kafka broker, this process (client and LLM stub), and the whole machine
    (busy core-seconds, any process)."""
    out = {
        "serve": _cpu(psutil.Process(service.proc.pid), children=False),
        "client": _cpu(psutil.Process(), children=False),
    }
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        out["postgres"] = _cpu(psutil.Process(pid), children=True)
    with contextlib.suppress(OSError, ValueError, KeyError, psutil.Error):
        pid = json.loads((home / "kafka" / "broker.json").read_text())["broker_pid"]
        out["kafka"] = _cpu(psutil.Process(pid), children=False)
    times = psutil.cpu_times()
    out["machine"] = sum(times) - times.idle - getattr(times, "iowait", 0.0)
    return out


def _cpu(proc: psutil.Process, *, children: bool) -> float:
    times = proc.cpu_times()
    total = float(times.user + times.system)
    if children:
        total += times.children_user + times.children_system
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += sum(child.cpu_times()[:2])
    return total


@dataclass
class Phase:
    """One measured phase: timings, wall time, metrics and CPU used (after - before)."""

    timings: list[BatchTiming]
    wall_s: float
    metrics: dict[str, float]  #: Prometheus series of the service
    cpu: dict[str, float]  #: CPU seconds: serve, postgres, kafka, machine (see cpu_seconds)
    cpu_window_s: float  #: wall time between the two CPU readings


async def measured(
    service: Service, home: Path, jobs: list[Job], clients: int, poll_s: float, timeout_s: float
) -> Phase:
    """Drive the jobs through the service and collect what the phase cost."""
    before, cpu0, t0 = await scrape(service.url), cpu_seconds(service, home), time.monotonic()
    timings, wall = await drive(service.url, jobs, clients, poll_s, timeout_s)
    cpu1, t1, after = cpu_seconds(service, home), time.monotonic(), await scrape(service.url)
    metrics = {k: v - before.get(k, 0.0) for k, v in after.items()}
    cpu = {k: v - cpu0.get(k, 0.0) for k, v in cpu1.items()}
    return Phase(timings, wall, metrics, cpu, t1 - t0)


def load_phase(home: Path, args: argparse.Namespace) -> tuple[Phase, BatchTiming]:
    """Phase 1: warm-up batch, then the measured batches, with no LLM."""
    jobs = [(path, "load") for path in load_files(args.batches + 1, args.lines, args.seed)]
    env = service_env(home, args.concurrency, None)
    with running_service(home, args.workers, env) as service:
        print(f"phase 1: service ready ({args.workers} workers); warm-up batch ...", flush=True)
        warm, _ = asyncio.run(drive(service.url, jobs[:1], 1, args.poll, args.batch_timeout))
        print(
            f"warm-up: {warm[0].latency_s or float('nan'):.1f} s; {args.batches} batches ...",
            flush=True,
        )
        phase = asyncio.run(
            measured(service, home, jobs[1:], args.clients, args.poll, args.batch_timeout)
        )
    return phase, warm[0]


def llm_phase(home: Path, args: argparse.Namespace) -> tuple[Phase, LLMStub]:
    """Phase 2: a warm-up batch, then small faulty batches all at once, each from its own
    source (no baseline: an incident, so the diagnosis agent asks the LLM too); LLM calls
    answered by the stub, whose counters start after the warm-up."""
    jobs = [
        (batch_file(args.llm_lines, args.seed + 10_000 + i, "db-pool"), f"llm-{i}")
        for i in range(args.llm_batches + 1)
    ]
    stub = LLMStub()
    with running_stub(stub) as llm_url:
        env = service_env(home, args.llm_concurrency, llm_url)
        with running_service(home, args.llm_workers, env) as service:
            print(
                f"phase 2: service ready ({args.llm_workers} workers, LLM stub at {llm_url});"
                f" warm-up, then {args.llm_batches} batches at once ...",
                flush=True,
            )
            asyncio.run(drive(service.url, jobs[:1], 1, LLM_POLL_S, args.batch_timeout))
            stub.reset()
            phase = asyncio.run(
                measured(service, home, jobs[1:], len(jobs) - 1, LLM_POLL_S, args.batch_timeout)
            )
    return phase, stub


# ------------------------------------------------------------------------------ results


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN when there are no values."""
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def print_load(args: argparse.Namespace, phase: Phase, warm: BatchTiming) -> bool:
    """Phase 1 table, latency by state, and where the service's time went; True when every
    batch got its report."""
    done = [t.latency_s for t in phase.timings if t.latency_s is not None]
    per_min = len(done) / phase.wall_s * 60 if phase.wall_s > 0 else 0.0
    print(f"\n### Phase 1: {args.batches} batches x {args.lines:,} lines, no LLM\n")
    print(
        "| batches done | lines/batch | workers | diagnose_concurrency | clients | "
        "batches/min | p50 s | p95 s | max s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(done)}/{len(phase.timings)} | {args.lines:,} | {args.workers} | "
        f"{args.concurrency} | {args.clients} | {per_min:.1f} | {pct(done, 50):.1f} | "
        f"{pct(done, 95):.1f} | {max(done, default=float('nan')):.1f} |"
    )
    print(
        f"\nwall time {phase.wall_s:.1f} s; warm-up batch (cold service) "
        f"{warm.latency_s or float('nan'):.1f} s, not counted"
    )
    print_stages(phase.timings)
    print_service_time(phase)
    return len(done) == len(phase.timings)


def print_stages(timings: list[BatchTiming]) -> None:
    """Median, p95 and mean time per batch in each state (a state shorter than one poll may
    go unseen: it counts 0 and its time goes to the state seen before it)."""
    stages: dict[str, list[float]] = {"upload (create + PUT + complete)": []}
    for t in timings:
        stages["upload (create + PUT + complete)"].append(t.uploaded_s)
        seen = t.stage_seconds()
        for state in [*STATES, *sorted(set(seen) - set(STATES))]:
            label = f"state {state}" + (f" ({STATES[state]})" if state in STATES else "")
            stages.setdefault(label, []).append(seen.get(state, 0.0))
    print("\n| stage, per batch | p50 s | p95 s | mean s |\n|---|---:|---:|---:|")
    for name, values in stages.items():
        print(
            f"| {name} | {pct(values, 50):.2f} | {pct(values, 95):.2f} | "
            f"{float(np.mean(values)):.2f} |"
        )


def print_service_time(phase: Phase) -> None:
    """Parse and diagnosis time from /metrics, graph time from the reports, CPU per batch."""
    m, n = phase.metrics, max(1, len(phase.timings))
    graph = [float(t.report.get("duration_s", 0.0)) for t in phase.timings if t.report]
    print(
        f"\nservice, per batch: parse {mean_of(m, 'argus_parse_seconds'):.2f} s "
        f"(argus_parse_seconds: both passes + statistics stored), diagnosis "
        f"{mean_of(m, 'argus_diagnosis_seconds'):.2f} s (argus_diagnosis_seconds: analysis "
        f"against the baseline + graph + report stored), of which the graph (report "
        f"duration_s) p50 {pct(graph, 50):.2f} s"
    )
    cpu = phase.cpu
    ours = sum(cpu.get(k, 0.0) for k in ("serve", "postgres", "kafka", "client"))
    cores = os.cpu_count() or 1
    busy = cpu["machine"] / (cores * phase.cpu_window_s)
    print(
        f"CPU seconds per batch: serve process {cpu.get('serve', 0) / n:.2f}, PostgreSQL "
        f"{cpu.get('postgres', 0) / n:.2f}, Kafka {cpu.get('kafka', 0) / n:.2f}, bench client "
        f"{cpu.get('client', 0) / n:.2f}, other processes {(cpu['machine'] - ours) / n:.2f}; "
        f"all {cores} cores {busy:.0%} busy"
    )


def mean_of(metrics: dict[str, float], histogram: str) -> float:
    """Mean of a Prometheus histogram's observations (NaN when it has none)."""
    count = metrics.get(f"{histogram}_count", 0.0)
    return metrics.get(f"{histogram}_sum", 0.0) / count if count else float("nan")


def print_llm(args: argparse.Namespace, phase: Phase, stub: LLMStub) -> bool:
    """Phase 2 table; True when the bound held and every batch was diagnosed.

    The bound is ``diagnose_concurrency`` per process: one semaphore shared by every diagnose
    consumer of ``argus serve`` around the whole diagnosis, whose LLM calls run one at a time.
    Each consumer takes one message at a time; the service starts at least K diagnose
    consumers per process (``--workers`` W may ask for more), so K is the effective cap (with at
    most 4 partitions of argus.parsed).
    """
    k, w = args.llm_concurrency, args.llm_workers
    reports = [t.report for t in phase.timings if t.report]
    failed = [t for t in phase.timings if t.latency_s is None]
    modes = {m: sum(r.get("mode") == m for r in reports) for m in ("llm", "rule-based")}
    print(
        f"\n### Phase 2: LLM stub ({stub.low_s}-{stub.high_s} s per answer), "
        f"{len(phase.timings)} batches x {args.llm_lines:,} lines submitted at once\n"
    )
    print(
        "| --workers W | diagnose_concurrency K | bound (K per process) | "
        "max LLM requests in flight | mean in flight | LLM calls (stub) | "
        "LLM calls (reports) | diagnosed | failed |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {w} | {k} | {k} ({max(k, w)} consumers) | {stub.max_in_flight} | "
        f"{stub.busy_s / phase.wall_s:.2f} | {stub.calls} | "
        f"{sum(int(r.get('llm_calls', 0)) for r in reports)} | {len(reports)} | "
        f"{len(failed)} |"
    )
    errors = {s: n for s, n in phase.metrics.items() if s.startswith("argus_errors_total") and n}
    print(
        f"\nwall time {phase.wall_s:.1f} s; reports by mode of the diagnosis agent {modes}; "
        f"argus_llm_calls_total +{phase.metrics.get('argus_llm_calls_total', 0):.0f}; "
        f"errors {errors or 'none'}"
    )
    held = stub.max_in_flight <= k
    print(
        f"bound {'held' if held else 'EXCEEDED'}: at most {stub.max_in_flight} LLM requests "
        f"in flight, diagnose_concurrency {k}"
    )
    return held and not failed


# --------------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The benchmark's options (defaults: about 2 minutes on 2 quiet cores, plus about one to
    generate the batch files the first time)."""
    ap = argparse.ArgumentParser(prog="python -m bench load")
    ap.add_argument("--batches", type=int, default=60, help="measured batches (phase 1)")
    ap.add_argument("--lines", type=int, default=100_000, help="lines per batch (phase 1)")
    ap.add_argument("--workers", type=int, default=2, help="consumers per kind")
    ap.add_argument("--concurrency", type=int, default=2, help="diagnose_concurrency")
    ap.add_argument("--clients", type=int, default=4, help="closed-loop uploaders (phase 1)")
    ap.add_argument("--poll", type=float, default=0.25, help="status poll interval, s")
    ap.add_argument("--llm-batches", type=int, default=16, help="0 skips phase 2")
    ap.add_argument("--llm-lines", type=int, default=5_000)
    ap.add_argument("--llm-workers", type=int, default=4, help="4 = one per partition")
    ap.add_argument("--llm-concurrency", type=int, default=2)
    ap.add_argument("--batch-timeout", type=float, default=600.0, help="per batch, s")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--skip-load", action="store_true", help="run phase 2 only")
    return ap.parse_args(argv)


def main(argv: list[str]) -> None:
    """Run both phases in a temporary ARGUS_HOME and print the Markdown summary."""
    args = parse_args(argv)
    exit_cleanly_on_signals()
    print_machine(f"start {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    home = Path(tempfile.mkdtemp(prefix="argus-bench-load-"))
    ok = True
    try:
        if not args.skip_load:
            phase, warm = load_phase(home, args)
            ok = print_load(args, phase, warm)
            print_machine("after phase 1")
        if args.llm_batches:
            phase, stub = llm_phase(home, args)
            ok = print_llm(args, phase, stub) and ok
            print_machine("after phase 2")
    except KeyboardInterrupt:
        raise SystemExit("interrupted: service stopped, temporary ARGUS_HOME removed") from None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
