"""A database of its own for the description tests, holding the statistics of the shop
example (real mined templates of gateway, payment and the others)."""

from __future__ import annotations

import pytest

from argus.config import Settings
from argus.ingest.formats import LogFormat
from argus.pipeline.process import process_files
from tests.conftest import EXAMPLES, migrated_database

EXAMPLE = EXAMPLES / "shop" / "payment-db-pool.log.gz"


@pytest.fixture(scope="module")
async def shop_db(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database with the shop example mined and counted (both passes)."""
    url = await migrated_database(pg_url, "argus_describe")
    settings = Settings(home=tmp_path_factory.mktemp("describe-home"), llm="none")
    outcome = process_files(settings, url, [EXAMPLE], LogFormat.parse(None), "all")[0]
    assert outcome.records == 20_000
    return url
