"""The evidence signals of each module, every one a z-score against the baseline's own noise.

A signal is a count the baseline explains only partly: error lines above the baseline's rate,
requests that never reached a module, steps of a request beyond anything the baseline showed.
Each becomes a z-score (the normal quantile of its one-sided tail probability, see
:mod:`argus.tools.surprise`), so one bar serves every signal, and the bar follows from a false
alarm rate (:func:`argus.tools.surprise.bar`). Which module a signal speaks for is part of it:
error lines that name another module speak for that module (``named``), not for their writer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from argus.config import DiagnosisSettings
from argus.report import Category, SignalKind
from argus.tools.digest import Change, Digest
from argus.tools.latency import SlowStep
from argus.tools.statistics import span_minutes
from argus.tools.surprise import rate_tail, share_tail, z_of
from argus.tools.textsignals import category_of_text

#: A throughput drop is judged only where the baseline implies at least this many lines: fewer
#: cannot fall far enough below expectation to be told from a quiet minute.
MIN_RATE_EXPECTED = 20.0
_MIN_NAME = 4  #: shorter module names are not looked for in error texts (too many false hits)


@dataclass(frozen=True, kw_only=True)
class Signal:
    """One signal of one module."""

    module: str  #: the module it speaks for
    kind: SignalKind  #: what it measures
    z: float  #: surprise against the baseline (0 when not surprising)
    batch: float  #: the batch's figure
    baseline: float | None  #: what the baseline implies for the batch
    unit: str  #: of the figures
    claim: str  #: one sentence a person can check
    template_ids: tuple[int, ...] = ()  #: templates it rests on, strongest first
    traces: tuple[str, ...] = ()  #: requests that show it
    minutes: tuple[datetime, ...] = ()  #: when it shows (for steps; else from the buckets)
    category: Category = "unknown"  #: the failure category the signal points to


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """The signals of a batch and how many tests they came from."""

    signals: list[Signal]  #: signals with a positive z, unsorted
    tests: int  #: (module, signal kind) pairs tested, surprising or not: the bar's family


def signals(digest: Digest, tuning: DiagnosisSettings) -> Evidence:
    """Every signal of every module of ``digest`` (compared with a baseline)."""
    found = [*_error_signals(digest), *_unanswered(digest), *_new_paths(digest)]
    found += [*_silence(digest), *_timing(digest, tuning)]
    # errors and named are tested for every module; the others yield one signal per test
    others = [s for s in found if s.kind not in ("errors", "named")]
    tests = 2 * len(digest.modules) + len(others)
    return Evidence(signals=[s for s in found if s.z > 0], tests=tests)


def _error_signals(digest: Digest) -> Iterator[Signal]:
    """New and spiking error templates, summed per module they speak for (writer or named)."""
    names = module_names(digest)
    groups: dict[tuple[str, SignalKind], list[Change]] = defaultdict(list)
    for change in digest.changes:
        if not change.error or change.kind == "drop" or change.module is None:
            continue
        if change.variant_of is not None:  # a known event with another value in its text
            continue
        named = named_in(change.template, change.module, names)
        key: tuple[str, SignalKind] = (named, "named") if named else (change.module, "errors")
        groups[key].append(change)
    for (module, kind), changes in groups.items():
        yield _error_signal(module, kind, changes, digest)


def _occurrences(change: Change, digest: Digest) -> tuple[int, int]:
    """Independent occurrences of a change in the batch and the baseline: its requests where
    its lines carry trace ids (a request that writes an error ten times is one failure), else
    its lines."""
    key = (change.module or "", change.template_id)
    now = min(change.count, digest.requests.get(key, change.count))
    base = min(change.baseline_count, digest.baseline_requests.get(key, change.baseline_count))
    return now, base


def _error_signal(module: str, kind: SignalKind, changes: list[Change], digest: Digest) -> Signal:
    changes = sorted(changes, key=lambda c: c.count, reverse=True)
    observed, expected = sum(c.count for c in changes), sum(c.expected for c in changes)
    counted = [_occurrences(c, digest) for c in changes]
    now, base = sum(n for n, _ in counted), sum(b for _, b in counted)
    scale = sum(c.scale * n for c, (n, _) in zip(changes, counted, strict=True)) / max(1, now)
    writers = sorted({c.module for c in changes if c.module and c.module != module})
    whose = f"error lines of {', '.join(writers[:3])} naming it" if writers else "error lines"
    return Signal(
        module=module,
        kind=kind,
        z=z_of(rate_tail(now, base, scale)),
        batch=observed,
        baseline=round(expected, 2),
        unit="lines",
        claim=f"{observed} {whose} in new or spiking templates where the baseline implies "
        f"{expected:.1f}: {changes[0].template[:120]}",
        template_ids=tuple(c.template_id for c in changes[:3]),
        category=error_category([(c.template, c.count) for c in changes]),
    )


def module_names(digest: Digest) -> list[str]:
    """The modules of the digest, longest name first (so a name inside another is found last)."""
    return sorted({m.module for m in digest.modules} | set(digest.calls), key=len, reverse=True)


def named_in(text: str, writer: str | None, names: list[str]) -> str | None:
    """The other module an error text names (longest name first), if any."""
    for name in names:
        if name != writer and len(name) >= _MIN_NAME and name in text:
            return name
    return None


def error_category(texts: list[tuple[str, int]]) -> Category:
    """The category the words of error templates name, each weighted by its lines; an error
    whose words name no category is a wrong return value (the call answered, with an error)."""
    votes: dict[Category, int] = defaultdict(int)
    for text, lines in texts:
        category = category_of_text(text)
        votes["code_wrong_return_value" if category == "unknown" else category] += lines
    return max(votes.items(), key=lambda item: item[1])[0]


def _unanswered(digest: Digest) -> Iterator[Signal]:
    for module, calls in digest.unanswered.items():
        yield Signal(
            module=module,
            kind="unanswered",
            z=z_of(
                share_tail(calls.missing, calls.calls, calls.baseline_missing, calls.baseline_calls)
            ),
            batch=calls.missing,
            baseline=round(calls.expected, 2),
            unit="requests",
            claim=f"{calls.missing} of {calls.calls} requests that reached the lines calling it "
            f"never reached it (the baseline implies {calls.expected:.1f})",
            category="code_exception",
        )


def _new_paths(digest: Digest) -> Iterator[Signal]:
    for module, found in digest.departures.items():
        top = sorted(found.templates, key=lambda t: -found.templates[t])
        yield Signal(
            module=module,
            kind="new_paths",
            z=z_of(
                share_tail(
                    found.first, found.requests, found.baseline_once, found.baseline_requests
                )
            ),
            batch=found.first,
            baseline=round(found.expected, 2),
            unit="requests",
            claim=f"{found.first} of {found.requests} requests departed first in it from the "
            f"paths the baseline showed (its baseline's diversity implies {found.expected:.1f})",
            template_ids=tuple(top[:3]),
            traces=tuple(found.traces),
            minutes=tuple(found.minutes),
            category="code_exception",
        )


def _silence(digest: Digest) -> Iterator[Signal]:
    """Modules writing significantly fewer lines than the baseline scaled to their traffic."""
    base_minutes = digest.baseline_minutes or 0.0
    spans = _active_minutes(digest)
    clumps = line_clumping(digest.source.traces if digest.source is not None else None)
    for m in digest.modules:
        if m.module in digest.departures:  # its requests' paths tell why it writes less
            continue
        # judged over the module's own span: files of one batch can cover different times
        minutes = min(digest.window_minutes, spans.get(m.module, digest.window_minutes))
        expected = (m.expected_per_min or 0.0) * minutes
        base = (m.baseline_per_min or 0.0) * base_minutes
        if expected < MIN_RATE_EXPECTED or base <= 0:
            continue
        # the noise of both windows: a short baseline must not make every dip look significant;
        # lines come in clumps (a request writes several), which widens both
        noise = clumps.get(m.module, 1.0) * (m.count + expected * expected / base)
        z = max(0.0, (expected - m.count) / math.sqrt(noise))
        yield Signal(
            module=m.module,
            kind="silence",
            z=z,
            batch=m.count,
            baseline=round(expected, 1),
            unit="lines",
            claim=f"wrote {m.count} lines where its callers' traffic implies {expected:.0f}",
            category="code_exception",
        )


def line_clumping(traces: pl.DataFrame | None) -> dict[str, float]:
    """Module -> how much wider the noise of its line count is than a Poisson count's.

    Lines are not independent events: each request writes a clump of ``S`` lines of a module.
    A count of such clumps is compound Poisson, with variance ``E[lines] * E[S^2] / E[S]``, so a
    count of lines varies ``E[S^2] / E[S]`` times (>= 1) as much as a Poisson count of the same
    mean. Measured from the batch's requests (trace ids); modules without them are left out
    (taken as 1: no clumping known).
    """
    if traces is None or traces.is_empty():
        return {}
    per = (
        traces.drop_nulls(["mod", "trace"])
        .group_by("mod", "trace")
        .agg(lines=pl.col("count").sum())
        .group_by("mod")
        .agg(m1=pl.col("lines").mean(), m2=(pl.col("lines") ** 2).mean())
    )
    return {str(mod): max(1.0, float(m2) / float(m1)) for mod, m1, m2 in per.iter_rows() if m1}


def _active_minutes(digest: Digest) -> dict[str, float]:
    """Module -> minutes from its first to its last line in the batch (at least a second)."""
    if digest.source is None or digest.source.buckets.is_empty():
        return {}
    spans = digest.source.buckets.group_by("mod").agg(
        pl.col("first_ts").min(), pl.col("last_ts").max()
    )
    return {
        str(mod): span_minutes(first, last)
        for mod, first, last in spans.iter_rows()
        if first is not None and last is not None
    }


_TIMING: tuple[tuple[str, SignalKind, Category, str], ...] = (
    ("own", "own_time", "resource_cpu", "steps between its own consecutive lines of a request"),
    ("link", "slow_link", "network_latency", "steps between its lines and other modules' lines"),
)


def _timing(digest: Digest, tuning: DiagnosisSettings) -> Iterator[Signal]:
    """Steps of requests beyond the baseline's range, when they take materially longer than
    the median step of the batch does (a system-wide slowdown is nobody's fault)."""
    for side, kind, category, what in _TIMING:
        tallies = {m: getattr(t, side) for m, t in digest.timing.modules.items()}
        typical = digest.timing.typical_own if side == "own" else digest.timing.typical_link
        for module, tally in tallies.items():
            if tally.keys == 0:
                continue
            relative = tally.ratio / typical if typical > 0 else tally.ratio
            yield Signal(
                module=module,
                kind=kind,
                z=tally.z if relative >= tuning.min_slowdown else 0.0,
                batch=round(tally.seconds, 3),
                baseline=round(tally.typical_s, 3),
                unit="seconds",
                claim=f"{what} took {tally.seconds:.2f} s in all, x{tally.ratio:.1f} the "
                f"baseline's typical {tally.typical_s:.2f} s (the median step: "
                f"x{typical:.1f}); {tally.slow} of {tally.steps} beyond anything the baseline "
                "showed",
                template_ids=_step_templates(tally.examples),
                traces=tuple(s.trace for s in tally.examples),
                minutes=tuple(s.at.replace(second=0, microsecond=0) for s in tally.examples),
                category=category,
            )


def _step_templates(examples: list[SlowStep]) -> tuple[int, ...]:
    ids: dict[int, None] = {}
    for step in examples:
        ids.setdefault(step.sender_tid)
        ids.setdefault(step.receiver_tid)
    return tuple(ids)[:5]
