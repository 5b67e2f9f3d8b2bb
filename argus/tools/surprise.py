"""Surprise as z-scores: one scale for every signal of the diagnosis.

Every signal is a count of events (error lines, exceedances, unanswered calls, ...) against the
count chance explains under the baseline. Its surprise is the normal quantile of the one-sided
tail probability of that count, so a z of 3 means the same rarity whichever signal it comes
from, and a bar on z is a bar on a false-positive rate.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()
#: Tail probabilities are floored here so that z stays finite (z of about 37).
_TINY = 1e-300


def z_of(tail: float) -> float:
    """The z-score of a one-sided tail probability (0 for a tail of one half or more)."""
    tail = min(max(tail, _TINY), 1.0)
    return max(0.0, -_NORMAL.inv_cdf(tail)) if tail < 0.5 else 0.0


def binomial_tail(successes: int, trials: int, p: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, p)."""
    if successes <= 0:
        return 1.0
    if p <= 0:
        return _TINY
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for k in range(successes, trials + 1):
        log_c = math.lgamma(trials + 1) - math.lgamma(k + 1) - math.lgamma(trials - k + 1)
        term = math.exp(log_c + k * log_p + (trials - k) * log_q)
        total += term
        if k > successes and term < total * 1e-12:
            break
    return max(_TINY, min(1.0, total))


def bar(false_alarm_rate: float, tests: int) -> float:
    """The z a test must exceed so that, over ``tests`` tests of one batch, a fault-free batch
    clears it with probability at most ``false_alarm_rate`` (Bonferroni)."""
    return -_NORMAL.inv_cdf(false_alarm_rate / max(1, tests))


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def share_tail(successes: int, trials: int, base_successes: float, base_trials: float) -> float:
    """P(X >= successes) of ``trials`` new events when the baseline saw ``base_successes`` of
    ``base_trials``: beta-binomial, the share uncertain as the baseline's size leaves it
    (Jeffreys' prior), so a short baseline does not make every difference look significant."""
    if successes <= 0:
        return 1.0
    a = base_successes + 0.5
    b = max(base_trials - base_successes, 0.0) + 0.5
    total = 0.0
    for k in range(successes, trials + 1):
        log_c = math.lgamma(trials + 1) - math.lgamma(k + 1) - math.lgamma(trials - k + 1)
        term = math.exp(log_c + _log_beta(k + a, trials - k + b) - _log_beta(a, b))
        total += term
        if k > successes and term < total * 1e-12:
            break
    return max(_TINY, min(1.0, total))


def rate_tail(observed: int, base_count: float, scale: float) -> float:
    """P(X >= observed) of a count whose baseline saw ``base_count`` events in a window that,
    scaled to the batch (length and traffic), is ``1 / scale`` of it: negative binomial, the
    rate uncertain as the baseline's count leaves it (Jeffreys' prior)."""
    if observed <= 0:
        return 1.0
    r = base_count + 0.5
    q = scale / (1.0 + scale)  #: chance of each further event
    log_term = (
        math.lgamma(observed + r)
        - math.lgamma(r)
        - math.lgamma(observed + 1)
        + r * math.log1p(-q)
        + observed * math.log(q)
    )
    total, k = 0.0, observed
    while True:
        term = math.exp(log_term)
        total += term
        if term <= total * 1e-12 and k > r * q / (1 - q):
            break
        log_term += math.log(k + r) - math.log(k + 1) + math.log(q)
        k += 1
    return max(_TINY, min(1.0, total))
