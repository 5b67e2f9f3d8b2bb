"""Which modules are suspect, whether the batch is an incident, and what kind of failure it is.

Every module's evidence is a set of signals (:mod:`argus.tools.signals`), each a z-score against
the baseline's own variability. They are combined in one way:

* a module's strength is its strongest signal (one test per module and signal kind);
* the batch is an incident when some module's strength clears the *bar*: the z that a
  fault-free batch exceeds with probability ``false_alarm_rate`` over all the tests made
  (Bonferroni over the (module, signal kind) pairs tested), so the same setting holds for 5
  modules or 50;
* a caller whose direct callee (from trace ids) clears the bar with failure evidence of its
  own is ranked no higher than that callee: its errors are how the callee's failure reaches it;
* the category is the one the top module's strongest signal points to.

Below the bar the report abstains: no root cause, the candidates ranked. Without a baseline the
batch is its own reference: onsets of error templates (:mod:`argus.tools.unbaselined`) and every
signal against the batch's own early minutes (:mod:`argus.tools.own_baseline`), one family of
tests for both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import NormalDist

from argus.config import DiagnosisSettings
from argus.report import Category, Suspect
from argus.tools.cards import card_of
from argus.tools.digest import Digest
from argus.tools.own_baseline import own_baseline_signals
from argus.tools.signals import Evidence, Signal, signals
from argus.tools.surprise import bar
from argus.tools.unbaselined import unbaselined_signals

MAX_SUSPECTS = 10
CARDS_FOR = 3  #: suspects that get explain cards (the rest keep their one-line reasons)
MAX_CARDS = 3  #: explain cards per suspect
#: Signals that say a module fails by itself, in words or by not answering: a caller of such a
#: module ranks no higher than it (its own errors and new paths are often only echoes).
FAILURES = frozenset({"errors", "named", "unanswered"})
OWN_WORDS = frozenset({"errors", "errors_unbaselined"})  #: the module's own error lines
NAMED_WORDS = frozenset({"named"})  #: other modules' error lines naming it
_NORMAL = NormalDist()


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """What the evidence of one digest says."""

    suspects: list[Suspect]  #: modules ranked by evidence, scores in [0, 1], with reasons
    incident: bool  #: some module's evidence clears the bar
    category: Category  #: the top module's failure category; "none" when no incident
    bar: float  #: the z a module's evidence had to clear


def assess(digest: Digest, tuning: DiagnosisSettings | None = None) -> Assessment:
    """Suspects, whether the batch is an incident, and its category."""
    tuning = tuning or DiagnosisSettings()
    found = signals(digest, tuning) if digest.has_baseline else _unbaselined(digest, tuning)
    threshold = bar(tuning.false_alarm_rate, found.tests)
    per = _by_module(found.signals)
    strength, echoing = _ranked_strength(per, digest.calls, threshold)
    # equal strength (both ends of one slow link): the module with fewer callees first, as a
    # failure shows in its callers too
    order = sorted(
        strength, key=lambda m: (-round(strength[m], 9), len(digest.calls.get(m, ())), m)
    )
    incident = bool(order) and _strongest(per[order[0]]).z >= threshold
    category = _category(per[order[0]]) if incident else "none"
    suspects = [
        _suspect(
            digest,
            module,
            per[module],
            _Rank(strength=strength[module], echoing=module in echoing, cards=rank < CARDS_FOR),
            threshold,
        )
        for rank, module in enumerate(order[:MAX_SUSPECTS])
    ]
    return Assessment(suspects=suspects, incident=incident, category=category, bar=threshold)


def _unbaselined(digest: Digest, tuning: DiagnosisSettings) -> Evidence:
    """Without a baseline: onsets of error templates, and every signal against the batch's own
    early minutes; one family of tests for both."""
    onsets = unbaselined_signals(digest)
    own = own_baseline_signals(digest, tuning)
    return Evidence(signals=onsets.signals + own.signals, tests=onsets.tests + own.tests)


def _by_module(found: list[Signal]) -> dict[str, list[Signal]]:
    per: dict[str, list[Signal]] = defaultdict(list)
    for signal in found:
        per[signal.module].append(signal)
    for module_signals in per.values():
        module_signals.sort(key=lambda s: -s.z)
    return dict(per)


def _category(module_signals: list[Signal]) -> Category:
    """What the words of errors about the module name (words say what failed; the other
    signals only that something did): its own errors first, then other modules' errors naming
    it; without either, the category its strongest signal points to."""
    for kinds in (OWN_WORDS, NAMED_WORDS):
        worded = [s for s in module_signals if s.kind in kinds]
        if worded:
            return worded[0].category
    return _strongest(module_signals).category


def _strongest(module_signals: list[Signal]) -> Signal:
    return module_signals[0]


def _ranked_strength(
    per: dict[str, list[Signal]], calls: dict[str, set[str]], threshold: float
) -> tuple[dict[str, float], set[str]]:
    """Module -> the strength it is ranked by: its strongest signal, capped at the strength of
    a callee that clears the bar with failure evidence of its own (the caller then ranks
    just below it); and the modules that have such a callee."""
    own = {m: _strongest(s).z for m, s in per.items()}
    failing = {
        m: max(s.z for s in sigs if s.kind in FAILURES)
        for m, sigs in per.items()
        if any(s.kind in FAILURES and s.z >= threshold for s in sigs)
    }
    ranked, echoing = {}, set()
    for module, z in own.items():
        callees = [
            failing[c]
            for c in calls.get(module, ())
            if c in failing and module not in calls.get(c, ())  # mutual: order unknown
        ]
        ranked[module] = min(z, max(callees) - 1e-6) if callees else z
        if callees:
            echoing.add(module)
    return ranked, echoing


@dataclass(frozen=True, kw_only=True)
class _Rank:
    strength: float  #: what the module is ranked by
    echoing: bool  #: it calls a module that fails by itself
    cards: bool  #: it gets explain cards


def _suspect(
    digest: Digest, module: str, module_signals: list[Signal], rank: _Rank, threshold: float
) -> Suspect:
    reasons = [s.claim[:300] for s in module_signals[:10]]
    if rank.echoing:
        reasons.insert(0, "calls a module that fails by itself: its own evidence may be an echo")
    cards = [card_of(s, digest.source) for s in module_signals[:MAX_CARDS]] if rank.cards else []
    return Suspect(
        module=module[:200],
        score=round(_NORMAL.cdf(rank.strength - threshold), 4),
        reasons=reasons[:10],
        evidence=cards,
    )
