"""The arbiter: the last word on a drafted pattern, whoever drafted it.

A pattern is accepted only if RE2 (pass 1) and polars' Rust engine (pass 2) both compile it, it
matches every member of its cluster, it matches no sample of another template, and it is not
trivially general (it must keep real literal text and must not match unrelated probe lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from argus.errors import FormatError
from argus.mining.index import compile_pattern
from argus.mining.patterns import RUN_REGEXES

MAX_PATTERN_CHARS = 4000

#: Lines no useful template should match.
_PROBES = ("", "x", "0", "a b c d", "zzqx 1234 qqzx", "ERROR", "- - -", "ab12 cd34 ef56 gh78")

#: Regex syntax removed to count a pattern's literal characters.
_SYNTAX = re.compile(r"\\[dDsSwWbB]|\[[^\]]*\]|[.*+?^$(){}|]|\\")


#: The parts of a drafted pattern that are not literal text: anchors, whitespace, variables.
_NOT_LITERAL = re.compile(r"\^|\$|\\s[*+]|\\S\*")


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The arbiter's decision on one pattern."""

    accepted: bool  #: True when the pattern may enter the library
    reason: str  #: why it was rejected, or "ok"


def literal_chars(pattern: str) -> int:
    """Alphanumeric characters a pattern requires literally."""
    return sum(ch.isalnum() for ch in _SYNTAX.sub("", pattern))


def review(
    pattern: str,
    members: Sequence[str],
    other_samples: Sequence[str] = (),
    *,
    literal: Literal["alnum", "any", "none"] = "alnum",
) -> Verdict:
    """Decide whether ``pattern`` may describe ``members`` next to the existing templates.

    ``literal`` is what the pattern must keep of literal text: a few letters or digits
    (``alnum``, the rule), any character besides whitespace (``any``: variables around a
    literal delimiter, ``<*>|<*>``), or nothing at all (``none``: variables only, which also
    skips the probe lines). The last two are for the last resort at the end of the input, when
    the alternative is a line without any template.
    """
    if not pattern or len(pattern) > MAX_PATTERN_CHARS:
        return Verdict(
            accepted=False, reason=f"pattern is empty or longer than {MAX_PATTERN_CHARS} characters"
        )
    try:
        regex = compile_pattern(pattern)
        pl.Series([""]).str.contains(pattern)
    except (FormatError, pl.exceptions.ComputeError) as exc:
        return Verdict(accepted=False, reason=f"does not compile: {exc}")
    missed = [m for m in members if regex.search(m) is None]
    if missed:
        return Verdict(
            accepted=False, reason=f"does not match {len(missed)} of its {len(members)} samples"
        )
    if literal == "alnum":
        specific = _specific_enough(pattern, members)
    else:
        specific = literal == "none" or _holds_literal(pattern)
    if not specific:
        return Verdict(accepted=False, reason="too general: it keeps almost no literal text")
    spared = {" ".join(m.split()) for m in members}
    probes = [p for p in _PROBES if p not in spared] if literal != "none" else []
    if any(regex.search(p) is not None for p in probes):
        return Verdict(accepted=False, reason="too general: it matches unrelated probe lines")
    stolen = [s for s in other_samples if regex.search(s) is not None]
    if stolen:
        return Verdict(
            accepted=False, reason=f"also matches another template's sample: {stolen[0][:80]!r}"
        )
    return Verdict(accepted=True, reason="ok")


def _holds_literal(pattern: str) -> bool:
    """Whether the pattern requires at least one literal character besides whitespace."""
    for run in RUN_REGEXES:
        pattern = pattern.replace(run, "")
    return bool(_NOT_LITERAL.sub("", pattern))


def _specific_enough(pattern: str, members: Sequence[str]) -> bool:
    shortest = min((sum(ch.isalnum() for ch in m) for m in members), default=0)
    return literal_chars(pattern) >= min(3, shortest)
