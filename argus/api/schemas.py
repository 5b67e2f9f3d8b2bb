"""Request and response bodies of the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

#: No NUL characters (PostgreSQL text cannot hold them); stated in the schema, so clients know.
_NO_NUL = r"^[^\x00]*$"
Source = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_NUL)]
LabelKey = Annotated[str, StringConstraints(max_length=100, pattern=_NO_NUL)]
LabelValue = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]
LogFormatText = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]


def _labels_schema(schema: dict[str, Any]) -> None:
    """State the key rules as ``propertyNames`` (pydantic would emit ``patternProperties``,
    which leaves keys that break the pattern unconstrained)."""
    schema.pop("patternProperties", None)
    schema["propertyNames"] = {"maxLength": 100, "pattern": _NO_NUL}
    schema["additionalProperties"] = {"type": "string", "maxLength": 500, "pattern": _NO_NUL}


class BatchCreate(BaseModel):
    """A new batch."""

    source: Source = Field(description="device, service or site")
    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        max_length=50,
        description="platform, firmware, ...",
        json_schema_extra=_labels_schema,
    )
    log_format: LogFormatText | None = Field(None, description="logpai log_format")


class BatchFile(BaseModel):
    """One file of a batch."""

    name: str
    file_id: str | None = None
    size_bytes: int | None = None
    status: str
    error: str | None = None


class BatchView(BaseModel):
    """A batch and where it stands."""

    batch_id: uuid.UUID
    source: str
    labels: dict[str, Any]
    status: str
    failure_reason: str | None = None
    file_count: int
    files: list[BatchFile] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime
    diagnosed_at: datetime | None = None


class UploadResult(BaseModel):
    """An accepted upload."""

    name: str
    size_bytes: int


class ErrorBody(BaseModel):
    """Why a request was refused."""

    detail: str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals a route may answer with."""
    return {code: {"model": ErrorBody, "description": _REFUSALS[code]} for code in codes}


_REFUSALS = {
    400: "the upload is not acceptable (the reason says why)",
    401: "missing or wrong bearer key",
    404: "no such batch (or no report yet)",
    409: "the batch is not in a state that allows this",
    413: "the upload is larger than the configured cap",
}
