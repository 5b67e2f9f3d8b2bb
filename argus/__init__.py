"""Argus: diagnoses failures from logs with a graph of LLM agents."""

__version__ = "0.1.0"
