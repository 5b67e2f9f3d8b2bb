"""Streaming reader: gz and plain alike, bad bytes and damaged streams handled."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from argus.errors import CorruptInputError
from argus.ingest.reader import TRUNCATED_MARK, file_facts, iter_line_chunks


def _read_all(path: Path, **kw: int) -> list[str]:
    return [line for chunk in iter_line_chunks(path, **kw) for line in chunk]


def _lines(n: int) -> list[str]:
    return [f"[2026-01-01 00:00:{i % 60:02d}][INFO][main] line {i}" for i in range(n)]


def test_gzip_and_plain_give_the_same_lines(tmp_path: Path) -> None:
    text = "\n".join(_lines(25_000)) + "\n"
    plain, packed = tmp_path / "a.log", tmp_path / "a.log.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    assert _read_all(plain) == _read_all(packed) == _lines(25_000)


def test_chunks_respect_the_chunk_size(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_text("\n".join(_lines(2_500)))
    sizes = [len(c) for c in iter_line_chunks(path, chunk_lines=1_000)]
    assert sizes == [1_000, 1_000, 500]


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "misnamed.txt"
    path.write_bytes(gzip.compress(b"one\ntwo\n"))
    assert _read_all(path) == ["one", "two"]
    assert file_facts(path).compressed


def test_truncated_gzip_keeps_earlier_lines_and_says_so(tmp_path: Path) -> None:
    payload = gzip.compress(("\n".join(_lines(200_000)) + "\n").encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(payload[: len(payload) // 2])
    got: list[str] = []
    with pytest.raises(CorruptInputError, match=r"cut\.log\.gz.*corrupt or truncated"):
        for chunk in iter_line_chunks(path):
            got.extend(chunk)
    assert len(got) > 10_000
    assert got[:-1] == _lines(200_000)[: len(got) - 1]  # a prefix; the last line may be cut


def test_garbage_after_gzip_header_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 100)
    with pytest.raises(CorruptInputError):
        _read_all(path)


def test_binary_and_non_utf8_bytes_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"ok line\r\n\x00\x01\x02binary\xff\xfe\nlatin1 caf\xe9\nlast")
    assert _read_all(path) == ["ok line", "\x01\x02binary\ufffd\ufffd", "latin1 caf\ufffd", "last"]


def test_huge_line_is_truncated_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    path.write_bytes(b"before\n" + b"x" * (1 << 20) + b"\nafter\n")
    lines = _read_all(path, max_line_bytes=4096)
    assert lines[0] == "before" and lines[-1] == "after"
    assert lines[1].endswith(TRUNCATED_MARK) and len(lines[1]) < 4096 + 32


def test_file_facts_hash_identifies_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("same\n")
    b.write_text("same\n")
    assert file_facts(a).file_id == file_facts(b).file_id
    assert file_facts(a).size_bytes == 5


def test_overlong_line_across_blocks_becomes_one_truncated_line(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    path.write_bytes(b"a\n" + b"y" * (3 << 20) + b"\nb\n")  # spans several 1 MiB blocks
    lines = _read_all(path, max_line_bytes=1000)
    assert len(lines) == 3
    assert lines[0] == "a" and lines[2] == "b" and lines[1].startswith("y" * 1000)


def test_concatenated_gzip_members_are_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "joined.log.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n"))
    assert _read_all(path) == ["first", "second"]


def test_trailing_garbage_after_gzip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "tail.log.gz"
    path.write_bytes(gzip.compress(b"kept\n") + b"garbage!")
    got: list[str] = []
    with pytest.raises(CorruptInputError):
        for chunk in iter_line_chunks(path):
            got.extend(chunk)
    assert got == ["kept"]
