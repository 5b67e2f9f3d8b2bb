"""/api/v1/eval-runs over real HTTP: stored runs listed newest first with paging, one run with
its cases and settings, two runs compared; unknown ids are 404, bad queries 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from argus.store import eval_runs
from argus.store.connection import connect
from tests.api.conftest import AUTH
from tests.store.test_eval_runs import case, run

pytestmark = pytest.mark.integration

ROUTE = "/api/v1/eval-runs"


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as api:
        yield api


async def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
async def two_runs(db_url: str) -> tuple[int, int]:
    async with await connect(db_url) as conn:
        base = await eval_runs.store_run(
            conn, run("rule", 0.5, [case("a", rank=2), case("b", rank=1)])
        )
        other = await eval_runs.store_run(
            conn, run("rule, tuned", 1.0, [case("a", rank=1), case("b", rank=1)])
        )
    return base, other


async def test_runs_are_listed_newest_first_one_page_at_a_time(
    client: httpx.AsyncClient, two_runs: tuple[int, int]
) -> None:
    base, other = two_runs
    first = await _ok(await client.get(ROUTE, params={"limit": 1}))
    second = await _ok(await client.get(ROUTE, params={"limit": 1, "offset": 1}))
    assert [r["eval_run_id"] for r in first["runs"] + second["runs"]] == [other, base]
    assert first["total"] >= 2 and first["runs"][0]["name"] == "rule, tuned"
    assert first["runs"][0]["figures"]["module_accuracy_at_1"] == 1.0
    assert first["runs"][0]["case_count"] == 2


async def test_one_run_with_its_cases_and_settings(
    client: httpx.AsyncClient, two_runs: tuple[int, int]
) -> None:
    body = await _ok(await client.get(f"{ROUTE}/{two_runs[0]}"))
    assert body["git_revision"] == "abc123" and body["settings"]["llm_mode"] == "none"
    assert [(c["case_id"], c["rank"], c["correct"]) for c in body["cases"]] == [
        ("a", 2, False),
        ("b", 1, True),
    ]
    assert (await client.get(f"{ROUTE}/{2**62}")).status_code == 404


async def test_compare_two_runs(client: httpx.AsyncClient, two_runs: tuple[int, int]) -> None:
    base, other = two_runs
    body = await _ok(await client.get(f"{ROUTE}/compare", params={"base": base, "other": other}))
    assert body["base"]["eval_run_id"] == base and body["other"]["eval_run_id"] == other
    accuracy = next(f for f in body["figures"] if f["name"] == "module_accuracy_at_1")
    assert (accuracy["base"], accuracy["other"], accuracy["delta"]) == (0.5, 1.0, 0.5)
    assert [(c["case_id"], c["change"]) for c in body["changed"]] == [("a", "improved")]
    assert body["changed"][0]["base"]["rank"] == 2 and body["changed"][0]["other"]["rank"] == 1
    assert body["unchanged"] == 1
    missing = await client.get(f"{ROUTE}/compare", params={"base": base, "other": 2**62})
    assert missing.status_code == 404
    for params in ({"base": base}, {"base": "x", "other": other}, {"base": 0, "other": other}):
        assert (await client.get(f"{ROUTE}/compare", params=params)).status_code == 422
