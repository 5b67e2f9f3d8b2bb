"""``argus eval CASES_DIR [--out DIR] [--no-baseline] [--store]``: run the eval cases and write
the reports (``--store`` also records the run in PostgreSQL); ``argus eval runs`` lists the
stored runs.

Loaded by every ``argus`` invocation: the cases, the graph and the knowledge base are imported by
the command when it runs, not here (see ``argus.cli``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from argus.cli_support import console, counted_progress, fail, load_settings, print_table, run
from argus.errors import ArgusError

if TYPE_CHECKING:
    from argus.config import Settings
    from argus.evals.cases import Case
    from argus.evals.report import EvalSummary
    from argus.evals.runner import Diagnose
    from argus.store.eval_runs import NewRun


class _EvalGroup(TyperGroup):
    """``argus eval`` runs the cases when its first word is not a subcommand (``run`` is the
    default: ``argus eval CASES_DIR`` = ``argus eval run CASES_DIR``); ``runs`` lists."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click
        """Route ``args`` to ``run`` unless they start with a subcommand or ask for help."""
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    cls=_EvalGroup,
    no_args_is_help=True,
    help="Run eval cases (argus eval CASES_DIR ...) or list the stored runs (argus eval runs).",
)


async def _with_knowledge(
    settings: Settings, run: Callable[..., EvalSummary], name: str, *, use_baseline: bool = True
) -> EvalSummary:
    import asyncio  # loaded by then (a loop runs this); not at import: start-up, see argus.cli

    from argus.evals.diagnose import graph_diagnose
    from argus.evals.knowledge import eval_knowledge

    async with eval_knowledge(settings) as knowledge:
        diagnose = partial(
            graph_diagnose, settings=settings, knowledge=knowledge, use_baseline=use_baseline
        )
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
    no_baseline: Annotated[
        bool,
        typer.Option(
            "--no-baseline",
            help="diagnose each case without its baseline/ folder (the batch alone)",
        ),
    ] = False,
    store: Annotated[
        bool,
        typer.Option(
            "--store",
            help="record the run in PostgreSQL (figures, cases, settings, git revision): "
            "listed by 'argus eval runs', compared in the API",
        ),
    ] = False,
) -> None:
    """Run every case (DESIGN.md §8), print a table and write JSON and Markdown reports."""
    from argus.evals.cases import load_cases
    from argus.evals.diagnose import graph_diagnose
    from argus.evals.report import write_reports

    settings = load_settings()
    try:
        cases = load_cases(cases_dir)
    except ArgusError as exc:
        raise fail(exc) from None
    name = "rule-based (no LLM)" if settings.llm_mode == "none" else f"LLM: {settings.llm_mode}"
    if knowledge is None:
        knowledge = any(case.expected.knowledge_ids for case in cases)
    if no_baseline:
        name = f"{name}, no baseline"
    run_all = partial(_run_with_bar, cases, cases_dir=str(cases_dir))
    try:
        if knowledge:
            summary = run(
                _with_knowledge(
                    settings, run_all, f"{name}, knowledge base", use_baseline=not no_baseline
                )
            )
        else:
            diagnose = partial(graph_diagnose, settings=settings, use_baseline=not no_baseline)
            summary = run_all(diagnose, name=f"{name}, no knowledge")
    except ArgusError as exc:
        raise fail(exc) from None
    print_summary(summary)
    json_path, md_path = write_reports(summary, out)
    console.print(f"wrote {json_path} and {md_path}")
    if store:
        from argus.evals.stored import new_run

        # built before the loop starts: running git inside the loop broke the next
        # connection after an eval (IndexError in asyncio's ready queue)
        record = new_run(summary, settings)
        run_id = run(_store(record, settings))
        console.print(f"stored as eval run {run_id}")


async def _store(record: NewRun, settings: Settings) -> int:
    from argus.evals.stored import store_new_run
    from argus.runtime.services import running_database

    async with running_database(settings) as database:
        return await store_new_run(record, database.url)


def runs_command(
    limit: Annotated[int, typer.Option(min=1, max=500, help="runs to list")] = 20,
) -> None:
    """List the stored eval runs, newest first (each "argus eval CASES_DIR --store" adds one)."""
    from argus.runtime.services import running_database
    from argus.store.connection import connect
    from argus.store.eval_runs import RunPage, list_runs

    settings = load_settings()

    async def go() -> RunPage:
        async with (
            running_database(settings) as database,
            await connect(database.url, vectors=False) as conn,
        ):
            return await list_runs(conn, limit=limit)

    page = run(go())
    figures = ("module_accuracy_at_1", "module_accuracy_at_3", "category_macro_f1", "false_alarms")
    rows = [
        (
            str(r.eval_run_id),
            r.recorded_at.strftime("%Y-%m-%d %H:%M"),
            escape(r.name),
            escape(r.cases_dir),
            r.git_revision[:10],
            str(r.case_count),
            *(_figure(r.figures.get(f)) for f in figures),
        )
        for r in page.runs
    ]
    headers = ("id", "recorded", "name", "cases", "revision", "n", "@1", "@3", "macro-F1", "FA")
    print_table(headers, rows, title=f"Eval runs ({len(page.runs)} of {page.total})")


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def _run_with_bar(
    cases: Sequence[Case], diagnose: Diagnose, *, cases_dir: str, name: str
) -> EvalSummary:
    """``run_cases`` under a progress bar on stderr (named after the current case)."""
    from argus.evals.runner import run_cases

    with counted_progress("eval") as advance:
        return run_cases(cases, diagnose, progress=advance, cases_dir=cases_dir, name=name)


def print_summary(summary: EvalSummary) -> None:
    """The per-case table (a failed case in red with its error) and the summary figures."""
    from argus.evals.report import mark

    rows = []
    for o in summary.outcomes:
        predicted = o.predicted_modules[0] if o.predicted_modules else "-"
        if o.error:
            predicted = f"[red]failed: {o.error[:60]}[/]"
        rows.append(
            (
                o.case_id,
                f"{o.expected_module} / {o.expected_category}",
                f"{predicted} / {o.predicted_category}",
                mark(o.module_hit(1)),
                mark(o.module_hit(3)),
                mark(o.category_hit),
                f"{o.latency_s:.1f}",
            )
        )
    print_table(("case", "expected", "predicted", "@1", "@3", "cat", "s"), rows, title="Eval cases")
    figures = [(key, str(value)) for key, value in summary.figures().items()]
    print_table(("figure", "value"), figures, title="Summary")


eval_app.command("run")(eval_command)
eval_app.command("runs")(runs_command)
