"""The service on real embedded PostgreSQL and Kafka, served over HTTP for a test module."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from argus.config import Settings
from argus.runtime.kafka import free_port
from argus.runtime.services import Services
from argus.service.app import create_app

AUTH = {"Authorization": "Bearer k"}


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in this event loop; yield its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
def base_url(
    db_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API (no workers) on a free loopback port; the bearer key is ``k``."""
    configured = Settings(
        home=tmp_path_factory.mktemp("api-home"), api_keys=[SecretStr("k")], llm="none"
    )
    port = free_port()
    app = create_app(configured, Services.at(db_url, kafka_bootstrap), workers=0)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
