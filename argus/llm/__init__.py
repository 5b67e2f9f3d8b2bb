"""Shared LLM plumbing: the chat model from settings, the one guarded call (typed faults, time
budget, Retry-After, retries, per-endpoint circuit breakers), strict JSON answers, data fences."""

#: The model name the local llama.cpp server answers to (``ARGUS_LLM=local``).
LOCAL_MODEL_ALIAS = "smollm2"
