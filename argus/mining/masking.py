"""Cheap, deterministic normalisation of key texts: atoms, variable detection and masking.

A key text is split on whitespace into *words* (the unit of alignment). Each word is split
further into *atoms*: entities that must stay whole (URLs, UUIDs, IPv4 addresses with their
port, MAC addresses, file paths), single delimiter characters (``= : , ; ( ) [ ] { } | # @ " '
< > / $``; so a literal ``<`` before a value stays: ``<1`` is ``<<*>``), runs of dots (a
word-final dot included) and runs of everything else. An atom is a variable when it is an
entity or looks like a value (``is_variable_atom``), less any ``*`` at its ends (``*5`` is
``*<*>``; stars at the ends of a word are literal marks around the rest); a name right before
``=`` is a key and stays literal. The rules are generic: nothing here knows any log format.
"""

from __future__ import annotations

import re
from functools import lru_cache

VAR = "<*>"

_DELIMS = r"=:,;()\[\]{}|#@\"'<>/$"
_DELIM_CHARS = frozenset("=:,;()[]{}|#@\"'<>/$")
# Calendar words are values: "Fri Jun 17 07:07:00 2005" masks to "<*> <*> <*> <*>:<*>:<*> <*>".
_CALENDAR = frozenset(
    {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    | {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)
_ENTITY = (
    r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+"  # URL
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
# A name with a numbered suffix after a dot: "core.1234" is "core." and a number.
_NUMBERED = re.compile(r"([A-Za-z_]+(?:\.[A-Za-z_]+)*\.)(\d.*)")
_NAME_WITH_DIGITS = re.compile(r"[A-Za-z](?=(?:\D*\d){1,2}\D*$)[\w-]*[A-Za-z]")
_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_SEPARATORS = frozenset(",;\"'|")


def tokenize(text: str) -> list[str]:
    """Split a key text into words, the unit of alignment: any run of whitespace separates.

    A variable never spans two words, so every pattern stays a cheap word-by-word automaton.
    """
    return text.split()


@lru_cache(maxsize=65536)
def atoms(word: str) -> tuple[tuple[str, bool], ...]:
    """Split one word into ``(atom, is_variable)`` pairs whose concatenation is the word.

    Stars at the ends of a word are literal marks around what they wrap, which is split on its
    own (``*3f:0a:44:6f:82:50*`` is ``*<*>*``: the address is whole once the stars are off).
    """
    core = word.strip("*")
    if core and core != word:
        head = word[: word.index(core)]
        tail = word[len(head) + len(core) :]
        marks = [(head, False)] if head else []
        return (*marks, *atoms(core), *([(tail, False)] if tail else []))
    out: list[tuple[str, bool]] = []
    for m in _ATOM.finditer(word):
        text = m.group()
        if m.lastgroup == "entity":
            out.append((text, True))
        elif m.lastgroup != "run":
            out.append((text, False))
        elif (name := _NUMBERED.match(text)) is not None:
            out += [(name.group(1), False), (name.group(2), True)]
        else:
            key = word[m.end() : m.end() + 1] == "=" and text[0].isalpha()
            out += _value_run(text) if not key and is_variable_atom(text) else [(text, False)]
    return tuple(out)


def _value_run(text: str) -> list[tuple[str, bool]]:
    """A variable run with its leading and trailing ``*`` kept literal (``*5*`` is ``*<*>*``)."""
    core = text.strip("*")
    if not core or core == text:
        return [(text, True)]
    head, tail = text[: text.index(core)], text[text.index(core) + len(core) :]
    return [(p, v) for p, v in ((head, False), (core, True), (tail, False)) if p]


def is_delimiter(atom: str) -> bool:
    """True for a delimiter atom (a single delimiter character or a run of dots)."""
    return atom in _DELIM_CHARS or (bool(atom) and set(atom) == {"."})


def is_variable_atom(atom: str) -> bool:
    """Whether a run atom looks like a value.

    Values: anything with a digit (except names such as ``jk2_init`` or ``Slf4jLogger``,
    which start and end with a letter and hold at most two digits), true/false/null, hex,
    day and month abbreviations.
    """
    if _HEX.fullmatch(atom):
        return True
    if _DIGIT.search(atom):
        return _NAME_WITH_DIGITS.fullmatch(atom) is None
    return atom.lower() in _LITERAL_VALUES or atom in _CALENDAR


def join_atoms(parts: list[str]) -> str:
    """Concatenate rendered atoms (``<*>`` for variables) into a template word.

    Adjacent variables collapse into one ``<*>``, and so does a value after ``key=`` made of
    variables and delimiters only (``steps=<*>##<*>`` gives ``steps=<*>``): logpai templates
    treat such a value as one variable.
    """
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part == "=":
            end = _value_end(parts, i + 1)
            value = parts[i + 1 : end]
            if _is_compound_value(value):
                out += ["=", VAR]
                i = end
                continue
        if not (part == VAR and out and out[-1] == VAR):
            out.append(part)
        i += 1
    return "".join(out)


def _is_compound_value(value: list[str]) -> bool:
    """Variables joined by delimiters, starting with a variable or an opening bracket."""
    if not value or (value[0] != VAR and value[0] not in _OPENERS) or VAR not in value:
        return False
    return all(v == VAR or is_delimiter(v) for v in value)


def _value_end(parts: list[str], start: int) -> int:
    """Index just past the value starting at ``start``: up to a separator or unmatched closer."""
    depth = 0
    for k in range(start, len(parts)):
        part = parts[k]
        if part in _OPENERS:
            depth += 1
        elif part in _CLOSERS:
            if depth == 0:
                return k
            depth -= 1
        elif part in _SEPARATORS and depth == 0:
            return k
    return len(parts)


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
