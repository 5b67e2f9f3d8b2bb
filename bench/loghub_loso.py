"""Leave-one-system-out over the Loghub-2k eight: thresholds chosen on seven, scored on the eighth.

The drafter's thresholds are module constants (``argus.mining.drafting``, ``argus.mining.buffer``)
with the engine's defaults. Every combination of a small grid around them is scored on every
system once; then, for each system, the combination with the best mean GA + PA on the *other*
seven is chosen (the default wins ties) and its score on the held-out system is reported beside
the in-sample score (the defaults, which were chosen while looking at all eight).

    python -m bench loghub -- --loso
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

from argus.mining import buffer, drafting
from argus.mining.scoring import ParsingScores, score

#: (module, constant, values tried); the first value of each is the engine's default.
GRID: tuple[tuple[ModuleType, str, tuple[float, ...]], ...] = (
    (drafting, "_MAX_DIFF_SHARE", (0.5, 0.34, 0.67)),
    (drafting, "_COLUMN_VALUES", (3, 2, 5)),
    (drafting, "_EARLY_COLUMN_VALUES", (5, 3, 8)),
    (buffer, "MAX_NEIGHBOURS", (3, 6)),
)

Setting = tuple[float, ...]


@contextmanager
def configured(setting: Setting) -> Iterator[None]:
    """Set the grid's constants to ``setting`` for the duration of the block."""
    saved = [getattr(module, name) for module, name, _ in GRID]
    try:
        for (module, name, _), value in zip(GRID, setting, strict=True):
            setattr(module, name, value)
        yield
    finally:
        for (module, name, _), value in zip(GRID, saved, strict=True):
            setattr(module, name, value)


def run(systems: Sequence[str]) -> None:
    """Score the grid on every system and print in-sample and leave-one-out figures."""
    from bench.bench_loghub import argus_templates, truth

    settings: list[Setting] = list(itertools.product(*(values for _, _, values in GRID)))
    default = settings[0]
    table: dict[tuple[Setting, str], ParsingScores] = {}
    for setting in settings:
        with configured(setting):
            for system in systems:
                table[setting, system] = score(truth(system), argus_templates(system)[0])

    def merit(setting: Setting, among: Sequence[str]) -> float:
        return statistics.fmean(table[setting, s].ga + table[setting, s].pa for s in among)

    names = ", ".join(f"{name}" for _, name, _ in GRID)
    print(f"grid: {len(settings)} settings of ({names}); default {default}")
    print(f"{'system':<10} {'in GA':>6} {'in PA':>6} | {'out GA':>6} {'out PA':>6}  chosen")
    inside: list[ParsingScores] = []
    outside: list[ParsingScores] = []
    for held in systems:
        rest = [s for s in systems if s != held]
        chosen = max(settings, key=lambda st: (merit(st, rest), st == default))
        inside.append(table[default, held])
        outside.append(table[chosen, held])
        i, o = inside[-1], outside[-1]
        print(f"{held:<10} {i.ga:6.3f} {i.pa:6.3f} | {o.ga:6.3f} {o.pa:6.3f}  {chosen}")
    mean = statistics.fmean
    in_ga, in_pa = mean(s.ga for s in inside), mean(s.pa for s in inside)
    out_ga, out_pa = mean(s.ga for s in outside), mean(s.pa for s in outside)
    print(f"{'average':<10} {in_ga:6.3f} {in_pa:6.3f} | {out_ga:6.3f} {out_pa:6.3f}")
    print(f"mean gap (in - out): GA {in_ga - out_ga:+.3f}, PA {in_pa - out_pa:+.3f}")
