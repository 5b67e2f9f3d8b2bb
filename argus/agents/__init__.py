"""The diagnosis state and context, and the agents: one module each, with an LLM path and a
rule-based path."""
