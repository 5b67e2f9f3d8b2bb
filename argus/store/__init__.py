"""PostgreSQL access: connection pool, migrations and repositories (all SQL lives here)."""
