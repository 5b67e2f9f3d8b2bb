"""Offline accuracy of the deterministic drafter on the Loghub-2k sample (8 systems).

Usage: ``python bench/loghub_offline.py [--errors N] [SYSTEM...]``

Streaming imitation: contents are fed in order; a line matching a library template (most
literal characters first) is covered; misses are buffered (de-duplicated by mask) and every
100 buffered misses, and once at the end, ``draft_templates`` runs on the buffer; each new
draft first tries ``generalize`` against the library. Finally every line is re-assigned with
the final library. The batch run drafts all 2,000 contents at once, for reference.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import re2

from argus.mining.drafting import draft_templates, generalize, template_to_pattern
from argus.mining.masking import VAR, mask
from argus.mining.scoring import ParsingScores, score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub2k"
SYSTEMS = ("HDFS", "Spark", "BGL", "Apache", "HealthApp", "OpenStack", "Android", "Linux")
BUFFER_SIZE = 100
UNMATCHED = "<unmatched>"


@dataclass
class Entry:
    """One library template with its compiled pattern and the texts it was drafted from."""

    template: str
    regex: re2._Regexp
    samples: list[str]


def literal_chars(template: str) -> int:
    """Specificity of a template: how many literal (non-space) characters it holds."""
    return len(template.replace(VAR, "").replace(" ", ""))


class Library:
    """An ordered template library: more literal characters first."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def match(self, text: str) -> str | None:
        """Template of the first entry whose pattern matches ``text``."""
        for entry in self.entries:
            if entry.regex.search(text):
                return entry.template
        return None

    def add(self, template: str, samples: list[str]) -> None:
        """Add a draft, first folding into it every entry it generalises."""
        kept: list[Entry] = []
        for entry in self.entries:
            merged = generalize(entry.template, samples) if entry.template != template else None
            if merged is not None or entry.template == template:
                template = merged or template
                samples = samples + entry.samples
                continue
            kept.append(entry)
        regex = re2.compile(template_to_pattern(template))
        kept.append(Entry(template, regex, samples[:20]))
        kept.sort(key=lambda e: -literal_chars(e.template))
        self.entries = kept


def flush(library: Library, buffer: dict[str, str]) -> None:
    """Draft the buffered misses and add the drafts to the library."""
    texts = list(buffer.values())
    for draft in draft_templates(texts):
        library.add(draft.template, [texts[i] for i in draft.members])
    buffer.clear()


def streaming(contents: Sequence[str]) -> list[str]:
    """Predicted template per line by the streaming imitation."""
    library = Library()
    buffer: dict[str, str] = {}
    for text in contents:
        if library.match(text) is not None:
            continue
        buffer.setdefault(mask(text), text)
        if len(buffer) >= BUFFER_SIZE:
            flush(library, buffer)
    if buffer:
        flush(library, buffer)
    return [library.match(text) or UNMATCHED for text in contents]


def batch(contents: Sequence[str]) -> list[str]:
    """Predicted template per line by one ``draft_templates`` call over all contents."""
    out = [UNMATCHED] * len(contents)
    for draft in draft_templates(contents):
        for i in draft.members:
            out[i] = draft.template
    return out


def load(system: str) -> tuple[list[str], list[str]]:
    """(contents, truth templates) of one system."""
    path = DATA / system / f"{system}_2k.log_structured_corrected.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["Content"] for r in rows], [r["EventTemplate"] for r in rows]


def report_errors(truth: Sequence[str], predicted: Sequence[str], limit: int) -> None:
    """Print the biggest truth groups that were not recovered exactly."""
    sizes = Counter(predicted)
    bad: list[tuple[int, str, Counter[str]]] = []
    for template in set(truth):
        preds = Counter(p for t, p in zip(truth, predicted, strict=True) if t == template)
        n = sum(preds.values())
        if len(preds) != 1 or sizes[next(iter(preds))] != n:
            bad.append((n, template, preds))
    for n, template, preds in sorted(bad, key=lambda b: -b[0])[:limit]:
        print(f"  {n:4d} TRUE {template}")
        for p, c in preds.most_common(4):
            print(f"       {c:4d}/{sizes[p]:<4d} {p}")


def row(name: str, s: ParsingScores) -> str:
    """One table row."""
    return f"{name:<10} {s.ga:6.3f} {s.fga:6.3f} {s.pa:6.3f}"


def run(systems: Sequence[str], errors: int) -> None:
    """Score both modes on each system and print the tables."""
    results: dict[str, list[ParsingScores]] = {"streaming": [], "batch": []}
    for mode, parse in (("streaming", streaming), ("batch", batch)):
        print(f"\n{mode}: {'system':<10} {'GA':>6} {'FGA':>6} {'PA':>6}")
        for system in systems:
            contents, truth = load(system)
            started = time.perf_counter()
            predicted = parse(contents)
            elapsed = time.perf_counter() - started
            result = score(truth, predicted)
            results[mode].append(result)
            print(f"{'':11}{row(system, result)}   ({elapsed:.2f} s)")
            if errors:
                report_errors(truth, predicted, errors)
        n = len(results[mode])
        avg = ParsingScores(
            ga=sum(r.ga for r in results[mode]) / n,
            fga=sum(r.fga for r in results[mode]) / n,
            pa=sum(r.pa for r in results[mode]) / n,
        )
        print(f"{'':11}{row('AVERAGE', avg)}")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("systems", nargs="*", default=list(SYSTEMS))
    parser.add_argument("--errors", type=int, default=0, help="show the N worst groups")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"Loghub-2k data not found at {DATA}: this benchmark needs ../shared/data.")
    run(args.systems, args.errors)


if __name__ == "__main__":
    main()
