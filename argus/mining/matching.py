"""Vectorised template assignment for many key texts at once (pass 2 and ``argus parse``).

Matching every line with RE2 one by one would cost microseconds a line. Instead, lines are
grouped by *shape* (every run of hex-ish characters holding a digit collapsed to ``0``), one
representative per new shape is matched with the index, and every line is then verified against
its shape's template with polars' Rust regex engine, all lines in one parallel query. A line that
fails verification (its digits mattered) is matched on its own. Every assignment is therefore a
real match of that line.

Pass 1 asks a narrower question (:func:`surely_matched`): does the index match a key text at
all? There polars answers for many texts at once with the index's patterns joined into a few
alternations, wherever its answer is sure to be RE2's: patterns written in the engine's own
dialect (escaped literals, ``\\S*``, ``\\s+``, runs, details; see :mod:`patterns`) over text of
printable ASCII or tabs (RE2's ``\\s`` is ASCII without ``\\v``, Rust's is Unicode). A text it
does not prove matched is left to RE2.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import polars as pl

from argus.mining.index import Template, TemplateIndex
from argus.mining.patterns import render_pattern, run_positions

_VALUE_RUN = r"[0-9a-fA-F]*[0-9][0-9a-fA-F]*"


def shape_of(text: pl.Expr) -> pl.Expr:
    """The shape of each text: every hex-ish run holding a digit collapsed to ``0``."""
    return text.str.replace_all(_VALUE_RUN, "0")


_SCHEMA = {"shape": pl.String, "tid": pl.Int64, "pattern": pl.String}

#: Texts on which RE2 and polars' engine agree for patterns of the engine's own dialect.
_PLAIN = r"^[\t -~]*$"
#: Patterns per alternation: polars' lazy DFA stays fast up to about this many (at 600 it was
#: a hundred times slower).
PROOF_GROUP = 100
#: Above this many templates pass 1 asks RE2 about every text (the proof would cost more).
PROOF_MAX_TEMPLATES = 1_000


class ChunkMatcher:
    """Assigns template ids to key texts with one fixed index (shapes learnt across chunks)."""

    def __init__(self, index: TemplateIndex) -> None:
        self.index = index
        self._known = pl.DataFrame(schema=_SCHEMA)  #: shape -> template id and its pattern
        self._patterns = {t.template_id: t.pattern for t in index.templates}

    def assign(self, content: pl.Series, shapes: pl.Series | None = None) -> pl.Series:
        """Template id of each key text (null when no template matches).

        ``shapes`` may be given when computed already (any grouping works: verification keeps
        it honest).
        """
        frame = pl.DataFrame({"content": content})
        frame = frame.with_columns(
            shape=shapes if shapes is not None else shape_of(pl.col("content"))
        )
        self._learn(frame)
        checked = (
            frame.lazy()
            .join(self._known.lazy(), on="shape", how="left", maintain_order="left")
            .select("content", "tid", ok=pl.col("content").str.contains(pl.col("pattern")))
            .collect(engine="streaming")
        )
        return self._rematched(checked)

    def _learn(self, frame: pl.DataFrame) -> None:
        unknown = frame.join(self._known, on="shape", how="anti")
        if unknown.is_empty():
            return
        reps = unknown.unique(subset="shape", keep="first")
        tids = [self._match(text) for text in reps["content"]]
        patterns = [_verifiable(self._patterns[tid]) if tid is not None else None for tid in tids]
        learnt = pl.DataFrame(
            {"shape": reps["shape"], "tid": tids, "pattern": patterns}, schema=_SCHEMA
        )
        self._known = pl.concat([self._known, learnt])

    def _match(self, text: str | None) -> int | None:
        hit = self.index.match(text) if text is not None else None
        return hit.template_id if hit else None

    def _rematched(self, checked: pl.DataFrame) -> pl.Series:
        """The verified ids, with each line that failed its shape's template matched alone."""
        tid = checked["tid"].alias("tid")
        failed = (checked["tid"].is_not_null() & ~checked["ok"].fill_null(False)).arg_true()
        if failed.is_empty():
            return tid
        again = [self._match(text) for text in checked["content"].gather(failed)]
        return tid.scatter(failed, pl.Series(again, dtype=pl.Int64))


def proof_regexes(index: TemplateIndex) -> list[str]:
    """The index's own-dialect patterns joined in alternations of PROOF_GROUP (none when the
    index has more than PROOF_MAX_TEMPLATES templates)."""
    if len(index) > PROOF_MAX_TEMPLATES:  # before rendering every template's pattern
        return []
    own = [t.pattern for t in index.templates if _own_dialect(t)]
    groups = [own[k : k + PROOF_GROUP] for k in range(0, len(own), PROOF_GROUP)]
    return ["|".join(f"(?:{p})" for p in group) for group in groups]


def surely_matched(texts: pl.Series, regexes: Sequence[str]) -> pl.Series | None:
    """For each text, True when one of ``regexes`` (:func:`proof_regexes`) matches it and RE2
    would agree (see the module docstring); False means "ask RE2", not "no match". None when
    polars cannot take the regexes after all (its size limits): RE2 decides every text."""
    text = pl.col("text")
    found = pl.lit(False)
    for regex in regexes:
        found = found | text.str.contains(regex)
    query = pl.DataFrame({"text": texts}).lazy().select(found & text.str.contains(_PLAIN))
    try:
        return query.collect(engine="streaming").to_series().fill_null(False)
    except pl.exceptions.ComputeError:
        return None


def _own_dialect(template: Template) -> bool:
    """Whether the template's pattern is exactly what the engine renders for its words."""
    return render_pattern(run_positions(template.template, template.pattern)) == template.pattern


@lru_cache(maxsize=1 << 16)
def _verifiable(pattern: str) -> str | None:
    """The pattern when polars' regex engine accepts it; None sends its lines to RE2 one by one."""
    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.ComputeError:
        return None
    return pattern
