"""Benchmarks. Run ``python -m bench [NAME...]`` (``make bench``); figures go to RESULTS.md."""
