"""Knowledge-base benchmark: filtered hybrid search over 100,000 entries, HNSW recall, embedding.

    python -m bench knowledge [-- --entries 100000 --queries 200 --embed-texts 2000 --seed 7]

What it does, deterministically for a seed:

1. starts a private embedded PostgreSQL 16 + pgvector in a temporary directory and migrates it;
2. embeds ``--embed-texts`` distinct symptom texts with the real bundled all-MiniLM-L6-v2 and
   reports the throughput (texts/s) — these are the "base" vectors of step 3;
3. generates ``--entries`` entries from those base texts (platform, firmware, module, category,
   error code, symptom...) whose vectors are the base vector of their text plus Gaussian noise,
   renormalised (cheap embeddings with the real model's geometry: embedding 100k texts on two
   cores would take many minutes and measure nothing new), bulk-loads them with COPY and builds
   the HNSW and GIN indexes;
4. embeds ``--queries`` log-line queries with the real model (not timed), then times
   ``hybrid_search`` with a precomputed query vector under several filter classes, and measures
   recall@5 of the HNSW path against an exact scan on the same filter.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from argus.config import BUNDLED_EMBEDDING_MODEL
from argus.knowledge.categories import Category
from argus.knowledge.embeddings import local_embedder
from argus.knowledge.filters import SearchFilters
from argus.knowledge.planner import forced_plan, plan_vector_search
from argus.knowledge.search import candidate_count, hybrid_search
from argus.runtime.postgres import EmbeddedPostgres
from argus.store import knowledge as store
from argus.store.connection import connect
from argus.store.migrate import apply_migrations

PLATFORMS = ["J7", "K9", "M3", "X1", "T5", "P8", "Q2", "R4"]
COMPONENTS = [
    ("lidar", "lidar front"),
    ("lidar", "lidar rear"),
    ("camera", "camera 0"),
    ("camera", "camera surround"),
    ("imu", "imu"),
    ("gnss", "gnss receiver"),
    ("can", "can gateway"),
    ("can", "body ecu"),
    ("ota", "ota agent"),
    ("ota", "update engine"),
    ("storage", "emmc"),
    ("storage", "log partition"),
    ("network", "telematics modem"),
    ("network", "wifi"),
    ("database", "postgres"),
    ("database", "connection pool"),
    ("http", "api gateway"),
    ("http", "payment service"),
    ("grpc", "planner rpc"),
    ("kafka", "consumer group"),
    ("queue", "job queue"),
    ("auth", "token service"),
    ("dns", "resolver"),
    ("tls", "mqtt broker tls"),
    ("power", "pmic"),
    ("thermal", "soc"),
    ("kernel", "scheduler"),
    ("app", "perception node"),
    ("app", "fusion node"),
    ("config", "config loader"),
    ("usb", "usb hub"),
    ("driver", "isp driver"),
    ("sensor", "radar front"),
    ("sensor", "ultrasonic array"),
    ("jvm", "order service"),
    ("container", "worker pod"),
    ("host", "edge host"),
    ("app", "map service"),
    ("app", "route planner"),
    ("app", "telemetry uploader"),
]
PHRASES: dict[Category, list[str]] = {
    Category.TIMEOUT: [
        "request timed out after 30 s",
        "deadline exceeded waiting for reply",
        "read timeout on socket",
    ],
    Category.SENSOR_TIMEOUT: [
        "no data received for 500 ms",
        "frame timeout, stream restarted",
        "sample timeout, stale data used",
    ],
    Category.CONNECTION_REFUSED: ["connection refused by peer", "connect failed: ECONNREFUSED"],
    Category.CONNECTION_RESET: ["connection reset by peer", "broken pipe while writing"],
    Category.DNS_FAILURE: ["name resolution failed", "no such host"],
    Category.TLS_CERTIFICATE: ["certificate has expired", "certificate from unknown authority"],
    Category.MEMORY_EXHAUSTION: ["out of memory, process killed", "heap space exhausted"],
    Category.DISK_FULL: ["no space left on device", "write failed: disk full"],
    Category.CPU_CONTENTION: ["cpu throttled, latency rising", "soft lockup on cpu 2"],
    Category.CHECKSUM_MISMATCH: ["checksum mismatch on frame", "hash mismatch on payload"],
    Category.OTA_DOWNLOAD_FAILURE: ["download interrupted at 43 percent", "download url expired"],
    Category.OTA_INSTALL_FAILURE: ["postinstall step failed", "slot rollback after boot failure"],
    Category.DB_DEADLOCK: ["deadlock detected between transactions", "lock wait timeout"],
    Category.DB_POOL_EXHAUSTION: [
        "pool exhausted, no connection available",
        "too many clients already",
    ],
    Category.QUEUE_BACKLOG: ["consumer lag growing", "queue full, dropping messages"],
    Category.AUTHENTICATION: ["token expired, 401 unauthorized", "permission denied"],
    Category.CONFIGURATION_ERROR: ["required setting missing", "invalid configuration value"],
    Category.UNHANDLED_EXCEPTION: ["null pointer exception", "segmentation fault, core dumped"],
    Category.WRONG_RETURN_VALUE: ["value out of range", "unexpected status returned"],
    Category.DRIVER_FAULT: ["driver probe failed", "bus-off, controller restarting"],
    Category.THERMAL_POWER: ["temperature above threshold", "under-voltage detected"],
    Category.NETWORK_LATENCY: ["packet loss and retransmissions", "round trip time 900 ms"],
    Category.RESOURCE_LIMIT: ["too many open files", "cannot create thread"],
}
DETAILS = [
    "after resume",
    "under load",
    "at startup",
    "during shutdown",
    "on retry",
    "after firmware update",
    "while parked",
    "in heavy rain",
    "at high speed",
    "after network switch",
    "with low battery",
    "after 3 days uptime",
]
CAUSES = [
    "loose connector",
    "power dip",
    "firmware regression",
    "misconfiguration",
    "resource leak",
    "overload",
    "clock skew",
    "expired credential",
    "bad cable",
    "thermal stress",
    "corrupt cache",
    "race condition",
]
NOISE = 0.35  # norm of the noise added to a base vector, relative to its unit length


@dataclass(frozen=True)
class Template:
    """A distinct symptom text and its fields; embedded for real."""

    text: str
    module: str
    component: str
    phrase: str
    category: Category


@dataclass(frozen=True)
class Query:
    """A log-line query, its real embedding and the entry it was drawn from."""

    text: str
    vector: np.ndarray[Any, Any]
    entry: dict[str, Any]


def templates(count: int, rng: random.Random) -> list[Template]:
    """``count`` distinct symptom texts: component x phrase x detail."""
    combos = [
        (module, component, category, phrase, detail)
        for module, component in COMPONENTS
        for category, phrases in PHRASES.items()
        for phrase in phrases
        for detail in DETAILS
    ]
    rng.shuffle(combos)
    return [
        Template(f"{component}: {phrase} {detail}", module, component, phrase, category)
        for module, component, category, phrase, detail in combos[:count]
    ]


def firmware(rng: random.Random) -> str | None:
    """70% a full version, 10% a minor line, 20% generic."""
    major, minor, patch = rng.randint(1, 3), rng.randint(0, 5), rng.randint(0, 9)
    roll = rng.random()
    if roll < 0.7:
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}" if roll < 0.8 else None


def entries(count: int, base: list[Template], rng: random.Random) -> list[dict[str, Any]]:
    """``count`` entries drawn from the templates, with scoping fields."""
    rows = []
    for i in range(count):
        t = rng.randrange(len(base))
        tpl = base[t]
        code = f"E{1000 + (t * 3 + rng.randrange(3)) % 6000}"
        rows.append(
            {
                "source_id": f"bench/{i}",
                "template": t,
                "error_code": code,
                "platform": rng.choice(PLATFORMS) if rng.random() < 0.9 else None,
                "firmware": firmware(rng),
                "module": tpl.module,
                "category": tpl.category.value,
                "symptom": f"{code} {tpl.text} (seen {rng.randint(1, 500)} times)",
                "root_cause": f"{rng.choice(CAUSES)} in {tpl.component}",
                "solution": f"check the {tpl.component}; then {rng.choice(CAUSES)} runbook",
            }
        )
    return rows


def noisy_vectors(base: np.ndarray[Any, Any], picks: list[int], seed: int) -> np.ndarray[Any, Any]:
    """Base vectors of the picked templates plus noise of norm ~NOISE, renormalised."""
    gen = np.random.default_rng(seed)
    vectors = base[picks] + gen.normal(size=(len(picks), base.shape[1])).astype(np.float32) * (
        NOISE / np.sqrt(base.shape[1])
    )
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


async def bulk_load(url: str, rows: list[dict[str, Any]], vectors: np.ndarray[Any, Any]) -> None:
    """COPY the rows in, then build the indexes once (faster than maintaining them)."""
    conn = await connect(url)
    async with conn:
        await store.drop_vector_indexes(conn)
        await conn.execute("DROP INDEX IF EXISTS knowledge_base_tsv_gin")
        cols = (
            "source_id, error_code, platform, firmware, module, category, symptom, root_cause,"
            " solution, source, embedding"
        )
        async with conn.cursor() as cur:
            copy_sql = f"COPY knowledge_base ({cols}) FROM STDIN WITH (FORMAT BINARY)"
            async with cur.copy(copy_sql) as copy:  # type: ignore[arg-type]
                copy.set_types(["text"] * 10 + ["vector"])
                for row, vec in zip(rows, vectors, strict=True):
                    await copy.write_row(
                        [
                            row["source_id"],
                            row["error_code"],
                            row["platform"],
                            row["firmware"],
                            row["module"],
                            row["category"],
                            row["symptom"],
                            row["root_cause"],
                            row["solution"],
                            "bench",
                            vec,
                        ]
                    )
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("CREATE INDEX knowledge_base_tsv_gin ON knowledge_base USING gin (tsv)")
        await store.create_vector_indexes(conn)
        await conn.execute("VACUUM ANALYZE knowledge_base")


FilterMaker = Callable[[dict[str, Any]], SearchFilters]

#: Filter classes timed; "none" (no filter) is reported for reference, outside the aggregate.
FILTER_CLASSES: dict[str, FilterMaker] = {
    "none": lambda e: SearchFilters(),
    "platform": lambda e: SearchFilters(platform=e["platform"] or "J7"),
    "module": lambda e: SearchFilters(module=e["module"]),
    "platform+firmware": lambda e: SearchFilters(
        platform=e["platform"] or "J7", firmware=(e["firmware"] or "2.3")[:3]
    ),
    "platform+category": lambda e: SearchFilters(
        platform=e["platform"] or "J7", category=Category(e["category"])
    ),
    "error_code": lambda e: SearchFilters(error_code=e["error_code"]),
}


def query_text(entry: dict[str, Any], base: list[Template], rng: random.Random) -> str:
    """A log line about the entry's failure, with its error code half of the time."""
    tpl = base[entry["template"]]
    code = f" {entry['error_code']}" if rng.random() < 0.5 else ""
    return f"[ERROR][{tpl.module}]{code} {tpl.component} {tpl.phrase}"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    return float(np.percentile(np.asarray(values), q))


