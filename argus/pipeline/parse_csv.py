"""``argus parse`` output: one CSV row per input line, in logpai's structured-log columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from argus.mining.engine import MiningEngine


def write_parse_csv(engine: MiningEngine, path: Path, out: Path) -> int:
    """Write LineId, Content, EventId, EventTemplate, Pattern for every line; return the count.

    Continuation lines carry the event of the record they belong to; a line no template
    matches has an empty EventId.
    """
    templates = engine.holder.active.templates
    lookup = pl.DataFrame(
        {
            "tid": [t.template_id for t in templates],
            "EventId": [f"T{t.template_id}" for t in templates],
            "EventTemplate": [t.template for t in templates],
            "Pattern": [t.pattern for t in templates],
        },
        schema={
            "tid": pl.Int64,
            "EventId": pl.String,
            "EventTemplate": pl.String,
            "Pattern": pl.String,
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    offset, written = 0, 0
    with open(out, "wb") as fh:
        for frame in engine.assign_lines(path):
            rows = frame.join(lookup, on="tid", how="left").select(
                LineId=pl.col("line_no") + offset + 1,
                Content=pl.coalesce(pl.col("content"), pl.col("raw").str.strip_chars()),
                EventId="EventId",
                EventTemplate="EventTemplate",
                Pattern="Pattern",
            )
            rows.write_csv(fh, include_header=written == 0)
            offset += frame.height
            written += rows.height
    return written
