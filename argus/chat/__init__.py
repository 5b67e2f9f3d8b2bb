"""Chat investigation of one batch: tools over its statistics, an agent graph, thread history.

A question is answered by a tool-calling LLM agent when one is configured and within the run's
limits, and otherwise (or when the LLM fails) by the rule-based path, which picks tools from the
question's keywords and composes the answer itself. Threads live in PostgreSQL through
langgraph-checkpoint-postgres, so a follow-up sees the earlier turns on either path.
"""
