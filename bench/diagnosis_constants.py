"""Sensitivity of the diagnosis to the analysis's structural constants (issue #13, item 2).

The two tunable constants are settings (``DiagnosisSettings``: ``false_alarm_rate``,
``min_slowdown``) and the ``sensitivity`` step of ``python -m bench diagnosis`` halves and
doubles them. The other named constants of ``argus/tools`` (how many baseline samples a step key
needs, what makes a call site reliable, how far from a window's edge a request is judged, ...)
are structural: each has a reason in its comment, none is meant to be tuned. This study shows
how much each one matters: every constant halved and doubled, one at a time, on the cached
statistics of the cases, with the defaults' row first.

A share ``s`` in (0, 1) (such as "the module answers in 90% of the baseline's requests") is
scaled on its complement: halved means ``1 - (1 - s) * 2``, doubled ``1 - (1 - s) / 2``, so that it
stays a share; whole numbers are rounded and kept >= 1.

The constants are changed by assigning the module attribute (and every ``argus`` module that
imported the same object by name) for the duration of one scoring: a study technique for this
bench only; the service reads them as constants.

    python -m bench diagnosis -- --steps constants [--no-baseline-constants]
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from argus.config import DiagnosisSettings
from argus.evals.breakdown import Scores
from argus.evals.prepared import PreparedCase
from argus.evals.rescore import outcome_with

Value = int | float | timedelta


@dataclass(frozen=True, kw_only=True)
class Constant:
    """One structural constant of the analysis."""

    module: str  #: the module that defines it
    name: str  #: its name there
    share: bool = False  #: a share in (0, 1): scaled on its complement
    no_baseline: bool = False  #: it matters (also) for batches without a baseline


#: The constants that steer which evidence is found (not the ones that only cap list lengths).
CONSTANTS = (
    Constant(module="argus.tools.latency", name="MIN_KEY_SAMPLES"),
    Constant(module="argus.tools.callsites", name="RELIABLE_SHARE", share=True),
    Constant(module="argus.tools.callsites", name="MIN_CALLS"),
    Constant(module="argus.tools.callsites", name="EDGE"),
    Constant(module="argus.tools.departures", name="MIN_BASELINE_REQUESTS"),
    Constant(module="argus.tools.departures", name="EDGE"),
    Constant(module="argus.tools.signals", name="MIN_RATE_EXPECTED"),
    Constant(module="argus.tools.signals", name="_MIN_NAME"),
    Constant(module="argus.tools.baseline", name="SPIKE_RATIO"),
    Constant(module="argus.tools.baseline", name="SPIKE_Z"),
    Constant(module="argus.tools.baseline", name="MIN_SPIKE_COUNT"),
    Constant(module="argus.tools.baseline", name="MIN_MODULE_LINES"),
    Constant(module="argus.tools.traces", name="_ORDER_SHARE", share=True),
    Constant(module="argus.tools.traces", name="_MIN_SHARED"),
    Constant(module="argus.tools.split", name="MIN_PART", no_baseline=True),
    Constant(module="argus.tools.own_baseline", name="MAX_CUTS", no_baseline=True),
)
FACTORS = (0.5, 2.0)


@dataclass(frozen=True, kw_only=True)
class ConstantRow:
    """The scores with one constant changed (or none: the defaults)."""

    label: str  #: ``defaults`` or ``module.NAME=value (xfactor)``
    scores: Scores  #: with baselines
    no_baseline: Scores | None = None  #: without baselines, where the constant matters there


def scaled(value: Value, factor: float, *, share: bool) -> Value:
    """``value`` scaled by ``factor`` (a share on its complement; whole numbers stay >= 1)."""
    if isinstance(value, timedelta):
        return value * factor
    if share:
        return 1.0 - (1.0 - float(value)) / factor
    if isinstance(value, int):
        return max(1, round(value * factor))
    return value * factor


@contextmanager
def changed(constant: Constant, value: Value) -> Iterator[None]:
    """``constant`` set to ``value`` in its module and wherever it was imported by name."""
    home = importlib.import_module(constant.module)
    original = getattr(home, constant.name)
    holders = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("argus.") and getattr(module, constant.name, None) is original
    ]
    for module in holders:
        setattr(module, constant.name, value)
    try:
        yield
    finally:
        for module in holders:
            setattr(module, constant.name, original)


def _scores(prepared: list[PreparedCase]) -> Scores:
    tuning = DiagnosisSettings()
    return Scores.of(outcome_with(p, tuning) for p in prepared)


def _label(constant: Constant, value: Value, factor: float) -> str:
    shown = f"{value.total_seconds():g} s" if isinstance(value, timedelta) else f"{value:g}"
    short = constant.module.rsplit(".", 1)[-1]
    return f"{short}.{constant.name}={shown} (x{factor:g})"


def study(
    with_baseline: list[PreparedCase],
    without_baseline: list[PreparedCase] | None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[ConstantRow]:
    """The defaults' row, then each constant halved and doubled (one at a time)."""
    rows = [
        ConstantRow(
            label="defaults",
            scores=_scores(with_baseline),
            no_baseline=_scores(without_baseline) if without_baseline else None,
        )
    ]
    for constant in CONSTANTS:
        original = getattr(importlib.import_module(constant.module), constant.name)
        for factor in FACTORS:
            value = scaled(original, factor, share=constant.share)
            label = _label(constant, value, factor)
            progress(label)
            with changed(constant, value):
                rows.append(
                    ConstantRow(
                        label=label,
                        scores=_scores(with_baseline),
                        no_baseline=_scores(without_baseline)
                        if without_baseline and constant.no_baseline
                        else None,
                    )
                )
    return rows


def markdown(rows: list[ConstantRow]) -> str:
    """The study as a Markdown table (no-baseline columns where measured)."""
    lines = [
        "## Structural constants, each halved and doubled\n",
        "| constant | @1 | @3 | macro-F1 | detection | false alarms | no baseline @1 / @3 / FA |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        s, nb = row.scores, row.no_baseline
        lines.append(
            f"| {row.label} | {s.accuracy_at_1:.3f} | {s.accuracy_at_3:.3f} | "
            f"{s.macro_f1:.3f} | {s.detection_rate:.3f} | {s.false_alarms} | "
            + (
                f"{nb.accuracy_at_1:.3f} / {nb.accuracy_at_3:.3f} / {nb.false_alarms} |"
                if nb
                else "|"
            )
        )
    return "\n".join(lines) + "\n"
