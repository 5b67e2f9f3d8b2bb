"""Bodies of the eval-run routes: a run's figures, its cases, and two runs compared."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Runs per page unless asked otherwise, and the most a page may hold.
DEFAULT_PAGE = 50
MAX_PAGE = 500


class EvalRunListQuery(BaseModel):
    """Paging of ``GET /api/v1/eval-runs``."""

    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="runs per page")
    offset: int = Field(0, ge=0, le=10_000_000, description="runs to skip")


class EvalCompareQuery(BaseModel):
    """The two runs of ``GET /api/v1/eval-runs/compare``."""

    base: int = Field(ge=1, le=2**63 - 1, description="the run compared against")
    other: int = Field(ge=1, le=2**63 - 1, description="the run compared; deltas are other - base")


class EvalRunSummary(BaseModel):
    """A stored run without its cases."""

    model_config = ConfigDict(from_attributes=True)

    eval_run_id: int
    name: str = Field(description="which diagnose ran (rule-based, LLM, no baseline ...)")
    cases_dir: str
    git_revision: str = Field(description="git rev-parse HEAD of the code, or unknown")
    figures: dict[str, float | None] = Field(
        description="the eval's figures: module_accuracy_at_1/_at_3, category_macro_f1, "
        "false_alarms, latency ... (null: not scored)"
    )
    category_f1: dict[str, float] = Field(description="F1 per category")
    started_at: datetime
    recorded_at: datetime
    case_count: int


class EvalCaseView(BaseModel):
    """One case of a run."""

    model_config = ConfigDict(from_attributes=True)

    case_id: str
    expected_module: str | None = Field(description="null: a fault-free case")
    expected_category: str
    predicted_module: str | None
    predicted_category: str
    ranked_modules: list[str]
    rank: int | None = Field(description="1-based rank of the expected module; null: not ranked")
    incident: bool = Field(description="the report claimed an incident")
    module_at_1: bool
    module_at_3: bool
    category_correct: bool
    correct: bool = Field(description="module at rank 1 and category right")
    latency_s: float
    error: str | None = Field(description="why the case failed")


class EvalRunView(EvalRunSummary):
    """A run with the settings it ran with and its cases."""

    settings: dict[str, Any] = Field(description="the effective settings, secrets masked")
    cases: list[EvalCaseView]


class EvalRunPageView(BaseModel):
    """A page of runs, newest first."""

    runs: list[EvalRunSummary]
    total: int
    limit: int
    offset: int


class FigureDeltaView(BaseModel):
    """One figure of both runs; ``delta`` = other - base (null when either lacks it)."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    base: float | None
    other: float | None
    delta: float | None


class CaseChangeView(BaseModel):
    """A case whose outcome changed between the runs, or that one run lacks."""

    model_config = ConfigDict(from_attributes=True)

    case_id: str
    change: Literal["improved", "regressed", "changed", "added", "removed"]
    base: EvalCaseView | None
    other: EvalCaseView | None


class EvalComparisonView(BaseModel):
    """Two runs side by side: figures, per-category F1, and the cases that changed."""

    model_config = ConfigDict(from_attributes=True)

    base: EvalRunSummary
    other: EvalRunSummary
    figures: list[FigureDeltaView]
    category_f1: list[FigureDeltaView]
    changed: list[CaseChangeView] = Field(description="by case id")
    unchanged: int = Field(description="cases of both runs with the same outcome")
