"""The OpenAI-compatible embeddings client, against a fake server (httpx.MockTransport)."""

from __future__ import annotations

import json
import math

import httpx
import pytest
from pydantic import SecretStr

from argus.config import Settings
from argus.errors import EmbeddingUnavailable
from argus.knowledge.embeddings import make_embedder
from argus.knowledge.openai_embeddings import OpenAIEmbedder


def _server(
    dimension: int = 3, fail_first: int = 0, status: int = 503
) -> tuple[httpx.MockTransport, list[dict[str, object]]]:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append({"body": body, "auth": request.headers.get("authorization")})
        if len(seen) <= fail_first:
            return httpx.Response(status, text="busy")
        data = [
            {"index": i, "embedding": [float(len(text)), 1.0] + [0.0] * (dimension - 2)}
            for i, text in enumerate(body["input"])
        ]
        return httpx.Response(200, json={"data": list(reversed(data)), "model": body["model"]})

    return httpx.MockTransport(handle), seen


def test_batches_orders_and_normalises() -> None:
    transport, seen = _server()
    client = OpenAIEmbedder(
        "http://emb/v1", "text-embed", api_key="k", batch_size=2, transport=transport
    )
    vectors = client.embed(["a", "bbb", "cc"])
    assert len(seen) == 2 and seen[0]["body"] == {"model": "text-embed", "input": ["a", "bbb"]}
    assert seen[0]["auth"] == "Bearer k"
    assert vectors[1] == pytest.approx([3 / math.sqrt(10), 1 / math.sqrt(10), 0.0])
    assert client.dimension == 3 and len(seen) == 2  # learnt from the answers, no probe


def test_dimension_is_probed_when_unknown() -> None:
    transport, seen = _server(dimension=5)
    client = OpenAIEmbedder("http://emb/v1", "m", transport=transport)
    assert client.dimension == 5
    assert len(seen) == 1


def test_transient_errors_are_retried() -> None:
    transport, seen = _server(fail_first=1)
    client = OpenAIEmbedder("http://emb/v1", "m", transport=transport)
    assert len(client.embed(["x"])) == 1
    assert len(seen) == 2


def test_rejected_requests_are_a_typed_error() -> None:
    transport, seen = _server(fail_first=5, status=401)
    client = OpenAIEmbedder("http://emb/v1", "m", transport=transport)
    with pytest.raises(EmbeddingUnavailable, match="answered HTTP 401") as info:
        client.embed(["x"])
    assert "ARGUS_EMBEDDING_API_KEY" in info.value.hint
    assert len(seen) == 1  # a 401 is not retried


def test_unreachable_endpoint_is_a_typed_error() -> None:
    client = OpenAIEmbedder("http://127.0.0.1:1/v1", "m", timeout_s=2)
    with pytest.raises(EmbeddingUnavailable, match="cannot be reached"):
        client.embed(["x"])


def test_settings_choose_the_remote_client(settings: Settings) -> None:
    remote = settings.model_copy(
        update={
            "embedding_base_url": "http://emb/v1",
            "embedding_model": "nomic-embed-text",
            "embedding_api_key": SecretStr("k"),
        }
    )
    embedder = make_embedder(remote)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.name == "nomic-embed-text"
