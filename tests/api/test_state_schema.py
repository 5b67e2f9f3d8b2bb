"""The API's OpenAPI schema names the states: a batch's and a file's status list exactly the
enums' values (no server needed: the schema is built from the routes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from argus.batch_status import BatchStatus, FileStatus
from argus.config import Settings
from argus.runtime.services import Services
from argus.service.app import create_app


def _spec(tmp_path: Path) -> dict[str, Any]:
    settings = Settings(home=tmp_path, api_keys=[SecretStr("k")], llm="none")
    services = Services.at("postgresql://unused", "unused:9092")
    return create_app(settings, services, workers=0).openapi()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return dict(spec["components"]["schemas"][ref.rsplit("/", 1)[-1]])


def test_the_schema_lists_exactly_the_states(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    schemas = spec["components"]["schemas"]
    batch = _resolve(spec, schemas["BatchView"]["properties"]["status"])
    file = _resolve(spec, schemas["BatchFile"]["properties"]["status"])
    assert batch["enum"] == [s.value for s in BatchStatus]
    assert file["enum"] == [s.value for s in FileStatus]
    assert "status" in schemas["BatchView"]["required"]


def test_every_route_answering_a_batch_uses_the_view(tmp_path: Path) -> None:
    """Create, complete, retry and status answer with BatchView: the states above reach them."""
    spec = _spec(tmp_path)
    view = "#/components/schemas/BatchView"
    answers = {
        (method, path): next(iter(op["responses"][code]["content"].values()))["schema"]
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        for code in op["responses"]
        if code.startswith("2") and "content" in op["responses"][code]
    }
    assert answers[("post", "/api/v1/batches")] == {"$ref": view}
    assert answers[("get", "/api/v1/batches/{batch_id}")] == {"$ref": view}
    assert answers[("post", "/api/v1/batches/{batch_id}/complete")] == {"$ref": view}
    assert answers[("post", "/api/v1/batches/{batch_id}/retry")] == {"$ref": view}
