"""The console in a real Chromium against a real ``argus serve`` (embedded PostgreSQL and Kafka):
sign in, upload a two-file batch from the browser and watch it reach ``diagnosed``, read its
report and charts, at desktop and phone widths."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES
from tests.console.browser import (
    DESKTOP,
    PHONE,
    PageProblems,
    browser,
    screenshot,
    skip_without_browser,
    wait_ready,
)
from tests.service.harness import AUTH, KEY, ServeProcess

pytestmark = [pytest.mark.integration, skip_without_browser]
__all__ = ["browser"]  # the fixture, used by name

INCIDENT = EXAMPLES / "shop" / "payment-db-pool.log.gz"
NORMAL = EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz"
SOURCE = "shop-console"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``argus serve`` with an API key, and one diagnosed batch of the source (the baseline of
    the batch the browser uploads)."""
    process = ServeProcess(home=tmp_path_factory.mktemp("console-home"))
    process.start()
    try:
        wait_ready(process.url, lambda: process.proc is not None and process.proc.poll() is None)
        yield process.url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def baseline_batch(served: str) -> str:
    """A diagnosed batch of the fault-free log: the baseline of the batch the browser uploads,
    and the batch the chat is asked about."""
    import time

    with httpx.Client(base_url=served, headers=AUTH, timeout=30) as client:
        batch = client.post("/api/v1/batches", json={"source": SOURCE}).json()["batch_id"]
        put = client.put(
            f"/api/v1/batches/{batch}/files/{NORMAL.name}", content=NORMAL.read_bytes()
        )
        assert put.status_code == 201, put.text
        assert client.post(f"/api/v1/batches/{batch}/complete").status_code == 202
        for _ in range(600):
            status = client.get(f"/api/v1/batches/{batch}").json()["status"]
            if status in ("diagnosed", "failed"):
                assert status == "diagnosed"
                return str(batch)
            time.sleep(0.5)
    raise AssertionError("the baseline batch was not diagnosed")


@pytest.fixture
def problems() -> Iterator[PageProblems]:
    """Failures seen on the test's pages: the test fails when there is any."""
    seen = PageProblems()
    yield seen
    assert not seen.problems, "\n".join(seen.problems)


@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The incident log cut in two halves, as a device uploading two files would."""
    lines = gzip.decompress(INCIDENT.read_bytes()).splitlines(keepends=True)
    half = len(lines) // 2
    folder = tmp_path_factory.mktemp("upload")
    paths = [folder / "payment-part1.log.gz", folder / "payment part2.log.gz"]
    for path, part in zip(paths, (lines[:half], lines[half:]), strict=True):
        path.write_bytes(gzip.compress(b"".join(part)))
    return paths


def _open(browser: object, problems: PageProblems, viewport: dict[str, int]) -> object:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(30_000)
    problems.watch(page)
    return page


def _sign_in(page: object, url: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(url + "/")
    expect(page).to_have_url(f"{url}/signin?next=/")
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Batches")).to_be_visible()


def test_sign_in_refuses_a_wrong_key_then_accepts_the_right_one(
    served: str, browser: object, problems: PageProblems
) -> None:
    from playwright.sync_api import Page, expect

    problems.expected = {401, 404}  # the wrong key, the unknown batch
    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    page.goto(served + "/batches/00000000-0000-0000-0000-000000000000")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "signin")
    page.get_by_label("API key").fill("not-the-key")
    with page.expect_response(lambda r: r.url.endswith("/signin")):
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not one of the service's API keys")
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Sign in").click()
    # back where it was going: an unknown batch, shown as such (404 page, not an error)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "argus_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # the API takes the session as it takes the key
    assert page.request.get(served + "/api/v1/batches").status == 200
    page.goto(served + "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.request.get(served + "/api/v1/batches").status == 401


def test_a_two_file_upload_is_diagnosed_and_its_report_and_charts_shown(
    served: str,
    baseline_batch: str,
    browser: object,
    problems: PageProblems,
    two_files: list[Path],
) -> None:
    from playwright.sync_api import Page, expect

    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    _sign_in(page, served)
    page.get_by_label("Source").first.fill(SOURCE)
    page.get_by_label("Labels").fill("platform=shop, firmware=2.1")
    page.get_by_label("Log files").set_input_files([str(p) for p in two_files])
    page.get_by_role("button", name="Upload and diagnose").click()
    page.wait_for_url(f"{served}/batches/*")
    batch_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#batch-state [data-state]").first).to_have_text(
        "diagnosed", timeout=240_000
    )
    report = page.request.get(f"{served}/api/v1/batches/{batch_id}/report").json()
    files = page.request.get(f"{served}/api/v1/batches/{batch_id}").json()["files"]
    assert sorted(f["name"] for f in files) == ["payment-part1.log.gz", "payment_part2.log.gz"]
    root = page.locator("[data-root-module]")
    expect(root).to_have_text(report["root_cause"]["module"] or "no confident root cause")
    assert report["root_cause"]["module"], "the incident has a root cause"
    expect(page.get_by_text("rule-based", exact=True)).to_be_visible()
    charts = page.locator("canvas[data-drawn]")
    expect(charts).to_have_count(3, timeout=60_000)
    first = charts.first
    assert int(first.get_attribute("data-drawn") or 0) > 0  # minutes drawn
    box = first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert _has_ink(page, first)
    screenshot(page, "batch")
    page.locator("#charts").scroll_into_view_if_needed()
    screenshot(page, "batch-charts")
    page.goto(served + "/")
    row = page.locator(f"tr[data-batch='{batch_id}']")
    expect(row.locator("[data-state]")).to_have_text("diagnosed")
    expect(row).to_contain_text("platform=shop")
    screenshot(page, "batches")


def test_an_upload_the_api_refuses_says_why(
    served: str, browser: object, problems: PageProblems, two_files: list[Path]
) -> None:
    from playwright.sync_api import Page, expect

    problems.expected = {422}  # the refused batch
    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    _sign_in(page, served)
    page.get_by_label("Source").first.fill("broken-format")
    page.get_by_label("Log format").fill("<Date> <Content")
    page.get_by_label("Log files").set_input_files(str(two_files[0]))
    page.get_by_role("button", name="Upload and diagnose").click()
    error = page.locator("#upload-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("422")
    expect(error).to_contain_text("log_format")
    assert page.url == f"{served}/"  # it stayed, nothing was created


def _has_ink(page: object, canvas: object) -> bool:
    """True when the chart's canvas holds drawn (non-transparent) pixels."""
    from playwright.sync_api import Locator, Page

    assert isinstance(page, Page) and isinstance(canvas, Locator)
    painted = canvas.evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"
    )
    return int(painted) > 1000


