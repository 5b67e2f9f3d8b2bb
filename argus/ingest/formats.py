"""Line formats in logpai's ``log_format`` syntax, and the seed's default bracket format.

A format such as ``<Date> <Time> <Pid> <Level> <Component>: <Content>`` names header fields in
angle brackets; the text between them is a regular expression in which a space means one or more
spaces. Reserved field names map to the columns every later stage uses (DESIGN.md §5):

    Timestamp / Date / Time -> ts        Level -> level     (Timestamp alone when present;
                                                           else Month, Date, Time joined)
    Thread / Pid / Tid      -> thread    Module / Component -> mod (with both: Component
                                                           is the submodule)
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
    "timestamp": "ts",
    "date": "ts",
    "time": "ts",
    "month": "ts",
    "level": "level",
    "thread": "thread",
    "pid": "thread",
    "tid": "thread",
    "module": "mod",
    "component": "mod",
    "submodule": "smod",
    "content": "content",
}

#: The columns a parsed chunk always has, in this order.
COLUMNS = ("ts", "level", "thread", "mod", "smod", "content")

_FIELD_RE = re.compile(r"(<[^<>]+>)")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True, kw_only=True)
class LogFormat:
    """A compiled log_format: its exact regex, a fast equivalent, and the fields' columns."""

    spec: str  #: the log_format as given
    regex: str  #: logpai's exact regex: one lazy named group per field
    roles: dict[str, list[str]] = field(default_factory=dict)  #: column -> field names, in order
    names: tuple[str, ...] = ()  #: the fields, in order
    literals: tuple[str, ...] = ()  #: regex text before, between and after the fields
    fast: tuple[str, ...] = ()  #: per field, a lazy-free sub-pattern (see _fast_class)

    @classmethod
    def parse(cls, spec: str | None) -> LogFormat:
        """Compile a log_format (or a name from NAMED_FORMATS; None means the bracket format)."""
        spec = NAMED_FORMATS.get(spec or "bracket", spec or BRACKET_FORMAT)
        parts = _FIELD_RE.split(spec)
        literals = tuple(re.sub(" +", r"\\s+", p) for p in parts[0::2])
        names = tuple(p[1:-1] for p in parts[1::2])
        for name in names:
            if not _NAME_RE.match(name) or names.count(name) > 1:
                raise FormatError(f"log_format field <{name}> is not a unique plain name: {spec}")
        roles: dict[str, list[str]] = {}
        for name in names:
            role = _ROLES.get(name.lower())
            if role:
                roles.setdefault(role, []).append(name)
        if "Timestamp" in names:  # a full timestamp wins over separate date and clock fields
            roles["ts"] = ["Timestamp"]
        if "Module" in names and "Component" in names and "smod" not in roles:
            roles["mod"], roles["smod"] = ["Module"], ["Component"]
        if "content" not in roles:
            raise FormatError(f"log_format has no <Content> field: {spec}")
        regex = (
            "^"
            + literals[0]
            + "".join(f"(?P<{n}>.*?){lit}" for n, lit in zip(names, literals[1:], strict=True))
            + "$"
        )
        try:
            re.compile(regex)
        except re.error as exc:
            raise FormatError(f"log_format is not a valid pattern ({exc}): {spec}") from exc
        fast = tuple(_fast_class(lit) for lit in literals[1:])
        return cls(spec=spec, regex=regex, roles=roles, names=names, literals=literals, fast=fast)

    def parse_line(self, line: str) -> dict[str, str | None] | None:
        """Split one line into the columns; None when the line does not start a record."""
        match = _compiled(self.regex).match(line.strip())
        if match is None:
            return None
        groups = match.groupdict()
        return {
            col: _join(groups[n] for n in self.roles[col]) if col in self.roles else None
            for col in COLUMNS
        }

    def _fast_regex(self, wanted: set[str]) -> tuple[str, bool]:
        """One lazy-free regex capturing the ``wanted`` fields, and whether it stops at the head.

        When the last field is the rest of the line, the regex covers only the header, in a
        group named ``_head``: the last field is then the text after it, cut without a regex.
        """
        names, fast, literals = self.names, self.fast, self.literals
        head_only = literals[-1] == "" and len(names) > 1
        upto = len(names) - 1 if head_only else len(names)
        out = r"^\s*" + literals[0]
        for k in range(upto):
            group = f"(?P<{names[k]}>" if names[k] in wanted else "(?:"
            out += group + fast[k] + ")" + literals[k + 1]
        if head_only:
            return r"(?P<_head>" + out + ")", True
        return out + "$", False

    def parse_frame(self, lines: pl.Series) -> pl.DataFrame:
        """Split many lines at once; rows that do not start a record have a null ``content``.

        Fields are cut with one lazy-free pattern (a field ends at the first character that
        may follow it), vectorised in polars. Where that fails, logpai's exact lazy regex
        decides, for those rows only; where both succeed they agree.
        """
        if not self.splittable:  # e.g. an optional group spanning a field: exact regex only
            groups = lines.str.strip_chars().str.extract_groups(self.regex).struct.unnest()
            return groups.select(self._column(c) for c in COLUMNS)
        wanted = [n for names in self.roles.values() for n in names]
        regex, head_only = self._fast_regex(set(wanted))
        raw = pl.col("_line")  # fields are plain names: no "_" prefix can collide
        query = (
            pl.DataFrame({"_line": lines})
            .lazy()
            .with_columns(_fields=raw.str.extract_groups(regex))
            .unnest("_fields")
        )
        if head_only:
            head = pl.col("_head")
            rest = pl.when(head.is_not_null()).then(raw.str.slice(head.str.len_chars()))
            query = query.with_columns(rest.alias(self.names[-1]))
            ok = head.is_not_null()
        else:
            ok = pl.col(self.roles["content"][0]).is_not_null()
        frame = query.with_columns(ok=ok).collect(engine="streaming")
        if not frame["ok"].all():
            frame = self._exact_where_fast_failed(lines, frame, wanted)
        return frame.select(*(self._column(col) for col in COLUMNS))

    def _exact_where_fast_failed(
        self, lines: pl.Series, frame: pl.DataFrame, wanted: list[str]
    ) -> pl.DataFrame:
        failed = ~frame["ok"]
        exact = (
            lines.filter(failed).str.strip_chars().str.extract_groups(self.regex).struct.unnest()
        )
        fixed = frame.filter(failed).with_columns(exact.select(wanted))
        row = pl.int_range(pl.len()).alias("_row")
        merged = pl.concat(
            [
                frame.with_columns(row).filter(~failed),
                fixed.with_columns(pl.Series("_row", failed.arg_true(), dtype=pl.Int64)),
            ],
            how="diagonal_relaxed",
        )
        return merged.sort("_row").drop("_row")

    def _column(self, col: str) -> pl.Expr:
        names = self.roles.get(col, [])
        if not names:
            return pl.lit(None, dtype=pl.String).alias(col)
        if len(names) == 1:
            return pl.col(names[0]).alias(col)
        return pl.concat_str([pl.col(n) for n in names], separator=" ", ignore_nulls=True).alias(
            col
        )

    @property
    def splittable(self) -> bool:
        """True when every literal is a regex of its own (fields can be cut one by one)."""
        try:
            for literal in self.literals:
                re.compile(literal)
        except re.error:
            return False
        return True


_META = set("\\.^$|?*+()[]{}")


def _fast_class(following: str) -> str:
    """A lazy-free pattern for a field followed by ``following``.

    A lazy ``.*?`` followed by a literal character ``c`` ends at the first ``c`` where the rest
    of the line matches; ``[^c]*`` ends at the first ``c``. When the rest matches there, both
    agree; when it does not, the fast pattern fails and the exact regex is used instead.
    """
    if following == "":
        return ".*"
    if following.startswith("\\s"):
        return r"\S*"
    if following[0] == "\\" and len(following) > 1 and not following[1].isalnum():
        return f"[^{following[:2]}]*"
    if following[0] not in _META:
        return f"[^{re.escape(following[0])}]*"
    return ".*?"


def _join(values: object) -> str | None:
    parts = [v for v in values if v]  # type: ignore[attr-defined]
    return " ".join(parts) if parts else None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(regex: str) -> re.Pattern[str]:
    pattern = _CACHE.get(regex)
    if pattern is None:
        pattern = _CACHE[regex] = re.compile(regex)
    return pattern
