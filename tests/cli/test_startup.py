"""Start-up stays fast: loading the command line imports none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

#: What a command pays for only when it runs (each takes from 0.1 s to seconds to import).
HEAVY = (
    "torch",
    "sentence_transformers",
    "langchain_core",
    "langgraph",
    "polars",
    "fastapi",
    "uvicorn",
    "psycopg",
    "pydantic",
    "numpy",
    "argus.config",
)


def _loaded_after(code: str) -> set[str]:
    """The HEAVY modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(json.loads(out.splitlines()[-1])) & set(HEAVY)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import argus.cli") == set()


def test_help_loads_no_heavy_library() -> None:
    code = (
        "from typer.testing import CliRunner\nfrom argus.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\nassert result.exit_code == 0"
    )
    assert _loaded_after(code) == set()
