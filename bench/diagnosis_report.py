"""The results of ``python -m bench diagnosis`` as one typed value, a Markdown summary and JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from argus.config import DiagnosisSettings
from argus.evals.breakdown import Scores
from argus.evals.heldout import Fold, HeldOut
from argus.evals.prefault import PrefaultCheck
from argus.evals.scoring import Outcome
from argus.evals.selfcheck import SelfCheck
from argus.evals.sensitivity import Sensitivity
from bench.diagnosis_constants import ConstantRow
from bench.diagnosis_constants import markdown as constants_markdown

#: The category whose F1 the sensitivity table shows beside the macro-F1.
WATCHED_CATEGORY = "network_latency"


@dataclass(frozen=True, kw_only=True)
class CaseRow:
    """One case's outcome, as the JSON lists it."""

    id: str  #: case id
    day: str  #: the day of its batch
    expected: str  #: ``module / category``
    ranked: list[str]  #: the first three modules ranked
    category: str  #: the predicted category
    incident: bool  #: an incident was claimed
    at_1: bool  #: module hit at rank 1
    at_3: bool  #: module hit within the first three
    error: str | None = None  #: why the case failed

    @classmethod
    def of(cls, outcome: Outcome, day: str) -> CaseRow:
        """The row of one outcome."""
        return cls(
            id=outcome.case_id,
            day=day,
            expected=f"{outcome.expected_module} / {outcome.expected_category}",
            ranked=outcome.predicted_modules[:3],
            category=outcome.predicted_category,
            incident=outcome.incident,
            at_1=outcome.module_hit(1),
            at_3=outcome.module_hit(3),
            error=outcome.error,
        )


@dataclass(kw_only=True)
class DiagnosisStudy:
    """Everything one run of the bench found; a step not run stays empty."""

    cases_dir: str  #: the case set
    started_at: str  #: ISO time the run started
    cases: int  #: cases in the set
    defaults: DiagnosisSettings  #: the settings every "defaults" figure uses
    days: dict[str, list[str]] = field(default_factory=dict)  #: case ids per day of the batch
    remined: list[str] = field(default_factory=list)  #: cases whose batch pass 1 ran on again
    whole: Scores | None = None  #: every case, defaults, with baselines
    whole_cases: list[CaseRow] = field(default_factory=list)  #: per case
    heldout: HeldOut[DiagnosisSettings] | None = None  #: leave one day out
    sensitivity: Sensitivity | None = None  #: each numeric field halved and doubled
    no_baseline: Scores | None = None  #: every case, defaults, without baselines
    no_baseline_cases: list[CaseRow] = field(default_factory=list)  #: per case
    self_check: SelfCheck | None = None  #: baseline halves against each other
    prefault: PrefaultCheck | None = None  #: fault cases' minutes before the fault
    constants: list[ConstantRow] = field(default_factory=list)  #: structural constants scaled
    seconds: dict[str, float] = field(default_factory=dict)  #: wall time per step


def write(study: DiagnosisStudy, out: Path) -> tuple[Path, Path]:
    """Write ``diagnosis.md`` and ``diagnosis.json`` under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "diagnosis.md", out / "diagnosis.json"
    md.write_text(markdown(study), encoding="utf-8")
    data = dataclasses.asdict(study)
    js.write_text(json.dumps(data, indent=2, default=_plain) + "\n", encoding="utf-8")
    return md, js


def _plain(value: object) -> object:
    """JSON for what ``dataclasses.asdict`` leaves: pydantic models, tuples, paths."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def markdown(study: DiagnosisStudy) -> str:
    """The readable summary of a run."""
    parts = [
        _header(study),
        _whole(study),
        _heldout(study),
        _sensitivity(study),
        _no_baseline(study),
        _self_check(study),
        _prefault(study),
        constants_markdown(study.constants) if study.constants else "",
    ]
    return "\n".join(p for p in parts if p)


def _header(study: DiagnosisStudy) -> str:
    days = ", ".join(f"{day}: {len(ids)}" for day, ids in study.days.items()) or "not grouped"
    timing = ", ".join(f"{step} {s:.1f} s" for step, s in study.seconds.items())
    return (
        f"# Diagnosis study: {study.cases_dir}\n\n"
        f"{study.cases} cases (days of their batches: {days}); started {study.started_at}.\n"
        f"Defaults: `{study.defaults.model_dump_json()}`. Rule path, no knowledge base, "
        f"the analysis re-scored on mined statistics. Time: {timing}.\n"
        f"Pass-1 re-runs on a batch's unmatched records (as `argus eval` makes them): "
        f"{', '.join(study.remined) or 'none'}.\n"
    )


