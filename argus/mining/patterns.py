"""From a template's words to the anchored regex that matches its lines.

A template is a sequence of words in logpai notation (``<*>`` for each variable). Its pattern
is an anchored regex over the raw key text, valid in both RE2 and Rust's regex crate: literal
parts escaped (only the metacharacters the two engines share), each space between words a run
of whitespace, each ``<*>`` inside a word ``\\S*`` (a variable never crosses a word boundary).
Two word kinds are internal to drafting: :data:`RUN`, a variable-length run of variable words
(``1 2 3`` in one line, ``1 2 3 4 5`` in another), written ``<*>`` in the template and matched
as one or more words in the pattern; and :data:`DETAIL`, always last, an optional parenthesised
detail (``(1.2 KB)`` in some lines of an event, absent in others) after a variable: the
template writes nothing for it (the detail is part of that variable's ``<*>``), the pattern
matches an optional ``( ... )`` at the end of the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

VAR = "<*>"
#: A run of one or more variable words. It holds a space, which no real word can hold.
RUN = "<* *>"
#: A run of one or more *value* words: each holds a character other than an ASCII letter.
VALUE_RUN = "<*# *>"
#: An optional parenthesised detail ending the line (it holds a space, as RUN does).
DETAIL = "<*( )*>"

_REGEX_META = frozenset("\\.+*?()|[]{}^$")
_SPACES = re.compile(r"\s+")
_VAR_REGEX = r"\S*"
_RUN_REGEX = r"\S+(?:\s+\S+)*"
_VALUE_WORD = r"\S*[^\sA-Za-z]\S*"
_VALUE_RUN_REGEX = _VALUE_WORD + r"(?:\s+" + _VALUE_WORD + ")*"
#: What a pattern holds for a run, :data:`VALUE_RUN`'s first (it is the longer).
RUN_REGEXES = (_VALUE_RUN_REGEX, _RUN_REGEX)
_DETAIL_REGEX = r"(?:\s+\(.*\))?"
_HEAD, _GAP, _TAIL = r"^\s*", r"\s+", r"\s*$"


def is_run(word: str) -> bool:
    """Whether ``word`` is a run marker (:data:`RUN` or :data:`VALUE_RUN`)."""
    return word in (RUN, VALUE_RUN)


def is_value_word(word: str) -> bool:
    """Whether ``word`` may be part of a :data:`VALUE_RUN` (the regex's own test)."""
    return any(not ("a" <= c <= "z" or "A" <= c <= "Z") for c in word)


def template_words(template: str) -> list[str]:
    """The words of a template in logpai notation."""
    return template.split()


def render_template(words: Sequence[str]) -> str:
    """The logpai notation of ``words``: a run is one ``<*>``."""
    return " ".join(VAR if is_run(w) else w for w in words if w != DETAIL)


def render_pattern(words: Sequence[str]) -> str:
    """The anchored regex of ``words`` (see the module docstring)."""
    detail = _DETAIL_REGEX if words and words[-1] == DETAIL else ""
    body = [w for w in words if w != DETAIL]
    return _HEAD + _GAP.join(_word_regex(w) for w in body) + detail + _TAIL


@lru_cache(maxsize=1 << 14)
def template_to_pattern(template: str) -> str:
    """An anchored regex over raw key text for ``template`` (no runs: ``<*>`` is ``\\S*``).

    Why not logpai's ``.*?``: ``a <*>`` would then also match ``a b c``, so an old template
    could silently swallow a new event that extends it, and every ``.*?`` keeps the automaton
    ambiguous up to the end of the line. With ``\\S*`` the ambiguity ends at each space, the
    literal words anchor the match and a mismatch fails early, in linear time in both engines.
    (A 16 kB key text still gives a 16 kB pattern, beyond RE2's default DFA budget: RE2 then
    logs "DFA out of memory" and matches correctly but slower.)
    """
    return render_pattern(template_words(template))


def run_positions(template: str, pattern: str) -> list[str]:
    """The words of ``template`` with a run marker where ``pattern`` matches a run of words.

    The inverse of rendering: each ``<*>`` word is read as a run when the pattern, rebuilt word
    by word, holds the run's regex at that place.
    """
    return list(_run_positions(template, pattern))


@lru_cache(maxsize=1 << 14)
def _run_positions(template: str, pattern: str) -> tuple[str, ...]:
    words = template_words(template)
    out: list[str] = []
    built = _HEAD
    for w in words:
        gap = _GAP if out else ""
        if w == VAR and pattern.startswith(built + gap + _VALUE_RUN_REGEX):
            w = VALUE_RUN
        elif w == VAR and pattern.startswith(built + gap + _RUN_REGEX):
            w = RUN
        built += gap + _word_regex(w)
        out.append(w)
    if pattern.endswith(_DETAIL_REGEX + _TAIL):
        out.append(DETAIL)
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def _word_regex(word: str) -> str:
    if word == RUN:
        return _RUN_REGEX
    if word == VALUE_RUN:
        return _VALUE_RUN_REGEX
    return _VAR_REGEX.join(escape(p) for p in word.split(VAR))


def escape(text: str) -> str:
    """Escape only the metacharacters common to RE2 and Rust (``\\<`` means a word edge in Rust)."""
    out = "".join("\\" + c if c in _REGEX_META else c for c in text)
    return _SPACES.sub(r"\\s+", out)
