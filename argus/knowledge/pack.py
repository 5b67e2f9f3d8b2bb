"""The starter knowledge pack shipped in ``argus/knowledge/pack/``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from argus.knowledge.loaders import LoadedEntry, knowledge_files, load_file

#: Prefix of every source id of the starter pack, so user entries never collide with it.
PACK_ID_PREFIX = "starter/"


def pack_dir() -> Path:
    """The folder holding the pack's files (installed as package data)."""
    return Path(str(resources.files("argus.knowledge") / "pack"))


def load_starter_pack() -> list[LoadedEntry]:
    """Every entry of the starter pack, with ``source`` set to ``starter:<file>``."""
    loaded: list[LoadedEntry] = []
    for path in knowledge_files(pack_dir()):
        loaded.extend(load_file(path, source=f"starter:{path.name}"))
    return loaded
