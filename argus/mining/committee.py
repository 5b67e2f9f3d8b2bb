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
from argus.mining.drafting import Draft, draft_templates, generalize, template_to_pattern
from argus.mining.index import Template
from argus.mining.library import NewTemplate, Source, TemplateStore

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

    def run(self, samples: Sequence[str], library: Sequence[Template]) -> CommitteeReport:
        """Draft, arbitrate and store; return the report (the caller rebuilds the index)."""
        report = CommitteeReport(samples=len(samples))
        current = {t.template_id: t for t in library}
        for proposal in self.drafter.propose(samples):
            mine = set(proposal.draft.members)
            members = [samples[i] for i in sorted(mine)]
            # The other clusters of this run are templates-to-be: a pattern must spare them too.
            peers = [s for i, s in enumerate(samples) if i not in mine]
            outcome = self._place(proposal, members, peers, current, report)
            if isinstance(outcome, str):
                report.unplaced.extend(members)
                continue
            is_revision = outcome.template_id in current and outcome.version > 1
            (report.revised if is_revision else report.added).append(outcome)
            current[outcome.template_id] = outcome
        return report

    def _place(
        self,
        proposal: Proposal,
        members: list[str],
        peers: list[str],
        current: dict[int, Template],
        report: CommitteeReport,
    ) -> Template | str:
        outcome = self._generalise(members, peers, current) or self._add(
            proposal, members, peers, current
        )
        if isinstance(outcome, str):
            report.rejected.append((proposal.draft.pattern, outcome))
            if proposal.fallback is not None:
                rule = Proposal(
                    draft=proposal.fallback, category=proposal.category, advice=proposal.advice
                )
                outcome = self._add(rule, members, peers, current)
                if isinstance(outcome, str):
                    report.rejected.append((rule.draft.pattern, outcome))
        return outcome

    def _generalise(
        self, members: list[str], peers: list[str], current: dict[int, Template]
    ) -> Template | None:
        for old in current.values():
            wider = generalize(old.template, members)
            if wider is None or wider == old.template:
                continue
            pattern = template_to_pattern(wider)
            others = [t.sample for t in current.values() if t.template_id != old.template_id]
            if arbiter.review(pattern, [*members, old.sample], [*others, *peers]).accepted:
                note = f"generalised to cover {len(members)} new sample(s)"
                return self.store.revise(old, pattern, wider, note)
        return None

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
