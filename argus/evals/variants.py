"""Variants of a settings model: each numeric field halved and doubled, one at a time.

Fields are found generically: every ``int`` or ``float`` value of the model (booleans excluded) is
a tunable constant. A variant is validated by the model, so one that leaves a field's bounds
(a probability doubled past 1, say) is reported as invalid instead of being scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

#: Each numeric field is tried at these multiples of its default.
FACTORS = (0.5, 2.0)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, kw_only=True)
class Variant(Generic[M]):
    """Settings to try, with what sets them apart from the defaults."""

    label: str  #: e.g. ``defaults`` or ``false_alarm_rate x0.5``
    settings: M  #: the settings themselves
    changes: dict[str, float] = field(default_factory=dict)  #: field -> value, where it differs


@dataclass(frozen=True, kw_only=True)
class Variants(Generic[M]):
    """The one-at-a-time variants of some defaults, and those the model refused."""

    defaults: Variant[M]  #: the defaults themselves
    scaled: list[Variant[M]]  #: each numeric field at each factor, in field order
    invalid: list[str] = field(default_factory=list)  #: labels of refused variants, with why


def numeric_fields(model: BaseModel) -> list[str]:
    """Names of the model's fields whose value is an int or a float (not a bool)."""
    return [
        name
        for name in type(model).model_fields
        if isinstance(getattr(model, name), int | float)
        and not isinstance(getattr(model, name), bool)
    ]


def label_of(name: str, factor: float) -> str:
    """How a scaled field is named in reports."""
    return f"{name} x{factor:g}"


def scaled_value(value: float, factor: float) -> float:
    """``value`` times ``factor``, kept an int when it was one."""
    if isinstance(value, int):
        return round(value * factor)
    return value * factor


def with_values(defaults: M, values: dict[str, float]) -> M:
    """``defaults`` with ``values`` set, validated (raises pydantic's ValidationError)."""
    return type(defaults).model_validate({**defaults.model_dump(), **values})


def one_at_a_time(defaults: M) -> Variants[M]:
    """Each numeric field halved and doubled, the others at their defaults."""
    scaled: list[Variant[M]] = []
    invalid: list[str] = []
    for name in numeric_fields(defaults):
        for factor in FACTORS:
            value = scaled_value(getattr(defaults, name), factor)
            label = label_of(name, factor)
            if value == getattr(defaults, name):
                invalid.append(f"{label}: same value as the default")
                continue
            try:
                settings = with_values(defaults, {name: value})
            except ValidationError as exc:
                invalid.append(f"{label} = {value:g}: {exc.errors()[0]['msg']}")
                continue
            scaled.append(Variant(label=label, settings=settings, changes={name: value}))
    return Variants(
        defaults=Variant(label="defaults", settings=defaults), scaled=scaled, invalid=invalid
    )
