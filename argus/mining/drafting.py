"""The deterministic drafter: clusters key texts and aligns each cluster into a template.

How it works. Each text is split into words (``masking.tokenize``) and each word is masked
(``masking.mask_word``: numbers, ids, addresses, paths ... become ``<*>``), giving a *shape*;
texts with equal shapes form one group. Groups of equal word count are merged greedily, most
frequent first, into the compatible cluster that differs from them in the fewest words. Two
shapes are compatible when their first word agrees, at most half of their words differ, and
every differing word looks like a value (``_value_evidence``): a variable on one side, the value
of ``key=``, a unit after a number, a value present on one side only, a list against a single
value after ``key:`` (at most one such weak difference per merge). Plain words that differ
(``begin``/``end``) name different events, unless a position after the first three literal words
holds three or more distinct words in otherwise equal clusters (``_merge_columns``): then it is a
variable column (``user cyrus``/``news``/``test``). A cluster's template is the position-wise
merge of its shapes: equal words stay, differing words keep their common delimiter skeleton and
get ``<*>`` where they differ. Last, clusters of different word counts that differ only in the
length of a run of variable words are merged (``runs``): the run is one ``<*>``.

Templates use logpai notation (``<*>`` per variable, words separated by one space); patterns are
anchored regexes over the raw key text, valid in both RE2 and Rust's regex crate (``patterns``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import re2

from argus.mining.masking import VAR, atoms, is_delimiter, join_atoms, mask_word, tokenize
from argus.mining.patterns import (
    DETAIL,
    RUN,
    VALUE_RUN,
    is_run,
    render_pattern,
    render_template,
    run_positions,
    template_to_pattern,
)
from argus.mining.runs import (
    frame_of,
    merge_details,
    merge_runs,
    run_ordinals,
    split_detail,
    wide_runs,
    widen,
)

__all__ = [
    "Draft",
    "draft_templates",
    "generalize",
    "generalize_pattern",
    "template_to_pattern",
    "widen_column",
]
# Words at the start of a message name the event; they must agree for two groups to merge.
_PREFIX_WORDS = 1
# A cluster may differ from a new group in at most this share of its words.
_MAX_DIFF_SHARE = 0.5
_VALUE_KEYS = frozenset({"=", ":"})
# Longest alphabetic atom read as a unit (B, KB, ms) when it follows a number.
_UNIT_CHARS = 3
# A position after _COLUMN_START fully literal words, holding _COLUMN_VALUES distinct words
# in otherwise equal texts, is a variable column.
_COLUMN_START = 3
_COLUMN_VALUES = 3
# Nearer the start, a word may name the event: a column there takes this many distinct words.
_EARLY_COLUMN_VALUES = 5
_EARLY_FRAME_WORDS = 2
# At most this many weakly supported differences in one merge.
_MAX_WEAK = 1


@dataclass(frozen=True, kw_only=True)
class Draft:
    """One drafted template and the input texts it covers."""

    template: str
    pattern: str
    sample: str
    members: tuple[int, ...]


Shape = tuple[str, ...]


def draft_templates(key_texts: Sequence[str]) -> list[Draft]:
    """Cluster ``key_texts`` and return one draft per cluster, largest cluster first."""
    groups: dict[Shape, list[int]] = {}
    for index, text in enumerate(key_texts):
        shape = tuple(mask_word(w) for w in tokenize(text))
        groups.setdefault(shape, []).append(index)
    clusters = merge_details(merge_runs(_cluster(groups)))
    drafts: list[Draft] = []
    for words, members in clusters:
        drafts.extend(_finish(words, members, key_texts))
    drafts.sort(key=lambda d: (-len(d.members), d.members[0]))
    return drafts


def generalize(template: str, key_texts: Sequence[str]) -> str | None:
    """A template covering both ``template``'s lines and ``key_texts``, or None.

    The texts must have the template's word count and differ from it only where the
    difference looks like a value (the test the drafter uses to merge groups), or, at one
    position past the first words, show enough distinct words to be a variable column.
    """
    current: Shape = tuple(tokenize(template))
    shapes = [tuple(mask_word(w) for w in tokenize(text)) for text in key_texts]
    if not shapes or any(len(s) != len(current) for s in shapes):
        return None
    free = _free_column(current, shapes)
    for shape in shapes:
        if not _compatible(current, shape, free):
            return None
        current = _merge_shapes(current, shape)
    merged = " ".join(current)
    return None if merged == " ".join(tokenize(template)) else merged


def generalize_pattern(
    template: str, pattern: str, key_texts: Sequence[str], *, known: Sequence[str] = ()
) -> tuple[str, str] | None:
    """``(template, pattern)`` covering both the template's lines and ``key_texts``, or None.

    As :func:`generalize` for texts of the template's word count; besides, texts whose frame
    equals the template's (``runs``) and whose runs of variable words have other lengths widen
    those runs into one ``<*>`` matching one or more words (words of values only when the
    template's run was so and ``key_texts`` and ``known``, lines of the template, agree).
    """
    words = run_positions(template, pattern)
    if not any(is_run(w) for w in words) and DETAIL not in words:
        wider = generalize(template, key_texts)
        if wider is not None:
            return wider, template_to_pattern(wider)
    if (detailed := _with_detail(words, key_texts)) is not None:
        return render_template(detailed), render_pattern(detailed)
    if (detailed := _runs_with_detail(words, key_texts)) is not None:
        detailed = narrow_runs(detailed, [*key_texts, *known], wide=wide_runs(words))
        return render_template(detailed), render_pattern(detailed)
    frame, lengths = frame_of(words)
    shapes = [frame_of([mask_word(w) for w in tokenize(text)]) for text in key_texts]
    if not shapes or any(f != frame for f, _ in shapes) or all(VAR in w for w in frame if w != RUN):
        return None
    widened = widen(frame, [lengths, *(n for _, n in shapes)])
    widened = narrow_runs(widened, [*key_texts, *known], wide=wide_runs(words))
    if list(widened) == words:
        return None
    return render_template(widened), render_pattern(widened)


def _with_detail(words: list[str], key_texts: Sequence[str]) -> Shape | None:
    """``words`` with an optional final detail, when that is what sets ``key_texts`` apart."""
    base, had = split_detail(words)
    parts = [split_detail([mask_word(w) for w in tokenize(text)]) for text in key_texts]
    if not parts or any(map(is_run, base)) or not (had or any(has for _, has in parts)):
        return None
    merged = base
    for shape, _ in parts:
        if len(shape) != len(merged) or not _compatible(merged, shape):
            return None
        merged = _merge_shapes(merged, shape)
    if not merged or not merged[-1].endswith(VAR) or all(VAR in w for w in merged):
        return None  # a detail follows a variable, and a template keeps a literal word
    return (*merged, DETAIL)


def _runs_with_detail(words: list[str], key_texts: Sequence[str]) -> Shape | None:
    """``words`` with its runs widened and an optional final detail, when the texts share its
    frame once details are set aside (``runs.merge_details``, across committee runs)."""
    base, had = split_detail(words)
    parts = [split_detail([mask_word(w) for w in tokenize(text)]) for text in key_texts]
    if not parts or not (had or any(has for _, has in parts)):
        return None
    frame, lengths = frame_of(base)
    framed = [frame_of(shape) for shape, _ in parts]
    if any(f != frame for f, _ in framed) or all(VAR in w for w in frame if w != RUN):
        return None
    if not frame or not (frame[-1] == RUN or frame[-1].endswith(VAR)):
        return None  # a detail follows a variable
    return (*widen(frame, [lengths, *(n for _, n in framed)]), DETAIL)


def narrow_runs(
    words: Sequence[str], texts: Sequence[str], *, wide: frozenset[int] = frozenset()
) -> Shape:
    """``words`` with each RUN made a VALUE_RUN when the pattern still matches every text.

    A run whose words are values (hold a character other than a letter) in every line of its
    cluster then matches only such words, so it cannot swallow the plain words of another
    event that shares its ends. Runs whose ordinal (``runs.run_ordinals``) is in ``wide``
    stay RUN: lines not in ``texts`` may hold plain words there.
    """
    out = list(words)
    ordinals = run_ordinals(out)
    for i, w in enumerate(out):
        if w != RUN or ordinals[i] in wide:
            continue
        trial = [*out[:i], VALUE_RUN, *out[i + 1 :]]
        compiled = re2.compile(render_pattern(trial))
        if texts and all(compiled.match(text) for text in texts):
            out = trial
    return tuple(out)


def _free_column(words: Shape, shapes: list[Shape]) -> frozenset[int]:
    """The one position where ``words`` and ``shapes`` show a variable column, if any."""
    hard = {
        i
        for shape in shapes
        for i, (a, b) in enumerate(zip(words, shape, strict=True))
        if a != b and _value_evidence(words, shape, i) == HARD
    }
    if len(hard) != 1:
        return frozenset()
    (i,) = hard
    values = {words[i], *(shape[i] for shape in shapes)}
    column = _names_event_before(words, i) and len(values) >= _COLUMN_VALUES
    return frozenset(hard) if column else frozenset()


def _column_needs(words: Shape, i: int) -> int | None:
    """How many distinct words position ``i`` must hold, the rest equal, to be a variable.

    After ``_COLUMN_START`` literal words the event is named already: ``_COLUMN_VALUES``. Nearer
    the start a word may name the event itself, so it takes more distinct values
    (``_EARLY_COLUMN_VALUES``), and the other words must keep ``_EARLY_FRAME_WORDS`` literal
    ones.
    """
    if _names_event_before(words, i):
        return _COLUMN_VALUES
    rest = sum(VAR not in w for k, w in enumerate(words) if k != i)
    return _EARLY_COLUMN_VALUES if rest >= _EARLY_FRAME_WORDS else None


def widen_column(template: str, others: Sequence[str]) -> tuple[str, list[int]] | None:
    """A template with a variable where ``template`` and enough of ``others`` differ, or None.

    ``others`` (templates of the library) that equal ``template`` but for one position are its
    *siblings*; when they and ``template`` hold enough distinct words there
    (``_column_needs``), that position is a variable of one event (``host1:80 close`` and
    ``host2:443 close``...). Returns the merged template and the siblings' indexes.
    """
    words = tuple(tokenize(template))
    split = [tuple(tokenize(o)) for o in others]
    for i, word in enumerate(words):
        needs = _column_needs(words, i) if word != VAR else None
        if needs is None:
            continue
        frame = words[:i] + words[i + 1 :]
        siblings = [
            k
            for k, o in enumerate(split)
            if len(o) == len(words) and o[i] != word and o[:i] + o[i + 1 :] == frame
        ]
        if len(siblings) + 1 >= needs:
            merged = words
            for k in siblings:
                merged = _merge_shapes(merged, split[k])
            return " ".join(merged), siblings
    return None


def _names_event_before(words: Shape, i: int) -> bool:
    """Whether enough literal words precede position ``i`` to name the event already."""
    return sum(VAR not in w for w in words[:i]) >= _COLUMN_START


def _cluster(groups: dict[Shape, list[int]]) -> list[tuple[Shape, list[int]]]:
    """Greedily merge shape groups of equal length into clusters, biggest groups first."""
    order = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    by_length: dict[int, list[tuple[Shape, list[int]]]] = {}
    for shape, members in order:
        candidates = by_length.setdefault(len(shape), [])
        best = _best_cluster(candidates, shape)
        if best is None:
            candidates.append((shape, list(members)))
            continue
        words, old = candidates[best]
        candidates[best] = (_merge_shapes(words, shape), old + members)
    return [c for cs in by_length.values() for c in _merge_columns(cs)]


def _merge_columns(clusters: list[tuple[Shape, list[int]]]) -> list[tuple[Shape, list[int]]]:
    """Merge clusters that differ only at one position holding many distinct literal words.

    Two or so distinct words at a position usually name different events ("begin"/"end");
    a column with at least ``_COLUMN_VALUES`` of them in an otherwise equal frame is a value.
    """
    if not clusters:
        return clusters
    for i in range(len(clusters[0][0])):
        frames: dict[Shape, list[int]] = {}
        needs: dict[Shape, int] = {}
        for k, (words, _) in enumerate(clusters):
            need = _column_needs(words, i) if words[i] != VAR else None
            if need is not None:
                frames.setdefault(words[:i] + words[i + 1 :], []).append(k)
                needs[words[:i] + words[i + 1 :]] = need
        merged: set[int] = set()
        out: list[tuple[Shape, list[int]]] = []
        for frame, ks in frames.items():
            if len(ks) < needs[frame]:
                continue
            words = clusters[ks[0]][0]
            column = words[i]
            for k in ks[1:]:
                column = _merge_word(column, clusters[k][0][i])
            members = [m for k in ks for m in clusters[k][1]]
            out.append(((*words[:i], column, *words[i + 1 :]), sorted(members)))
            merged.update(ks)
        clusters = [c for k, c in enumerate(clusters) if k not in merged] + out
    return clusters


def _best_cluster(candidates: list[tuple[Shape, list[int]]], shape: Shape) -> int | None:
    """Index of the compatible cluster differing from ``shape`` in the fewest words."""
    best: int | None = None
    best_diff = len(shape) + 1
    for i, (words, _) in enumerate(candidates):
        if not _compatible(words, shape):
            continue
        diff = sum(a != b for a, b in zip(words, shape, strict=True))
        if diff < best_diff:
            best, best_diff = i, diff
    return best


def _compatible(words: Shape, shape: Shape, free: frozenset[int] = frozenset()) -> bool:
    """Whether a cluster template and a shape of equal length are the same event.

    Positions in ``free`` are known variable columns: any difference there is a value.
    """
    diffs = [i for i, (a, b) in enumerate(zip(words, shape, strict=True)) if a != b]
    if not diffs:
        return True
    if len(diffs) > max(1, int(len(words) * _MAX_DIFF_SHARE)):
        return False
    if any(i < _PREFIX_WORDS and VAR not in (words[i], shape[i]) and i not in free for i in diffs):
        return False
    evidence = [STRONG if i in free else _value_evidence(words, shape, i) for i in diffs]
    return HARD not in evidence and evidence.count(WEAK) <= _MAX_WEAK


HARD, WEAK, STRONG = 0, 1, 2


def _value_evidence(words: Shape, shape: Shape, i: int) -> int:
    """How strongly two differing words at position ``i`` look like values of one variable.

    STRONG: one side is already a variable (and the other side's literal word is not found
    elsewhere on this side), or a same-shaped value after ``key=``, or a unit
    after a number. WEAK: a value present on one side only (``()`` and ``(<*>)``), a differently
    shaped value after ``key=``, or a list against a single value after ``key:``. HARD otherwise.
    """
    a, b = words[i], shape[i]
    if VAR in (a, b):
        # A literal word the other side holds at another position is not a value here: the
        # two are one event whose runs of values differ in length ("x 1 2 y 3" / "x 1 y 2 3").
        literal, other = (b, words) if a == VAR else (a, shape)
        return HARD if VAR not in literal and literal in other else STRONG
    pa, pb = _template_atoms(a), _template_atoms(b)
    if _literals(pa) == _literals(pb):
        return WEAK
    assigned = _key_before(words, shape, i) == "=" or "=" in _common_head(pa, pb)
    if _same_skeleton(pa, pb):
        runs = [(x, y) for x, y in zip(pa, pb, strict=True) if x != y and VAR not in (x, y)]
        if not runs or assigned:
            return STRONG
        units = _follows_value(words, shape, i) and all(map(_is_unit, runs))
        return STRONG if units else HARD
    if assigned:
        return WEAK
    # After "key:", a list and a single value ("a,b" and "c") are one variable.
    if _key_before(words, shape, i) == ":" and not _holds_key(pa) and not _holds_key(pb):
        return WEAK
    return HARD


def _literals(parts: list[str]) -> list[str]:
    """The atoms that are not variables."""
    return [p for p in parts if p != VAR]


def _common_head(pa: list[str], pb: list[str]) -> list[str]:
    """The longest common leading run of atoms."""
    head: list[str] = []
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        head.append(x)
    return head


def _follows_value(words: Shape, shape: Shape, i: int) -> bool:
    """Whether the shared previous word ends in a variable (a number before a unit)."""
    return i > 0 and words[i - 1] == shape[i - 1] and words[i - 1].endswith(VAR)


def _is_unit(pair: tuple[str, str]) -> bool:
    """Two short alphabetic atoms, such as the units "B" and "KB" after a number."""
    return all(p.isalpha() and len(p) <= _UNIT_CHARS for p in pair)


def _key_before(words: Shape, shape: Shape, i: int) -> str:
    """The key delimiter ending the (shared) previous word, or ""."""
    if i == 0 or words[i - 1] != shape[i - 1]:
        return ""
    last = words[i - 1][-1:]
    return last if last in _VALUE_KEYS else ""


def _holds_key(parts: list[str]) -> bool:
    """Whether a word's atoms hold a key delimiter of their own."""
    return any(p in _VALUE_KEYS for p in parts)


def _merge_shapes(words: Shape, shape: Shape) -> Shape:
    """Position-wise merge of two equal-length word tuples."""
    return tuple(_merge_word(a, b) for a, b in zip(words, shape, strict=True))


def _merge_word(a: str, b: str) -> str:
    """The most specific word (literal atoms and ``<*>``) matching both ``a`` and ``b``."""
    if a == b:
        return a
    if VAR in (a, b):
        return VAR
    pa, pb = _template_atoms(a), _template_atoms(b)
    if _same_skeleton(pa, pb):
        return join_atoms([x if x == y else VAR for x, y in zip(pa, pb, strict=True)])
    head = 0
    while head < min(len(pa), len(pb)) and pa[head] == pb[head]:
        head += 1
    tail = 0
    while tail < min(len(pa), len(pb)) - head and pa[-1 - tail] == pb[-1 - tail]:
        tail += 1
    return join_atoms([*pa[:head], VAR, *pa[len(pa) - tail :]])


def _same_skeleton(pa: list[str], pb: list[str]) -> bool:
    """Equal atom counts with the same delimiters (and variables) at the same places."""
    if len(pa) != len(pb):
        return False
    return all(x == y for x, y in zip(pa, pb, strict=True) if _is_fixed(x) or _is_fixed(y))


def _is_fixed(atom: str) -> bool:
    """Atoms that must agree for two words to share a skeleton: the delimiters."""
    return is_delimiter(atom)


def _template_atoms(word: str) -> list[str]:
    """Atoms of a template word, ``<*>`` being one atom."""
    out: list[str] = []
    for k, piece in enumerate(word.split(VAR)):
        if k:
            out.append(VAR)
        out.extend(text for text, _ in atoms(piece))
    return out


def _finish(words: Shape, members: list[int], key_texts: Sequence[str]) -> list[Draft]:
    """Drafts for one cluster, split per member when the merged template misses one."""
    words = narrow_runs(words, [key_texts[i] for i in members])
    template = render_template(words)
    pattern = render_pattern(words)
    compiled = re2.compile(pattern)
    if all(compiled.match(key_texts[i]) for i in members):
        return [
            Draft(
                template=template,
                pattern=pattern,
                sample=key_texts[members[0]],
                members=tuple(members),
            )
        ]
    return [literal_draft(key_texts[i], members=(i,)) for i in members]


def masked_drafts(texts: Sequence[str]) -> list[Draft]:
    """Drafts of the masks of ``texts`` (their values as ``<*>``), one per frame.

    Texts whose masks differ only in the length of a run of values share one draft, the run
    one ``<*>`` (``runs.merge_runs``); a run of one length keeps a ``<*>`` per word. Every text
    matches the draft whose members (indexes into ``texts``) hold it: a cluster its draft
    misses gets a literal draft per text.
    """
    groups: dict[Shape, list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(tuple(mask_word(w) for w in tokenize(text)), []).append(index)
    drafts: list[Draft] = []
    for words, members in merge_runs(list(groups.items())):
        drafts.extend(_finish(words, members, texts))
    return drafts


def literal_draft(text: str, *, members: tuple[int, ...] = (0,)) -> Draft:
    """A draft matching exactly one text (modulo whitespace): the safe fallback."""
    template = " ".join(text.split())
    return Draft(
        template=template,
        pattern=template_to_pattern(template),
        sample=text,
        members=members,
    )
