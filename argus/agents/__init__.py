"""The agents: one module each, with an LLM path and a rule-based path."""
