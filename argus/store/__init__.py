"""PostgreSQL access: connect() and the pool, migrations and repositories (all SQL lives here)."""
