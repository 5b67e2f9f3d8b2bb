"""Migrations against the real embedded PostgreSQL: complete, repeatable, tamper-evident."""

from __future__ import annotations

import psycopg
import pytest

from argus.errors import DatabaseUnavailable, MigrationError
from argus.store.migrate import Migration, apply_migrations, bundled_migrations

pytestmark = pytest.mark.integration

TABLES = {
    "file_registry",
    "run_session",
    "module",
    "submodule",
    "regex_template",
    "template_history",
    "unmatched_log",
    "log_match_summary",
    "key_time_bucket",
    "batch",
    "batch_file",
    "diagnosis",
    "knowledge_base",
}


async def _schema(url: str) -> list[tuple[object, ...]]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        columns = await cur.fetchall()
        cur = await conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        )
        return [*columns, *await cur.fetchall()]


async def test_migrations_apply_twice_without_change(fresh_db: str) -> None:
    first = await apply_migrations(fresh_db)
    assert first == [m.version for m in bundled_migrations()]
    before = await _schema(fresh_db)
    assert await apply_migrations(fresh_db) == []
    assert await _schema(fresh_db) == before
    tables = {row[0] for row in before if len(row) == 4}
    assert tables >= TABLES


async def test_embedding_columns_have_hnsw_and_knowledge_has_gin(fresh_db: str) -> None:
    await apply_migrations(fresh_db)
    indexes = {name: ddl for name, ddl, *_ in [r for r in await _schema(fresh_db) if len(r) == 2]}
    assert "hnsw (embedding vector_cosine_ops)" in indexes["knowledge_base_embedding_hnsw"]
    assert "hnsw (embedding vector_cosine_ops)" in indexes["diagnosis_embedding_hnsw"]
    assert "gin (tsv)" in indexes["knowledge_base_tsv_gin"]


async def test_edited_applied_migration_is_refused(fresh_db: str) -> None:
    await apply_migrations(fresh_db)
    original = bundled_migrations()[0]
    edited = Migration(
        version=original.version, name=original.name, sql=original.sql + "\n-- edited\n"
    )
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await apply_migrations(fresh_db, [edited])


async def test_failing_migration_leaves_nothing_behind(fresh_db: str) -> None:
    await apply_migrations(fresh_db)
    broken = Migration(
        version=9999, name="broken", sql="CREATE TABLE half_done (x int); SELECT no_such_fn();"
    )
    with pytest.raises(MigrationError, match="9999_broken failed"):
        await apply_migrations(fresh_db, [broken])
    async with await psycopg.AsyncConnection.connect(fresh_db) as conn:
        cur = await conn.execute(
            "SELECT to_regclass('half_done'), max(version) FROM schema_migrations"
        )
        assert await cur.fetchone() == (None, bundled_migrations()[-1].version)


async def test_unreachable_database_is_a_typed_error() -> None:
    with pytest.raises(DatabaseUnavailable, match="cannot connect"):
        await apply_migrations("postgresql://argus@127.0.0.1:1/argus?connect_timeout=2")


async def test_a_gap_in_numbers_is_applied_and_a_late_lower_number_after_it(
    fresh_db: str,
) -> None:
    bundled = bundled_migrations()
    without_five = [m for m in bundled if m.version != 5]  # 0005 comes from another branch
    await apply_migrations(fresh_db, without_five)
    late = Migration(version=5, name="late", sql="CREATE TABLE late_five (x int)")
    every = sorted([*without_five, late], key=lambda m: m.version)
    assert await apply_migrations(fresh_db, every) == [5]