def _whole(study: DiagnosisStudy) -> str:
    if study.whole is None:
        return ""
    missed = [r for r in study.whole_cases if not r.at_1]
    lines = [
        "## Whole set, defaults\n",
        figures_table([("whole set", study.whole)]),
        fault_type_table([("whole set", study.whole)]),
    ]
    if missed:
        lines.append("Cases missed at rank 1:\n")
        lines.append(case_table(missed))
    return "\n".join(lines)


def _heldout(study: DiagnosisStudy) -> str:
    held = study.heldout
    if held is None or study.whole is None:
        return ""
    if not held.folds:
        return "## Leave one day out\n\nOnly one day of batches: nothing to hold out.\n"
    columns: list[tuple[str, Scores]] = [
        ("whole set, defaults", study.whole),
        ("held out, chosen", held.pooled),
    ]
    for one in held.folds:
        columns += [
            (f"{one.day}, chosen", one.held_out),
            (f"{one.day}, defaults", one.held_out_defaults),
        ]
    return "\n".join(
        [
            "## Leave one day out\n",
            *(_fold_line(one) for one in held.folds),
            "",
            "`held out, chosen`: each case scored with the settings chosen on the other days.\n",
            figures_table(columns),
            fault_type_table(columns),
        ]
    )


def _fold_line(one: Fold[DiagnosisSettings]) -> str:
    choice = one.choice
    tried = ", ".join(f"{t.label} {t.objective:.3f}" for t in choice.tried)
    return (
        f"- held out **{one.day}** ({len(one.held_out_cases)} cases), chosen on "
        f"{len(one.train_cases)} cases: **{choice.chosen.label}** {_changes(choice.chosen.changes)}"
        f"(training objective {choice.objective:.3f}, defaults {choice.defaults_objective:.3f}; "
        f"tried: {tried})"
    )


def _changes(changes: dict[str, float]) -> str:
    return f"(`{', '.join(f'{k}={v:g}' for k, v in changes.items())}`) " if changes else ""


