"""The chaos bench's client: submit batches over HTTP the way a patient real client would.

A request that gets no answer (refused, reset, timed out) or a 5xx is sent again after a
back-off (Retry-After honoured up to a cap); so is a PUT refused with 409 because an earlier
attempt of the same upload may still be streaming on the server. A batch counts as submitted
once its ``complete`` answered 202. Retrying a create whose answer was lost may leave a batch
the client never heard of: it stays ``pending`` and is counted apart as an orphan.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import random
import time
from dataclasses import dataclass, field

import httpx

from bench.chaos_procs import AUTH
from bench.gen_logs import lines as generated_lines

FAULTS = (None, "db-pool", "disk-full")
START = dt.datetime(2026, 11, 20, 10, 0, 0)
BACKOFF_FIRST_S = 0.5
BACKOFF_CAP_S = 8.0
REQUEST_TIMEOUT_S = 30.0


class GaveUp(Exception):
    """A request still failed when the batch's submission deadline passed."""


@dataclass(kw_only=True)
class Submission:
    """What the client did for one batch (times are epoch seconds)."""

    index: int
    started_at: float  #: the first request of the batch was sent
    batch_id: str | None = None  #: the batch the client uploaded to (None: create never answered)
    accepted_at: float | None = None  #: complete answered 202 (None: not submitted)
    retries: dict[str, int] = field(default_factory=dict)  #: retried answers, by kind
    error: str | None = None  #: why it was not submitted


def batch_body(index: int, lines: int, seed: int) -> bytes:
    """The gzip file of batch ``index``: generated, deterministic, faults cycling."""
    text = "".join(generated_lines(lines, seed * 1000 + index, FAULTS[index % 3], START))
    return gzip.compress(text.encode(), compresslevel=1)


def _retry_kind(outcome: httpx.Response | Exception) -> str:
    if isinstance(outcome, httpx.Response):
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__


def _pause(attempt: int, outcome: httpx.Response | Exception, rng: random.Random) -> float:
    """Exponential back-off with jitter; a Retry-After header is honoured up to the cap."""
    pause: float = min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2**attempt) * rng.uniform(0.5, 1.0)
    if isinstance(outcome, httpx.Response):
        with_header = outcome.headers.get("retry-after", "")
        if with_header.isdigit():
            pause = max(pause, min(BACKOFF_CAP_S, float(with_header)))
    return pause


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    ok: int,
    retry_409: bool = False,
    sub: Submission,
    deadline: float,
    rng: random.Random,
    json: dict[str, str] | None = None,
    content: bytes | None = None,
) -> httpx.Response:
    """Send until the answer is ``ok``; retry on no answer, 5xx (and 409 with ``retry_409``).

    Any other status raises ``httpx.HTTPStatusError`` at once; ``GaveUp`` when the monotonic
    ``deadline`` passes. Each retried answer is counted in ``sub.retries``."""
    attempt = 0
    while True:
        outcome: httpx.Response | Exception
        try:
            outcome = await client.request(method, url, headers=AUTH, json=json, content=content)
        except httpx.TransportError as exc:
            outcome = exc
        if isinstance(outcome, httpx.Response):
            if outcome.status_code == ok:
                return outcome
            retryable = outcome.status_code >= 500 or (retry_409 and outcome.status_code == 409)
            if not retryable:
                problem = f"{method} {url}: {outcome.status_code} {outcome.text[:300]}"
                raise httpx.HTTPStatusError(problem, request=outcome.request, response=outcome)
        kind = _retry_kind(outcome)
        sub.retries[kind] = sub.retries.get(kind, 0) + 1
        pause = _pause(attempt, outcome, rng)
        if time.monotonic() + pause > deadline:
            raise GaveUp(f"{method} {url}: last answer {kind}")
        await asyncio.sleep(pause)
        attempt += 1


async def submit(
    client: httpx.AsyncClient, sub: Submission, body: bytes, source: str, give_up_s: float
) -> None:
    """Create the batch, upload its one file, complete it; fills in ``sub`` (never raises for
    an HTTP fault: the reason goes to ``sub.error``)."""
    rng = random.Random(sub.index)
    deadline = time.monotonic() + give_up_s
    name = f"chaos-{sub.index:04d}.log.gz"
    try:
        created = await send(
            client,
            "POST",
            "/api/v1/batches",
            ok=201,
            sub=sub,
            deadline=deadline,
            rng=rng,
            json={"source": source},
        )
        sub.batch_id = str(created.json()["batch_id"])
        base = f"/api/v1/batches/{sub.batch_id}"
        await send(
            client,
            "PUT",
            f"{base}/files/{name}",
            ok=201,
            retry_409=True,
            sub=sub,
            deadline=deadline,
            rng=rng,
            content=body,
        )
        await send(client, "POST", f"{base}/complete", ok=202, sub=sub, deadline=deadline, rng=rng)
        sub.accepted_at = time.time()
    except (GaveUp, httpx.HTTPStatusError) as exc:
        sub.error = str(exc)


def new_client(url: str) -> httpx.AsyncClient:
    """An HTTP client for the service (no proxies; generous limits for overlapping batches)."""
    return httpx.AsyncClient(
        base_url=url,
        timeout=REQUEST_TIMEOUT_S,
        trust_env=False,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=8),
    )
