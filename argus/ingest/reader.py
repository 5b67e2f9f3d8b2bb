"""Streaming reader for plain and gzip log files, in large chunks of decoded lines.

Files are never held whole in memory. Bytes that are not UTF-8 are replaced (U+FFFD), NUL bytes
dropped, and lines longer than ``max_line_bytes`` truncated, so that no line can stall the
pipeline. A corrupt or truncated gzip stream yields every line read before the damage and then
raises :class:`CorruptInputError` saying where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import polars as pl
from isal import isal_zlib

from argus.errors import CorruptInputError, InputError

#: isal's stubs type its error as an instance; it is the exception class.
_InflateError = cast("type[Exception]", isal_zlib.error)
GZIP_MAGIC = b"\x1f\x8b"
BLOCK_BYTES = 1 << 22  # compressed; about 30 MB of text, which vectorised work wants
TRUNCATED_MARK = " …[truncated]"


@dataclass(frozen=True, kw_only=True)
class FileFacts:
    """What is known about a file before it is parsed."""

    path: Path  #: where it was read from
    file_id: str  #: sha256 of its bytes as stored (compressed or not)
    size_bytes: int  #: size on disk
    compressed: bool  #: True when it is a gzip stream


def file_facts(path: Path) -> FileFacts:
    """Hash and size a file in one streaming pass; raise InputError when it cannot be read."""
    try:
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as fh:
            head = fh.read(2)
            digest.update(head)
            size += len(head)
            while block := fh.read(BLOCK_BYTES):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return FileFacts(
        path=path, file_id=digest.hexdigest(), size_bytes=size, compressed=head == GZIP_MAGIC
    )


def _decompressed(raw: BinaryIO) -> Iterator[bytes]:
    """Inflate a gzip stream (members may be concatenated) block by block.

    The inflater (ISA-L, zlib-compatible) hands back every byte it could inflate before it
    meets damage, so the lines before a corrupt or truncated spot are never lost.
    """
    inflater, fed = isal_zlib.decompressobj(wbits=31), False
    while block := raw.read(BLOCK_BYTES):
        while block:
            if inflater.eof:  # the previous member is complete and another one follows
                inflater, fed = isal_zlib.decompressobj(wbits=31), False
            out = inflater.decompress(block)
            fed = True
            if out:
                yield out
            block = inflater.unused_data if inflater.eof else b""
    if fed and not inflater.eof:
        raise EOFError("the stream ends before the gzip end marker")


def iter_blocks(path: Path) -> Iterator[bytes]:
    """Yield the decompressed bytes of ``path`` in blocks; CorruptInputError on a bad stream."""
    done = 0
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            blocks = _decompressed(raw) if compressed else iter(lambda: raw.read(BLOCK_BYTES), b"")
            for block in blocks:
                done += len(block)
                if block:
                    yield block
    except (EOFError, _InflateError, OSError) as exc:
        raise CorruptInputError(
            f"{path.name}: the gzip stream is corrupt or truncated after {done:,} bytes ({exc})"
        ) from exc


def decode_lines(data: bytes, max_line_bytes: int) -> pl.Series:
    """Decode complete lines (``data`` without its final newline) into a Series, vectorised.

    Invalid UTF-8 is replaced (U+FFFD), NUL bytes are dropped, a trailing CR is removed and a
    line longer than ``max_line_bytes`` is cut there and marked.
    """
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    # With NUL gone, a CSV reader splitting on NUL sees one field per line: polars then cuts
    # and decodes the lines in parallel, several times faster than splitting a str.
    frame = pl.read_csv(
        data + b"\n",
        has_header=False,
        separator="\x00",
        quote_char=None,
        comment_prefix=None,
        new_columns=["raw"],
        infer_schema=False,
        encoding="utf8-lossy",
        raise_if_empty=False,
    )
    lines = frame.to_series().fill_null("")
    too_long = lines.str.len_bytes() > max_line_bytes
    if too_long.any():
        cut = lines.str.slice(0, max_line_bytes) + TRUNCATED_MARK
        lines = pl.select(pl.when(too_long).then(cut).otherwise(lines)).to_series()
    return lines.alias("raw")


def iter_line_series(path: Path, max_line_bytes: int = 64 * 1024) -> Iterator[pl.Series]:
    """Yield the lines of ``path`` (gz or plain) as Series, one per decompressed block.

    A damaged stream yields every complete line read before the damage, then raises
    CorruptInputError.
    """
    splitter = _LineSplitter(max_line_bytes)
    damage: CorruptInputError | None = None
    blocks = iter_blocks(path)
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            break
        except CorruptInputError as exc:
            damage = exc  # keep what was read before the damage, then report it
            break
        complete = splitter.feed(block)
        if complete is not None:
            yield decode_lines(complete, max_line_bytes)
    tail = splitter.close()
    if tail is not None:
        yield decode_lines(tail, max_line_bytes)
    if damage is not None:
        raise damage


def iter_line_chunks(
    path: Path, chunk_lines: int = 10_000, max_line_bytes: int = 64 * 1024
) -> Iterator[list[str]]:
    """Yield the lines of ``path`` (gz or plain) in lists of up to ``chunk_lines``."""
    chunk: list[str] = []
    try:
        for series in iter_line_series(path, max_line_bytes):
            chunk.extend(series.to_list())
            while len(chunk) >= chunk_lines:
                yield chunk[:chunk_lines]
                chunk = chunk[chunk_lines:]
    except CorruptInputError:
        if chunk:  # lines read before a damaged spot still go out before the error does
            yield chunk
        raise
    if chunk:
        yield chunk


class _LineSplitter:
    """Cut a byte stream at line ends; a line longer than the cap is cut once, its tail dropped."""

    def __init__(self, max_line_bytes: int) -> None:
        self.max = max_line_bytes
        self.pending = b""
        self.skipping = False  # inside an over-long line whose head was already emitted

    def feed(self, block: bytes) -> bytes | None:
        """The complete lines now available (without the final newline), or None."""
        if self.skipping:
            newline = block.find(b"\n")
            if newline < 0:
                return None
            self.skipping, block = False, block[newline + 1 :]
        data = self.pending + block
        cut = data.rfind(b"\n")
        complete, self.pending = (None, data) if cut < 0 else (data[:cut], data[cut + 1 :])
        if len(self.pending) > self.max:  # emit the head now (it gets cut and marked)
            head = self.pending[: self.max + 1]
            complete = head if complete is None else complete + b"\n" + head
            self.pending, self.skipping = b"", True
        return complete

    def close(self) -> bytes | None:
        """What remains after the last newline."""
        return self.pending or None
