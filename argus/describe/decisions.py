"""A person's decisions on several descriptions at once (the bulk routes of the API and the
console's checkboxes): each one decided on its own, the ones that cannot be reported."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from argus.errors import ConflictError, NotFoundError
from argus.store import descriptions
from argus.store.descriptions import Description

#: A decision on one description by one person.
Decide = Callable[[psycopg.AsyncConnection[Any], int, str], Awaitable[Description]]
#: The decisions a person takes on drafts, by name.
DECISIONS: dict[str, Decide] = {"approve": descriptions.approve, "reject": descriptions.reject}


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What became of one description of a bulk decision."""

    description_id: int
    outcome: Literal["done", "not_found", "conflict"]
    detail: str | None  #: why it was not done
    description: Description | None  #: the description after the decision, when done


async def decide_many(
    conn: psycopg.AsyncConnection[Any], ids: Sequence[int], by: str, decide: Decide
) -> list[Outcome]:
    """``decide`` each of ``ids`` (a repeated id once, in the order asked) in its own
    transaction; an unknown id or one whose state refuses the decision is reported, never
    raised, and leaves the others decided."""
    results: list[Outcome] = []
    for description_id in dict.fromkeys(ids):
        try:
            decided = await decide(conn, description_id, by)
        except NotFoundError as exc:
            results.append(_refused(description_id, "not_found", exc.message))
        except ConflictError as exc:
            results.append(_refused(description_id, "conflict", exc.message))
        else:
            results.append(
                Outcome(
                    description_id=description_id, outcome="done", detail=None, description=decided
                )
            )
    return results


def _refused(
    description_id: int, outcome: Literal["not_found", "conflict"], detail: str
) -> Outcome:
    return Outcome(description_id=description_id, outcome=outcome, detail=detail, description=None)
