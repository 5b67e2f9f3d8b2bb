"""The web console: server-rendered pages (Jinja2 + htmx) over the same store the API reads,
served by ``argus serve`` under ``/`` behind the same keys (a sign-in page buys a session)."""
