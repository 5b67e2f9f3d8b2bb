"""``argus eval CASES_DIR [--out DIR]``: run the eval cases and write the reports."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from argus.config import Settings, get_settings
from argus.errors import ArgusError
from argus.evals.cases import load_cases
from argus.evals.diagnose import graph_diagnose
from argus.evals.report import print_table, write_reports
from argus.evals.runner import run_cases


def eval_command(
    cases_dir: Annotated[Path, typer.Argument(help="a folder of eval case folders")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder for eval.json and eval.md")
    ] = Path("eval-out"),
) -> None:
    """Run every case (DESIGN.md §8), print a table and write JSON and Markdown reports."""
    console, errors = Console(), Console(stderr=True)
    try:
        settings: Settings = get_settings()
        cases = load_cases(cases_dir)
    except ArgusError as exc:
        errors.print(f"[bold red]error:[/] {exc.message}")
        if exc.hint:
            errors.print(f"[yellow]hint:[/] {exc.hint}")
        raise typer.Exit(exc.exit_code) from None
    name = "rule-based (no LLM)" if settings.llm_mode == "none" else f"LLM: {settings.llm_mode}"
    summary = run_cases(cases, partial(graph_diagnose, settings=settings), console=errors,
                        cases_dir=str(cases_dir), name=name)  # fmt: skip
    print_table(console, summary)
    json_path, md_path = write_reports(summary, out)
    console.print(f"wrote {json_path} and {md_path}")
