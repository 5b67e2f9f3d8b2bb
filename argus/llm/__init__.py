"""Shared LLM plumbing: the chat model from settings, retry and circuit-breaker policies, usage."""
