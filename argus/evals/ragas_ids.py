"""Retrieval precision and recall by knowledge id, scored with ragas' ID-based metrics.

ragas (the ``eval`` extra) is imported on first use only: it is heavy, and most case sets list
no knowledge ids. Without ragas the same definitions are computed here, and the report says
which scorer was used.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any


def precision_recall(retrieved: Sequence[str], expected: Sequence[str]) -> tuple[float, float]:
    """ID-based context precision and recall of one case (precision 0 when nothing came back)."""
    metrics = _ragas()
    if metrics is None:
        got, want = set(retrieved), set(expected)
        return (len(got & want) / len(got) if got else 0.0), len(got & want) / len(want)
    sample_cls, precision, recall = metrics
    sample = sample_cls(retrieved_context_ids=list(retrieved), reference_context_ids=list(expected))
    p = precision.single_turn_score(sample) if retrieved else 0.0
    r = recall.single_turn_score(sample)
    return (0.0 if math.isnan(p) else float(p)), float(r)


def scorer() -> str:
    """Which implementation scores retrieval: "ragas <version>" or "built-in"."""
    if _ragas() is None:
        return "built-in (ragas not installed)"
    import ragas

    return f"ragas {ragas.__version__}"


@cache
def _ragas() -> tuple[Any, Any, Any] | None:
    try:
        with warnings.catch_warnings():  # ragas announces its own module moves on import
            warnings.simplefilter("ignore", DeprecationWarning)
            from ragas import SingleTurnSample
            from ragas.metrics import IDBasedContextPrecision, IDBasedContextRecall
    except ImportError:
        return None
    return SingleTurnSample, IDBasedContextPrecision(), IDBasedContextRecall()
