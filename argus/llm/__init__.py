"""The one LLM path: the chat model from settings, usage and limits, the guarded call (typed
faults, time budget, Retry-After, retries, per-endpoint circuit breakers), the runtime the agents,
the chat and the drafter call through, strict JSON answers, data fences."""

#: The model name the local llama.cpp server answers to (``ARGUS_LLM=local``).
LOCAL_MODEL_ALIAS = "smollm2"
