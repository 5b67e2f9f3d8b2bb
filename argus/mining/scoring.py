"""Log-parsing accuracy as the Loghub-2.0 evaluators define it: GA, FGA and PA.

Every function takes per-line lists: the truth and the prediction for line ``i`` sit at index
``i``. Groups are keyed by the label itself (a template string or an id).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class ParsingScores:
    """The three Loghub-2.0 figures for one parse."""

    ga: float
    fga: float
    pa: float


def _correct_groups(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[int, int]:
    """(lines in exactly-recovered truth groups, number of such groups)."""
    if len(truth) != len(predicted):
        raise ValueError(f"length mismatch: {len(truth)} truth vs {len(predicted)} predicted")
    predicted_sizes = Counter(predicted)
    by_truth: dict[Hashable, list[Hashable]] = defaultdict(list)
    for t, p in zip(truth, predicted, strict=True):
        by_truth[t].append(p)
    lines = groups = 0
    for members in by_truth.values():
        labels = set(members)
        if len(labels) == 1 and predicted_sizes[members[0]] == len(members):
            lines += len(members)
            groups += 1
    return lines, groups


def grouping_accuracy(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of lines whose predicted group equals their true group exactly (GA)."""
    if not truth:
        return 0.0
    lines, _ = _correct_groups(truth, predicted)
    return lines / len(truth)


def f1_grouping_accuracy(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """F1 of precision (correct groups / predicted groups) and recall (/ true groups) (FGA)."""
    if not truth:
        return 0.0
    _, groups = _correct_groups(truth, predicted)
    precision = groups / len(set(predicted))
    recall = groups / len(set(truth))
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def normalize_template(template: str) -> str:
    """A template with every run of whitespace made one space and the ends trimmed."""
    return " ".join(template.split())


def parsing_accuracy(truth_templates: Sequence[str], predicted_templates: Sequence[str]) -> float:
    """Share of lines whose predicted template equals the true one, whitespace-normalised (PA)."""
    if len(truth_templates) != len(predicted_templates):
        raise ValueError("length mismatch between truth and predicted templates")
    if not truth_templates:
        return 0.0
    hits = sum(
        normalize_template(t) == normalize_template(p)
        for t, p in zip(truth_templates, predicted_templates, strict=True)
    )
    return hits / len(truth_templates)


def score(truth_templates: Sequence[str], predicted_templates: Sequence[str]) -> ParsingScores:
    """GA, FGA (groups keyed by the template strings) and PA of one parse."""
    return ParsingScores(
        ga=grouping_accuracy(truth_templates, predicted_templates),
        fga=f1_grouping_accuracy(truth_templates, predicted_templates),
        pa=parsing_accuracy(truth_templates, predicted_templates),
    )
