"""The rule path's plan: which tools answer a question, chosen by simple keyword intent.

Keywords are matched at word starts (so "errors" and "failing" match "error" and "fail"); the
Chinese ones anywhere. A question that matches nothing gets the summary; a follow-up that matches
nothing ("tell me more") repeats the previous turn's tools with more rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_PLANNED = 4  #: tools called for one rule-path answer
MORE_ROWS = 20  #: rows asked for when a follow-up wants more


@dataclass(frozen=True, kw_only=True)
class Intent:
    """A kind of question and the tools that answer it."""

    name: str  #: what the user asks about
    keywords: str  #: keyword starts (lower case) that reveal it, separated by "|"
    tools: tuple[str, ...]  #: tools that answer it, best first

    @property
    def words(self) -> list[str]:
        """The keywords as a list."""
        return self.keywords.split("|")


INTENTS = (
    Intent(
        name="modules",
        keywords="module|component|service|which|who|where|culprit|root cause|cause|suspect|blame|"
        "responsible|fault|模块|组件|服务|根因|原因",
        tools=("suspect_modules", "module_counts"),
    ),
    Intent(
        name="errors",
        keywords="error|fail|exception|crash|fatal|panic|errno|code|warn|broken|错误|异常|失败|报错",
        tools=("error_templates",),
    ),
    Intent(
        name="timeline",
        keywords="when|time|minute|timeline|burst|peak|start|began|begin|时间|分钟|何时|什么时候|突发",
        tools=("minute_bursts",),
    ),
    Intent(
        name="baseline",
        keywords="baseline|change|new|differ|compare|normal|before|spike|drop|regress|unusual|anomal|"
        "基线|变化|新增|对比",
        tools=("baseline_changes",),
    ),
    Intent(
        name="knowledge",
        keywords="knowledge|similar|runbook|known|fix|solve|solution|remed|recommend|advice|advise|"
        "what should|how to|how do|知识|相似|解决|建议|修复",
        tools=("search_knowledge",),
    ),
    Intent(
        name="templates",
        keywords="template|pattern|frequent|common|top|most|模板|最多",
        tools=("top_templates",),
    ),
)
SUMMARY = ("batch_report", "suspect_modules")


def intents_of(question: str) -> list[Intent]:
    """The intents whose keywords occur in ``question``, in the order of INTENTS."""
    text = question.lower()
    return [i for i in INTENTS if any(_occurs(word, text) for word in i.words)]


Plan = list[tuple[str, dict[str, Any]]]


def plan_tools(question: str, previous: list[str] | None = None) -> Plan:
    """(tool, arguments) to call for ``question``; ``previous`` is the last turn's tools."""
    intents = intents_of(question)
    if intents:
        names = [t for intent in intents for t in intent.tools]
        return [(name, {}) for name in _unique(names)[:MAX_PLANNED]]
    if previous:
        return [(name, _more(name)) for name in _unique(previous)[:MAX_PLANNED]]
    return [(name, {}) for name in SUMMARY]


def _occurs(word: str, text: str) -> bool:
    if not word.isascii():
        return word in text
    return re.search(r"\b" + re.escape(word), text) is not None


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _more(name: str) -> dict[str, Any]:
    """Arguments asking ``name`` for more rows (tools without rows take none)."""
    return {} if name in {"batch_report", "search_knowledge"} else {"limit": MORE_ROWS}
