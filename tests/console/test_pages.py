"""The console's pages over HTTP (no browser): sign-in, the batch list with its filters and
pages, a batch with its report, error pages; on the real embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
import uvicorn
from pydantic import SecretStr

from argus.batch_status import BatchStatus
from argus.config import Settings
from argus.report import ExplainCard, Report, RootCause, SampleLine, Suspect
from argus.runtime.kafka import free_port
from argus.runtime.services import Services
from argus.service.app import create_app
from argus.store import batches

pytestmark = pytest.mark.integration

KEY = "console-key"


@pytest.fixture(scope="module")
def url(
    db_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The service (no workers) with one API key, on a free loopback port."""
    settings = Settings(
        home=tmp_path_factory.mktemp("console-pages"), api_keys=[SecretStr(KEY)], llm="none"
    )
    app = create_app(settings, Services.at(db_url, kafka_bootstrap), workers=0)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="error")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def signed_in(url: str) -> Iterator[httpx.Client]:
    """A client holding a session cookie bought with the key."""
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.post("/signin", data={"key": KEY, "next": "/"})
        assert answer.status_code == 303
        yield client


def _batch(db_url: str, source: str, labels: dict[str, str], status: BatchStatus) -> uuid.UUID:
    async def create() -> uuid.UUID:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            batch_id = await batches.create_batch(conn, source, labels, BatchStatus.PENDING)
            await batches.set_status(conn, batch_id, status)
            return batch_id

    return asyncio.run(create())


def _rows(html: str) -> list[str]:
    return re.findall(r'data-batch="([0-9a-f-]{36})"', html)


def test_pages_send_a_browser_without_a_session_to_sign_in(url: str) -> None:
    with httpx.Client(base_url=url) as client:
        page = client.get("/?source=x")
        assert page.status_code == 303
        assert page.headers["location"] == "/signin?next=/?source=x"
        fragment = client.get("/fragments/batches", headers={"HX-Request": "true"})
        assert fragment.status_code == 401 and fragment.headers["HX-Redirect"] == "/signin"
        assert client.get("/api/v1/batches").status_code == 401
        form = client.get("/signin")
        assert form.status_code == 200 and '<label for="key">API key</label>' in form.text


def test_a_key_buys_a_session_that_pages_and_the_api_accept(url: str) -> None:
    with httpx.Client(base_url=url) as client:
        wrong = client.post("/signin", data={"key": "guess", "next": "/"})
        assert wrong.status_code == 401 and "not one of the service" in wrong.text
        assert "argus_session" not in wrong.headers.get("set-cookie", "")
        right = client.post("/signin", data={"key": KEY, "next": "//elsewhere.example/"})
        assert right.status_code == 303 and right.headers["location"] == "/"
        cookie = right.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=" in cookie
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/batches").status_code == 200
        out = client.post("/signout")
        assert out.status_code == 303
        assert client.get("/").status_code == 303