def test_the_batches_batch_and_chat_pages_fit_a_phone(
    served: str, baseline_batch: str, browser: object, problems: PageProblems
) -> None:
    from playwright.sync_api import Page, expect

    page = _open(browser, problems, PHONE)
    assert isinstance(page, Page)
    _sign_in(page, served)
    expect(page.get_by_label("Source").first).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "batches-phone")
    page.locator(f"tr[data-batch='{baseline_batch}'] a").click()
    expect(page.locator("#batch-state")).to_be_visible()
    expect(page.locator("[data-root-module]")).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, "batch-phone")
    page.get_by_role("link", name="Ask about this batch").click()
    expect(page.get_by_label("Question")).to_be_visible()
    _no_sideways_scroll(page)


def _no_sideways_scroll(page: object) -> None:
    """The page is no wider than the phone (tables may scroll inside their own box)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > w && !e.closest('.table-wrap'))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)",
        PHONE["width"],
    )
    assert width <= PHONE["width"] + 1, f"page is {width}px wide on a phone: {wide}"


def test_the_chat_streams_tool_events_and_the_answer_and_reopens_the_thread(
    served: str, baseline_batch: str, browser: object, problems: PageProblems
) -> None:
    from playwright.sync_api import Page, expect

    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    _sign_in(page, served)
    page.goto(f"{served}/batches/{baseline_batch}")
    page.get_by_role("link", name="Ask about this batch").click()
    page.get_by_label("Question").fill("Which module has the most errors?")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("[data-answer][data-final='true']")
    expect(answer).to_have_count(1, timeout=120_000)
    assert (answer.text_content() or "").strip(), "the answer streamed in"
    assert page.locator("[data-tool]").count() >= 1, "a tool result was shown"
    expect(page.get_by_text("rule-based answer", exact=False)).to_be_visible()
    assert "?thread=" in page.url
    screenshot(page, "chat")
    page.reload()  # the thread is listed and its turn shown again
    expect(page.locator(".threads a[aria-current='page']")).to_have_count(1)
    expect(page.locator(".turn-q")).to_have_text("Which module has the most errors?")


def test_a_knowledge_entry_is_added_found_edited_and_deleted(
    served: str, browser: object, problems: PageProblems
) -> None:
    from playwright.sync_api import Page, expect

    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    _sign_in(page, served)
    page.get_by_role("link", name="Knowledge").click()
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_label("Source id").fill("kb-console-flux")
    page.get_by_label("Error code").fill("FLUX-42")
    page.get_by_label("Module").fill("capacitor")
    page.get_by_label("Category").select_option("timeout")
    page.get_by_label("Symptom").fill("flux capacitor stalls at 88 mph and requests time out")
    page.get_by_label("Solution").fill("recharge the capacitor with 1.21 gigawatts")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="kb-console-flux")).to_be_visible()
    page.goto(f"{served}/knowledge")
    page.get_by_label("Search (symptom text or log lines)").fill("capacitor stalls")
    page.get_by_label("Module").fill("capacitor")
    page.get_by_role("button", name="Search").click()
    hit = page.get_by_role("link", name="kb-console-flux")
    expect(hit).to_be_visible()
    screenshot(page, "knowledge")
    hit.click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Solution").fill("replace the plutonium")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("replace the plutonium")).to_be_visible()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{served}/knowledge")
    expect(page.get_by_role("link", name="kb-console-flux")).to_have_count(0)


def test_the_template_library_is_searched_and_a_template_shows_its_history(
    served: str, baseline_batch: str, browser: object, problems: PageProblems
) -> None:
    from playwright.sync_api import Page, expect

    page = _open(browser, problems, DESKTOP)
    assert isinstance(page, Page)
    _sign_in(page, served)
    page.get_by_role("link", name="Templates").click()
    rows = page.locator("tr[data-template]")
    expect(rows.first).to_be_visible()
    page.get_by_label("Text, sample or id").fill("connection")
    page.get_by_role("button", name="Search").click()
    expect(rows.first).to_contain_text("connection", ignore_case=True)
    screenshot(page, "templates")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
