"""Eval harness: case loading, scoring, reports and the ``argus eval`` command."""
