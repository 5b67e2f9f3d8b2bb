"""``python -m argus`` runs the command line."""

from argus.cli import app

app()
