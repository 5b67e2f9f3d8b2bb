"""Request and response bodies of the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import polars as pl
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from argus.batch_status import BatchStatus, FileStatus
from argus.errors import FormatError
from argus.ingest.formats import LogFormat


def storable_text(text: str) -> str:
    """``text`` when PostgreSQL can store it: encodable as UTF-8. JSON's ``\\ud800`` escapes
    decode to lone surrogates, which no UTF-8 text can hold; they are refused here (422)
    instead of failing in the database driver (500)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (no lone surrogate code points)") from exc
    return text


#: Text that can be stored (see ``storable_text``): add to every client string of a body.
Storable = AfterValidator(storable_text)
#: No NUL characters (PostgreSQL text cannot hold them); stated in the schema, so clients know.
NO_NUL = r"^[^\x00]*$"
Source = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL), Storable]
LabelKey = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL), Storable]
LabelValue = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL), Storable]
LogFormatText = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL), Storable]


def _labels_schema(schema: dict[str, Any]) -> None:
    """State the key rules as ``propertyNames`` (pydantic would emit ``patternProperties``,
    which leaves keys that break the pattern unconstrained)."""
    schema.pop("patternProperties", None)
    schema["propertyNames"] = {"maxLength": 100, "pattern": NO_NUL}
    schema["additionalProperties"] = {"type": "string", "maxLength": 500, "pattern": NO_NUL}


class BatchCreate(BaseModel):
    """A new batch."""

    source: Source = Field(description="device, service or site")
    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        max_length=50,
        description="platform, firmware, ...",
        json_schema_extra=_labels_schema,
    )
    log_format: LogFormatText | None = Field(
        None,
        description="logpai log_format that compiles (unique plain field names, one of them"
        " <Content>), or a named format: bracket, raw; refused with 422 otherwise",
    )

    @field_validator("log_format")
    @classmethod
    def _compiles(cls, spec: str | None) -> str | None:
        """A log_format is refused at creation (422, with the reason) unless the parse stage
        can use it: it compiles, and polars' regex engine takes it (no look-around)."""
        if spec:
            check_log_format(spec)
        return spec


def check_log_format(spec: str) -> None:
    """ValueError saying why, unless ``spec`` compiles and splits lines as the parse stage
    does (both the fast and the exact regex go through polars on two trial lines)."""
    try:
        LogFormat.parse(spec).parse_frame(pl.Series(["", "x"], dtype=pl.String))
    except FormatError as exc:
        raise ValueError(exc.message) from exc
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).strip().splitlines()[-1].removeprefix("error: ")
        raise ValueError(f"log_format is not a pattern the parser can use ({reason})") from exc


class BatchFile(BaseModel):
    """One file of a batch."""

    name: str
    file_id: str | None = None
    size_bytes: int | None = None
    status: FileStatus
    error: str | None = None


class BatchFacts(BaseModel):
    """What every view of a batch says of it: where it stands and when."""

    batch_id: uuid.UUID
    source: str
    labels: dict[str, Any]
    status: BatchStatus
    failure_reason: str | None = None
    file_count: int
    created_at: datetime
    updated_at: datetime
    diagnosed_at: datetime | None = None


class BatchView(BatchFacts):
    """A batch, where it stands, and its files."""

    files: list[BatchFile] = Field(default_factory=list)


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
    400: "the upload or entry is not acceptable (the reason says why)",
    401: "missing or wrong bearer key",
    404: "no such batch, knowledge entry, description or eval run (or no report yet)",
    409: "the batch or description is not in a state that allows this, or the source id is taken",
    413: "the request body is larger than the configured cap",
}
