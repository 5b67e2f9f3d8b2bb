"""Request and response bodies of the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator


class BatchCreate(BaseModel):
    """A new batch."""

    source: str = Field(min_length=1, max_length=200, description="device, service or site")
    labels: dict[str, str] = Field(default_factory=dict, description="platform, firmware, ...")
    log_format: str | None = Field(None, max_length=500, description="logpai log_format")

    @field_validator("source", "log_format")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("labels")
    @classmethod
    def _clean_labels(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 50:
            raise ValueError("at most 50 labels")
        for key, text in value.items():
            if "\x00" in key or "\x00" in text or len(key) > 100 or len(text) > 500:
                raise ValueError("labels: keys up to 100 and values up to 500 characters, no NUL")
        return value


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
