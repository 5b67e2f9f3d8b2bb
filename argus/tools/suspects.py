"""Which modules are suspect, and what kind of failure the evidence suggests (rule-based).

Each module collects evidence from the digest, in channels: *error* (new and spiking error
templates against the baseline; templates that differ from a known one by a single word weigh
little), *rate* (the module writes significantly fewer lines than its callers' traffic implies,
or its requests start much later after their caller than in the baseline), *unanswered*
(requests reach the lines that call it, per trace id, and then never reach it: it fails
silently), *paths* (its requests take paths, i.e. template sequences per trace id, the baseline
never showed) and *other* (non-error template changes and request-time growth, capped: they mostly
reflect shifts of the traffic mix and only break ties). Two generic corrections follow:

* a module whose error text names another module hands part of its weight to that module;
* a caller whose callee (from trace ids) also shows error evidence keeps only part of its own
  weight, so callers reporting a downstream failure are not mistaken for its cause.

Scores are ``1 - exp(-evidence / 2)``: in [0, 1], growing with the volume and surprise of the
evidence, comparable across batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from argus.config import DiagnosisSettings
from argus.report import Category, Suspect
from argus.tools.digest import Change, Digest
from argus.tools.textsignals import category_of_text
from argus.tools.traces import downstream

#: Evidence (before squashing) from which a batch counts as an incident.
INCIDENT_EVIDENCE = 5.0
CALLER_SHARE = 0.4  #: weight a caller keeps when a callee shows error evidence too
CALLEE_SHARE = 0.3  #: a callee's error evidence must reach this share of the caller's
MENTION_SHARE = 0.5  #: share of an error change's weight handed to a module its text names
SLOWDOWN_WEIGHT = 0.3  #: evidence per doubling of a module's request time
MAX_SUSPECTS = 10
RATE_WEIGHT = 2.0  #: evidence per halving of a module's traffic-scaled line rate
DROP_SHARE = 0.8  #: a module below this share of its expected lines has dropped
MIN_RATE_EXPECTED = 20.0  #: expected lines below which a module's rate is not judged
DROP_Z = 3.0  #: a throughput drop must be this many standard deviations below expectation
LATE_WEIGHT = 2.0  #: evidence per doubling of a module's relative start delay
UNANSWERED_Z = 3.0  #: z-score of unanswered calls from which a module is suspect
UNANSWERED_WEIGHT = 1.5  #: evidence per e-fold of that z-score above UNANSWERED_Z
#: Unanswered-call evidence from which a batch counts as an incident (z of about 6; the
#: fault-free Nezha window's largest was 4.1)
UNANSWERED_INCIDENT = 1.0
PATH_Z = 3.0  #: z-score of new request paths from which a module is suspect
PATH_WEIGHT = 1.5  #: evidence per e-fold of that z-score above PATH_Z
ERROR_INCIDENT = 1.5  #: error evidence from which a batch counts as an incident
MAX_OTHER = 0.2  #: cap on the evidence of non-error changes and slowdowns per module
_MIN_NAME = 4


@dataclass(kw_only=True)
class ModuleEvidence:
    """Evidence gathered for one module."""

    module: str  #: module name
    error: float = 0.0  #: weight of error changes (new, spike)
    other: float = 0.0  #: weight of other changes and slowdowns
    rate: float = 0.0  #: weight of a throughput drop (fewer lines than its traffic share)
    paths: float = 0.0  #: weight of requests taking paths the baseline never showed
    unanswered: float = 0.0  #: weight of requests that reached its call sites but not it
    reasons: list[str] = field(default_factory=list)  #: human-readable, strongest first
    changes: list[Change] = field(default_factory=list)  #: the changes counted

    @property
    def total(self) -> float:
        """All evidence (the non-error part capped at MAX_OTHER)."""
        return self.error + self.rate + self.paths + self.unanswered + min(self.other, MAX_OTHER)


def gather(digest: Digest) -> dict[str, ModuleEvidence]:
    """Evidence per module from the digest's changes, mentions, call graph and slowdowns."""
    found: dict[str, ModuleEvidence] = {}

    def get(module: str) -> ModuleEvidence:
        return found.setdefault(module, ModuleEvidence(module=module))

    names = sorted({m.module for m in digest.modules} | set(digest.calls), key=len, reverse=True)
    for change in digest.changes:
        if change.module is not None:
            _count_change(get, change, names)
    for module, ratio in digest.slowdowns.items():
        weight = SLOWDOWN_WEIGHT * math.log2(ratio)
        get(module).other += weight
        get(module).reasons.append(f"request time x{ratio:.1f} against the baseline")
    for module, ratio in throughput_drops(digest).items():
        get(module).rate += RATE_WEIGHT * -math.log2(ratio)
        get(module).reasons.append(f"writes x{ratio:.2f} of its expected lines (traffic-scaled)")
    for module, ratio in digest.late_starts.items():
        get(module).rate += LATE_WEIGHT * math.log2(ratio)
        get(module).reasons.append(
            f"its requests start x{ratio:.1f} later after their caller "
            "than in the baseline (relative to other modules)"
        )
    for module, calls in digest.unanswered.items():
        if calls.z > UNANSWERED_Z:
            get(module).unanswered += UNANSWERED_WEIGHT * math.log(calls.z / UNANSWERED_Z)
            get(module).reasons.append(
                f"{calls.missing} of {calls.calls} requests that reached the lines calling it "
                f"never reached it (baseline: {calls.expected:.1f}; z={calls.z:.1f})"
            )
    for module, z in digest.novel_paths.items():
        if z > PATH_Z:
            get(module).paths += PATH_WEIGHT * math.log(z / PATH_Z)
            get(module).reasons.append(f"requests take new paths (z={z:.1f} against the baseline)")
    if not digest.has_baseline:
        for m in digest.modules:
            if m.errors:
                get(m.module).error += math.log1p(m.errors) / 2
                get(m.module).reasons.append(f"{m.errors} error lines (no baseline to compare)")
    _discount_callers(found, digest.calls)
    return found