def test_the_list_filters_by_state_source_and_label(db_url: str, signed_in: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    done = _batch(db_url, f"car-{tag}", {"platform": "p1"}, BatchStatus.DIAGNOSED)
    failed = _batch(db_url, f"car-{tag}", {"platform": "p2"}, BatchStatus.FAILED)
    other = _batch(db_url, f"bus-{tag}", {"platform": "p1"}, BatchStatus.DIAGNOSED)
    by_source = _rows(signed_in.get("/", params={"source": f"car-{tag}"}).text)
    assert by_source == [str(failed), str(done)]  # newest first
    by_state = signed_in.get("/", params=[("source", f"car-{tag}"), ("state", "failed")]).text
    assert _rows(by_state) == [str(failed)]
    by_label = signed_in.get("/fragments/batches", params={"label": "platform=p1"}).text
    assert str(done) in by_label and str(other) in by_label and str(failed) not in by_label
    bad = signed_in.get("/", params={"state": "exploded", "label": "nolabel"})
    assert bad.status_code == 200
    assert "unknown state &#39;exploded&#39;" in bad.text and "written key=value" in bad.text


def test_the_list_pages_through_older_batches(db_url: str, signed_in: httpx.Client) -> None:
    source = f"many-{uuid.uuid4().hex[:8]}"
    made = [_batch(db_url, source, {}, BatchStatus.PENDING) for _ in range(27)]
    first = signed_in.get("/", params={"source": source}).text
    assert len(_rows(first)) == 25
    older = re.search(r'href="(/\?[^"]*cursor=[^"]+)" rel="next"', first)
    assert older is not None
    second = signed_in.get(older.group(1).replace("&amp;", "&")).text
    assert _rows(second) == [str(b) for b in reversed(made[:2])]
    assert 'rel="next"' not in second


def test_a_batch_page_shows_its_report_with_log_text_escaped(
    db_url: str, signed_in: httpx.Client
) -> None:
    batch_id = _batch(db_url, "<b>shop</b>", {"platform": "shop"}, BatchStatus.DIAGNOSED)
    report = Report(
        summary="payment ran out of database connections <script>alert(1)</script>",
        incident=True,
        root_cause=RootCause(module="payment", category="database", description="pool exhausted"),
        suspects=[
            Suspect(
                module="payment",
                score=0.9,
                evidence=[
                    ExplainCard(
                        signal="errors",
                        claim="payment wrote 2,396 error lines against 3 expected",
                        batch=2396,
                        baseline=3,
                        unit="lines",
                        samples=[SampleLine(text="pool exhausted <img src=x>", trace="t-1")],
                    )
                ],
            )
        ],
        recommendations=["raise the pool size"],
        confidence=0.8,
    )

    async def store() -> None:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            await batches.save_diagnosis(conn, batch_id, report)

    asyncio.run(store())
    page = signed_in.get(f"/batches/{batch_id}")
    assert page.status_code == 200
    html = page.text
    assert "<strong data-root-module>payment</strong>" in html
    assert "rule-based" in html and "raise the pool size" in html
    assert "2,396 error lines" in html and "[trace t-1]" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x>" not in html and "&lt;b&gt;shop&lt;/b&gt;" in html
    assert 'hx-trigger="every' not in html  # a settled batch is not polled


def test_unknown_batches_and_paths_answer_pages_the_api_answers_json(
    signed_in: httpx.Client,
) -> None:
    missing = signed_in.get(f"/batches/{uuid.uuid4()}")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert signed_in.get("/batches/not-a-uuid").status_code == 404
    assert signed_in.get("/no/such/page").status_code == 404
    api = signed_in.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_the_console_serves_its_own_assets(signed_in: httpx.Client) -> None:
    for path in (
        "/assets/vendor/htmx.min.js",
        "/assets/vendor/chart.umd.min.js",
        "/static/console.js",
        "/static/console.css",
    ):
        answer = signed_in.get(path)
        assert answer.status_code == 200 and len(answer.content) > 1000, path
    assert signed_in.get("/assets/vendor/../../pyproject.toml").status_code == 404


def test_a_report_links_similar_past_incidents(db_url: str, signed_in: httpx.Client) -> None:
    earlier = _batch(db_url, "similar-src", {}, BatchStatus.DIAGNOSED)
    later = _batch(db_url, "similar-src", {}, BatchStatus.DIAGNOSED)
    vector = "[" + ",".join(["0.5"] * 384) + "]"

    async def store() -> None:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            for batch_id, summary in ((earlier, "pool exhausted"), (later, "pool exhausted again")):
                report = Report(summary=summary, incident=True)
                await batches.save_diagnosis(conn, batch_id, report)
                await conn.execute(
                    "UPDATE diagnosis SET embedding = %s::vector WHERE batch_id = %s",
                    (vector, batch_id),
                )

    asyncio.run(store())
    html = signed_in.get(f"/batches/{later}").text
    assert f'href="/batches/{earlier}"' in html and "pool exhausted" in html


def test_the_template_library_is_searched_and_shows_a_template_history(
    db_url: str, signed_in: httpx.Client
) -> None:
    tag = uuid.uuid4().hex[:8]

    async def store() -> int:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            cur = await conn.execute(
                "INSERT INTO regex_template (pattern, sample_log, template, source, version)"
                " VALUES (%s, %s, %s, 'manual', 2) RETURNING template_id",
                (
                    f"^disk {tag} 100% full .*$",
                    f"disk {tag} 100% full /var",
                    f"disk {tag} 100% full <*>",
                ),
            )
            row = await cur.fetchone()
            assert row is not None
            for version, note in ((1, "first draft"), (2, "widened by hand")):
                await conn.execute(
                    "INSERT INTO template_history (template_id, pattern, sample_log, version,"
                    " source, note, template) VALUES (%s, 'p', 's', %s, 'manual', %s, 't')",
                    (row[0], version, note),
                )
            return int(row[0])

    template_id = asyncio.run(store())
    found = signed_in.get("/templates", params={"q": f"{tag} 100%", "source": "manual"}).text
    assert f'data-template="{template_id}"' in found
    assert 'data-template="' not in signed_in.get("/templates", params={"q": f"{tag}_x"}).text
    assert (
        f'data-template="{template_id}"'
        not in signed_in.get("/templates", params={"q": tag, "source": "llm"}).text
    )
    page = signed_in.get(f"/templates/{template_id}").text
    assert "widened by hand" in page and "first draft" in page
    assert signed_in.get("/templates/999999999").status_code == 404


def test_the_knowledge_page_lists_entries_and_names_a_bad_filter(signed_in: httpx.Client) -> None:
    listed = signed_in.get("/knowledge")
    assert listed.status_code == 200 and "Latest entries" in listed.text
    bad = signed_in.get("/knowledge", params={"q": "disk full", "category": "weather"})
    assert bad.status_code == 400 and "unknown category" in bad.text
    assert signed_in.get("/knowledge/987654321").status_code == 404
    form = signed_in.get("/knowledge/new").text
    assert '<label for="e-symptom">Symptom</label>' in form


def test_the_chat_page_of_a_batch_offers_a_new_thread(db_url: str, signed_in: httpx.Client) -> None:
    batch_id = _batch(db_url, "chatty", {}, BatchStatus.DIAGNOSED)
    page = signed_in.get(f"/batches/{batch_id}/chat", params={"thread": "../../etc"})
    assert page.status_code == 200
    assert f'data-chat="/api/v1/batches/{batch_id}/chat"' in page.text
    assert 'data-thread=""' in page.text  # a thread id the chat would refuse is not reopened
    assert signed_in.get(f"/batches/{uuid.uuid4()}/chat").status_code == 404


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/batches?state=failed", True),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("/\t/evil.example", False),
        ("https://evil.example/", False),
        ("", False),
    ],
)
def test_sign_in_only_ever_returns_to_a_path_of_this_site(target: str, kept: bool) -> None:
    from argus.console.signin import safe_next

    assert safe_next(target) == (target if kept else "/")


def test_a_failed_batch_shows_its_reason_its_files_and_its_timeline(
    db_url: str, signed_in: httpx.Client
) -> None:
    batch_id = _batch(db_url, "broken-gz", {}, BatchStatus.PENDING)

    async def fail() -> None:
        async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
            for name in ("good.log.gz", "bad.log.gz"):
                await batches.register_upload(conn, batch_id, name, f"/tmp/{name}", 10)
            await conn.execute(
                "UPDATE batch_file SET status = 'failed', error = 'gzip stream is truncated'"
                " WHERE batch_id = %s AND name = 'bad.log.gz'",
                (batch_id,),
            )
            await batches.set_status(
                conn, batch_id, BatchStatus.FAILED, "no file gave readable records"
            )

    asyncio.run(fail())
    html = signed_in.get(f"/batches/{batch_id}").text
    assert "Failed: no file gave readable records" in html
    assert "gzip stream is truncated" in html and "1 failed" in html
    steps = re.findall(r'<li><span class="state state-(\w+)">', html)
    assert steps == ["pending", "failed"]  # created, then failed; nothing in between
    assert "Charts appear once the batch is parsed" in html
