"""Getting JSON out of a model's answer: the text is untrusted and often wrapped in prose."""

from __future__ import annotations

import json
import re
from typing import Any

from argus.errors import LLMOutputInvalid

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The first JSON value in ``text`` (fenced or bare); LLMOutputInvalid when there is none."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        starts = sorted(i for i in (candidate.find("["), candidate.find("{")) if i >= 0)
        for start in starts:  # the outermost value comes first in the text
            try:
                value, _ = decoder.raw_decode(candidate[start:])
            except json.JSONDecodeError:
                continue
            return value
    raise LLMOutputInvalid(f"the model's answer holds no JSON: {text[:200]!r}")