def _sensitivity(study: DiagnosisStudy) -> str:
    found = study.sensitivity
    if found is None:
        return ""
    lines = [
        "## Sensitivity (whole set)\n",
        f"| settings | @1 | @3 | macro-F1 | {WATCHED_CATEGORY} F1 | detection | false alarms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in found.rows:
        s = row.scores
        watched = s.category_f1.get(WATCHED_CATEGORY)
        lines.append(
            f"| {row.label} {_changes(row.changes)}| {s.accuracy_at_1:.3f} | "
            f"{s.accuracy_at_3:.3f} | {s.macro_f1:.3f} | "
            f"{'n/a' if watched is None else f'{watched:.3f}'} | {_detection(s)} | "
            f"{s.false_alarms} |"
        )
    if found.invalid:
        lines.append(f"\nNot scored: {'; '.join(found.invalid)}")
    return "\n".join(lines) + "\n"


def _no_baseline(study: DiagnosisStudy) -> str:
    if study.no_baseline is None:
        return ""
    columns = [("no baseline", study.no_baseline)]
    if study.whole is not None:
        columns.insert(0, ("with baseline", study.whole))
    return "\n".join(
        [
            "## Without baselines (defaults)\n",
            "Each case mined and diagnosed from its logs alone, a fresh engine per case.\n",
            figures_table(columns),
            fault_type_table(columns),
        ]
    )


def _self_check(study: DiagnosisStudy) -> str:
    check = study.self_check
    if check is None:
        return ""
    lines = [
        "## Fault-free self-check (defaults)\n",
        f"{check.windows} distinct baseline windows, {len(check.diagnoses)} diagnoses (each "
        f"window's halves against each other, both ways, and the whole window alone without a "
        f"baseline): **{check.incidents} incidents "
        "claimed** (target 0).\n",
    ]
    claimed = [d for d in check.diagnoses if d.incident or d.error]
    if claimed:
        lines.append("| window | cases | direction | category | top suspect |")
        lines.append("|---|---|---|---|---|")
        lines += [
            f"| {d.window} | {_short_ids(d.cases)} | {d.direction} | "
            f"{d.error or d.category} | {d.top_suspect} |"
            for d in claimed
        ]
    if check.unsplit:
        lines.append(f"\nNot split (no timestamps): {'; '.join(check.unsplit)}")
    return "\n".join(lines) + "\n"


#: Minutes after another fault from which a pre-fault window counts as clean in the summary (a
#: reporting cut, not a method constant: every window is listed with its distance).
CLEAN_AFTER_MIN = 30.0


def _prefault(study: DiagnosisStudy) -> str:
    check = study.prefault
    if check is None:
        return ""
    clean, windows = check.incidents_after(CLEAN_AFTER_MIN)
    lines = [
        "## Pre-fault check (defaults)\n",
        f"Each fault case's minutes before its fault began, against its baseline: "
        f"**{check.incidents} incidents claimed in {len(check.diagnoses)} windows** (target 0); "
        f"{clean} in the {windows} windows at least {CLEAN_AFTER_MIN:g} minutes after the set's "
        "previous fault.\n",
        "| case | seconds | minutes since previous fault | incident | category | top suspect "
        "| its strongest evidence |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for d in check.diagnoses:
        since = "first" if d.since_previous_fault is None else f"{d.since_previous_fault:.0f}"
        lines.append(
            f"| {d.case_id} | {d.seconds:.0f} | {since} | {'yes' if d.incident else 'no'} | "
            f"{d.error or d.category} | {d.top_suspect or ''} | {(d.top_signal or '')[:100]} |"
        )
    if check.skipped:
        lines.append(f"\nNot judged: {'; '.join(check.skipped)}")
    return "\n".join(lines) + "\n"


def _short_ids(ids: Sequence[str]) -> str:
    return ", ".join(ids[:2]) + (f" (+{len(ids) - 2})" if len(ids) > 2 else "")


def figures_table(columns: Sequence[tuple[str, Scores]]) -> str:
    """The main figures, one column per (title, scores)."""
    rows: list[tuple[str, list[str]]] = [
        ("cases", [str(s.cases) for _, s in columns]),
        ("accuracy@1", [f"{s.accuracy_at_1:.3f}" for _, s in columns]),
        ("accuracy@3", [f"{s.accuracy_at_3:.3f}" for _, s in columns]),
        ("detection rate", [_detection(s) for _, s in columns]),
        ("category accuracy", [f"{s.category_accuracy:.3f}" for _, s in columns]),
        ("category macro-F1", [f"{s.macro_f1:.3f}" for _, s in columns]),
        ("false alarms", [f"{s.false_alarms} of {s.none_cases}" for _, s in columns]),
        ("failed", [str(s.failed) for _, s in columns]),
    ]
    categories = sorted({c for _, s in columns for c in s.category_f1})
    for category in categories:
        rows.append((f"F1 {category}", [_f1(s, category) for _, s in columns]))
    return _table(["figure", *(title for title, _ in columns)], rows)


def _detection(scores: Scores) -> str:
    """The detection rate, or ``-`` when there is no fault case to detect."""
    return f"{scores.detection_rate:.3f}" if scores.cases > scores.none_cases else "-"


def _f1(scores: Scores, category: str) -> str:
    value = scores.category_f1.get(category)
    return "" if value is None else f"{value:.3f}"


def fault_type_table(columns: Sequence[tuple[str, Scores]]) -> str:
    """Per expected category: top-1 / top-3 hits of the cases, one column per (title, scores)."""
    categories = sorted({f.category for _, s in columns for f in s.fault_types})
    rows = []
    for category in categories:
        cells = []
        for _, scores in columns:
            counts = scores.fault_type(category)
            cells.append(
                "" if counts is None else f"{counts.top1} / {counts.top3} of {counts.cases}"
            )
        rows.append((category, cells))
    titles = ["fault type: top-1 / top-3", *(title for title, _ in columns)]
    return _table(titles, rows)


def case_table(rows: Sequence[CaseRow]) -> str:
    """Cases with their expectation and what was found."""
    body = [
        (
            r.id,
            [
                r.day,
                r.expected,
                ", ".join(r.ranked) or "-",
                r.error or r.category,
                "yes" if r.at_3 else "no",
            ],
        )
        for r in rows
    ]
    return _table(["case", "day", "expected", "ranked", "category", "@3"], body)


def _table(titles: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> str:
    lines = [
        "| " + " | ".join(titles) + " |",
        "|" + "---|" * len(titles),
        *("| " + " | ".join([name, *cells]) + " |" for name, cells in rows),
    ]
    return "\n".join(lines) + "\n"
