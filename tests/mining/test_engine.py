"""The two passes over real files: hot-swapped templates, statistics, bad input."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from argus.config import MiningSettings
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.mining.library import MemoryTemplateStore, NewTemplate

EVENTS = [
    f"{verb} {noun} {{}} in stage {stage} took {{}} ms"
    for verb in ("Opened", "Closed", "Flushed", "Rotated", "Verified", "Compacted")
    for noun in ("segment", "index", "journal", "snapshot", "partition", "replica", "cache")
    for stage in ("alpha", "beta", "gamma", "delta")
]  # 168 distinct events, two variables each


def _write(path: Path, lines: int, seed: int) -> Path:
    rng = random.Random(seed)
    with gzip.open(path, "wt") as fh:
        for i in range(lines):
            event = rng.choice(EVENTS).format(rng.randint(1, 10**6), rng.randint(1, 999))
            level = "ERROR" if "Rotated" in event else "INFO"
            ts = f"2026-01-01 10:{(i // 600) % 60:02d}:{(i // 10) % 60:02d}.000"
            fh.write(f"[{ts}][{level}][T{i % 4}][store][{event.split()[1]}] {event}\n")
    return path


def _engine(store: MemoryTemplateStore | None = None) -> MiningEngine:
    params = MiningSettings(read_chunk_lines=2_000)
    return MiningEngine(store or MemoryTemplateStore(), params, LogFormat.parse(None))


def test_templates_from_early_lines_match_later_lines(tmp_path: Path) -> None:
    engine = _engine()
    stats, modules, error = engine.mine(_write(tmp_path / "a.log.gz", 80_000, seed=1))
    assert error is None
    assert stats.index_version >= 3, "the index was rebuilt and swapped while reading"
    assert stats.committee_runs >= 2
    assert stats.matched > stats.missed, "most later lines matched templates drafted earlier"
    assert ("store", "segment") in modules


def test_committee_runs_fall_as_the_library_grows(tmp_path: Path) -> None:
    store = MemoryTemplateStore()
    first, *_ = _engine(store).mine(_write(tmp_path / "a.log.gz", 20_000, seed=1))
    second, *_ = _engine(store).mine(_write(tmp_path / "b.log.gz", 20_000, seed=2))
    assert first.templates_added >= 100
    assert second.committee_runs < first.committee_runs
    assert second.missed < first.missed / 10


def test_pass_two_counts_every_record_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.log.gz", 12_000, seed=3)
    engine = _engine()
    run = engine.process(path)
    summary = run.pass2.summary()
    assert run.pass2.records == 12_000
    assert int(summary["count"].sum()) + run.pass2.unmatched_records == 12_000
    assert run.pass2.unmatched_records == 0
    assert int(run.pass2.buckets["count"].sum()) == 12_000  # every record has its minute
    errors = summary.filter(summary["level"] == "ERROR")
    assert int(errors["count"].sum()) > 0
    assert set(errors["smod"]) <= {e.split()[1] for e in EVENTS if "Rotated" in e}


def test_continuation_lines_join_their_record(tmp_path: Path) -> None:
    path = tmp_path / "trace.log"
    path.write_text(
        "[2026-01-01 10:00:00.000][ERROR][T1][api][http] Handler failed with code 500\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in handle\n'
        "[2026-01-01 10:00:01.000][INFO][T1][api][http] Handler done with code 200\n"
    )
    run = _engine().process(path)
    assert run.pass2.lines == 4
    assert run.pass2.records == 2


def test_bad_input_gives_a_clear_outcome_and_the_rest_is_processed(tmp_path: Path) -> None:
    good = [
        f"[2026-01-01 10:00:{i % 60:02d}.000][INFO][T1][io][disk] Wrote block {i} of size {i * 7}"
        for i in range(3_000)
    ]
    body = "\n".join(good[:1_000]).encode() + b"\n"
    body += b"\x00\x01\x02\xff\xfe binary garbage \x80\x81\n"  # binary line
    body += b"[2026-01-01 10:00:00.000][INFO][T1][io][disk] caf\xe9 latin-1 line\n"  # not UTF-8
    body += b"[2026-01-01 10:00:00.000][INFO][T1][io][disk] " + b"x" * (1 << 20) + b"\n"  # 1 MB
    body += ("\n".join(good[1_000:]) + "\n").encode()
    packed = gzip.compress(body)
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(packed[: int(len(packed) * 0.7)])
    run = _engine().process(cut)
    assert run.error is not None and "corrupt or truncated" in run.error
    assert run.pass2.records > 1_500, "lines before the damage are counted"
    summary = run.pass2.summary()
    assert int(summary["count"].max()) >= 1_500  # the "Wrote block" template
    whole = tmp_path / "whole.log.gz"
    whole.write_bytes(packed)
    full = _engine().process(whole)
    assert full.error is None
    assert full.pass2.records == 3_002  # the garbage line continues a record; the rest count


@pytest.mark.parametrize("pattern", [r"^(a+)+$", r"^(a|aa)*c$", r"^(\w+\s?)*$"])
def test_catastrophic_pattern_cannot_hang_matching(pattern: str) -> None:
    from argus.mining.index import Template, TemplateIndex

    index = TemplateIndex.build(
        [Template(template_id=1, pattern=pattern, template="x", sample="aaa")], version=1
    )
    evil = "a" * 50_000 + "!"
    assert index.match(evil) is None  # linear time in RE2: returns at once
    import polars as pl

    assert not pl.Series([evil]).str.contains(pattern).item()


def _templates_of(tmp_path: Path, contents: list[str]) -> list[str | None]:
    path = tmp_path / "contents.log"
    path.write_text("\n".join(contents) + "\n")
    engine = MiningEngine(MemoryTemplateStore(), MiningSettings(), LogFormat.parse("<Content>"))
    engine.process(path)
    names = {t.template_id: t.template for t in engine.holder.active.templates}
    import polars as pl

    tids = pl.concat(list(engine.assign_lines(path)))["tid"].to_list()
    return [names.get(t) if t is not None else None for t in tids]


def test_no_line_is_left_without_a_template_when_the_input_ends(tmp_path: Path) -> None:
    contents = [
        "synced to 10.0.0.1, stratum 2",  # its draft also matches the LOCAL lines' template
        "synced to LOCAL(0), stratum 10",
        "synced to 10.0.0.2, stratum 3",
        "synced to LOCAL(1), stratum 10",
        "tryToReload1514044800223|3786|0|0",  # only variables around literal delimiters
        "ERROR",  # equal to a line no template may match
        "a single line that no other resembles",
    ]
    templates = _templates_of(tmp_path, contents)
    assert all(templates), templates
    assert templates[4] == "<*>|<*>|<*>|<*>"
    assert templates[5] == "ERROR"
    assert templates[0] == templates[2]


def test_lines_of_values_only_get_the_template_logpai_writes(tmp_path: Path) -> None:
    contents = ["J"] * 30 + ["0", "0x0", "1", "2", "0 0 0", "7 8 9"] + ["uph[E(p."] * 5
    templates = _templates_of(tmp_path, contents)
    assert templates[30:34] == ["<*>"] * 4
    assert templates[34:36] == ["<*> <*> <*>"] * 2
    assert templates[0] == "J" and templates[-1] == "uph[E(p."


def test_only_the_first_chunk_has_lines_before_a_header_standing_alone(tmp_path: Path) -> None:
    # pass 1 parses whole blocks, and must cut records as chunk by chunk parsing does
    head = "[2026-01-01 10:00:00.000][INFO][T1][io][disk]"
    lines = [f"preamble line {i}" for i in range(8)]
    lines += [f"{head} Wrote block {i}" for i in range(4)]
    path = tmp_path / "late.log"
    path.write_text("\n".join(lines) + "\n")
    params = MiningSettings(read_chunk_lines=5)
    engine = MiningEngine(MemoryTemplateStore(), params, LogFormat.parse(None))
    stats, modules, _ = engine.mine(path)
    # chunk 1: 5 preamble lines, each a record; chunk 2: 3 more continue a record of chunk 1
    # (not key texts) and 2 records; chunk 3: 2 records
    assert stats.key_texts == 9
    assert stats.lines == 12
    assert modules == {("io", "disk")}


def test_a_chunk_fed_as_a_series_sees_the_hits_and_misses_re2_gives(tmp_path: Path) -> None:
    import polars as pl

    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.index import IndexHolder
    from argus.mining.pass1 import TemplateEvolver
    from argus.mining.patterns import template_to_pattern

    store = MemoryTemplateStore()
    for template in ("took <*> ms", "user <*> logged in"):
        new = NewTemplate(
            pattern=template_to_pattern(template), template=template, sample="x", source="rule"
        )
        store.add(new)
    texts = [f"took {i} ms" for i in range(25)] + ["user\u00a0u1 logged in", "disk full"] * 3
    counts = []
    for chunk in (pl.Series(texts), texts):
        holder = IndexHolder(store.load())
        evolver = TemplateEvolver(Committee(RuleDrafter(), store), holder, MiningSettings())
        evolver.feed(chunk)
        counts.append((evolver.stats.key_texts, evolver.stats.matched, evolver.stats.missed))
        evolver.close()
    assert counts[0] == counts[1] == (27, 25, 2)
