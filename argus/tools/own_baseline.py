"""Evidence of a batch without a baseline, judged against its own early minutes.

Each minute at which the batch can be cut (:func:`argus.tools.split.minute_splits`) is a
hypothesis "the failure started here": the minutes before it are the baseline of the minutes
from it on, and every signal of :mod:`argus.tools.signals` is computed for that pair, with the
same calibration as against a real baseline. The hypotheses are tested together: the evidence
is every split's signals, and its family of tests is the sum of theirs, so the Bonferroni bar
grows with the number of splits tried and a long batch is not a lottery. A long batch is cut at
no more than :data:`MAX_CUTS` minutes spread evenly over it: each cut costs a whole analysis, and
a cut a few minutes off the onset still sets faulty minutes against fault-free ones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from argus.config import DiagnosisSettings
from argus.tools.digest import Digest
from argus.tools.signals import Evidence, Signal, signals
from argus.tools.split import minute_splits, split_at
from argus.tools.statistics import build_digest

#: cuts tried at most (a cut is one more analysis of the batch, and one more family of tests)
MAX_CUTS = 8


def own_baseline_signals(digest: Digest, tuning: DiagnosisSettings) -> Evidence:
    """Every split's signals (claims say which minute began the part judged), and the tests
    of all splits together; no split: no signal, no test."""
    stats = digest.source
    if stats is None:
        return Evidence(signals=[], tests=0)
    found: list[Signal] = []
    tests = 0
    for at in spread(minute_splits(stats), MAX_CUTS):
        split = split_at(stats, at)
        evidence = signals(build_digest(split.after, split.before), tuning)
        tests += evidence.tests
        since = f"from {at:%H:%M} on, against the batch's own minutes before: "
        found += [replace(s, claim=since + s.claim) for s in evidence.signals]
    return Evidence(signals=found, tests=tests)


def spread(minutes: list[datetime], most: int) -> list[datetime]:
    """At most ``most`` of ``minutes``, evenly spaced, first and last included."""
    if len(minutes) <= most:
        return minutes
    step = (len(minutes) - 1) / (most - 1)
    return [minutes[round(i * step)] for i in range(most)]
