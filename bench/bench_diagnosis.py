"""Held-out study of the rule-based diagnosis on a labelled case set (issue #13, DESIGN.md §8).

Each case is mined once (as ``argus eval`` mines it: one engine per case, baseline first) and its
statistics cached under ``bench/out/diagnosis-cache/``; every step then re-analyses those
statistics with some :class:`~argus.config.DiagnosisSettings`:

- ``whole``: every case with the defaults (accuracy@1/@3, detection, category, macro-F1, false
  alarms, hits per fault type);
- ``lodo``: leave one day out (the day of a batch's first timestamp): settings chosen on the other
  days' cases among the defaults, each numeric field halved and doubled, and one coordinate
  round, then scored on the day held out;
- ``sensitivity``: every case with each numeric field halved and doubled;
- ``nobaseline``: every case mined and diagnosed without its baseline;
- ``selfcheck``: each distinct baseline window split at its middle timestamp, each half
  diagnosed against the other (every incident claimed is a false alarm);
- ``prefault``: each fault case's minutes before its fault began, diagnosed against its
  baseline (:mod:`argus.evals.prefault`: fault-free windows at the batch's hour, so drift
  since the baseline shows; every incident claimed is a false alarm);
- ``constants``: the structural constants of ``argus/tools`` each halved and doubled (see
  :mod:`bench.diagnosis_constants`), with baselines, and without them for those that matter
  there.

    python -m bench diagnosis [-- --steps whole,lodo --cases DIR --no-cache --out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from argus.config import DiagnosisSettings, Settings
from argus.errors import ArgusError
from argus.evals.breakdown import Scores
from argus.evals.cases import Case, load_cases
from argus.evals.heldout import batch_day, days_of, leave_one_day_out
from argus.evals.prefault import prefault_check
from argus.evals.prepared import PreparedCase, PrepareStep, prepare_cases
from argus.evals.rescore import Rescorer
from argus.evals.selfcheck import self_check
from argus.evals.sensitivity import sensitivity
from argus.evals.stats_cache import StatsCache
from bench import diagnosis_constants
from bench.diagnosis_report import CaseRow, DiagnosisStudy, markdown, write

HERE = Path(__file__).resolve().parent
DEFAULT_CASES = HERE.parents[1] / "shared" / "data" / "incidents" / "nezha-tt-dev"
STEPS = ("whole", "lodo", "sensitivity", "nobaseline", "selfcheck", "prefault", "constants")
#: Steps that re-score the cases mined with their baselines.
WITH_BASELINE = ("whole", "lodo", "sensitivity", "nobaseline", "prefault", "constants")

T = TypeVar("T")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The bench's options."""
    parser = argparse.ArgumentParser(prog="python -m bench diagnosis --", description=__doc__)
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="a case set folder")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="folder for the reports")
    parser.add_argument(
        "--no-cache", action="store_true", help="mine every case again (the cache is rewritten)"
    )
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown or not steps:
        parser.error(f"--steps: unknown {', '.join(unknown) or '(none given)'}")
    args.steps = steps
    return args


def progress(stage: str) -> Callable[[PrepareStep], None]:
    """A line on stderr per prepared case (or window)."""

    def report(step: PrepareStep) -> None:
        how = "cached" if step.cached else f"mined in {step.seconds:.1f} s"
        print(f"[{stage} {step.done}/{step.total}] {step.name}: {how}", file=sys.stderr, flush=True)

    return report


def timed(study: DiagnosisStudy, step: str, run: Callable[[], T]) -> T:
    """Run one step, announcing it on stderr and recording its wall time."""
    print(f"-- {step}", file=sys.stderr, flush=True)
    began = time.monotonic()
    result = run()
    study.seconds[step] = round(time.monotonic() - began, 1)
    return result


def rows_of(rescorer: Rescorer, defaults: DiagnosisSettings) -> list[CaseRow]:
    """Per-case rows of the defaults' outcomes."""
    days = {p.case.id: batch_day(p.stats.current) for p in rescorer.prepared}
    return [CaseRow.of(o, days[o.case_id]) for o in rescorer.outcomes(defaults).values()]


