"""The template library: the templates of record, and where they are kept.

The engine talks to a :class:`TemplateStore`: :class:`MemoryTemplateStore` for offline runs and
tests, ``argus.store.templates.PgTemplateStore`` for the service (``regex_template`` plus
``template_history``). Both assign ids and versions the same way.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from argus.mining.index import Template

Source = Literal["llm", "rule", "manual", "import"]


@dataclass(frozen=True, kw_only=True)
class NewTemplate:
    """A template the committee accepted, before it has an id."""

    pattern: str  #: anchored regex over the key text
    template: str  #: logpai notation
    sample: str  #: one member key text
    source: Source  #: who drafted it
    category: str | None = None  #: semantic classification (LLM drafter)
    advice: str | None = None  #: remediation advice (LLM drafter, error templates only)


class TemplateStore(Protocol):
    """Persistence of templates and their history."""

    def load(self) -> list[Template]:
        """Every active template."""
        ...

    def add(self, new: NewTemplate) -> Template:
        """Store a new template (version 1) and return it with its id."""
        ...

    def revise(self, old: Template, pattern: str, template: str, note: str) -> Template:
        """Store a new version of ``old`` (e.g. generalised) and return it."""
        ...


class MemoryTemplateStore:
    """A TemplateStore in memory, with the same id and version rules as the database."""

    def __init__(self) -> None:
        self._templates: dict[int, Template] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.history: list[tuple[int, int, str, str]] = []  #: (id, version, pattern, note)

    def load(self) -> list[Template]:
        """Every template kept so far."""
        return list(self._templates.values())

    def add(self, new: NewTemplate) -> Template:
        """Keep a new template."""
        with self._lock:
            template = Template(
                template_id=next(self._ids),
                pattern=new.pattern,
                template=new.template,
                sample=new.sample,
                version=1,
                category=new.category,
                advice=new.advice,
            )
            self._templates[template.template_id] = template
            self.history.append((template.template_id, 1, new.pattern, f"drafted by {new.source}"))
            return template

    def revise(self, old: Template, pattern: str, template: str, note: str) -> Template:
        """Keep a new version of ``old``."""
        with self._lock:
            revised = replace(old, pattern=pattern, template=template, version=old.version + 1)
            self._templates[old.template_id] = revised
            self.history.append((old.template_id, revised.version, pattern, note))
            return revised
