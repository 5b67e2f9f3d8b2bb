"""The module-descriptions and eval-runs pages over HTTP (no browser), on the real embedded
PostgreSQL: draft the missing descriptions, approve and reject in bulk or one by one, edit, with
who and when stored and shown; refusals shown on the page; stored runs listed and compared."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid

import httpx
import pytest

from argus.store import descriptions, eval_runs
from argus.store.connection import connect, connect_sync
from argus.store.descriptions import Description, DescriptionState
from argus.store.stats import upsert_modules
from tests.console.test_pages import signed_in, url
from tests.store.test_eval_runs import case, run

pytestmark = pytest.mark.integration
__all__ = ["signed_in", "url"]  # the fixtures, used by name


@pytest.fixture
def mod(db_url: str) -> str:
    """A module of its own with two submodules, as pass 1 records them."""
    name = f"svc-{uuid.uuid4().hex[:8]}"
    with connect_sync(db_url, vectors=False) as conn:
        upsert_modules(conn, [(name, None), (name, "pool"), (name, "worker")])
    return name


def _stored(db_url: str, mod: str) -> list[Description]:
    async def read() -> list[Description]:
        async with await connect(db_url) as conn:
            found = await descriptions.list_descriptions(conn, mod=mod)
            return found.rows

    return asyncio.run(read())


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-description="([0-9]+)"', html)]


def _draft(client: httpx.Client, mod: str) -> str:
    answer = client.post("/descriptions/draft", data={"show": "review", "module": mod})
    assert answer.status_code == 303, answer.text
    assert "done=drafted" in answer.headers["location"]
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    return page.text


def test_missing_descriptions_are_drafted_then_approved_in_bulk_with_who_and_when(
    db_url: str, signed_in: httpx.Client, mod: str
) -> None:
    with connect_sync(db_url, vectors=False) as conn:
        upsert_modules(conn, [(f"{mod}-other", None)])  # not counted under the filter
    listed = signed_in.get("/descriptions", params={"module": mod}).text
    assert len(_ids(listed)) == 3 and listed.count("no description yet") == 3
    assert 'aria-current="page">Descriptions' in listed
    assert '"state state-missing">3 missing<' in listed  # counted for the module filtered
    drafted = _draft(signed_in, mod)
    assert "Drafted 3 descriptions (0 by the LLM, 3 from templates)." in drafted
    assert f"The module {mod} appears in the logs" in drafted
    assert all(d.state is DescriptionState.DRAFT for d in _stored(db_url, mod))

    ids = _ids(drafted)
    answer = signed_in.post(
        "/descriptions/decide",
        data={
            "by": "Ana Lima",
            "action": "approve",
            "id": [str(i) for i in ids[:2]],
            "show": "review",
            "module": mod,
        },
    )
    assert answer.status_code == 303 and "done=approved&n=2" in answer.headers["location"]
    stored = {d.description_id: d for d in _stored(db_url, mod)}
    for i in ids[:2]:
        assert stored[i].state is DescriptionState.APPROVED
        assert stored[i].decided_by == "Ana Lima" and stored[i].decided_at is not None
    assert stored[ids[2]].state is DescriptionState.DRAFT
    after = signed_in.get(answer.headers["location"]).text
    assert "2 descriptions approved." in after
    assert _ids(after) == [ids[2]]  # what still needs review
    assert 'value="Ana Lima"' in after  # the name is remembered for the next decision
    approved = signed_in.get("/descriptions", params={"module": mod, "show": "approved"}).text
    assert _ids(approved) == ids[:2] and approved.count("Ana Lima") >= 2
    assert stored[ids[0]].decided_at is not None
    assert stored[ids[0]].decided_at.strftime("%Y-%m-%d %H:%M") in approved


def test_one_rejected_one_edited_and_the_history_kept(
    db_url: str, signed_in: httpx.Client, mod: str
) -> None:
    ids = _ids(_draft(signed_in, mod))
    rejected = signed_in.post(
        "/descriptions/decide", data={"by": "bo", "one": f"reject:{ids[1]}", "module": mod}
    )
    assert rejected.status_code == 303
    edited = signed_in.post(
        f"/descriptions/{ids[2]}/edit", data={"by": "cy", "text": "Hands out database handles."}
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == f"/descriptions/{ids[2]}?done=edited&n=1"
    stored = {d.description_id: d for d in _stored(db_url, mod)}
    assert stored[ids[1]].state is DescriptionState.REJECTED and stored[ids[1]].decided_by == "bo"
    assert stored[ids[2]].state is DescriptionState.APPROVED
    assert stored[ids[2]].text == "Hands out database handles."
    page = signed_in.get(edited.headers["location"]).text
    assert "1 description edited." in page
    events = re.findall(r'<tr data-event="(\w+)"><td>[^<]+</td><td>\w+</td><td>([^<]+)</td>', page)
    assert events == [("drafted", "templates"), ("edited", "cy")]
    # the detail page's approve button decides and comes back to the description
    draft = signed_in.post(f"/descriptions/{ids[1]}/draft")
    assert draft.status_code == 303
    back = signed_in.post(
        "/descriptions/decide",
        data={"by": "bo", "one": f"approve:{ids[1]}", "from_id": str(ids[1])},
    )
    assert back.status_code == 303
    assert back.headers["location"] == f"/descriptions/{ids[1]}?done=approved&n=1"


def test_refusals_are_shown_on_the_page(signed_in: httpx.Client, mod: str) -> None:
    ids = _ids(_draft(signed_in, mod))
    nameless = signed_in.post("/descriptions/decide", data={"action": "approve", "id": ids[0]})
    assert nameless.status_code == 400 and "say who you are" in nameless.text
    unticked = signed_in.post("/descriptions/decide", data={"by": "ana", "action": "approve"})
    assert unticked.status_code == 400 and "tick at least one description" in unticked.text
    assert (
        signed_in.post(
            "/descriptions/decide", data={"by": "ana", "one": f"approve:{ids[0]}"}
        ).status_code
        == 303
    )
    twice = signed_in.post(
        "/descriptions/decide",
        data={
            "by": "ana",
            "action": "approve",
            "id": [str(ids[0]), str(ids[1]), "999999999"],
            "module": mod,
        },
    )
    assert twice.status_code == 409
    assert "1 description approved." in twice.text
    assert "is approved: only a draft can be approved" in twice.text
    assert "no module description 999999999" in twice.text
    blank = signed_in.post(f"/descriptions/{ids[2]}/edit", data={"by": "ana", "text": "  "})
    assert blank.status_code == 400 and "1 to 2000 characters" in blank.text
    redraft = signed_in.post(f"/descriptions/{ids[0]}/draft")
    assert redraft.status_code == 409 and "edit it to change it" in redraft.text
    huge = signed_in.post(
        "/descriptions/decide", data={"by": "ana", "one": f"approve:{10**30}", "from_id": 10**30}
    )
    assert huge.status_code == 400 and "tick at least one description" in huge.text
    odd_digits = signed_in.post(
        "/descriptions/decide", data={"by": "ana", "one": "approve:²", "offset": "²"}
    )
    assert odd_digits.status_code == 400
    assert signed_in.get("/descriptions/999999999").status_code == 404
    assert signed_in.get("/descriptions/0").status_code == 404
    odd = signed_in.get("/descriptions", params={"show": "everything"})
    assert odd.status_code == 200 and "unknown choice" in odd.text


def test_module_names_from_logs_are_shown_as_text(db_url: str, signed_in: httpx.Client) -> None:
    name = f"<script>alert('{uuid.uuid4().hex[:6]}')</script>"
    with connect_sync(db_url, vectors=False) as conn:
        upsert_modules(conn, [(name, None)])
    page = signed_in.get("/descriptions", params={"module": name}).text
    assert name not in page and "&lt;script&gt;" in page


def test_pages_need_a_session(url: str) -> None:
    with httpx.Client(base_url=url) as client:
        for path in ("/descriptions", "/evals", "/evals/compare?base=1&other=2"):
            assert client.get(path).status_code == 303
        refused = client.post("/descriptions/decide", data={"by": "x", "one": "approve:1"})
        assert refused.status_code == 303 and refused.headers["location"].startswith("/signin")


@pytest.fixture
def two_runs(db_url: str) -> tuple[int, int]:
    """Two stored runs: the second ranks case "a" first where the first ranked it second."""
    tag = uuid.uuid4().hex[:6]
    first = run(f"rule {tag}", 0.5, [case("a", rank=2), case("b", rank=1)])
    second = dataclasses.replace(
        run(f"rule tuned {tag}", 1.0, [case("a", rank=1), case("b", rank=1)]),
        settings={"llm_mode": "none", "limits": {"max_steps": 20}},
        git_revision="def456",
    )

    async def store() -> tuple[int, int]:
        async with await connect(db_url) as conn:
            return (
                await eval_runs.store_run(conn, first),
                await eval_runs.store_run(conn, second),
            )

    return asyncio.run(store())


def test_the_runs_are_listed_with_figures_and_the_newest_two_chosen(
    signed_in: httpx.Client, two_runs: tuple[int, int]
) -> None:
    base, other = two_runs
    page = signed_in.get("/evals")
    assert page.status_code == 200
    html = page.text
    assert html.index(f'data-run="{other}"') < html.index(f'data-run="{base}"')
    assert f'name="base" value="{base}" aria-label="Base: run {base}" checked' in html
    assert f'name="other" value="{other}" aria-label="Other: run {other}" checked' in html
    row = html[html.index(f'data-run="{other}"') :]
    assert '<td class="num" data-figure="module_accuracy_at_1">1</td>' in row
    assert "<code>def456</code>" in row and "2026-01-02 03:04:05 UTC" in row


def test_two_runs_compared_with_deltas_changed_cases_and_settings(
    signed_in: httpx.Client, two_runs: tuple[int, int]
) -> None:
    base, other = two_runs
    page = signed_in.get("/evals/compare", params={"base": base, "other": other})
    assert page.status_code == 200
    html = page.text
    accuracy = re.search(r'data-figure="module_accuracy_at_1">(.*?)</tr>', html, re.S)
    assert accuracy is not None
    cells = re.findall(r'<td class="num ?(\w*)"[^>]*>([^<]+)', accuracy.group(1))
    assert cells == [("", "0.5"), ("", "1"), ("better", "+0.5 ")]
    assert re.search(r'data-figure="retrieval_precision">.*?<td class="num">—</td>', html, re.S)
    shown = re.findall(r'<tr data-figure="(\w+)">', html)
    assert shown == ["module_accuracy_at_1", "retrieval_precision"]  # as argus eval prints
    changed = re.findall(r'<tr data-case="(\w+)">.*?data-change>(\w+)<', html, re.S)
    assert changed == [("a", "improved")]
    assert "1 changed, 1 unchanged." in html
    assert (
        'data-setting="limits.max_steps"><td><code>limits.max_steps</code></td><td><code>12' in html
    )
    assert 'data-setting="llm_mode"' not in html  # the same in both


def test_a_run_page_shows_its_figures_cases_and_settings(
    signed_in: httpx.Client, two_runs: tuple[int, int]
) -> None:
    base, _ = two_runs
    assert f'<a href="/evals/{base}">#{base}</a>' in signed_in.get("/evals").text
    page = signed_in.get(f"/evals/{base}")
    assert page.status_code == 200
    html = page.text
    assert (
        '<tr data-figure="module_accuracy_at_1"><td>module_accuracy_at_1</td><td class="num">0.5'
        in html
    )
    assert re.findall(r'<tr data-case="(\w+)">', html) == ["a", "b"]
    assert (
        'data-setting="limits.max_steps"><td><code>limits.max_steps</code></td><td><code>12<'
        in html
    )
    assert "<code>abc123</code>" in html
    assert signed_in.get(f"/evals/{2**62}").status_code == 404


def test_comparing_a_run_that_is_not_stored_says_so(
    signed_in: httpx.Client, two_runs: tuple[int, int]
) -> None:
    missing = signed_in.get("/evals/compare", params={"base": two_runs[0], "other": 2**62})
    assert missing.status_code == 404 and f"no eval run {2**62}" in missing.text
    for params in ({"base": "x", "other": 1}, {"base": 1}, {"base": 0, "other": 1}):
        assert signed_in.get("/evals/compare", params=params).status_code == 404
