"""Request and response bodies of the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class BatchCreate(BaseModel):
    """A new batch."""

    source: str = Field(min_length=1, max_length=200, description="device, service or site")
    labels: dict[str, str] = Field(default_factory=dict, description="platform, firmware, ...")
    log_format: str | None = Field(None, max_length=500, description="logpai log_format")


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
