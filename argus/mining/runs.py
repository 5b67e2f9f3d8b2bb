"""Variable-length parts of one event: runs of variable words and optional details.

``Supported channels 1 2 3`` and ``Supported channels 1 2 3 4 5`` are one event: their words
agree except for a run of variable words whose length differs. Clusters (or a template and new
lines) whose *frames* are equal -- the words with each maximal run of whole-word variables
replaced by one marker -- and whose run lengths differ are merged; each run whose length
differs becomes :data:`~argus.mining.patterns.RUN` (one ``<*>`` in logpai notation, one or more
words in the pattern), a run of the same length everywhere keeps its ``<*>`` words.

``sent 5 (1.2 KB)`` and ``sent 6`` are one event too: a parenthesised span of words ending the
line right after a variable is a *detail*; clusters equal but for their details (present in
some, absent or different in others) are merged, and the detail becomes optional
(:data:`~argus.mining.patterns.DETAIL`: part of the preceding ``<*>`` in the template).
"""

from __future__ import annotations

from collections.abc import Sequence

from argus.mining.patterns import DETAIL, RUN, VAR, is_run

Words = tuple[str, ...]
#: A frame: the words with each maximal run of whole-word variables as one RUN marker.
Frame = tuple[str, ...]


def frame_of(words: Sequence[str]) -> tuple[Frame, tuple[int, ...]]:
    """The frame of ``words`` and the length of each of its runs (0 for a run marker)."""
    frame: list[str] = []
    lengths: list[int] = []
    for w in words:
        if w == VAR or is_run(w):
            if frame and frame[-1] == RUN:
                lengths[-1] = 0 if is_run(w) or lengths[-1] == 0 else lengths[-1] + 1
                continue
            frame.append(RUN)
            lengths.append(0 if is_run(w) else 1)
        else:
            frame.append(w)
    return tuple(frame), tuple(lengths)


def widen(frame: Frame, all_lengths: Sequence[tuple[int, ...]]) -> Words:
    """The words for ``frame`` covering every tuple of run lengths in ``all_lengths``.

    A run keeps its ``<*>`` words when it has the same length in every tuple, and becomes one
    RUN otherwise (a length of 0 means "already a RUN").
    """
    out: list[str] = []
    k = 0
    for w in frame:
        if w != RUN:
            out.append(w)
            continue
        seen = {lengths[k] for lengths in all_lengths}
        out += [VAR] * next(iter(seen)) if len(seen) == 1 and 0 not in seen else [RUN]
        k += 1
    return tuple(out)


def wide_runs(words: Sequence[str]) -> frozenset[int]:
    """The ordinals (as :func:`frame_of` counts runs) of the runs of ``words`` holding a RUN.

    Such a run already matches words of any kind; the other runs (fixed-length variables or
    a VALUE_RUN) may be narrowed.
    """
    return frozenset(k for k, w in zip(run_ordinals(words), words, strict=True) if w == RUN)


def run_ordinals(words: Sequence[str]) -> list[int]:
    """For each word of ``words``, the ordinal of the run holding it (-1 for a literal word)."""
    out: list[int] = []
    ordinal, inside = -1, False
    for w in words:
        if w == VAR or is_run(w):
            ordinal += 0 if inside else 1
            inside = True
            out.append(ordinal)
        else:
            inside = False
            out.append(-1)
    return out


def merge_runs(clusters: list[tuple[Words, list[int]]]) -> list[tuple[Words, list[int]]]:
    """Merge the clusters that share a frame and differ only in the lengths of their runs."""
    by_frame: dict[Frame, list[tuple[tuple[int, ...], Words, list[int]]]] = {}
    for words, members in clusters:
        frame, lengths = frame_of(words)
        by_frame.setdefault(frame, []).append((lengths, words, members))
    out: list[tuple[Words, list[int]]] = []
    for frame, group in by_frame.items():
        if len({lengths for lengths, _, _ in group}) < 2 or not _names_something(frame):
            out += [(words, members) for _, words, members in group]
            continue
        words = widen(frame, [lengths for lengths, _, _ in group])
        out.append((words, sorted(m for _, _, members in group for m in members)))
    return out


def _names_something(frame: Frame) -> bool:
    """A frame must keep a literal word: a line of variables only names no event."""
    return any(not is_run(w) and VAR not in w for w in frame)


def split_detail(words: Sequence[str]) -> tuple[Words, bool]:
    """``words`` without a final detail, and whether there was one.

    A detail is the last words of the line from one starting with ``(`` to the last, ending
    with ``)``, brackets balanced, holding a variable, right after a word ending in a variable.
    (A detail of literal words only, ``(reserved)`` against ``(usable)``, names the event.)
    """
    if words and words[-1] == DETAIL:
        return tuple(words[:-1]), True
    if not words or not words[-1].endswith(")"):
        return tuple(words), False
    depth = 0
    for j in range(len(words) - 1, 0, -1):
        depth += words[j].count(")") - words[j].count("(")
        if words[j].startswith("(") and depth == 0:
            before, detail = words[j - 1], words[j:]
            if (is_run(before) or before.endswith(VAR)) and any(VAR in w for w in detail):
                return tuple(words[:j]), True
            break
        if depth < 0:
            break
    return tuple(words), False


def merge_details(clusters: list[tuple[Words, list[int]]]) -> list[tuple[Words, list[int]]]:
    """Merge the clusters that are equal but for a final detail: the detail becomes optional.

    Equal but for the detail and the lengths of their runs counts too: the runs are widened
    as :func:`merge_runs` widens them.
    """
    by_frame: dict[Frame, list[tuple[Words, tuple[int, ...], Words, list[int]]]] = {}
    for words, members in clusters:
        base = split_detail(words)[0]
        frame, lengths = frame_of(base)
        by_frame.setdefault(frame, []).append((base, lengths, words, members))
    out: list[tuple[Words, list[int]]] = []
    for frame, group in by_frame.items():
        bases = {base for base, _, _, _ in group}
        detailed = any(base != words for base, _, words, _ in group)
        if len(group) < 2 or not detailed or not _names_something(frame):
            out += [(words, members) for _, _, words, members in group]
            continue
        base = bases.pop() if len(bases) == 1 else widen(frame, [n for _, n, _, _ in group])
        out.append(((*base, DETAIL), sorted(m for *_, members in group for m in members)))
    return out
