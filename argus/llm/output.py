"""Reading a model's answer as JSON. The text is untrusted, and so is everything the model saw:
a JSON block quoted from a log line inside the answer must never be taken for the answer."""

from __future__ import annotations

import json
import re
from typing import Any

from argus.errors import LLMOutputInvalid

#: A message that is exactly one fenced block (an optional language tag after the fence).
_ONE_FENCE = re.compile(r"\A```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?[ \t]*```\Z", re.DOTALL)


def json_answer(text: str) -> Any:
    """The whole message as one JSON value, or the body of a message that is exactly one fenced
    block. Anything else (prose around JSON, several blocks, a block quoted in the text) raises
    LLMOutputInvalid: only the model's own structure is read, never JSON it quotes."""
    stripped = text.strip()
    match = _ONE_FENCE.match(stripped)
    body = match.group("body") if match else stripped
    if match and "```" in body:
        raise LLMOutputInvalid("the model's answer holds more than one fenced block")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise LLMOutputInvalid(
            "the model's answer is not one JSON value (the whole message or one fenced block)"
        ) from exc