def run_with_baselines(
    study: DiagnosisStudy,
    cases: list[Case],
    settings: Settings,
    cache: StatsCache,
    steps: list[str],
) -> list[PreparedCase]:
    """Prepare the cases with their baselines, then the whole, lodo and sensitivity steps;
    return the prepared cases."""
    prepared: list[PreparedCase] = timed(
        study,
        "prepare",
        lambda: prepare_cases(cases, settings, cache, progress=progress("prepare")),
    )
    rescorer, defaults = Rescorer(prepared), study.defaults
    ids = [c.id for c in cases]
    study.days = days_of(prepared)
    study.remined = [p.case.id for p in prepared if p.stats.remined]
    study.whole = timed(study, "whole", lambda: Scores.of(rescorer.outcomes(defaults).values()))
    study.whole_cases = rows_of(rescorer, defaults)
    if "lodo" in steps:
        study.heldout = timed(
            study, "lodo", lambda: leave_one_day_out(study.days, defaults, rescorer.outcomes)
        )
    if "sensitivity" in steps:
        study.sensitivity = timed(
            study, "sensitivity", lambda: sensitivity(defaults, rescorer.outcomes, ids)
        )
    return prepared


def run_no_baseline(
    study: DiagnosisStudy, cases: list[Case], settings: Settings, cache: StatsCache
) -> list[PreparedCase]:
    """Every case mined and analysed without its baseline; return the prepared cases."""

    def run() -> Rescorer:
        stage = progress("no baseline")
        return Rescorer(prepare_cases(cases, settings, cache, use_baseline=False, progress=stage))

    rescorer = timed(study, "nobaseline", run)
    study.no_baseline = Scores.of(rescorer.outcomes(study.defaults).values())
    study.no_baseline_cases = rows_of(rescorer, study.defaults)
    return rescorer.prepared


def run_constants(
    study: DiagnosisStudy, with_baseline: list[PreparedCase], without: list[PreparedCase] | None
) -> None:
    """The structural constants halved and doubled (bench.diagnosis_constants)."""

    def announce(label: str) -> None:
        print(f"[constants] {label}", file=sys.stderr, flush=True)

    study.constants = timed(
        study, "constants", lambda: diagnosis_constants.study(with_baseline, without, announce)
    )


def main(argv: list[str]) -> None:
    """Run the chosen steps; print the Markdown summary and write it with the JSON."""
    args = parse_args(argv)
    if not args.cases.is_dir():
        print(f"skipped: {args.cases} is absent (the case set to study; see --cases)")
        return
    try:
        cases = load_cases(args.cases)
    except ArgusError as exc:
        sys.exit(f"cannot load the cases: {exc}")
    settings = Settings()
    cache = StatsCache(args.out / "diagnosis-cache", read=not args.no_cache)
    study = DiagnosisStudy(
        cases_dir=str(args.cases),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        cases=len(cases),
        defaults=DiagnosisSettings(),
    )
    prepared: list[PreparedCase] = []
    unbaselined: list[PreparedCase] | None = None
    if any(step in args.steps for step in WITH_BASELINE):
        prepared = run_with_baselines(study, cases, settings, cache, args.steps)
    if "nobaseline" in args.steps or "constants" in args.steps:
        unbaselined = run_no_baseline(study, cases, settings, cache)
    if "prefault" in args.steps:
        study.prefault = timed(study, "prefault", lambda: prefault_check(prepared, study.defaults))
    if "constants" in args.steps:
        run_constants(study, prepared, unbaselined)
    if "selfcheck" in args.steps:
        study.self_check = timed(
            study,
            "selfcheck",
            lambda: self_check(
                cases, settings, cache, study.defaults, progress=progress("self-check")
            ),
        )
    print(markdown(study))
    md, js = write(study, args.out)
    print(f"wrote {md} and {js}")


if __name__ == "__main__":
    main(sys.argv[1:])
