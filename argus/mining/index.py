"""The template index: every active template compiled into one RE2 set, swapped atomically.

A :class:`TemplateIndex` is immutable. The :class:`IndexHolder` rebuilds a new one (in the
committee's background thread) and replaces its ``active`` reference in a single assignment, so a
reader that took ``holder.active`` keeps a consistent index for its whole micro-batch while later
micro-batches of the same file already see the new templates (double buffering).

RE2 matches in linear time: no pattern, however written (by an LLM, say), can backtrack
catastrophically.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import re2

from argus.errors import FormatError

_VARIABLE = "<*>"


@dataclass(frozen=True, kw_only=True)
class Template:
    """One active template as the matcher sees it."""

    template_id: int  #: regex_template.template_id (negative ids are unsaved, in-memory ones)
    pattern: str  #: anchored regex over the key text
    template: str  #: logpai notation, ``<*>`` for each variable
    sample: str  #: a key text it was drafted from
    version: int = 1  #: bumped when the template is generalised
    category: str | None = None  #: semantic classification, when known
    advice: str | None = None  #: remediation advice (error templates only)

    @property
    def specificity(self) -> int:
        """Literal characters of the template: more specific templates are tried first."""
        return specificity(self.template)


def specificity(template: str) -> int:
    """Literal (non-space) characters of a template in logpai notation."""
    return len(template.replace(_VARIABLE, "").replace(" ", ""))


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = 256 << 20
    return options


def compile_pattern(pattern: str) -> re2._Regexp:
    """Compile one pattern with RE2; FormatError when RE2 refuses it."""
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        raise FormatError(f"pattern is not valid RE2: {exc}") from exc


@dataclass(frozen=True, kw_only=True)
class TemplateIndex:
    """An immutable, compiled set of templates in priority order."""

    version: int
    templates: tuple[Template, ...]
    _set: object = field(repr=False, compare=False, default=None)

    @classmethod
    def build(cls, templates: Iterable[Template], version: int) -> TemplateIndex:
        """Order ``templates`` by priority and compile them into one RE2 set."""
        ordered = tuple(sorted(templates, key=lambda t: (-t.specificity, t.template_id)))
        if not ordered:
            return cls(version=version, templates=ordered, _set=None)
        rset = re2.Set.SearchSet(_options())
        for template in ordered:
            rset.Add(template.pattern)
        rset.Compile()
        return cls(version=version, templates=ordered, _set=rset)

    def __len__(self) -> int:
        return len(self.templates)

    def match(self, text: str) -> Template | None:
        """The highest-priority template matching ``text``, or None."""
        if self._set is None:
            return None
        hits = self._set.Match(text)  # type: ignore[attr-defined]
        return self.templates[min(hits)] if hits else None

    def match_many(self, texts: Sequence[str]) -> list[Template | None]:
        """:meth:`match` for each text."""
        return [self.match(t) for t in texts]

    def by_id(self) -> dict[int, Template]:
        """The templates keyed by id."""
        return {t.template_id: t for t in self.templates}


class IndexHolder:
    """Holds the active index; rebuilds are serialised, swaps are a single assignment."""

    def __init__(self, templates: Iterable[Template] = ()) -> None:
        self._lock = threading.Lock()
        self.active = TemplateIndex.build(templates, version=1)
        self.swaps = 0  #: how many times a rebuilt index replaced the active one

    def rebuild(self, templates: Iterable[Template]) -> TemplateIndex:
        """Build a new index from ``templates`` and make it the active one."""
        with self._lock:
            new = TemplateIndex.build(templates, version=self.active.version + 1)
            self.active = new
            self.swaps += 1
            return new
