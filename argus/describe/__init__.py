"""Module and submodule descriptions (seed 000's "third program"): drafted from the statistics
by an LLM when one is configured, else from the most frequent templates and levels, for a person
to approve (argus.store.descriptions keeps them)."""
