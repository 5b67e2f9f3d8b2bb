"""The committee: cluster → draft → arbitrate, then hand accepted templates to the library.

Drafting is pluggable (:class:`Drafter`): the deterministic token-alignment drafter always
works; the LLM drafter follows the seed's JSON contract and falls back to the deterministic one
when the model fails. Whoever drafted a pattern, the arbiter decides. Before a draft becomes a
new template it may instead *generalise* an existing one (a new version of it), so that one event
is not split in several templates because its first samples happened to share a value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from argus.mining import arbiter
from argus.mining.drafting import (
    Draft,
    draft_templates,
    generalize_pattern,
    masked_drafts,
    template_to_pattern,
    widen_column,
)
from argus.mining.index import Template, specificity
from argus.mining.library import NewTemplate, Source, TemplateStore
from argus.mining.masking import mask

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """A drafted template with the semantic fields an LLM may add."""

    draft: Draft  #: pattern, template, sample and member indexes
    category: str | None = None  #: semantic classification
    advice: str | None = None  #: remediation advice
    source: Source = "rule"  #: who drafted ``draft``
    fallback: Draft | None = None  #: the rule draft to try when the arbiter refuses ``draft``


class Drafter(Protocol):
    """Turns a set of unmatched key texts into proposed templates."""

    source: Source

    def propose(self, samples: Sequence[str]) -> list[Proposal]:
        """Cluster ``samples`` and draft one proposal per cluster."""
        ...


class RuleDrafter:
    """The deterministic drafter: clustering and token alignment, no LLM."""

    source: Source = "rule"

    def propose(self, samples: Sequence[str]) -> list[Proposal]:
        """Draft templates by token alignment."""
        return [Proposal(draft=d) for d in draft_templates(samples)]


@dataclass(kw_only=True)
class CommitteeReport:
    """What one committee run did."""

    samples: int = 0  #: key texts it was given
    added: list[Template] = field(default_factory=list)  #: new templates
    revised: list[Template] = field(default_factory=list)  #: generalised templates
    rejected: list[tuple[str, str]] = field(default_factory=list)  #: (pattern, reason)
    unplaced: list[str] = field(default_factory=list)  #: samples no accepted template covers


class Committee:
    """Runs drafts through the arbiter against the current library."""

    def __init__(self, drafter: Drafter, store: TemplateStore) -> None:
        self.drafter = drafter
        self.store = store

    def run(
        self, samples: Sequence[str], library: Sequence[Template], *, final: bool = False
    ) -> CommitteeReport:
        """Draft, arbitrate and store; return the report (the caller rebuilds the index).

        ``final`` marks the end of the input: no later run will see these samples again, so a
        cluster whose draft the arbiter refuses still gets a template (see :meth:`_last_resort`)
        and no sample is left unplaced.
        """
        report = CommitteeReport(samples=len(samples))
        current = {t.template_id: t for t in library}
        refused: list[tuple[Draft, list[str]]] = []
        for proposal in self.drafter.propose(samples):
            mine = set(proposal.draft.members)
            members = [samples[i] for i in sorted(mine)]
            # The other clusters of this run are templates-to-be: a pattern must spare them too.
            peers = [s for i, s in enumerate(samples) if i not in mine]
            outcome = self._place(proposal, members, peers, current, report)
            if isinstance(outcome, Template):
                _record(outcome, current, report)
            elif final:  # the rule draft, when another drafter's was refused
                refused.append((proposal.fallback or proposal.draft, members))
            else:
                report.unplaced.extend(members)
        # After every other cluster is placed, so that the precedence test sees their templates.
        for draft, members in refused:
            for template in self._last_resort(draft, members, current, report):
                _record(template, current, report)
        return report

    def _last_resort(
        self,
        draft: Draft,
        members: list[str],
        current: dict[int, Template],
        report: CommitteeReport,
    ) -> list[Template]:
        """Templates for a refused cluster at the end of the input, so no line stays without one.

        First the cluster's draft again, sparing only the samples of templates that take
        precedence over it anyway (more literal characters, or as many and older: the index
        tries them first, so their lines keep their template), and accepting a pattern whose
        only literal text is delimiters. Failing that, members made of values only get the
        draft of variables only that logpai writes for them (``<*>``, ``<*> <*>``; it comes
        last in the index, after every template with literal text), and the other members
        their masked text as template, one per frame (a run of values whose length differs
        between them one ``<*>``; the member's own text, if the mask misses it).
        """
        rank = specificity(draft.template)
        if rank:
            others = [t.sample for t in current.values() if t.specificity < rank]
            verdict = arbiter.review(draft.pattern, members, others, literal="any")
            if verdict.accepted:
                return [self._store(draft, members[0])]
            report.rejected.append((draft.pattern, verdict.reason))
        values = [m for m in members if not specificity(mask(m))]
        shaped = [m for m in members if specificity(mask(m))]
        drafts = [(d, [values[i] for i in d.members]) for d in draft_templates(values)]
        drafts += [(d, [shaped[i] for i in d.members]) for d in masked_drafts(shaped)]
        placed: list[Template] = []
        for each, texts in drafts:
            verdict = arbiter.review(each.pattern, texts, literal="none")
            if verdict.accepted:
                placed.append(self._store(each, each.sample))
            else:
                report.rejected.append((each.pattern, verdict.reason))
                report.unplaced.extend(texts)
        return placed

    def _store(self, draft: Draft, sample: str) -> Template:
        new = NewTemplate(
            pattern=draft.pattern, template=draft.template, sample=sample, source="rule"
        )
        return self.store.add(new)

    def _place(
        self,
        proposal: Proposal,
        members: list[str],
        peers: list[str],
        current: dict[int, Template],
        report: CommitteeReport,
    ) -> Template | str:
        outcome = (
            self._generalise(members, peers, current)
            or self._merge_siblings(proposal.draft, members, peers, current, report)
            or self._add(proposal, members, peers, current)
        )
        if isinstance(outcome, str):
            report.rejected.append((proposal.draft.pattern, outcome))
            if proposal.fallback is not None:
                rule = Proposal(
                    draft=proposal.fallback, category=proposal.category, advice=proposal.advice
                )
                outcome = self._merge_siblings(
                    rule.draft, members, peers, current, report
                ) or self._add(rule, members, peers, current)
                if isinstance(outcome, str):
                    report.rejected.append((rule.draft.pattern, outcome))
        return outcome

    def _generalise(
        self, members: list[str], peers: list[str], current: dict[int, Template]
    ) -> Template | None:
        for old in current.values():
            widened = generalize_pattern(old.template, old.pattern, members, known=[old.sample])
            if widened is None or (widened[0] == old.template and widened[1] == old.pattern):
                continue
            wider, pattern = widened
            others = [t.sample for t in current.values() if t.template_id != old.template_id]
            if arbiter.review(pattern, [*members, old.sample], [*others, *peers]).accepted:
                note = f"generalised to cover {len(members)} new sample(s)"
                return self.store.revise(old, pattern, wider, note)
        return None

    def _merge_siblings(
        self,
        draft: Draft,
        members: list[str],
        peers: list[str],
        current: dict[int, Template],
        report: CommitteeReport,
    ) -> Template | None:
        """One template for a draft and the library templates that differ from it at one
        position holding many distinct words (``widen_column``): every sibling is revised to
        the merged template, so the index (which tries equal patterns oldest first) gives all
        their lines to the oldest."""
        if draft.pattern != template_to_pattern(draft.template):
            return None  # runs and details are not widened here
        plain = [t for t in current.values() if t.pattern == template_to_pattern(t.template)]
        found = widen_column(draft.template, [t.template for t in plain])
        if found is None:
            return None
        wider, chosen = found
        pattern = template_to_pattern(wider)
        siblings = [plain[k] for k in chosen]
        ids = {t.template_id for t in siblings}
        others = [t.sample for t in current.values() if t.template_id not in ids]
        covered = [*members, *(t.sample for t in siblings)]
        if not arbiter.review(pattern, covered, [*others, *peers]).accepted:
            return None
        note = f"merged with {len(siblings)} sibling(s): a column of distinct values"
        revised = [self.store.revise(t, pattern, wider, note) for t in siblings]
        for template in revised[1:]:
            _record(template, current, report)
        return revised[0]

    def _add(
        self,
        proposal: Proposal,
        members: list[str],
        peers: list[str],
        current: dict[int, Template],
    ) -> Template | str:
        draft = proposal.draft
        others = [t.sample for t in current.values()]
        verdict = arbiter.review(draft.pattern, members, [*others, *peers])
        if not verdict.accepted:
            log.debug("arbiter rejected %r: %s", draft.pattern, verdict.reason)
            return verdict.reason
        new = NewTemplate(
            pattern=draft.pattern,
            template=draft.template,
            sample=draft.sample,
            source=proposal.source,
            category=proposal.category,
            advice=proposal.advice,
        )
        return self.store.add(new)


def _record(template: Template, current: dict[int, Template], report: CommitteeReport) -> None:
    """Note an accepted template as added or revised and make it part of the library."""
    is_revision = template.template_id in current and template.version > 1
    (report.revised if is_revision else report.added).append(template)
    current[template.template_id] = template
