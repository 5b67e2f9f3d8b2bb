"""A readable rendering of a report for the terminal (the CLI's presentation of ``Report``)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from argus.report import Report, Suspect


def render(report: Report) -> Group:
    """Summary, root cause, suspects, anomalies, evidence, recommendations, LLM fallbacks and
    run facts."""
    head = Text(report.summary + "\n", style="bold")
    cause = report.root_cause
    head.append(f"incident: {'yes' if report.incident else 'no'}   ")
    head.append(f"root cause: {cause.module or '-'} ({cause.category})   ")
    head.append(f"confidence: {report.confidence:.2f}\n")
    if cause.description:
        head.append(cause.description + "\n", style="dim")
    parts: list[object] = [head]
    if report.suspects:
        table = Table("suspect module", "score", "why", title="Suspects", title_justify="left")
        for s in report.suspects[:5]:
            table.add_row(s.module, f"{s.score:.2f}", "; ".join(s.reasons[:2])[:100])
        parts.append(table)
        parts += [_cards(s) for s in report.suspects[:1] if s.evidence]
    if report.anomalies:
        table = Table(
            "kind",
            "module",
            "per min (base → now)",
            "template",
            title="Anomalies",
            title_justify="left",
        )
        for a in report.anomalies[:8]:
            rates = f"{a.baseline_per_min:.1f} → {a.current_per_min:.1f}"
            table.add_row(a.kind, a.module or "-", rates, a.template[:80])
        parts.append(table)
    if report.evidence.knowledge:
        known = ", ".join(k.source_id for k in report.evidence.knowledge[:3])
        parts.append(Text(f"knowledge: {known}"))
    if report.recommendations:
        steps = "\n".join(f"  {i}. {r}" for i, r in enumerate(report.recommendations[:5], 1))
        parts.append(Text("recommendations:\n" + steps))
    if report.fallbacks:
        fell = "; ".join(f"{f.agent} ({f.reason})" for f in report.fallbacks[:5])
        parts.append(Text(f"rule path taken by: {fell}", style="dim"))
    model = f", model {report.model}" if report.model else ""
    facts = (
        f"mode {report.mode}{model}, {report.llm_calls} LLM calls, {report.tokens} tokens, "
        f"{report.duration_s:.2f}s"
    )
    parts.append(Text(facts, style="dim"))
    return Group(*parts)  # type: ignore[arg-type]


def _cards(suspect: Suspect) -> Text:
    """The explain cards of a suspect: each signal with its figures, samples and minutes."""
    text = Text(f"evidence for {suspect.module}:\n", style="bold")
    for card in suspect.evidence:
        base = "-" if card.baseline is None else f"{card.baseline:g}"
        text.append(f"  [{card.signal}] z={card.z:.1f}  batch {card.batch:g} {card.unit}")
        text.append(f" vs baseline {base}\n    {card.claim[:160]}\n")
        for sample in card.samples[:2]:
            trace = f" (request {sample.trace})" if sample.trace else ""
            text.append(f"    e.g. {sample.text[:120]}{trace}\n", style="dim")
        if card.minutes:
            minutes = ", ".join(m.strftime("%H:%M") for m in card.minutes)
            text.append(f"    minutes: {minutes}\n", style="dim")
    return text


def print_report(console: Console, report: Report, title: str) -> None:
    """Print the report in a panel titled ``title``; the report is not changed."""
    console.print(Panel(render(report), title=title, expand=True))
