"""The pass-1 re-run in the served diagnosis: stored misses re-fed, the batch counted again.

The library of record learns the baseline; the batch is only counted (``stats``), so pass 2
stores its misses without re-feeding them. The diagnosis' template_mining asks pass 1 to run
again: the stored key texts grow the library, the batch's file is counted again (its stored
statistics replaced) and the report tells it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from argus.config import Settings
from argus.ingest.formats import LogFormat
from argus.pipeline.diagnose import BatchRequest, diagnose_files
from argus.pipeline.process import process_files
from argus.pipeline.stored_analysis import StoredBatch, analyse_stored
from argus.store.batch_stats import StoredFile
from tests.conftest import migrated_database
from tests.graph.remine_logs import write_log

pytestmark = pytest.mark.integration


def _unmatched_lines(url: str, file_id: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT unmatched_lines FROM run_session WHERE file_id = %s"
            " ORDER BY run_id DESC LIMIT 1",
            (file_id,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_the_served_diagnosis_reruns_pass_1_on_the_stored_misses(
    pg_url: str, settings: Settings, tmp_path: Path
) -> None:
    url = await migrated_database(pg_url, "remine_served")
    fmt = LogFormat.parse(None)
    baseline = write_log(tmp_path / "quiet.log.gz", 3_000, seed=1)
    batch = write_log(tmp_path / "failing.log.gz", 3_000, seed=2, failing_share=0.4)
    await asyncio.to_thread(process_files, settings, url, [baseline], fmt, "all")
    files = await asyncio.to_thread(process_files, settings, url, [batch], fmt, "stats")
    file_id = files[0].file_id
    assert file_id is not None and files[0].unmatched > 0.3 * files[0].records

    request = BatchRequest(paths=[batch], baseline=[baseline], source="remine-test")
    result = await diagnose_files(settings, url, request, files)

    report = result.report
    assert "Pass 1 re-run: unmatched 4" in report.summary and "-> 0%" in report.summary
    assert report.incident and report.root_cause.module == "db"
    assert _unmatched_lines(url, file_id) == 0  # the file's statistics were replaced
    stored = StoredBatch(
        files=[StoredFile(file_id=file_id, path=batch)], source="remine-test", log_format=fmt
    )
    _, again = await asyncio.to_thread(analyse_stored, settings, url, stored)
    assert again.unmatched == 0 and again.digest.lines == 3_000
