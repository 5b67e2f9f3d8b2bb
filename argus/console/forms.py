"""Reading the console's own forms (``application/x-www-form-urlencoded``, as a browser sends a
plain ``<form method="post">``): bounded in size and field count, decoded leniently."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from argus.errors import InputError

#: Who decides: a person's name or e-mail, as the API's ``by`` takes it.
MAX_PERSON_CHARS = 200


@dataclass(frozen=True, kw_only=True)
class Form:
    """A submitted form's fields (a repeated field keeps every value, in order)."""

    fields: dict[str, list[str]]

    def one(self, name: str) -> str:
        """The field's first value, stripped ("" when absent)."""
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def every(self, name: str) -> list[str]:
        """Every value of the field, in the order sent."""
        return list(self.fields.get(name, []))


async def read_form(request: Request, *, max_bytes: int = 65_536, max_fields: int = 600) -> Form:
    """The request's form; InputError when it is larger than ``max_bytes`` or holds more
    than ``max_fields`` fields (a browser's form of the console never does)."""
    body = await request.body()
    if len(body) > max_bytes:
        raise InputError(f"the form is larger than {max_bytes} bytes")
    try:
        fields = parse_qs(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=max_fields,
        )
    except ValueError as exc:
        raise InputError(f"the form has more than {max_fields} fields") from exc
    return Form(fields=fields)


def person(raw: str) -> str:
    """``raw`` as the name stored with a decision; InputError when it is blank, longer than
    :data:`MAX_PERSON_CHARS` or holds a NUL character."""
    name = raw.strip()
    if not name:
        raise InputError("say who you are (your name or e-mail): it is stored with the decision")
    if len(name) > MAX_PERSON_CHARS or "\x00" in name:
        raise InputError(f"a name is at most {MAX_PERSON_CHARS} characters, without NUL")
    return name
