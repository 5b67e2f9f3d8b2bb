"""Firmware version strings: normalisation and dotted-prefix lineage used by the filters."""

from __future__ import annotations

import re

_LEADING_V = re.compile(r"^[vV](?=\d)")


def normalize_firmware(value: str) -> str:
    """Strip blanks and a leading ``v`` before a digit: ``" v2.3.1 "`` becomes ``"2.3.1"``."""
    return _LEADING_V.sub("", value.strip())


def firmware_lineage(value: str) -> list[str]:
    """Every dotted prefix of a version, shortest first: ``"2.3.1"`` gives 2, 2.3, 2.3.1.

    An entry written for firmware ``2.3`` applies to ``2.3.1``: its firmware is in the lineage.
    """
    parts = normalize_firmware(value).split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts)) if parts[i]]
