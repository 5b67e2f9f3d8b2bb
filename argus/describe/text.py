"""What a drafted description may be: one short plain-text paragraph, no markup."""

from __future__ import annotations

import re
import unicodedata

from argus.errors import LLMOutputInvalid

#: Longest description, in characters (drafts from either drafter, and a person's edit).
MAX_CHARS = 600
#: Shortest description an LLM may answer with.
MIN_CHARS = 20

#: Markup a plain-text description never holds: HTML/XML tags, Markdown fences, headings,
#: emphasis, links, list bullets and tables, JSON objects.
_MARKUP = re.compile(
    r"</?[A-Za-z!][^>]*>|```|^\s{0,3}#{1,6}\s|\*\*|__|\[[^\]]*\]\([^)]*\)|^\s*[-*+]\s|\|\s*-{3}"
    r"|^\s*[{\[]",
    re.MULTILINE,
)


def clean(text: str) -> str:
    """``text`` with control and format characters removed and whitespace runs (newlines
    included) made single spaces."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split())


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` (cleaned) cut to at most ``limit`` characters at a word boundary, with an
    ellipsis when it was cut."""
    flat = clean(text)
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1].rsplit(" ", 1)[0]
    return head.rstrip(" ,;:") + "…"


def plain_description(answer: str) -> str:
    """An LLM's answer as a description: cleaned, between MIN_CHARS and MAX_CHARS, without
    markup. LLMOutputInvalid says what is wrong otherwise (the caller re-asks, then falls back
    to the template drafter)."""
    if _MARKUP.search(answer.strip()):
        raise LLMOutputInvalid("the description holds markup (tags, Markdown or JSON)")
    text = clean(answer).strip("\"' ")
    if len(text) < MIN_CHARS:
        raise LLMOutputInvalid(f"the description is shorter than {MIN_CHARS} characters")
    if len(text) > MAX_CHARS:
        raise LLMOutputInvalid(f"the description is longer than {MAX_CHARS} characters")
    return text
