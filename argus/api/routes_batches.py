"""Batch routes: create, stream-upload files, complete, status, report."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from argus.api.deps import ConnDep, SettingsDep
from argus.api.metrics import BATCHES, UPLOADED_BYTES
from argus.api.schemas import BatchCreate, BatchView, UploadResult, errors
from argus.api.uploads import safe_name, store_stream, upload_path
from argus.errors import InputError
from argus.store import batches

router = APIRouter(prefix="/api/v1/batches", tags=["batches"], responses=errors(401))


async def existing_batch(conn: Any, batch_id: uuid.UUID) -> dict[str, Any]:
    """The batch row with its files; 404 when there is none."""
    found = await batches.get_batch(conn, batch_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no batch {batch_id}")
    return found


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_batch(body: BatchCreate, conn: ConnDep) -> BatchView:
    """Open a batch; upload its files, then complete it."""
    labels = {**body.labels, **({"log_format": body.log_format} if body.log_format else {})}
    batch_id = await batches.create_batch(conn, body.source, labels, "pending")
    BATCHES.labels("pending").inc()
    return BatchView.model_validate(await existing_batch(conn, batch_id))


@router.put(
    "/{batch_id}/files/{name}", status_code=status.HTTP_201_CREATED,
    responses=errors(400, 404, 409, 413),
)  # fmt: skip
async def upload_file(
    batch_id: uuid.UUID, name: str, request: Request, conn: ConnDep, settings: SettingsDep
) -> UploadResult:
    """Stream one file (plain or gzip) as the raw request body; it is never held in memory."""
    batch = await existing_batch(conn, batch_id)
    if batch["status"] != "pending":
        raise HTTPException(status.HTTP_409_CONFLICT, f"batch is {batch['status']}, not pending")
    try:
        target = upload_path(settings.home, batch_id, safe_name(name))
        size = await store_stream(request.stream(), target, settings.limits.max_upload_bytes)
    except InputError as exc:
        code = 413 if "larger than" in exc.message else 400
        raise HTTPException(
            code, f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        ) from exc
    await batches.register_upload(conn, batch_id, name, str(target), size)
    UPLOADED_BYTES.inc(size)
    return UploadResult(name=name, size_bytes=size)


@router.post(
    "/{batch_id}/complete", status_code=status.HTTP_202_ACCEPTED, responses=errors(404, 409)
)
async def complete_batch(batch_id: uuid.UUID, request: Request, conn: ConnDep) -> BatchView:
    """Close the upload: the batch goes to the parse and diagnose workers."""
    batch = await existing_batch(conn, batch_id)
    if not batch["files"]:
        raise HTTPException(status.HTTP_409_CONFLICT, "the batch has no files")
    if batch["status"] == "pending":
        await batches.set_status(conn, batch_id, "uploaded")
        event = json.dumps({"batch_id": str(batch_id)}).encode()
        await request.app.state.producer.send_and_wait(
            "argus.batches", event, key=str(batch_id).encode()
        )
        BATCHES.labels("uploaded").inc()
    return BatchView.model_validate(await existing_batch(conn, batch_id))


@router.get("/{batch_id}", responses=errors(404))
async def get_batch(batch_id: uuid.UUID, conn: ConnDep) -> BatchView:
    """Status of a batch and of each of its files."""
    return BatchView.model_validate(await existing_batch(conn, batch_id))


@router.get("/{batch_id}/report", responses=errors(404))
async def get_report(batch_id: uuid.UUID, request: Request) -> dict[str, Any]:
    """The diagnosis report (404 until the batch is diagnosed)."""
    report = await request.app.state.reports.get(batch_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"batch {batch_id} has no report yet")
    return dict(report)
