"""Line formats in logpai's ``log_format`` syntax, and the seed's default bracket format.

A format such as ``<Date> <Time> <Pid> <Level> <Component>: <Content>`` names header fields in
angle brackets; the text between them is a regular expression in which a space means one or more
spaces. Reserved field names map to the columns every later stage uses (DESIGN.md §5):

    Timestamp / Date / Time -> ts        Level -> level
    Thread / Pid / Tid      -> thread    Module / Component -> mod
    Submodule               -> smod      Content -> content (the key text)

Other fields are parsed and ignored. The compiled regex is valid for Python's ``re`` and for the
Rust engine polars uses, so headers can be split one line at a time or a million at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from argus.errors import FormatError

#: The seed's default: ``[ts][level][thread][mod][smod] content``.
BRACKET_FORMAT = r"\[<Timestamp>\]\[<Level>\]\[<Thread>\]\[<Module>\]\[<Submodule>\] <Content>"

#: Names accepted by ``--format`` instead of a spelled-out log_format.
NAMED_FORMATS = {"bracket": BRACKET_FORMAT, "default": BRACKET_FORMAT, "raw": "<Content>"}

_ROLES = {
    "timestamp": "ts", "date": "ts", "time": "ts",
    "level": "level",
    "thread": "thread", "pid": "thread", "tid": "thread",
    "module": "mod", "component": "mod",
    "submodule": "smod",
    "content": "content",
}  # fmt: skip

#: The columns a parsed chunk always has, in this order.
COLUMNS = ("ts", "level", "thread", "mod", "smod", "content")

_FIELD_RE = re.compile(r"(<[^<>]+>)")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class LogFormat:
    """A compiled log_format: its regex and which fields feed which column."""

    spec: str  #: the log_format as given
    regex: str  #: anchored regex with one named group per field
    roles: dict[str, list[str]] = field(default_factory=dict)  #: column -> field names, in order

    @classmethod
    def parse(cls, spec: str | None) -> LogFormat:
        """Compile a log_format (or a name from NAMED_FORMATS; None means the bracket format)."""
        spec = NAMED_FORMATS.get(spec or "bracket", spec or BRACKET_FORMAT)
        parts = _FIELD_RE.split(spec)
        regex, seen = "", set()
        roles: dict[str, list[str]] = {}
        for i, part in enumerate(parts):
            if i % 2 == 0:
                regex += re.sub(" +", r"\\s+", part)
                continue
            name = part[1:-1]
            if not _NAME_RE.match(name) or name in seen:
                raise FormatError(f"log_format field <{name}> is not a unique plain name: {spec}")
            seen.add(name)
            regex += f"(?P<{name}>.*?)"
            role = _ROLES.get(name.lower())
            if role:
                roles.setdefault(role, []).append(name)
        if "content" not in roles:
            raise FormatError(f"log_format has no <Content> field: {spec}")
        compiled = f"^{regex}$"
        try:
            re.compile(compiled)
        except re.error as exc:
            raise FormatError(f"log_format is not a valid pattern ({exc}): {spec}") from exc
        return cls(spec, compiled, roles)

    def parse_line(self, line: str) -> dict[str, str | None] | None:
        """Split one line into the columns; None when the line does not start a record."""
        match = _compiled(self.regex).match(line.strip())
        if match is None:
            return None
        groups = match.groupdict()
        return {col: _join(groups[n] for n in self.roles[col]) if col in self.roles else None
                for col in COLUMNS}  # fmt: skip

    def parse_frame(self, lines: pl.Series) -> pl.DataFrame:
        """Split many lines at once; rows that do not start a record have a null ``content``."""
        groups = lines.str.strip_chars().str.extract_groups(self.regex).struct.unnest()
        columns = []
        for col in COLUMNS:
            names = self.roles.get(col, [])
            if not names:
                columns.append(pl.lit(None, dtype=pl.String).alias(col))
            elif len(names) == 1:
                columns.append(pl.col(names[0]).alias(col))
            else:
                columns.append(pl.concat_str([pl.col(n) for n in names], separator=" ").alias(col))
        return groups.select(columns)


def _join(values: object) -> str | None:
    parts = [v for v in values if v]  # type: ignore[attr-defined]
    return " ".join(parts) if parts else None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(regex: str) -> re.Pattern[str]:
    pattern = _CACHE.get(regex)
    if pattern is None:
        pattern = _CACHE[regex] = re.compile(regex)
    return pattern
