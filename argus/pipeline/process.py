"""Local processing of files: register each by content hash, run the passes, store statistics.

Used by ``argus mine``, ``argus stats``, ``argus parse``, ``argus diagnose`` and the parse
stage. A damaged file is reported and marked failed (with the statistics of what was read before
the damage); the other files go on. Nothing here prints: a front door follows the work through
``FileHooks`` (a progress display per file, a call per finished file).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg

from argus.config import Settings
from argus.errors import InputError
from argus.ingest.formats import LogFormat
from argus.ingest.reader import file_facts
from argus.mining.engine import FileRun, MiningEngine
from argus.mining.library import MemoryTemplateStore, TemplateStore
from argus.mining.pass1 import Pass1Stats
from argus.pipeline.drafter import run_drafter
from argus.store import stats as stats_repo
from argus.store.connection import connect_sync
from argus.store.files import mark_file, register_file
from argus.store.templates import PgTemplateStore

Mode = Literal["mine", "stats", "all"]
#: Called with the physical lines read so far in the current file.
Tick = Callable[[int], None]


@dataclass(kw_only=True)
class FileOutcome:
    """What happened to one file."""

    path: Path  #: the file as given
    file_id: str | None  #: sha256 of its content, None when it could not be read at all
    lines: int = 0  #: physical lines read
    records: int = 0  #: records counted by pass 2
    headed: int = 0  #: records whose line matched the log format (the readable ones)
    unmatched: int = 0  #: records no template matched
    templates_added: int = 0  #: templates pass 1 added while reading this file
    templates_revised: int = 0  #: templates pass 1 generalised
    index_version: int = 0  #: index version at the end
    seconds: float = 0.0  #: wall time
    new: bool = False  #: True when its content had not been registered before
    error: str | None = None  #: why it stopped early, if it did

    @property
    def rate(self) -> float:
        """Lines per second."""
        return self.lines / self.seconds if self.seconds > 0 else 0.0


@dataclass(kw_only=True, frozen=True)
class FileHooks:
    """How a caller follows ``process_files``; both hooks are optional and run in its thread.

    ``progress(name)`` opens a display for one file and yields the tick the passes call with the
    lines read so far (it is closed before ``outcome`` is called); ``outcome`` gets each file's
    outcome once, in the order of the paths.
    """

    progress: Callable[[str], AbstractContextManager[Tick]] | None = None
    outcome: Callable[[FileOutcome], None] | None = None

    def follow(self, name: str) -> AbstractContextManager[Tick]:
        """The progress display of file ``name``, or a tick that does nothing."""
        return self.progress(name) if self.progress else nullcontext(_no_tick)


def _no_tick(lines: int) -> None:
    """A tick nobody watches."""


@contextmanager
def template_store(database_url: str | None) -> Iterator[TemplateStore]:
    """The library of record (PostgreSQL), or a private in-memory one when no URL is given."""
    if database_url is None:
        yield MemoryTemplateStore()
        return
    store = PgTemplateStore(database_url)
    try:
        yield store
    finally:
        store.close()


def process_files(
    settings: Settings,
    database_url: str | None,
    paths: Sequence[Path],
    fmt: LogFormat,
    mode: Mode,
    hooks: FileHooks | None = None,
    on_engine: Callable[[MiningEngine, Path], None] | None = None,
) -> list[FileOutcome]:
    """Run ``mode`` (pass 1, pass 2 or both) over each file; store what the mode produces.

    One outcome per path, in order; ``on_engine`` runs after each readable file (before its
    ``hooks.outcome``), with the engine still holding that file's library.
    """
    hooks = hooks or FileHooks()
    outcomes = []
    with template_store(database_url) as store, run_drafter(settings) as drafter:
        engine = MiningEngine(
            store,
            settings.mining,
            fmt,
            max_line_bytes=settings.limits.max_line_bytes,
            drafter=drafter,
        )
        conn = connect_sync(database_url, vectors=False) if database_url else None
        try:
            for path in paths:
                outcome = _one_file(engine, conn, path, mode, hooks)
                outcomes.append(outcome)
                if on_engine and outcome.file_id:
                    on_engine(engine, path)
                if hooks.outcome:
                    hooks.outcome(outcome)
        finally:
            if conn is not None:
                conn.close()
    return outcomes


def unreadable_reason(outcome: FileOutcome) -> str | None:
    """Why a file gave nothing to analyse, or None when it gave records: its own error, or no
    line in the log format (an empty file, binary data, text in another format)."""
    if outcome.error:
        return outcome.error
    if outcome.headed > 0:
        return None
    if outcome.lines == 0:
        return "the file is empty"
    return (
        f"none of its {outcome.lines:,} lines is a record in the log_format "
        "(binary data, or text in another format?)"
    )


def _one_file(
    engine: MiningEngine, conn: psycopg.Connection | None, path: Path, mode: Mode, hooks: FileHooks
) -> FileOutcome:
    started = time.monotonic()
    try:
        facts = file_facts(path)
    except InputError as exc:
        return FileOutcome(path=path, file_id=None, error=exc.message)
    new = register_file(conn, facts) if conn else True
    if conn:
        mark_file(conn, facts.file_id, "processing")
    outcome = FileOutcome(path=path, file_id=facts.file_id, new=new)
    with hooks.follow(path.name) as tick:
        if mode == "mine":
            p1, modules, outcome.error = engine.mine(path, tick)
            outcome.lines = p1.lines
            _note_pass1(outcome, p1.templates_added, p1.templates_revised, p1.index_version)
            if conn:
                stats_repo.upsert_modules(conn, modules)
        else:
            run = engine.process(path, tick) if mode == "all" else _count_only(engine, path, tick)
            _note_run(outcome, run)
            if conn:
                _store_run(conn, engine, facts.file_id, run, mode)
    outcome.seconds = time.monotonic() - started
    if conn:
        status = "failed" if outcome.error else "processed"
        mark_file(conn, facts.file_id, status, line_count=outcome.lines, error=outcome.error)
    return outcome


def _count_only(engine: MiningEngine, path: Path, tick: Tick) -> FileRun:

    result, error = engine.count(path, tick)
    return FileRun(
        path=path,
        pass1=Pass1Stats(index_version=engine.holder.active.version),
        pass2=result,
        error=error,
    )


def _note_pass1(outcome: FileOutcome, added: int, revised: int, version: int) -> None:
    outcome.templates_added, outcome.templates_revised, outcome.index_version = (
        added,
        revised,
        version,
    )


def _note_run(outcome: FileOutcome, run: FileRun) -> None:
    outcome.lines, outcome.records = run.pass2.lines, run.pass2.records
    outcome.headed = run.pass2.headed
    outcome.unmatched, outcome.error = run.pass2.unmatched_records, run.error
    _note_pass1(
        outcome, run.pass1.templates_added, run.pass1.templates_revised, run.pass1.index_version
    )


def _store_run(
    conn: psycopg.Connection, engine: MiningEngine, file_id: str, run: FileRun, mode: Mode
) -> None:
    stats_repo.upsert_modules(conn, run.modules)
    run_id = stats_repo.start_run(conn, file_id, "pass2", {"mode": mode, "format": engine.fmt.spec})
    categories = {t.template_id: t.category for t in engine.holder.active.templates}
    stats_repo.replace_statistics(conn, file_id, run_id, run.pass2, categories)
    stats_repo.finish_run(
        conn,
        run_id,
        total_lines=run.pass2.lines,
        records=run.pass2.records,
        unmatched=run.pass2.unmatched_records,
        error=run.error,
    )