async def measure_latency(
    url: str, queries: list[Query], repeat: int = 1
) -> dict[str, tuple[list[float], dict[str, int]]]:
    """Per filter class: hybrid-search latencies (ms) and how often each vector path ran."""
    out: dict[str, tuple[list[float], dict[str, int]]] = {}
    conn = await connect(url)
    async with conn:
        for q in queries[:10]:  # warm the caches and the plans
            await hybrid_search(conn, q.text, vector=q.vector, filters=SearchFilters(), limit=5)
        for name, make in FILTER_CLASSES.items():
            times: list[float] = []
            paths: dict[str, int] = {}
            for _ in range(repeat):
                for q in queries:
                    started = time.perf_counter()
                    result = await hybrid_search(
                        conn, q.text, vector=q.vector, filters=make(q.entry), limit=5
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    paths[result.strategy] = paths.get(result.strategy, 0) + 1
            out[name] = (times, paths)
    return out


async def measure_recall(url: str, queries: list[Query]) -> dict[str, dict[str, float]]:
    """Per filter class: recall@5 vs exact of the HNSW path and of the automatic plan."""
    n, _ = candidate_count(5)
    out: dict[str, dict[str, float]] = {}
    conn = await connect(url)
    async with conn:
        total, _ = await store.search_context(conn, "")
        for name, make in FILTER_CLASSES.items():
            hnsw_recall, auto_recall, estimates, actual = [], [], [], []
            for q in queries:
                filters = make(q.entry)
                estimated = await store.estimate_matching(conn, filters)
                exact = await store.vector_candidates_exact(conn, q.vector, filters, n)
                truth = {c.kb_id for c in exact[:5]}
                if not truth:
                    continue
                async with conn.transaction():
                    plan = forced_plan("hnsw", estimated, total, n)
                    approx = await store.vector_candidates_hnsw(
                        conn, q.vector, filters, n, plan.ef_search
                    )
                hnsw_recall.append(len(truth & {c.kb_id for c in approx[:5]}) / len(truth))
                auto = plan_vector_search(estimated, total, n)
                served_by_hnsw = auto.strategy == "hnsw" and (len(approx) >= n or estimated < n)
                auto_recall.append(hnsw_recall[-1] if served_by_hnsw else 1.0)
                estimates.append(estimated)
                actual.append(await _count(conn, filters))
            out[name] = {
                "hnsw_recall": statistics.fmean(hnsw_recall),
                "auto_recall": statistics.fmean(auto_recall),
                "estimated_rows": statistics.median(estimates),
                "actual_rows": statistics.median(actual),
            }
    return out


async def _count(conn: psycopg.AsyncConnection[Any], filters: SearchFilters) -> float:
    where, params = store.filter_clause(filters)
    query = sql.SQL("SELECT count(*) FROM knowledge_base WHERE {}").format(where)
    cur = await conn.execute(query, params)
    row = await cur.fetchone()
    return float(row[0]) if row else 0.0


def embed_throughput(
    texts: list[str], passes: int = 3
) -> tuple[np.ndarray[Any, Any], list[float], float]:
    """Real embeddings of ``texts``; texts/s of each pass (batches of 64); one-text ms (p50)."""
    embedder = local_embedder(BUNDLED_EMBEDDING_MODEL)
    embedder.embed(texts[:64])  # warm-up
    rates = []
    for _ in range(passes):
        started = time.perf_counter()
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        rates.append(len(texts) / (time.perf_counter() - started))
    singles = []
    for text in texts[:50]:
        t0 = time.perf_counter()
        embedder.embed([text])
        singles.append((time.perf_counter() - t0) * 1000)
    return vectors, rates, statistics.median(singles)


def main(argv: list[str]) -> None:
    """Run the benchmark and print a Markdown summary (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench knowledge")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embed-texts", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=2, help="timed passes over the queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--shared-buffers", default="1GB", help="PostgreSQL shared_buffers (stock default: 128MB)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="argus-bench-kb-") as tmp:
        server, url = start_server(Path(tmp) / "pgdata", args.shared_buffers)
        try:
            asyncio.run(_run(url, args))
        finally:
            server.stop()


def start_server(pgdata: Path, shared_buffers: str) -> tuple[EmbeddedPostgres, str]:
    """Start a private embedded PostgreSQL; restart it once to apply ``shared_buffers``."""
    if not re.fullmatch(r"\d+(kB|MB|GB)", shared_buffers):
        raise SystemExit(f"--shared-buffers must look like 128MB or 1GB, not {shared_buffers!r}")
    server = EmbeddedPostgres(pgdata)
    url = server.start()
    with psycopg.connect(url, autocommit=True) as conn:
        current = conn.execute("SHOW shared_buffers").fetchone()
        if current is not None and current[0] == shared_buffers:
            return server, url
        conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(shared_buffers))
    server.stop()
    server = EmbeddedPostgres(pgdata)
    return server, server.start()


async def _run(url: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    await apply_migrations(url)
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'),"
            " (SELECT extversion FROM pg_extension WHERE extname = 'vector')"
        )
        version, buffers, vector = await cur.fetchone() or ("?", "?", "?")
    print(f"PostgreSQL {version}, pgvector {vector}, shared_buffers {buffers}", flush=True)
    base = templates(args.embed_texts, rng)
    base_vectors, rates, single_ms = embed_throughput([t.text for t in base])
    rate = statistics.median(rates)
    print(
        f"embedding: {', '.join(f'{r:.0f}' for r in rates)} texts/s per pass (batches of 64),"
        f" one query {single_ms:.1f} ms",
        flush=True,
    )

    rows = entries(args.entries, base, rng)
    vectors = noisy_vectors(base_vectors, [r["template"] for r in rows], args.seed)
    started = time.perf_counter()
    await bulk_load(url, rows, vectors)
    load_s = time.perf_counter() - started
    print(f"loaded {len(rows):,} entries and built indexes in {load_s:.0f} s", flush=True)

    picked = [rows[rng.randrange(len(rows))] for _ in range(args.queries)]
    texts = [query_text(e, base, rng) for e in picked]
    embedder = local_embedder(BUNDLED_EMBEDDING_MODEL)
    qvecs = np.asarray(embedder.embed(texts), dtype=np.float32)
    queries = [Query(t, v, e) for t, v, e in zip(texts, qvecs, picked, strict=True)]

    latency = await measure_latency(url, queries, args.repeat)
    recall = await measure_recall(url, queries)
    _report(args, rate, single_ms, load_s, latency, recall)


def _report(
    args: argparse.Namespace,
    rate: float,
    single_ms: float,
    load_s: float,
    latency: dict[str, tuple[list[float], dict[str, int]]],
    recall: dict[str, dict[str, float]],
) -> None:
    print(
        f"\n{dt.date.today().isoformat()} — {args.entries:,} entries, {args.queries} queries "
        f"x {args.repeat} passes per filter class, seed {args.seed}\n"
    )
    print(
        "| filter | rows matching (median) | planner estimate | vector path (queries) | "
        "p50 ms | p95 ms | recall@5 HNSW path | recall@5 as served |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    everything: list[float] = []
    for name, (times, paths) in latency.items():
        if name != "none":
            everything.extend(times)
        r = recall[name]
        used = ", ".join(f"{k} {v}" for k, v in sorted(paths.items()))
        print(
            f"| {name} | {r['actual_rows']:,.0f} | {r['estimated_rows']:,.0f} | {used} | "
            f"{percentile(times, 50):.1f} | {percentile(times, 95):.1f} | "
            f"{r['hnsw_recall']:.3f} | {r['auto_recall']:.3f} |"
        )
    print(
        f"| **all filtered queries** (not none) | | | | **{percentile(everything, 50):.1f}** | "
        f"**{percentile(everything, 95):.1f}** | | |"
    )
    print(
        f"\nembedding throughput: {rate:.0f} texts/s (median of 3 passes over {args.embed_texts}"
        " texts, batches of 64, CPU); "
        f"one query text: {single_ms:.1f} ms (p50); bulk load + index build: {load_s:.0f} s"
    )
