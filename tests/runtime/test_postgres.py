"""The embedded PostgreSQL is shared, not duplicated, by a second process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration

CHILD = """
import sys, psycopg
from pathlib import Path
from argus.runtime.postgres import EmbeddedPostgres
pg = EmbeddedPostgres(Path(sys.argv[1]))
url = pg.start()
with psycopg.connect(url) as conn:
    print(conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0].isoformat())
pg.stop()
"""


def test_second_process_attaches_to_the_running_server(pg_url: str, argus_home: Path) -> None:
    with psycopg.connect(pg_url) as conn:
        started = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
    assert started is not None
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(argus_home / "pgdata")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # Same postmaster (no second server on the same data), and still running after the child.
    assert out.stdout.strip() == started[0].isoformat()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
