"""``argus eval CASES_DIR [--out DIR]``: run the eval cases and write the reports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from argus.cli_support import fail
from argus.config import Settings, get_settings
from argus.errors import ArgusError
from argus.evals.cases import load_cases
from argus.evals.diagnose import graph_diagnose
from argus.evals.knowledge import eval_knowledge
from argus.evals.report import EvalSummary, print_table, write_reports
from argus.evals.runner import run_cases


async def _with_knowledge(
    settings: Settings, run: Callable[..., EvalSummary], name: str
) -> EvalSummary:
    async with eval_knowledge(settings) as knowledge:
        diagnose = partial(graph_diagnose, settings=settings, knowledge=knowledge)
        return await asyncio.to_thread(run, diagnose, name=name)


def eval_command(
    cases_dir: Annotated[Path, typer.Argument(help="a folder of eval case folders")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder for eval.json and eval.md")
    ] = Path("eval-out"),
    knowledge: Annotated[
        bool | None,
        typer.Option(
            "--knowledge/--no-knowledge",
            help="search the knowledge base (embedded PostgreSQL, starter pack if empty); "
            "default: on when a case lists knowledge_ids",
        ),
    ] = None,
) -> None:
    """Run every case (DESIGN.md §8), print a table and write JSON and Markdown reports."""
    console, errors = Console(), Console(stderr=True)
    try:
        settings: Settings = get_settings()
        cases = load_cases(cases_dir)
    except ArgusError as exc:
        raise fail(exc) from None
    name = "rule-based (no LLM)" if settings.llm_mode == "none" else f"LLM: {settings.llm_mode}"
    if knowledge is None:
        knowledge = any(case.expected.knowledge_ids for case in cases)
    run = partial(run_cases, cases, console=errors, cases_dir=str(cases_dir))
    try:
        if knowledge:
            summary = asyncio.run(_with_knowledge(settings, run, f"{name}, knowledge base"))
        else:
            summary = run(partial(graph_diagnose, settings=settings), name=f"{name}, no knowledge")
    except ArgusError as exc:
        raise fail(exc) from None
    print_table(console, summary)
    json_path, md_path = write_reports(summary, out)
    console.print(f"wrote {json_path} and {md_path}")
