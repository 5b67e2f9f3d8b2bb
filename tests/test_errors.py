"""The error hierarchy gives every failure a class, a message and a hint a user can act on."""

from __future__ import annotations

import pytest

from argus import errors


@pytest.mark.parametrize(
    "cls",
    [
        errors.ConfigError,
        errors.CorruptInputError,
        errors.DatabaseUnavailable,
        errors.KafkaUnavailable,
        errors.EmbeddingUnavailable,
        errors.LLMUnavailable,
        errors.MigrationError,
    ],
)
def test_user_facing_errors_carry_a_hint(cls: type[errors.ArgusError]) -> None:
    exc = cls("something failed")
    assert isinstance(exc, errors.ArgusError)
    assert exc.hint, f"{cls.__name__} has no default hint"
    assert "something failed" in str(exc) and exc.hint in str(exc)


def test_hierarchy_lets_callers_catch_by_kind() -> None:
    assert issubclass(errors.CorruptInputError, errors.InputError)
    assert issubclass(errors.DatabaseUnavailable, errors.ServiceUnavailable)
    assert issubclass(errors.LLMOutputInvalid, errors.LLMError)
    assert issubclass(errors.UsageLimitExceeded, errors.LLMError)
    assert errors.InputError.exit_code != errors.ServiceUnavailable.exit_code


def test_explicit_hint_overrides_default() -> None:
    assert errors.KafkaUnavailable("down", hint="start it").hint == "start it"
