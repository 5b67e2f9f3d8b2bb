"""Slow modules and slow links, from the time between the lines of one request.

Within a request (lines related by a trace or request id), every pair of consecutive lines is a
*step*: ``(module, template) -> (module, template)`` and the time between them. A step inside
one module (``own``) measures the module's own work; a step across modules (``link``) measures
a call or an answer crossing a boundary: the sender's work after its line, the network, and the
receiver's work before its line.

Each step key of the baseline gives the distribution of its own durations. A batch step that
lasts longer than every baseline sample of its key is an *exceedance*; under no change its
chance is ``1 / (n + 1)`` for a key with ``n`` baseline samples (exchangeability: it holds for
any distribution, short or long baselines, loud or quiet modules). Per module, the exceedances
of its own steps and of the link steps it takes part in are counted against what chance
explains, and the excess becomes a z-score (binomial tail, see :mod:`argus.tools.surprise`).

The count is an approximation, and not a conservative one: the steps of one key are all compared
with the same baseline maximum, so their exceedances are not independent (exactly, the count is
beta-binomial, ``P(count >= k) = C(n1, k) / C(n1 + n, k)``, heavier-tailed than the binomial when
``n`` is small). :data:`MIN_KEY_SAMPLES` keeps the keys where the two differ most out. The exact
tail and a Mann-Whitney test per key were measured instead and found weaker on the dev cases
(bench/RESULTS.md, issue #13, "Validity of the step test").

* a module starved of CPU or threads stretches its *own* steps;
* a module whose network is slow stretches its *link* steps, both those it sends and those it
  receives; its neighbours share only the links they have with it, so pooled over all of a
  module's links the slow module stands out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from argus.tools.surprise import binomial_tail, z_of

#: Baseline samples a step key needs to be judged: with fewer, one exceedance in the batch is
#: too likely by chance (1 / (n + 1)) to count for much and only adds noise.
MIN_KEY_SAMPLES = 5
#: Step durations are compared at this resolution (seconds): clocks of log lines are often
#: truncated to milliseconds, and a tie with the baseline's maximum is no exceedance.
RESOLUTION_S = 0.001

_POINT_COLUMNS = ["trace", "mod", "tid", "ts"]


@dataclass(frozen=True, kw_only=True)
class SlowStep:
    """One batch step that lasted longer than every baseline sample of its key."""

    trace: str  #: the request's trace id
    sender: str  #: module of the earlier line
    sender_tid: int  #: its template
    receiver: str  #: module of the later line
    receiver_tid: int  #: its template
    seconds: float  #: how long the step took in the batch
    baseline_max_s: float  #: the longest baseline sample of the key
    baseline_median_s: float  #: the median baseline sample of the key
    at: datetime  #: when the step ended


@dataclass(kw_only=True)
class StepTally:
    """One module's steps of one kind (own or link), pooled over step keys."""

    steps: int = 0  #: batch steps of judged keys
    keys: int = 0  #: step keys judged
    slow: int = 0  #: batch steps longer than every baseline sample of their key
    z_sum: float = 0.0  #: sum over keys of the exceedance z-score
    seconds: float = 0.0  #: time the batch's steps took
    typical_s: float = 0.0  #: time they would take at their keys' baseline medians
    examples: list[SlowStep] = field(default_factory=list)  #: the slowest beyond the baseline

    @property
    def z(self) -> float:
        """Stouffer's combination of the keys' exceedance z-scores: each key one vote, whatever
        its volume, so one busy key cannot speak for the module."""
        return max(0.0, self.z_sum / math.sqrt(self.keys)) if self.keys else 0.0

    @property
    def ratio(self) -> float:
        """Time the steps took over the time they take at their keys' baseline medians."""
        return self.seconds / self.typical_s if self.typical_s > 0 else 1.0


@dataclass(kw_only=True)
class ModuleTiming:
    """One module's steps: within itself, and across its boundary (either way)."""

    own: StepTally = field(default_factory=StepTally)  #: both lines are the module's
    link: StepTally = field(default_factory=StepTally)  #: one line is another module's


