"""Property test of the API against its own OpenAPI routes: no input makes it answer 5xx
(JSON strings with lone surrogates and arbitrary header values included)."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import AUTH

pytestmark = pytest.mark.integration


def test_openapi_spec_lists_the_routes(base_url: str) -> None:
    spec = httpx.get(f"{base_url}/openapi.json", headers=AUTH).json()
    assert {
        "/api/v1/batches",
        "/api/v1/batches/{batch_id}/files/{name}",
        "/api/v1/batches/{batch_id}/report",
        "/api/v1/knowledge",
        "/api/v1/knowledge/search",
        "/api/v1/knowledge/{kb_id}",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])
    assert set(spec["paths"]["/api/v1/batches"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/knowledge/{kb_id}"]) == {"get", "put", "delete"}


#: Text as JSON can carry it: any code point, lone surrogates (``\ud800``) included.
json_text = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)
#: Header values as HTTP can carry them (visible ASCII, obs-text bytes, inner spaces and tabs).
header_values = st.lists(
    st.sampled_from([*range(0x21, 0x7F), *range(0x80, 0x100), 0x20, 0x09]), max_size=40
).map(lambda codes: bytes(codes).strip(b" \t"))


#: Seconds a request may take: the first knowledge request loads the embedding model.
TIMEOUT_S = 120


def post_json(url: str, body: object, headers: dict[str, str | bytes]) -> httpx.Response:
    """POST ``body`` as JSON text with \\u escapes, so lone surrogates reach the server."""
    content = json.dumps(body).encode()
    return httpx.post(
        url,
        content=content,
        headers={**headers, "Content-Type": "application/json"},
        timeout=TIMEOUT_S,
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
    answer = post_json(f"{base_url}/api/v1/batches", body, AUTH)
    assert answer.status_code < 500, answer.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=json_values | json_text, thread_id=json_values)
def test_chat_questions_never_fail_with_5xx(
    base_url: str, question: object, thread_id: object
) -> None:
    url = f"{base_url}/api/v1/batches/00000000-0000-4000-8000-000000000000/chat"
    answer = post_json(url, {"question": question, "thread_id": thread_id}, AUTH)
    assert answer.status_code < 500, answer.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(authorization=header_values, content_type=header_values, extra=header_values)
def test_header_values_never_fail_with_5xx(
    base_url: str, authorization: bytes, content_type: bytes, extra: bytes
) -> None:
    headers = {"Authorization": authorization, "Content-Type": content_type, "X-Extra": extra}
    for method, path in (
        ("GET", "/api/v1/batches/00000000-0000-4000-8000-000000000000"),
        ("POST", "/api/v1/batches"),
        ("GET", "/openapi.json"),
    ):
        answer = httpx.request(method, base_url + path, headers=headers, content=b'{"source":"h"}')
        assert answer.status_code < 500, (method, path, answer.text)
        if answer.status_code != 401:  # only a bearer credential can pass
            assert authorization.lower().startswith(b"bearer "), (authorization, answer.text)


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


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=json_values
    | st.fixed_dictionaries(
        {"symptom": json_text, "solution": json_text},
        optional={
            "source_id": json_values,
            "category": json_values,
            "tags": json_values,
            "firmware": json_values,
            "root_cause": json_values,
        },
    ),
    kb_id=st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=20),
)
def test_knowledge_bodies_and_ids_never_fail_with_5xx(
    base_url: str, body: object, kb_id: object
) -> None:
    created = post_json(f"{base_url}/api/v1/knowledge", body, AUTH)
    assert created.status_code < 500, created.text
    target = f"{base_url}/api/v1/knowledge/{quote(str(kb_id), safe='')}"
    content = json.dumps(body).encode()
    for method in ("GET", "PUT", "DELETE"):
        answer = httpx.request(
            method,
            target,
            content=content,
            headers={**AUTH, "Content-Type": "application/json"},
            timeout=TIMEOUT_S,
        )
        assert answer.status_code < 500, (method, answer.text)


#: The search's parameters.
SEARCH_PARAMS = [
    "q",
    "error_code",
    "platform",
    "firmware",
    "module",
    "category",
    "generic",
    "limit",
]
#: Query values as a URL carries them (any code point a client can encode: no surrogates).
query_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(["state", "source", "label", "limit", "cursor", "other"]), query_text
        ),
        max_size=6,
    ),
    search=st.lists(
        st.tuples(
            st.sampled_from(SEARCH_PARAMS),
            query_text,
        ),
        max_size=6,
    ),
)
def test_list_and_search_queries_never_fail_with_5xx(
    base_url: str, params: list[tuple[str, str]], search: list[tuple[str, str]]
) -> None:
    listed = httpx.get(f"{base_url}/api/v1/batches", params=params, headers=AUTH)
    assert listed.status_code in (200, 422), listed.text
    found = httpx.get(
        f"{base_url}/api/v1/knowledge/search", params=search, headers=AUTH, timeout=TIMEOUT_S
    )
    assert found.status_code in (200, 422), found.text
