"""The data the statistics tools read and write: batch statistics in, a digest out.

Everything here is plain data (dataclasses over polars frames), so the same digest serves the
rule-based path, the LLM prompt and the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import polars as pl

from argus.tools.departures import Departures
from argus.tools.latency import Timing

ChangeKind = Literal["new", "spike", "drop"]


@dataclass(frozen=True, kw_only=True)
class TemplateText:
    """What a template says (from ``regex_template`` or an in-memory library)."""

    template_id: int  #: regex_template.template_id
    template: str  #: logpai notation, ``<*>`` for each variable
    sample: str = ""  #: one key text it matched
    category: str | None = None  #: semantic classification, when known


@dataclass(kw_only=True)
class BatchStats:
    """The statistics of one batch (or of a baseline): the input of every statistics tool."""

    #: minute buckets of every file, merged: tid, mod, smod, level, thread, minute, count,
    #: first_ts, last_ts (the pass-2 ``buckets`` schema)
    buckets: pl.DataFrame
    templates: dict[int, TemplateText] = field(default_factory=dict)  #: texts by template id
    #: optional per-trace lines (see :func:`argus.tools.traces.trace_lines`): trace, mod, tid,
    #: level, count, first_ts, last_ts; None when no request or trace ids were extracted
    traces: pl.DataFrame | None = None

    def text(self, tid: int) -> str:
        """The template text of ``tid`` (or a placeholder when it is unknown)."""
        known = self.templates.get(tid)
        return known.template if known else f"template {tid}"


@dataclass(frozen=True, kw_only=True)
class TemplateCount:
    """One (template, module, level) of the batch with its volume."""

    template_id: int  #: template id
    template: str  #: template text
    module: str | None  #: module that wrote it
    level: str | None  #: log level
    count: int  #: lines in the window
    per_min: float  #: lines per minute of the window
    first_ts: datetime | None = None  #: first occurrence
    last_ts: datetime | None = None  #: last occurrence
    why: str = ""  #: for error templates: "level", "words" or "level+words"


@dataclass(frozen=True, kw_only=True)
class ModuleCount:
    """One module's volume, errors and rate against the baseline."""

    module: str  #: module name
    count: int  #: lines in the window
    per_min: float  #: lines per minute
    errors: int  #: error lines (by level or words) in the window
    baseline_per_min: float | None = None  #: lines per minute in the baseline
    expected_per_min: float | None = None  #: baseline rate scaled by the batch's traffic factor


@dataclass(frozen=True, kw_only=True)
class Burst:
    """A minute in which a template ran far above its own average of the window."""

    template_id: int  #: template id
    module: str | None  #: module
    minute: datetime  #: start of the minute
    count: int  #: lines in that minute
    mean_per_min: float  #: the template's average per minute over the window


@dataclass(frozen=True, kw_only=True)
class Change:
    """A (template, module) that behaves differently from the baseline."""

    template_id: int  #: template id
    template: str  #: template text
    module: str | None  #: module
    kind: ChangeKind  #: new, spike or drop
    baseline_per_min: float  #: rate in the baseline
    current_per_min: float  #: rate in the batch
    count: int  #: lines in the batch
    error: bool  #: an error template (by level or words)
    baseline_count: int  #: its lines in the baseline
    scale: float  #: batch length x traffic factor / baseline length (baseline lines -> batch)
    score: float  #: strength of the evidence (grows with volume and surprise)
    variant_of: int | None = None  #: a known baseline template it differs from by one word
    first_ts: datetime | None = None  #: first occurrence in the batch

    @property
    def expected(self) -> float:
        """Lines of it the baseline implies for the batch."""
        return self.baseline_count * self.scale


@dataclass(frozen=True, kw_only=True)
class Unanswered:
    """Requests of the batch that reached a module's call sites, and how many it never answered."""

    calls: int  #: batch requests that reached one of the module's reliable call sites
    missing: int  #: of those, requests in which the module wrote no line after the call site
    expected: float  #: missing requests the call sites' baseline reliability accounts for
    baseline_calls: int = 0  #: baseline requests that reached those call sites
    baseline_missing: int = 0  #: of those, requests in which the module wrote no line after

    @property
    def z(self) -> float:
        """How far ``missing`` is above ``expected``, in (Poisson) standard deviations."""
        return (self.missing - self.expected) / math.sqrt(self.expected + 1.0)


@dataclass(kw_only=True)
class Digest:
    """The statistics of a batch, compared with its baseline (DESIGN.md §6 state digest)."""

    window_minutes: float  #: length of the batch's window
    lines: int  #: records counted
    top_templates: list[TemplateCount]  #: most frequent (template, module, level)
    error_templates: list[TemplateCount]  #: templates at an error level or with error words
    error_codes: list[str]  #: codes found in the error templates (E1234, HTTP 503, errno ...)
    modules: list[ModuleCount]  #: per-module counts
    bursts: list[Burst]  #: minutes far above a template's average
    changes: list[Change] = field(default_factory=list)  #: against the baseline (empty if none)
    baseline_minutes: float | None = None  #: length of the baseline's window
    #: minutes from the baseline's last line to the batch's first (None: no baseline; negative
    #: when the baseline is not earlier than the batch)
    baseline_gap_minutes: float | None = None
    traffic_factor: float = 1.0  #: batch rate / baseline rate over modules seen in both
    calls: dict[str, set[str]] = field(default_factory=dict)  #: caller -> callees (traces)
    #: module -> requests that departed first in it from the baseline's paths (traces; see
    #: :mod:`argus.tools.departures`)
    departures: dict[str, Departures] = field(default_factory=dict)
    #: module -> its request steps judged against the baseline's (traces; see
    #: :mod:`argus.tools.latency`)
    timing: Timing = field(default_factory=Timing)
    #: module -> requests that reached the lines that call it but not the module (traces; see
    #: :mod:`argus.tools.callsites`)
    unanswered: dict[str, Unanswered] = field(default_factory=dict)

    source: BatchStats | None = None  #: the batch's statistics (for evidence samples)
    #: (module, template) -> requests (trace ids) that wrote it, in the batch and the baseline,
    #: where lines carry trace ids: one request can write a template many times at once
    requests: dict[tuple[str, int], int] = field(default_factory=dict)
    baseline_requests: dict[tuple[str, int], int] = field(default_factory=dict)
    error_ids: frozenset[int] = (
        frozenset()
    )  #: templates written at an error level or with error words

    @property
    def has_baseline(self) -> bool:
        """True when the batch was compared with a baseline."""
        return self.baseline_minutes is not None