def steps(traces: pl.DataFrame) -> pl.DataFrame:
    """Consecutive lines of each request: sender, sender_tid, receiver, receiver_tid, secs, at.

    A trace-lines frame keeps each template's first and last line per request; both are used as
    points, so a step is between two such points.
    """
    ends = [traces.select("trace", "mod", "tid", ts=col) for col in ("first_ts", "last_ts")]
    points = pl.concat(ends).drop_nulls(_POINT_COLUMNS).unique().sort("trace", "ts", "mod", "tid")
    shifted = points.with_columns(
        sender=pl.col("mod").shift(1).over("trace"),
        sender_tid=pl.col("tid").shift(1).over("trace"),
        before=pl.col("ts").shift(1).over("trace"),
    ).filter(pl.col("sender").is_not_null())
    return shifted.select(
        "trace",
        "sender",
        "sender_tid",
        receiver="mod",
        receiver_tid="tid",
        secs=(pl.col("ts") - pl.col("before")).dt.total_microseconds() / 1e6,
        at="ts",
    )


_KEY = ["sender", "sender_tid", "receiver", "receiver_tid"]
_EXAMPLES = 3


@dataclass(kw_only=True)
class Timing:
    """The batch's steps judged against the baseline's, per module, and the typical slowdown."""

    modules: dict[str, ModuleTiming] = field(default_factory=dict)
    #: median over step keys of (time in the batch / time at the baseline's median), for own
    #: steps and for links: how much slower the whole system runs, which is nobody's fault
    typical_own: float = 1.0
    typical_link: float = 1.0


def module_timing(current: pl.DataFrame, baseline: pl.DataFrame) -> Timing:
    """Every module's steps in ``current`` (trace lines) judged against ``baseline``."""
    cur = steps(current)
    limits = (
        steps(baseline)
        .group_by(_KEY)
        .agg(n2=pl.len(), top=pl.col("secs").max(), mid=pl.col("secs").median())
        .filter(pl.col("n2") >= MIN_KEY_SAMPLES)
    )
    judged = cur.join(limits, on=_KEY).with_columns(
        slow=pl.col("secs") > pl.col("top") + RESOLUTION_S
    )
    per_key = judged.group_by(_KEY).agg(
        pl.col("n2").first(),
        pl.col("mid").first(),
        n1=pl.len(),
        over=pl.col("slow").sum(),
        spent=pl.col("secs").sum(),
    )
    timing: dict[str, ModuleTiming] = {}
    for row in per_key.iter_rows(named=True):
        sender, receiver = str(row["sender"]), str(row["receiver"])
        if sender == receiver:
            _add(timing.setdefault(sender, ModuleTiming()).own, row)
        else:
            for module in (sender, receiver):
                _add(timing.setdefault(module, ModuleTiming()).link, row)
    _examples(timing, judged.filter("slow"))
    ratio = per_key.with_columns(
        ratio=pl.col("spent") / (pl.col("n1") * pl.col("mid")).clip(lower_bound=1e-9),
        own=pl.col("sender") == pl.col("receiver"),
    )
    return Timing(
        modules=timing,
        typical_own=_median(ratio.filter("own")["ratio"]),
        typical_link=_median(ratio.filter(~pl.col("own"))["ratio"]),
    )


def _median(values: pl.Series) -> float:
    found = values.median()
    return float(found) if isinstance(found, int | float) and found > 0 else 1.0


def _add(tally: StepTally, row: dict[str, Any]) -> None:
    """Count one step key: its exceedances against chance, 1 / (n + 1) per step."""
    n1, n2, over = int(row["n1"]), int(row["n2"]), int(row["over"])
    tally.steps += n1
    tally.keys += 1
    tally.slow += over
    tally.z_sum += z_of(binomial_tail(over, n1, 1.0 / (n2 + 1)))
    tally.seconds += float(row["spent"])
    tally.typical_s += n1 * float(row["mid"])


def _examples(timing: dict[str, ModuleTiming], slow: pl.DataFrame) -> None:
    """The slowest exceedances (by time beyond the baseline's maximum) of each tally."""
    ordered = slow.with_columns(beyond=pl.col("secs") - pl.col("top")).sort(
        "beyond", descending=True
    )
    for row in ordered.iter_rows(named=True):
        step = SlowStep(
            trace=str(row["trace"]),
            sender=str(row["sender"]),
            sender_tid=int(row["sender_tid"]),
            receiver=str(row["receiver"]),
            receiver_tid=int(row["receiver_tid"]),
            seconds=float(row["secs"]),
            baseline_max_s=float(row["top"]),
            baseline_median_s=float(row["mid"]),
            at=row["at"],
        )
        if step.sender == step.receiver:
            _keep(timing[step.sender].own, step)
        else:
            _keep(timing[step.sender].link, step)
            _keep(timing[step.receiver].link, step)


def _keep(tally: StepTally, step: SlowStep) -> None:
    if len(tally.examples) < _EXAMPLES:
        tally.examples.append(step)
