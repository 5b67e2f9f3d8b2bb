"""Cheap, deterministic normalisation of key texts: atoms, variable detection and masking.

A key text is split on whitespace into *words* (the unit of alignment). Each word is split
further into *atoms*: entities that must stay whole (URLs, UUIDs, IPv4 addresses with their
port, MAC addresses, file paths), single delimiter characters (``= : , ; ( ) [ ] { } | # @ " '
< > / $``, a run of dots, a word-final dot) and runs of everything else. An atom is a variable
when it is an entity, contains a digit, is a boolean/null literal or a long hex string. The
rules are generic: nothing here knows any particular log format.
"""

from __future__ import annotations

import re
from functools import lru_cache

VAR = "<*>"

_DELIMS = r"=:,;()\[\]{}|#@\"'<>/$"
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_CLOCK = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?"
# Date-times hold spaces; one tokenizer word then holds the whole date-time.
_DATETIME = (
    rf"(?:(?:{_DAY}\s+)?{_MONTH}\s+\d{{1,2}}\s+{_CLOCK}(?:\s+[A-Z]{{3,4}})?(?:\s+\d{{4}})?"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:T|\s+){_CLOCK}(?:Z|[+-]\d{{2}}:?\d{{2}})?)(?![\w:])"
)
_WORD = re.compile(rf"(?<!\S){_DATETIME}\S*|\S+")
_ENTITY = (
    _DATETIME + r"|[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+"  # URL
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUID
    r"|(?:(?<![\w.])/)?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])"  # IPv4[:port]
    r"|(?<![\w:])(?:[0-9a-fA-F]{2}[:-]){3,}[0-9a-fA-F]{2}(?![\w:])"  # MAC, EUI
    r"|(?<![\w.])(?:\.{1,2}|~)?/[^\s,;:()\[\]{}\"'<>|=]+"  # path
)
_ATOM = re.compile(
    rf"(?P<entity>{_ENTITY})"
    rf"|(?P<run>(?:[^\s{_DELIMS}.]|\.(?=[^\s{_DELIMS}.]))+)"
    r"|(?P<dots>\.+)"
    rf"|(?P<delim>[{_DELIMS}])"
)
_DIGIT = re.compile(r"\d")
_HEX = re.compile(r"[0-9a-fA-F]{8,}|0[xX][0-9a-fA-F]+")
_LITERAL_VALUES = frozenset({"true", "false", "null"})


def tokenize(text: str) -> list[str]:
    """Split a key text into words, the unit of alignment.

    Whitespace separates words, except inside a date-time (``Fri Jun 17 07:07:00 2005``,
    ``2017-05-16 00:00:00``), which stays one word.
    """
    return _WORD.findall(text)


@lru_cache(maxsize=65536)
def atoms(word: str) -> tuple[tuple[str, bool], ...]:
    """Split one word into ``(atom, is_variable)`` pairs whose concatenation is the word."""
    out: list[tuple[str, bool]] = []
    for m in _ATOM.finditer(word):
        text = m.group()
        kind = m.lastgroup
        if kind == "entity":
            out.append((text, True))
        elif kind == "run":
            out.append((text, is_variable_atom(text)))
        else:
            out.append((text, False))
    return tuple(out)


def is_delimiter(atom: str) -> bool:
    """True for a delimiter atom (a single delimiter character or a run of dots)."""
    return (len(atom) == 1 and atom in _DELIMS) or (bool(atom) and set(atom) == {"."})


def is_variable_atom(atom: str) -> bool:
    """Whether a run atom looks like a value: it has a digit, is true/false/null, or is hex."""
    if _DIGIT.search(atom):
        return True
    return atom.lower() in _LITERAL_VALUES or _HEX.fullmatch(atom) is not None


def join_atoms(parts: list[str]) -> str:
    """Concatenate rendered atoms, collapsing adjacent variables into one ``<*>``."""
    out: list[str] = []
    for part in parts:
        if part == VAR and out and out[-1] == VAR:
            continue
        out.append(part)
    return "".join(out)


@lru_cache(maxsize=65536)
def mask_word(word: str) -> str:
    """One word with every variable atom replaced by ``<*>``."""
    return join_atoms([VAR if var else text for text, var in atoms(word)])


def mask(text: str) -> str:
    """The text with variables replaced by ``<*>`` and whitespace normalised to single spaces.

    Two key texts with the same mask are the same event with (nearly certainly) the same
    template, so the miss buffer keeps one of them.
    """
    return " ".join(mask_word(w) for w in tokenize(text))
