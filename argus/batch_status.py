"""The named states of a batch and of each of its files (DESIGN.md §7), as PostgreSQL stores them.

A batch moves ``pending`` (takes files) → ``uploaded`` (its parse event is queued) →
``parsing`` (claimed by a parse worker) → ``parsed`` (its statistics are stored; its diagnose
event is queued) → ``diagnosing`` (claimed by a diagnose worker) → ``diagnosed``; any stage may
end it ``failed`` (with a reason; an explicit retry sends it back to ``uploaded``).

The members are ``StrEnum``: each one *is* the string the database holds (the ``CHECK``
constraints of ``batch.status`` and ``batch_file.status`` list exactly these values), so a member
is written, compared and used as a metrics label as it is. Standard library only: this module
sits at the bottom of the layers and is cheap to import.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class BatchStatus(StrEnum):
    """Where a batch stands (``batch.status``)."""

    PENDING = "pending"  #: open: files are being uploaded
    UPLOADED = "uploaded"  #: upload closed; waits for a parse worker
    PARSING = "parsing"  #: claimed by a parse worker
    PARSED = "parsed"  #: statistics stored; waits for a diagnose worker
    DIAGNOSING = "diagnosing"  #: claimed by a diagnose worker
    DIAGNOSED = "diagnosed"  #: its one diagnosis is stored
    FAILED = "failed"  #: stopped, with a failure reason; only an explicit retry resumes it


@unique
class FileStatus(StrEnum):
    """Where one file of a batch stands (``batch_file.status``)."""

    UPLOADED = "uploaded"  #: on disk, not parsed yet
    PARSING = "parsing"  #: being parsed
    PARSED = "parsed"  #: its statistics are stored
    FAILED = "failed"  #: unreadable, with its reason


#: Batch states that wait for (or are held by) a stage: the sweep announces them again.
IN_FLIGHT: frozenset[BatchStatus] = frozenset(
    {BatchStatus.UPLOADED, BatchStatus.PARSING, BatchStatus.PARSED, BatchStatus.DIAGNOSING}
)
#: File states whose parse is not finished.
UNFINISHED_FILES: frozenset[FileStatus] = frozenset({FileStatus.UPLOADED, FileStatus.PARSING})
