"""Health checks of the services Argus depends on, shared by ``argus doctor`` and /readyz."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
import psycopg

from argus.config import Settings
from argus.errors import ArgusError, DatabaseUnavailable
from argus.store.connection import connect


@dataclass(frozen=True, kw_only=True)
class Check:
    """Outcome of one service check."""

    name: str  #: service checked: database, kafka, embeddings, llm
    ok: bool  #: True when the service answered as expected (or is deliberately off)
    detail: str  #: what was found, or why it is down and what to do
    seconds: float = 0.0  #: time the check took


async def check_database(url: str) -> Check:
    """PostgreSQL answers and has the vector extension installed."""
    started = time.monotonic()
    try:
        async with await connect(url, vectors=False, timeout_s=5) as conn:
            cur = await conn.execute(
                "SELECT current_setting('server_version'),"
                " (SELECT extversion FROM pg_extension WHERE extname = 'vector')"
            )
            row = await cur.fetchone()
    except (psycopg.Error, DatabaseUnavailable) as exc:
        return Check(
            name="database",
            ok=False,
            detail=f"down: {_first_line(exc)}",
            seconds=time.monotonic() - started,
        )
    assert row is not None
    version, vector = row
    if vector is None:
        detail = f"PostgreSQL {version} is up but lacks the vector extension"
        return Check(name="database", ok=False, detail=detail, seconds=time.monotonic() - started)
    detail = f"PostgreSQL {version}, pgvector {vector}"
    return Check(name="database", ok=True, detail=detail, seconds=time.monotonic() - started)


async def check_kafka(bootstrap: str, timeout_s: float = 8.0) -> Check:
    """A Kafka broker at ``bootstrap`` answers a metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient  # only commands that reach a broker load it

    started = time.monotonic()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        topics = await asyncio.wait_for(admin.list_topics(), timeout_s)
    except Exception as exc:  # aiokafka raises many unrelated types for "cannot connect"
        detail = f"down: no Kafka broker answered at {bootstrap} ({type(exc).__name__})"
        return Check(name="kafka", ok=False, detail=detail, seconds=time.monotonic() - started)
    finally:
        await admin.close()
    argus_topics = sorted(t for t in topics if t.startswith("argus."))
    detail = f"broker at {bootstrap}, topics: {', '.join(argus_topics) or 'none yet'}"
    return Check(name="kafka", ok=True, detail=detail, seconds=time.monotonic() - started)


async def check_embeddings(settings: Settings) -> Check:
    """The configured embedding model loads and embeds a sentence."""
    # numpy and the model loader are imported only when this check runs (argus doctor
    # --skip-embeddings and the health routes never pay for them)
    from argus.knowledge.embeddings import local_embedder

    started = time.monotonic()
    if settings.embedding_base_url:
        return await _check_http(
            "embeddings", settings.embedding_base_url, settings.embedding_api_key, started
        )
    try:
        embedder = await asyncio.to_thread(local_embedder, settings.embedding_model)
        vector = await asyncio.to_thread(embedder.embed, ["disk full on /var/log"])
    except ArgusError as exc:
        return Check(
            name="embeddings", ok=False, detail=f"down: {exc}", seconds=time.monotonic() - started
        )
    detail = f"{settings.embedding_model} loaded from {embedder.model_path}, {len(vector[0])}-d"
    return Check(name="embeddings", ok=True, detail=detail, seconds=time.monotonic() - started)


async def check_llm(settings: Settings, base_url: str | None = None) -> Check:
    """The LLM endpoint answers /models, or the LLM is deliberately off ("none")."""
    started = time.monotonic()
    if settings.llm_mode == "none":
        return Check(
            name="llm", ok=True, detail="none: agents use their rule-based path", seconds=0.0
        )
    url = base_url or settings.llm_base_url
    if not url:
        return Check(
            name="llm", ok=False, detail="down: the local LLM server is not running", seconds=0.0
        )
    return await _check_http("llm", url, settings.llm_api_key, started)


async def _check_http(name: str, base_url: str, key: object, started: float) -> Check:
    headers = {}
    secret = getattr(key, "get_secret_value", None)
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret()}"
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            resp = await client.get(base_url.rstrip("/") + "/models", headers=headers)
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        detail = f"down: {base_url} did not answer /models ({type(exc).__name__}: {exc})"
        return Check(name=name, ok=False, detail=detail, seconds=time.monotonic() - started)
    models = [m.get("id", "?") for m in resp.json().get("data", []) if isinstance(m, dict)]
    detail = f"{base_url} answers, models: {', '.join(models[:5]) or 'unlisted'}"
    return Check(name=name, ok=True, detail=detail, seconds=time.monotonic() - started)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
