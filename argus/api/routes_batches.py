"""Batch routes: create, list, stream-upload files, complete, retry, status, report."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from argus.api.deps import BatchDep, ConnDep, SettingsDep, StateDep, existing_batch
from argus.api.schemas import BatchCreate, BatchView, UploadResult, errors
from argus.api.schemas_batch_list import BatchListQuery, BatchPageView, BatchSummary
from argus.api.uploads import staged_upload, upload_path, upload_slot
from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus
from argus.errors import ConflictError, NotFoundError
from argus.metrics import BATCHES, UPLOADED_BYTES
from argus.report import Report
from argus.store import batch_list, batches
from argus.store.batch_list import cursor_of
from argus.store.batches import CompleteOutcome, RetryOutcome

router = APIRouter(prefix="/api/v1/batches", tags=["batches"], responses=errors(401))


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(413))
async def create_batch(body: BatchCreate, conn: ConnDep) -> BatchView:
    """Open a batch; upload its files, then complete it (422 for a log_format that does not
    compile, with the reason)."""
    labels = {**body.labels, **({"log_format": body.log_format} if body.log_format else {})}
    batch_id = await batches.create_batch(conn, body.source, labels, BatchStatus.PENDING)
    BATCHES.labels(BatchStatus.PENDING).inc()
    return _view(await existing_batch(conn, batch_id))


@router.get("")
async def list_batches(query: Annotated[BatchListQuery, Query()], conn: ConnDep) -> BatchPageView:
    """Batches, newest first, filtered by state (any of), source and labels (all of); one page
    at a time: pass ``next_cursor`` back as ``cursor`` for the next (422 for a filter, size or
    cursor the schema does not allow, naming it)."""
    page = await batch_list.list_batches(
        conn, query.batch_filter(), limit=query.limit, after=query.after()
    )
    last = batch_list.position_of(page.rows[-1]) if page.more else None
    return BatchPageView(
        batches=[BatchSummary.model_validate(row, from_attributes=True) for row in page.rows],
        limit=query.limit,
        next_cursor=cursor_of(last) if last else None,
    )


@router.put(
    "/{batch_id}/files/{name}",
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 404, 409, 413),
)
async def upload_file(
    batch: BatchDep, name: str, request: Request, conn: ConnDep, settings: SettingsDep
) -> UploadResult:
    """Stream one file (plain or gzip) as the raw request body; it is never held in memory.

    201 means the file is recorded and will be parsed: 409 when the batch is no longer pending
    (checked again, under the batch's row lock, once the body is in) or while another upload
    of the same name is streaming; 413 past the upload cap; 400 for a name that is not
    path-safe. The stored file is always exactly one whole body."""
    batch_id = batch.batch_id
    _require_pending(batch.status)
    target = upload_path(settings.home, batch_id, name)
    cap = settings.limits.max_upload_bytes
    async with (
        upload_slot(conn, batch_id, name),
        staged_upload(request.stream(), target, cap) as staged,
    ):
        seen = await batches.register_upload(
            conn, batch_id, name, str(target), staged.size, place=staged.place
        )
    if seen is None:
        raise NotFoundError(f"no batch {batch_id}")
    _require_pending(seen)
    UPLOADED_BYTES.inc(staged.size)
    return UploadResult(name=name, size_bytes=staged.size)


def _require_pending(batch_status: BatchStatus) -> None:
    """ConflictError (409) unless the batch still takes files."""
    if batch_status is not BatchStatus.PENDING:
        raise ConflictError(f"batch is {batch_status}, not pending: it takes no more files")


@router.post(
    "/{batch_id}/complete", status_code=status.HTTP_202_ACCEPTED, responses=errors(404, 409)
)
async def complete_batch(batch_id: uuid.UUID, conn: ConnDep) -> BatchView:
    """Close the upload: the batch goes to the parse and diagnose workers. 202 means its event
    is durable (written with the state change; published as soon as the broker takes it)."""
    match await batches.complete(conn, batch_id):
        case CompleteOutcome.MISSING:
            raise NotFoundError(f"no batch {batch_id}")
        case CompleteOutcome.NO_FILES:
            raise ConflictError("the batch has no files")
        case CompleteOutcome.QUEUED:
            BATCHES.labels(BatchStatus.UPLOADED).inc()
        case CompleteOutcome.ALREADY:
            pass  # completed before: answered with where it stands now
    return _view(await existing_batch(conn, batch_id))


@router.post("/{batch_id}/retry", status_code=status.HTTP_202_ACCEPTED, responses=errors(404, 409))
async def retry_batch(batch_id: uuid.UUID, conn: ConnDep) -> BatchView:
    """Send a failed batch through the pipeline again (its failed files are parsed again);
    409 when the batch has not failed."""
    match await batches.retry(conn, batch_id):
        case RetryOutcome.MISSING:
            raise NotFoundError(f"no batch {batch_id}")
        case RetryOutcome.NOT_FAILED:
            found = await existing_batch(conn, batch_id)
            raise ConflictError(f"batch is {found.status}: only a failed batch is retried")
        case RetryOutcome.QUEUED:
            BATCHES.labels(BatchStatus.UPLOADED).inc()
    return _view(await existing_batch(conn, batch_id))


@router.get("/{batch_id}", responses=errors(404))
async def get_batch(batch: BatchDep) -> BatchView:
    """Status of a batch and of each of its files."""
    return _view(batch)


def _view(batch: BatchRecord) -> BatchView:
    """The API's view of a batch with its files."""
    return BatchView.model_validate(batch, from_attributes=True)


@router.get("/{batch_id}/report", responses=errors(404))
async def get_report(batch_id: uuid.UUID, state: StateDep) -> Report:
    """The diagnosis report (404 until the batch is diagnosed)."""
    report = await state.reports.get(batch_id)
    if report is None:
        raise NotFoundError(f"batch {batch_id} has no report yet")
    return report
