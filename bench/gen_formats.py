"""Logs in random formats with their ground-truth templates: the generated-format suite.

Each format is drawn from its own seeded generator: a header layout (which fields, in which
order, how they are written and separated, what ends the header), a vocabulary of made-up
words, and 20-60 events. An event is literal words with variable slots at random positions
(the first word included); a slot holds one of many kinds of value (integers, decimals, hex,
IPv4 with or without port, paths, UUIDs, MAC addresses, durations, sizes, key=value, values
wrapped in brackets or after a literal ``<``, ``>`` or ``*``, dotted host names), some slots
hold variable-length runs of numbers, and some events end with an optional parenthesised
detail. 2,000 lines per format follow a Zipf-like event frequency.

Ground truth, in logpai notation: a slot is one ``<*>`` (a run too: consecutive variables are
one ``<*>``), its literal wrapping kept (``<<*>``, ``id=<*>``, ``(<*>)``); an optional detail is
part of its event, written as the ``<*>`` of the slot it follows when present, so the event's
template is the same with and without it.

    python bench/gen_formats.py --out DIR [--formats 24] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LINES = 2_000
VAR = "<*>"

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"


@dataclass(frozen=True, kw_only=True)
class Slot:
    """A variable slot: how to draw a value, and the truth text of the word holding it."""

    draw: Callable[[random.Random], str]  #: the value (may hold spaces: a run)
    truth: str  #: the word in the template, e.g. "<*>" or "id=<*>"
    wrap: tuple[str, str] = ("", "")  #: literal text around the value
    run: bool = False  #: a variable-length run of values


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event: literal words and slots, maybe an optional detail after its last slot."""

    parts: tuple[str | Slot, ...]
    detail: tuple[str, str] | None = None  #: (literal word, unit) of "(<word> <n> <unit>)"

    @property
    def template(self) -> str:
        """Ground-truth template: a run and the whole-word variables next to it are one <*>."""
        words: list[str] = []
        joined = False  # the last word is a <*> holding a run
        for part in self.parts:
            word = part if isinstance(part, str) else part.truth
            run = isinstance(part, Slot) and part.run
            if word == VAR and words and words[-1] == VAR and (run or joined):
                joined = True
                continue
            words.append(word)
            joined = run
        return " ".join(words)

    def line(self, rng: random.Random) -> str:
        """One message of this event."""
        words = [
            p if isinstance(p, str) else p.wrap[0] + p.draw(rng) + p.wrap[1] for p in self.parts
        ]
        if self.detail is not None and rng.random() < 0.5:
            label, unit = self.detail
            words.append(f"({label} {rng.randint(1, 999)} {unit})")
        return " ".join(words)


@dataclass(kw_only=True)
class Format:
    """A generated format: its logpai log_format, its header writer and its events."""

    name: str
    log_format: str
    header: Callable[[random.Random, int], str]
    events: list[Event] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def generate(self, seed: int, lines: int = LINES) -> tuple[list[str], list[str]]:
        """``lines`` log lines and the truth template of each."""
        rng = random.Random(seed)
        out: list[str] = []
        truth: list[str] = []
        for i in range(lines):
            event = rng.choices(self.events, self.weights)[0]
            out.append(self.header(rng, i) + event.line(rng))
            truth.append(event.template)
        return out, truth


def _word(rng: random.Random, syllables: tuple[int, int] = (1, 3)) -> str:
    n = rng.randint(*syllables)
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(n))


def _values(rng: random.Random, vocabulary: list[str]) -> dict[str, Callable[[random.Random], str]]:
    """Value drawers by kind (the vocabulary gives host names their labels)."""

    def host(r: random.Random) -> str:
        return f"{r.choice(vocabulary)}{r.randint(1, 99)}.{r.choice(vocabulary)}.net"

    return {
        "int": lambda r: str(r.randint(0, 10 ** r.randint(1, 9))),
        "neg": lambda r: str(r.randint(-5000, 5000)),
        "float": lambda r: f"{r.uniform(0, 1000):.{r.randint(1, 4)}f}",
        "hex": lambda r: f"0x{r.getrandbits(32):x}",
        "ip": lambda r: ".".join(str(r.randint(1, 254)) for _ in range(4)),
        "ipport": lambda r: (
            ".".join(str(r.randint(1, 254)) for _ in range(4)) + f":{r.randint(1, 65535)}"
        ),
        "path": lambda r: "/" + "/".join(r.choice(vocabulary) for _ in range(r.randint(1, 4))),
        "uuid": lambda r: "-".join(f"{r.getrandbits(4 * n):0{n}x}" for n in (8, 4, 4, 4, 12)),
        "mac": lambda r: ":".join(f"{r.getrandbits(8):02x}" for _ in range(6)),
        "duration": lambda r: f"{r.randint(1, 9999)}ms",
        "size": lambda r: f"{r.uniform(0, 100):.1f}KB",
        "host": host,
        "id": lambda r: f"{r.choice(vocabulary)}_{r.randint(1, 10**6)}",
        "run": lambda r: " ".join(str(r.randint(0, 255)) for _ in range(r.randint(1, 8))),
    }


def _slot(rng: random.Random, values: dict[str, Callable[[random.Random], str]]) -> Slot:
    kind = rng.choice(list(values))
    draw = values[kind]
    style = rng.random()
    if kind != "run" and style < 0.15:
        key = _word(rng)
        return Slot(draw=draw, truth=f"{key}={VAR}", wrap=(f"{key}=", ""))
    if kind != "run" and style < 0.25:
        left, right = rng.choice([("(", ")"), ("[", "]"), ("<", ""), (">", ""), ("*", "*")])
        return Slot(draw=draw, truth=f"{left}{VAR}{right}", wrap=(left, right))
    return Slot(draw=draw, truth=VAR, run=kind == "run")


