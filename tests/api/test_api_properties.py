"""Property test of the API against its own OpenAPI routes: no input makes it answer 5xx."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


def test_openapi_spec_lists_the_routes(base_url: str) -> None:
    spec = httpx.get(f"{base_url}/openapi.json").json()
    assert {
        "/api/v1/batches",
        "/api/v1/batches/{batch_id}/files/{name}",
        "/api/v1/batches/{batch_id}/report",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=json_values
    | st.fixed_dictionaries(
        {"source": st.text(max_size=300)},
        optional={"labels": json_values, "log_format": json_values},
    )
)
def test_batch_creation_never_fails_with_5xx(base_url: str, body: object) -> None:
    answer = httpx.post(f"{base_url}/api/v1/batches", json=body, headers=AUTH)
    assert answer.status_code < 500, answer.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batch=st.one_of(st.uuids().map(str), st.text(max_size=40)),
    name=st.text(min_size=1, max_size=60),
    content=st.binary(max_size=2000),
)
def test_paths_and_uploads_never_fail_with_5xx(
    base_url: str, batch: str, name: str, content: bytes
) -> None:
    quoted = f"/api/v1/batches/{quote(batch, safe='')}"
    for method, path in (
        ("GET", quoted),
        ("GET", f"{quoted}/report"),
        ("POST", f"{quoted}/complete"),
    ):
        answer = httpx.request(method, base_url + path, headers=AUTH)
        assert answer.status_code < 500, (method, path, answer.text)
    created = httpx.post(f"{base_url}/api/v1/batches", json={"source": "fuzz"}, headers=AUTH)
    batch_id = created.json()["batch_id"]
    target = f"{base_url}/api/v1/batches/{batch_id}/files/{quote(name, safe='')}"
    answer = httpx.put(target, content=content, headers=AUTH)
    assert answer.status_code < 500, answer.text
