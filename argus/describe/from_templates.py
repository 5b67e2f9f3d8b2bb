"""The deterministic drafter: a description built from a module's levels and most frequent
templates. Always available (no LLM); the same statistics give the same text."""

from __future__ import annotations

from argus.describe.text import MAX_CHARS, clip
from argus.store.module_profile import ModuleProfile

#: Characters of one template quoted in a description.
TEMPLATE_CHARS = 90
#: Levels named in a description, most frequent first.
LEVELS_SHOWN = 4
#: Submodules named in a module's description.
SUBMODULES_SHOWN = 8


def subject(mod: str, smod: str | None) -> str:
    """How a description names what it describes: ``module X`` or ``submodule Y of module X``."""
    return f"module {mod}" if smod is None else f"submodule {smod} of module {mod}"


def template_description(profile: ModuleProfile) -> str:
    """One plain-text paragraph of at most MAX_CHARS: the lines and files counted, the share
    of each level, the most frequent templates (quoted, with their level and lines) and, for a
    module, its submodules. Templates that would not fit are left out whole."""
    name = subject(profile.mod, profile.smod)
    if profile.lines == 0:
        head = f"The {name} appears in the logs, but no line of it has been counted yet."
        return clip(head + _submodules(profile))
    head = (
        f"The {name} wrote {profile.lines:,} log lines in {profile.files:,} "
        f"file{'s' if profile.files != 1 else ''}{_levels(profile)}."
    )
    text = head
    for i, t in enumerate(profile.top):
        level = f"{t.level}, " if t.level else ""
        kind = f", {t.category}" if t.category and t.category != "normal" else ""
        quoted = clip(t.template, TEMPLATE_CHARS).replace('"', "'")
        part = f'{" Most frequent:" if i == 0 else ";"} "{quoted}" ({level}{t.lines:,} lines{kind})'
        if len(text) + len(part) + 1 + len(_submodules(profile)) > MAX_CHARS:
            break
        text += part
    if text != head:
        text += "."
    return clip(text + _submodules(profile))


def _levels(profile: ModuleProfile) -> str:
    shares = [
        f"{level or 'no level'} {100 * n / profile.lines:.0f}%"
        for level, n in list(profile.levels.items())[:LEVELS_SHOWN]
    ]
    return f" ({', '.join(shares)})" if shares else ""


def _submodules(profile: ModuleProfile) -> str:
    if not profile.submodules:
        return ""
    shown = profile.submodules[:SUBMODULES_SHOWN]
    hidden = len(profile.submodules) - len(shown)
    more = f" and {hidden} more" if hidden else ""
    return f" Submodules: {', '.join(shown)}{more}."