def throughput_drops(digest: Digest) -> dict[str, float]:
    """Module -> observed / expected lines, for modules significantly below their expectation.

    The expectation is the module's baseline count scaled to the batch (window length and
    traffic factor); the test is two-sided in its noise, counting the Poisson noise of both the
    batch and the baseline, so a short baseline does not make every deviation look significant.
    """
    out = {}
    base_minutes = digest.baseline_minutes or 0.0
    for m in digest.modules:
        expected = (m.expected_per_min or 0.0) * digest.window_minutes
        base = (m.baseline_per_min or 0.0) * base_minutes
        if expected < MIN_RATE_EXPECTED or base <= 0 or m.count >= DROP_SHARE * expected:
            continue
        scale = expected / base
        z = (m.count - expected) / math.sqrt(m.count + scale * expected)
        if z <= -DROP_Z:
            out[m.module] = max(m.count, 1) / expected
    return out


def _count_change(get: object, change: Change, names: list[str]) -> None:
    evidence = get(change.module)  # type: ignore[operator]
    weight = change.score
    mentioned = _mentioned(change, names) if change.error else None
    if mentioned is not None:
        target = get(mentioned)  # type: ignore[operator]
        target.error += weight * MENTION_SHARE
        target.reasons.append(f"named by an error of {change.module}: {change.template[:80]}")
        weight *= 1 - MENTION_SHARE
    if change.error and change.kind != "drop":
        evidence.error += weight
    else:
        evidence.other += weight
    evidence.changes.append(change)
    variant = " (a variant of a known template)" if change.variant_of is not None else ""
    evidence.reasons.append(
        f"{change.kind}{' error' if change.error else ''} template{variant}: "
        f"{change.template[:100]} ({change.baseline_per_min:.1f} -> "
        f"{change.current_per_min:.1f}/min)"
    )


def _mentioned(change: Change, names: list[str]) -> str | None:
    text = change.template
    for name in names:
        if name != change.module and len(name) >= _MIN_NAME and name in text:
            return name
    return None


def _discount_callers(found: dict[str, ModuleEvidence], calls: dict[str, set[str]]) -> None:
    """A caller keeps CALLER_SHARE of its error weight when a callee also shows errors."""
    original = {m: e.error for m, e in found.items()}
    for module, evidence in found.items():
        if original[module] <= 0:
            continue
        failing = [
            c
            for c in sorted(downstream(calls, module))
            if original.get(c, 0.0) >= CALLEE_SHARE * original[module]
        ]
        if failing:
            evidence.error *= CALLER_SHARE
            evidence.reasons.insert(0, f"calls {', '.join(failing[:3])}, which also fail")


def _incident(found: dict[str, ModuleEvidence]) -> bool:
    if not found:
        return False
    return (
        max(e.error for e in found.values()) >= ERROR_INCIDENT
        or max(e.unanswered for e in found.values()) >= UNANSWERED_INCIDENT
        or max(e.total for e in found.values()) >= INCIDENT_EVIDENCE
    )


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """What the evidence of one digest says, from one gathering."""

    suspects: list[Suspect]  #: modules ranked by evidence, scores in [0, 1], with reasons
    incident: bool  #: some module's evidence reaches the incident bar
    category: Category  #: the top module's failure category; "none" when no incident


def assess(digest: Digest, tuning: DiagnosisSettings | None = None) -> Assessment:
    """Suspects, whether the batch is an incident, and its category."""
    found = gather(digest)
    incident = _incident(found)
    category = _category(digest, found) if incident else "none"
    return Assessment(suspects=_ranked(found), incident=incident, category=category)


def _ranked(found: dict[str, ModuleEvidence]) -> list[Suspect]:
    ranked = sorted(found.values(), key=lambda e: (-e.total, e.module))
    return [
        Suspect(
            module=e.module[:200],
            score=round(1 - math.exp(-e.total / 2), 4),
            reasons=[r[:300] for r in e.reasons[:10]],
        )
        for e in ranked[:MAX_SUSPECTS]
        if e.total > 0
    ]


def _category(digest: Digest, found: dict[str, ModuleEvidence]) -> Category:
    if not _incident(found):
        return "none"
    evidence = max(found.values(), key=lambda e: e.total)
    module = evidence.module
    errors = [c for c in evidence.changes if c.error and c.kind != "drop"]
    if errors:
        return _category_of_errors(errors)
    if evidence.unanswered > 0:
        return "code_exception"  # it fails to answer, yet is neither slow nor starved of work
    if module in digest.slowdowns or module in digest.late_starts:
        return "resource_cpu"
    if evidence.rate > 0 or evidence.paths > 0:
        return "code_exception"
    callers = [m for m, callees in digest.calls.items() if module in callees]
    if any(c in digest.slowdowns for c in callers):
        return "network_latency"
    return "resource_cpu" if evidence.other > 0 else "unknown"


def _category_of_errors(changes: list[Change]) -> Category:
    """The category the error changes vote for, each weighted by its score."""
    votes: dict[Category, float] = {}
    for change in changes:
        category = _error_category(change.template)
        votes[category] = votes.get(category, 0.0) + change.score
    return max(votes.items(), key=lambda item: item[1])[0]


def _error_category(text: str) -> Category:
    """The category of an error template's text: :func:`category_of_text`, and an error whose
    words name no category is a wrong return value (the call answered, with an error)."""
    category = category_of_text(text)
    return "code_wrong_return_value" if category == "unknown" else category
