"""Eval reports: the summary figures, a JSON file and a Markdown file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argus.evals.ragas_ids import scorer
from argus.evals.scoring import (
    Outcome,
    accuracy_at,
    category_accuracy,
    detection_rate,
    false_alarms,
    macro_f1,
    percentile,
    retrieval,
    strict_accuracy_at,
)


@dataclass(kw_only=True)
class EvalSummary:
    """The figures of one eval run."""

    cases_dir: str  #: the case set
    outcomes: list[Outcome]  #: per case
    diagnose: str = "rule"  #: which diagnose function ran
    started_at: str = ""  #: ISO time the run started

    def figures(self) -> dict[str, Any]:
        """Every score, keyed as in the JSON report."""
        f1, per_category = macro_f1(self.outcomes)
        precision, recall = retrieval(self.outcomes)
        latencies = [o.latency_s for o in self.outcomes if o.error is None]
        n = max(1, len(self.outcomes))
        return {
            "cases_total": len(self.outcomes),
            "cases_failed": sum(o.error is not None for o in self.outcomes),
            "module_accuracy_at_1": round(accuracy_at(self.outcomes, 1), 4),
            "module_accuracy_at_3": round(accuracy_at(self.outcomes, 3), 4),
            "strict_accuracy_at_1": round(strict_accuracy_at(self.outcomes, 1), 4),
            "strict_accuracy_at_3": round(strict_accuracy_at(self.outcomes, 3), 4),
            "detection_rate": round(detection_rate(self.outcomes), 4),
            "category_accuracy": round(category_accuracy(self.outcomes), 4),
            "category_macro_f1": round(f1, 4),
            "category_f1": {k: round(v, 4) for k, v in per_category.items()},
            "false_alarms": false_alarms(self.outcomes),
            "none_cases": sum(o.expected_module is None for o in self.outcomes),
            "retrieval_precision": None if precision is None else round(precision, 4),
            "retrieval_recall": None if recall is None else round(recall, 4),
            "latency_p50_s": round(percentile(latencies, 50), 3),
            "latency_p95_s": round(percentile(latencies, 95), 3),
            "llm_calls_per_case": round(sum(o.llm_calls for o in self.outcomes) / n, 3),
            "tokens_per_case": round(sum(o.tokens for o in self.outcomes) / n, 1),
        }

    def to_json(self) -> dict[str, Any]:
        """The JSON report: run facts, figures and per-case outcomes."""
        return {
            "cases_dir": self.cases_dir,
            "diagnose": self.diagnose,
            "started_at": self.started_at or datetime.now(UTC).isoformat(timespec="seconds"),
            "notes": {
                "module_accuracy": "localisation: the report's ranked modules, also when it "
                "claims no incident; none cases count as hits when no incident is claimed",
                "strict_accuracy": "as module_accuracy, but a fault case counts only when the "
                "report also claims an incident",
                "retrieval": "ID-based context precision/recall by knowledge id, offline; "
                f"scored by {scorer()}",
            },
            **self.figures(),
            "cases": [_case_json(o) for o in self.outcomes],
        }


def _case_json(o: Outcome) -> dict[str, Any]:
    return {
        "id": o.case_id,
        "expected": {
            "module": o.expected_module,
            "category": o.expected_category,
            "knowledge_ids": o.expected_knowledge,
        },
        "predicted": {
            "module": o.predicted_modules[0] if o.predicted_modules else None,
            "ranked_modules": o.predicted_modules[:5],
            "category": o.predicted_category,
            "incident": o.incident,
            "knowledge_ids": o.retrieved_knowledge,
        },
        "correct": o.correct,
        "module_at_1": o.module_hit(1),
        "module_at_3": o.module_hit(3),
        "incident_claimed": o.incident,
        "category_correct": o.category_hit,
        "latency_s": round(o.latency_s, 3),
        "llm_calls": o.llm_calls,
        "tokens": o.tokens,
        "error": o.error,
    }


def write_reports(summary: EvalSummary, out: Path) -> tuple[Path, Path]:
    """Write ``eval.json`` and ``eval.md`` under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    data = summary.to_json()
    json_path, md_path = out / "eval.json", out / "eval.md"
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown(data), encoding="utf-8")
    return json_path, md_path


def markdown(data: dict[str, Any]) -> str:
    """The Markdown report of a JSON report."""
    lines = [
        f"# Eval: {data['cases_dir']}",
        "",
        f"Diagnose: {data['diagnose']}; started {data['started_at']}.",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    for key, value in data.items():
        if key not in {"cases", "cases_dir", "diagnose", "started_at", "category_f1", "notes"}:
            lines.append(f"| {key} | {value} |")
    lines += [
        "",
        "| case | expected | predicted | @1 | @3 | category | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in data["cases"]:
        exp, pred = case["expected"], case["predicted"]
        lines.append(
            f"| {case['id']} | {exp['module']} / {exp['category']} | {pred['module']} / "
            f"{pred['category']}{' (failed: ' + case['error'] + ')' if case['error'] else ''} | "
            f"{mark(case['module_at_1'])} | {mark(case['module_at_3'])} | "
            f"{mark(case['category_correct'])} | {case['latency_s']} |"
        )
    return "\n".join(lines) + "\n"


def mark(ok: bool) -> str:
    """A hit as the reports write it."""
    return "yes" if ok else "no"
