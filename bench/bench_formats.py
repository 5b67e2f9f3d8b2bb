"""Parsing accuracy on generated formats the engine has never seen (``bench/gen_formats.py``).

Each format's 2,000 lines go through the same code as ``bench loghub`` (and ``argus parse``):
pass 1, pass 2, re-feed, per-line assignment, an empty library per format, no LLM; GA, FGA and
PA from ``argus.mining.scoring``, as for Loghub.

    python -m bench formats [-- --formats 24 --seed 7 --errors 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from argus.mining.scoring import ParsingScores, score
from bench.bench_loghub import UNMATCHED, engine_templates
from bench.gen_formats import suite, write


def _worst(truth: list[str], predicted: list[str], limit: int) -> list[str]:
    """The biggest truth groups not recovered exactly, with what they became."""
    sizes = Counter(predicted)
    out: list[tuple[int, str]] = []
    for template in set(truth):
        preds = Counter(p for t, p in zip(truth, predicted, strict=True) if t == template)
        n = sum(preds.values())
        if len(preds) != 1 or sizes[next(iter(preds))] != n:
            got = "; ".join(f"{c}/{sizes[p]} {p}" for p, c in preds.most_common(2))
            out.append((n, f"    {n:4d} TRUE {template}\n         GOT {got}"))
    return [text for _, text in sorted(out, key=lambda x: -x[0])[:limit]]


def main(argv: list[str]) -> None:
    """Print per-format and average GA / FGA / PA over the generated suite."""
    parser = argparse.ArgumentParser(prog="python -m bench formats")
    parser.add_argument("--formats", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--errors", type=int, default=0, help="show the N worst groups")
    args = parser.parse_args(argv)
    rows: list[tuple[str, ParsingScores, int, int, int]] = []
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'format':<10} {'GA':>6} {'FGA':>6} {'PA':>6} {'tmpl':>5} {'true':>5} {'none':>5}")
        for fmt in suite(args.formats, args.seed):
            path = write(fmt, Path(folder), args.seed)
            truth = fmt.generate(args.seed)[1]
            predicted, _, count = engine_templates(path, fmt.log_format)
            result = score(truth, predicted)
            untemplated = sum(p.startswith(UNMATCHED) for p in predicted)
            rows.append((fmt.name, result, count, len(set(truth)), untemplated))
            print(
                f"{fmt.name:<10} {result.ga:6.3f} {result.fga:6.3f} {result.pa:6.3f} "
                f"{count:5d} {len(set(truth)):5d} {untemplated:5d}",
                flush=True,
            )
            if args.errors:
                print("\n".join(_worst(truth, predicted, args.errors)))
    mean = statistics.fmean
    print(
        f"{'average':<10} {mean(r[1].ga for r in rows):6.3f} {mean(r[1].fga for r in rows):6.3f} "
        f"{mean(r[1].pa for r in rows):6.3f}   ({len(rows)} formats, seed {args.seed}, "
        f"{sum(r[4] for r in rows)} lines without a template)"
    )
