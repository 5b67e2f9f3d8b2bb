"""The typed rows of a batch and of its files, as the store reads them (``batch`` and
``batch_file``) and every layer above passes them on.

One row type per view of a batch: :class:`BatchRow` (its own columns) is shared by
:class:`BatchRecord` (with its files: ``store.batches.get_batch``) and :class:`ListedBatch`
(with its elapsed time: ``store.batch_list.list_batches``). They sit with the states at the
bottom of the layers because the contracts above (the chat port) name them; standard library
only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from argus.batch_status import BatchStatus, FileStatus


@dataclass(frozen=True, kw_only=True)
class BatchFile:
    """One file of a batch (a ``batch_file`` row)."""

    name: str  #: the file's name in the batch (unique per batch)
    file_id: str | None  #: sha256 of its content once parsed (file_registry); None before
    path: str | None  #: where the upload was stored; None for a file never uploaded
    size_bytes: int | None  #: the uploaded size; None for a file never uploaded
    status: FileStatus  #: where the file stands
    error: str | None  #: why it failed (status "failed"), else None
    records: int | None  #: readable records the parse gave; None until parsed


@dataclass(frozen=True, kw_only=True)
class BatchRow:
    """A batch: where it stands and when (a ``batch`` row)."""

    batch_id: uuid.UUID  #: the batch's id
    source: str  #: device, service or site the logs come from
    labels: Mapping[str, str]  #: platform, firmware, ..., and ``log_format`` when one was given
    status: BatchStatus  #: where the batch stands
    failure_reason: str | None  #: why it failed (status "failed"), else None
    file_count: int  #: how many files it has
    created_at: datetime  #: when it was opened
    updated_at: datetime  #: its last change (a live claim renews it)
    diagnosed_at: datetime | None  #: when its diagnosis was stored; None before


@dataclass(frozen=True, kw_only=True)
class BatchRecord(BatchRow):
    """A batch with its files (``store.batches.get_batch``)."""

    files: tuple[BatchFile, ...]  #: its files, by name


@dataclass(frozen=True, kw_only=True)
class ListedBatch(BatchRow):
    """A batch of a list (``store.batch_list.list_batches``), without its files."""

    #: seconds from creation to its end (diagnosed, or the last change of a failed batch),
    #: or to now while it is under way; never negative
    elapsed_s: float
