"""Run the benchmarks named on the command line, or all of them: ``python -m bench [NAME...]``.

Each benchmark is a module ``bench/bench_<name>.py`` with a ``main(argv: list[str]) -> None``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    """Names of the benchmark modules in this folder."""
    folder = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


def main() -> None:
    """Run each named benchmark (all when none is named), passing on options after ``--``."""
    args = sys.argv[1:]
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    names = args or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
    for name in names:
        print(f"== bench {name} ==", flush=True)
        importlib.import_module(f"bench.bench_{name}").main(extra)


if __name__ == "__main__":
    main()
