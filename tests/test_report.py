"""The report contract holds one category vocabulary."""

from __future__ import annotations

from typing import get_args

from argus.report import CATEGORIES, Category, RootCause, is_category


def test_the_category_tuple_is_the_literal() -> None:
    assert get_args(Category) == CATEGORIES
    assert len(set(CATEGORIES)) == len(CATEGORIES)
    assert {"none", "unknown"} <= set(CATEGORIES)


def test_is_category_is_exact() -> None:
    assert is_category("resource_cpu")
    assert not is_category("Resource_CPU") and not is_category(None) and not is_category("oom")
    assert RootCause().category == "unknown"
