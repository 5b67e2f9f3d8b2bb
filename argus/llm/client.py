"""Build the chat model the settings describe (any OpenAI-compatible server) and find the
circuit breaker of its endpoint."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from argus.config import Settings
from argus.errors import ConfigError
from argus.llm import LOCAL_MODEL_ALIAS
from argus.llm.policy import CircuitBreaker, shared_breaker


def chat_model(settings: Settings, base_url: str | None = None) -> BaseChatModel:
    """ChatOpenAI against ``base_url`` (the local server) or ARGUS_LLM_BASE_URL.

    Retries are off in the client: the one call path (:class:`argus.llm.runtime.LLMRuntime`)
    owns them, so that every attempt is counted against the run's limits.
    """
    from langchain_openai import ChatOpenAI

    url = base_url or settings.llm_base_url
    if not url:
        raise ConfigError("no LLM is configured", hint="set ARGUS_LLM_BASE_URL or ARGUS_LLM=local")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    model = LOCAL_MODEL_ALIAS if base_url and settings.llm_mode == "local" else settings.llm_model
    return ChatOpenAI(
        base_url=url,
        api_key=key,  # type: ignore[arg-type]
        model=model,
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        max_tokens=settings.llm_max_answer_tokens,  # type: ignore[call-arg]
    )


def endpoint_breaker(settings: Settings) -> CircuitBreaker:
    """The process-wide breaker of the configured endpoint (the local server counts as one)."""
    endpoint = "local" if settings.llm_mode == "local" else str(settings.llm_base_url)
    return shared_breaker(endpoint, settings.llm_breaker_failures, settings.llm_breaker_cooldown_s)
