"""Client of an OpenAI-compatible ``POST /embeddings`` endpoint (OpenAI, vLLM, Ollama, TEI...).

The vector dimension is whatever the model returns: it is learnt from the first answer (a probe
sentence when asked before any text was embedded). Vectors are normalised to unit length so that
cosine distance behaves exactly as with the local model.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from argus.errors import EmbeddingUnavailable

_HINT = "check ARGUS_EMBEDDING_BASE_URL, ARGUS_EMBEDDING_MODEL and ARGUS_EMBEDDING_API_KEY"
_PROBE = "dimension probe"


def _transient(exc: BaseException) -> bool:
    """Worth retrying: the network failed, the server is busy, or it rate-limits us."""
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


class OpenAIEmbedder:
    """Embeds texts through an OpenAI-compatible embeddings API, in batches."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        batch_size: int = 64,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport
        )
        self._batch_size = batch_size
        self._dimension: int | None = None
        self.name = model
        self.base_url = base_url

    @property
    def dimension(self) -> int:
        """Length of the model's vectors (one probe request if nothing was embedded yet)."""
        if self._dimension is None:
            self.embed([_PROBE])
        assert self._dimension is not None
        return self._dimension

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed ``texts`` in batches; raise EmbeddingUnavailable when the endpoint fails."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self._batch_size]))
        return vectors

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        try:
            payload = self._post({"model": self.name, "input": texts})
        except httpx.HTTPStatusError as exc:
            raise EmbeddingUnavailable(
                f"the embeddings endpoint {self.base_url} answered HTTP "
                f"{exc.response.status_code}",  # the body is the server's: not repeated
                hint=_HINT,
            ) from exc
        except httpx.HTTPError as exc:
            raise EmbeddingUnavailable(
                f"the embeddings endpoint {self.base_url} cannot be reached ({type(exc).__name__})",
                hint=_HINT,
            ) from exc
        return self._vectors(payload, len(texts))

    @retry(
        retry=retry_if_exception(_transient),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.5, max=4),
        reraise=True,
    )
    def _post(self, body: dict[str, Any]) -> Any:
        response = self._client.post("/embeddings", json=body)
        response.raise_for_status()
        return response.json()

    def _vectors(self, payload: Any, expected: int) -> list[list[float]]:
        """Unit vectors from an answer, in input order; check count and dimension."""
        try:
            items = sorted(payload["data"], key=lambda item: int(item["index"]))
            raw = [[float(x) for x in item["embedding"]] for item in items]
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingUnavailable(
                f"the embeddings endpoint {self.base_url} returned an unexpected answer "
                f"({type(exc).__name__}: {exc})",
                hint=_HINT,
            ) from exc
        dims = {len(v) for v in raw}
        if len(raw) != expected or len(dims) != 1 or (self._dimension or min(dims)) not in dims:
            raise EmbeddingUnavailable(
                f"the embeddings endpoint {self.base_url} returned {len(raw)} vector(s) of "
                f"dimension {sorted(dims)} for {expected} text(s)",
                hint=_HINT,
            )
        self._dimension = dims.pop()
        return [_unit(v) for v in raw]


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:
        return vector
    return [x / norm for x in vector]
