"""Pre-fault check: the minutes of each fault case before its fault began, diagnosed against the
case's baseline, must claim no incident.

The self-check (:mod:`argus.evals.selfcheck`) judges a baseline window against itself, so it
never sees drift: the change of a healthy system between the baseline's hour and the batch's.
A fault case's own minutes before the fault began are fault-free windows at the batch's hour,
judged against the same baseline the fault is: every incident claimed there is a false alarm of
the kind a batch of another hour or day would raise.

A case says when its fault began with ``fault_start`` (ISO time) in its case.yaml, or in its
notes as "injected at YYYY-MM-DD HH:MM:SS" (the Nezha cases). The batch is cut at the last whole
minute before that (:func:`argus.tools.split.split_at`: minute buckets and whole requests go to
their side); a part shorter than :data:`argus.tools.split.MIN_PART` is not judged. The check
reports, for each window, how long before it the case set's previous fault began: a fault's
effects may outlast it, so windows soon after another fault are not clean evidence either way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from argus.agents.log_analysis import analyse
from argus.config import DiagnosisSettings
from argus.errors import InputError
from argus.evals.cases import Case
from argus.evals.prepared import PreparedCase
from argus.tools.split import MIN_PART, split_at

log = logging.getLogger(__name__)

_INJECTED = re.compile(r"injected at (\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)")


@dataclass(frozen=True, kw_only=True)
class PrefaultDiagnosis:
    """One case's pre-fault minutes diagnosed against its baseline."""

    case_id: str  #: the fault case
    seconds: float  #: length of the pre-fault part judged
    #: minutes since the set's previous fault began (None: the first)
    since_previous_fault: float | None
    incident: bool  #: an incident was claimed (a false alarm)
    category: str  #: the category claimed (``none`` without an incident)
    top_suspect: str | None  #: the most suspect module
    top_signal: str | None  #: the top suspect's strongest evidence, in one line
    error: str | None = None  #: why the diagnosis failed


@dataclass(frozen=True, kw_only=True)
class PrefaultCheck:
    """Every judged pre-fault window, and the cases that could not be judged."""

    diagnoses: list[PrefaultDiagnosis]  #: one per case with a long enough pre-fault part
    skipped: list[str]  #: cases without a fault start, or with too little before it, with why

    @property
    def incidents(self) -> int:
        """Incidents claimed (the target is zero)."""
        return sum(d.incident for d in self.diagnoses)

    def incidents_after(self, minutes: float) -> tuple[int, int]:
        """(incidents, windows) among windows at least ``minutes`` after the previous fault."""
        clean = [
            d
            for d in self.diagnoses
            if d.since_previous_fault is None or d.since_previous_fault >= minutes
        ]
        return sum(d.incident for d in clean), len(clean)


def fault_start(case: Case) -> datetime | None:
    """When the case's fault began: ``fault_start`` in case.yaml, else "injected at ..." in its
    notes. Naive, as the batch's timestamps are (an aware time is taken to UTC first). None when
    the case says neither."""
    given = case.extra.get("fault_start")
    if isinstance(given, datetime):
        found: datetime | None = given
    elif isinstance(given, str):
        try:
            found = datetime.fromisoformat(given)
        except ValueError as exc:
            raise InputError(
                f"{case.path / 'case.yaml'}: fault_start {given!r} is not an ISO time",
                hint="e.g. fault_start: 2023-01-29T09:25:39Z",
            ) from exc
    else:
        match = _INJECTED.search(case.notes)
        found = datetime.fromisoformat(match.group(1)) if match else None
    if found is None or found.tzinfo is None:
        return found
    return found.astimezone(UTC).replace(tzinfo=None)


def prefault_check(prepared: Sequence[PreparedCase], tuning: DiagnosisSettings) -> PrefaultCheck:
    """Diagnose each fault case's pre-fault minutes against its baseline."""
    starts = {p.case.id: fault_start(p.case) for p in prepared}
    ordered = sorted(s for s in starts.values() if s is not None)
    diagnoses: list[PrefaultDiagnosis] = []
    skipped: list[str] = []
    for one in prepared:
        start = starts[one.case.id]
        if start is None or one.stats.baseline is None:
            skipped.append(f"{one.case.id}: no fault start or no baseline")
            continue
        found = _diagnose(one, start, _previous(ordered, start), tuning)
        if isinstance(found, str):
            skipped.append(f"{one.case.id}: {found}")
        else:
            diagnoses.append(found)
    return PrefaultCheck(diagnoses=diagnoses, skipped=skipped)


def _previous(ordered: list[datetime], start: datetime) -> float | None:
    earlier = [s for s in ordered if s < start]
    return (start - earlier[-1]).total_seconds() / 60 if earlier else None


def _diagnose(
    one: PreparedCase, start: datetime, since: float | None, tuning: DiagnosisSettings
) -> PrefaultDiagnosis | str:
    """The pre-fault part's diagnosis, or why it is not judged."""
    current = one.stats.current
    first = current.buckets["first_ts"].min()
    if not isinstance(first, datetime):
        return "no timestamps"
    cut = start.replace(second=0, microsecond=0)
    before = cut - first
    if before < MIN_PART:
        seconds = max(0.0, before.total_seconds())
        return f"{seconds:.0f} s before the fault (at least {MIN_PART.seconds} s needed)"
    part = split_at(current, cut).before
    try:
        found = analyse(part, one.stats.baseline, tuning)
    except Exception as exc:  # a failing diagnosis is recorded, never fatal
        log.warning("pre-fault check of %s failed: %s", one.case.id, exc, exc_info=True)
        return PrefaultDiagnosis(
            case_id=one.case.id,
            seconds=before.total_seconds(),
            since_previous_fault=since,
            incident=False,
            category="unknown",
            top_suspect=None,
            top_signal=None,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
    top = found.suspects[0] if found.suspects else None
    return PrefaultDiagnosis(
        case_id=one.case.id,
        seconds=before.total_seconds(),
        since_previous_fault=since,
        incident=found.incident,
        category=found.category if found.incident else "none",
        top_suspect=top.module if top else None,
        top_signal=top.reasons[0][:160] if top and top.reasons else None,
    )