def _event(
    rng: random.Random, vocabulary: list[str], values: dict[str, Callable[[random.Random], str]]
) -> Event:
    words: list[str | Slot] = [rng.choice(vocabulary) for _ in range(rng.randint(2, 9))]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        words.insert(rng.randint(1 if rng.random() < 0.85 else 0, len(words)), _slot(rng, values))
    if rng.random() < 0.1:  # a literal word with a mark of its own
        mark = rng.choice(["<", ">", "*", "->", "=>"])
        words.insert(rng.randint(1, len(words)), mark + rng.choice(vocabulary))
    detail = None
    if isinstance(words[-1], Slot) and words[-1].truth == VAR and rng.random() < 0.3:
        detail = (rng.choice(vocabulary), rng.choice(["ms", "KB", "items", "tries"]))
    return Event(parts=tuple(words), detail=detail)


_LEVELS = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "NOTICE"]


def _header(
    rng: random.Random, vocabulary: list[str]
) -> tuple[str, Callable[[random.Random, int], str]]:
    """A random header layout: its log_format and a writer of one header."""
    fields: list[tuple[str, Callable[[random.Random, int], str]]] = []
    date_style = rng.choice(["iso", "slash", "compact", "none"])
    if date_style == "iso":
        fields.append(("Date", lambda r, i: f"2026-{1 + i // 100000:02d}-{1 + i // 4000 % 28:02d}"))
    elif date_style == "slash":
        fields.append(("Date", lambda r, i: f"{1 + i // 4000 % 28:02d}/03/2026"))
    elif date_style == "compact":
        fields.append(("Date", lambda r, i: f"2026030{1 + i // 4000 % 9}"))
    fraction = rng.choice(["", ".", ","])
    fields.append(
        (
            "Time",
            lambda r, i: (
                f"{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
                + (f"{fraction}{r.randint(0, 999):03d}" if fraction else "")
            ),
        )
    )
    components = [_word(rng) for _ in range(8)]
    optional: list[tuple[str, Callable[[random.Random, int], str]]] = [
        ("Level", lambda r, i: r.choices(_LEVELS, [50, 10, 5, 20, 2, 3])[0]),
        ("Pid", lambda r, i: str(r.randint(100, 40000))),
        ("Component", lambda r, i: r.choice(components)),
        ("Node", lambda r, i: f"n{r.randint(1, 64)}"),
    ]
    rng.shuffle(optional)
    fields += optional[: rng.randint(1, len(optional))]
    if rng.random() < 0.3:
        rng.shuffle(fields)
    separator = rng.choice([" ", " ", " | ", "|", "  "])
    brackets = rng.choice([("", ""), ("[", "]"), ("<", ">")])
    terminator = rng.choice([": ", " - ", " ", " > ", "] "]) if brackets[0] != "[" else " "
    escaped = {"|": r"\|", "[": r"\[", "]": r"\]"}

    def esc(text: str) -> str:
        return "".join(escaped.get(c, c) for c in text)

    wrapped = [(name, rng.random() < 0.4 and name not in ("Date", "Time")) for name, _ in fields]
    spec = (
        esc(separator).join(
            f"{esc(brackets[0])}<{name}>{esc(brackets[1])}" if wrap else f"<{name}>"
            for name, wrap in wrapped
        )
        + esc(terminator)
        + "<Content>"
    )

    def write(r: random.Random, i: int) -> str:
        parts = []
        for (_, make), (_, wrap) in zip(fields, wrapped, strict=True):
            text = make(r, i)
            parts.append(f"{brackets[0]}{text}{brackets[1]}" if wrap else text)
        return separator.join(parts) + terminator

    return spec, write


def make_format(index: int, seed: int) -> Format:
    """The ``index``-th generated format of suite ``seed``."""
    rng = random.Random(seed * 1_000_003 + index)
    vocabulary = sorted({_word(rng) for _ in range(rng.randint(40, 120))})
    values = _values(rng, vocabulary)
    spec, header = _header(rng, vocabulary)
    events: dict[str, Event] = {}
    for _ in range(rng.randint(20, 60)):
        event = _event(rng, vocabulary, values)
        events.setdefault(event.template, event)
    chosen = list(events.values())
    weights = [1.0 / (k + 1) ** 0.9 for k in range(len(chosen))]
    return Format(
        name=f"gen{seed}-{index:02d}",
        log_format=spec,
        header=header,
        events=chosen,
        weights=weights,
    )


def suite(count: int, seed: int) -> list[Format]:
    """The first ``count`` formats of suite ``seed``."""
    return [make_format(i, seed) for i in range(count)]


def write(fmt: Format, folder: Path, seed: int) -> Path:
    """Write ``<name>.log`` and ``<name>.log_structured.csv`` (LineId, Content, EventTemplate)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines, truth = fmt.generate(seed)
    log = folder / f"{fmt.name}.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(folder / f"{fmt.name}.log_structured.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["LineId", "EventTemplate"])
        out.writerows((i + 1, t) for i, t in enumerate(truth))
    (folder / f"{fmt.name}.format").write_text(fmt.log_format + "\n", encoding="utf-8")
    return log


def main(argv: list[str] | None = None) -> None:
    """Write a suite of generated formats with their ground truth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--formats", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for fmt in suite(args.formats, args.seed):
        print(write(fmt, args.out, args.seed))


if __name__ == "__main__":
    main()
