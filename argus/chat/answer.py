"""The rule path's answer: readable sentences from the tool results, and an honest preface.

Each tool result is rendered by its own small function; a failed tool is named with its error.
The preface says plainly that no LLM wrote the answer and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Result = dict[str, Any]
ROWS = 5  #: rows of a list rendered in an answer


def compose(results: list[tuple[str, Result]], note: str, follows: str | None = None) -> str:
    """The answer from (tool name, result) pairs; ``follows`` is the earlier question a vague
    follow-up continues."""
    names = ", ".join(dict.fromkeys(name for name, _ in results)) or "none"
    lines = [f"Answered without an LLM ({note}): from the batch's data via {names}."]
    if follows:
        lines.append(f"Following up on your earlier question ({follows[:200]!r}), in more detail:")
    for name, result in results:
        if "error" in result and len(result) == 1:
            lines.append(f"- {name} could not answer: {result['error']}")
            continue
        if result.get("truncated"):
            lines.append(f"- {name} returned more than can be shown.")
            continue
        render = RENDERERS.get(name)
        lines.extend(render(result) if render else [f"- {name}: {result}"])
    return "\n".join(lines)


def _report(r: Result) -> list[str]:
    if not r.get("diagnosed"):
        why = f" ({r['failure_reason']})" if r.get("failure_reason") else ""
        return [f"The batch is not diagnosed yet: it is {r.get('status')}{why}."]
    cause = r.get("root_cause") or {}
    lines = [f"Diagnosis ({r.get('mode')}): {r.get('summary')}"]
    if r.get("incident"):
        lines.append(
            f"Root cause: module {cause.get('module') or 'unknown'} "
            f"({cause.get('category')}), confidence {r.get('confidence')}."
        )
    if r.get("error_codes"):
        lines.append("Error codes: " + ", ".join(map(str, r["error_codes"])) + ".")
    lines += [f"- recommended: {step}" for step in r.get("recommendations", [])[:3]]
    return lines


def _suspects(r: Result) -> list[str]:
    suspects = r.get("suspects") or []
    if not suspects:
        return ["No module stands out: there is no evidence of a failing module."]
    head = "This looks like an incident" if r.get("incident") else "This does not look like one"
    top = suspects[0]
    lines = [
        f"{head}; the most suspect module is {top['module']} "
        f"(score {top['score']}, category guess {r.get('category_guess')})."
    ]
    for s in suspects[:ROWS]:
        lines.append(f"- {s['module']} ({s['score']}): " + "; ".join(s.get("reasons", [])[:2]))
    return lines


def _templates(title: str) -> Callable[[Result], list[str]]:
    def render(r: Result) -> list[str]:
        rows = r.get("templates") or []
        if not rows:
            return [f"{title}: none."]
        lines = [f"{title} ({r.get('records')} records over {r.get('window_minutes')} min):"]
        lines += [
            f"- [{t['module']}] {t['template']} x{t['count']} "
            f"({t.get('first') or '?'} to {t.get('last') or '?'})"
            for t in rows[:ROWS]
        ]
        return lines

    return render


def _modules(r: Result) -> list[str]:
    lines = ["Modules by volume:"]
    for m in (r.get("modules") or [])[:ROWS]:
        base = f", baseline {m['baseline_per_min']}/min" if "baseline_per_min" in m else ""
        lines.append(
            f"- {m['module']}: {m['count']} lines, {m['errors']} errors, {m['per_min']}/min{base}"
        )
    return lines


def _bursts(r: Result) -> list[str]:
    lines = [f"Timeline ({r.get('window_minutes')} min):"]
    for b in (r.get("bursts") or [])[:ROWS]:
        lines.append(
            f"- burst at {b['minute']}: [{b['module']}] {b['template']} x{b['count']} "
            f"(average {b['mean_per_min']}/min)"
        )
    minutes = r.get("error_minutes") or []
    if minutes:
        lines.append(
            "- most error lines: "
            + ", ".join(f"{m['minute']} ({m['errors']} of {m['lines']})" for m in minutes[:ROWS])
        )
    if len(lines) == 1:
        lines.append("- no bursts and no error lines.")
    return lines


def _changes(r: Result) -> list[str]:
    if not r.get("has_baseline"):
        return ["There is no baseline to compare with (no earlier diagnosed batch of this source)."]
    changes = r.get("changes") or []
    lines = [
        f"Against the baseline ({r.get('baseline_minutes')} min, traffic "
        f"x{r.get('traffic_factor')}): {len(changes)} notable changes."
    ]
    for c in changes[:ROWS]:
        kind = f"{c['kind']} {'error ' if c['error'] else ''}template"
        lines.append(
            f"- {kind} in {c['module']}: {c['template']} "
            f"({c['baseline_per_min']} -> {c['current_per_min']}/min)"
        )
    return lines


def _knowledge(r: Result) -> list[str]:
    hits = r.get("hits") or []
    if not hits:
        return ["The knowledge base holds nothing similar."]
    lines = ["Similar entries in the knowledge base:"]
    lines += [
        f"- {h['source_id']} ({h.get('module') or '-'}, {h.get('category') or '-'}): "
        f"{h.get('solution') or h.get('symptom')}"
        for h in hits[:3]
    ]
    return lines


RENDERERS: dict[str, Callable[[Result], list[str]]] = {
    "batch_report": _report,
    "suspect_modules": _suspects,
    "error_templates": _templates("Most frequent error templates"),
    "top_templates": _templates("Most frequent templates"),
    "module_counts": _modules,
    "minute_bursts": _bursts,
    "baseline_changes": _changes,
    "search_knowledge": _knowledge,
}
