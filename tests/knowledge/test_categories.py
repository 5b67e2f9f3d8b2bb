"""The knowledge vocabulary maps totally onto the report's, and the starter pack uses it."""

from __future__ import annotations

import pytest

from argus.knowledge.categories import Category, report_category
from argus.knowledge.pack import load_starter_pack
from argus.report import CATEGORIES, is_category


@pytest.mark.parametrize("category", list(Category))
def test_every_knowledge_category_maps_to_a_failure_category_of_the_report(
    category: Category,
) -> None:
    mapped = report_category(category)  # a missing match arm returns None here
    assert is_category(mapped), f"{category.value} -> {mapped!r} is not a report category"
    assert mapped not in {"none", "unknown"}, f"{category.value} names a failure"


def test_every_category_of_the_starter_pack_has_a_report_category() -> None:
    used = {item.entry.category for item in load_starter_pack()}
    assert Category.RESOURCE_LIMIT in used  # the member the old bridge missed
    assert all(c is not None and report_category(c) in CATEGORIES for c in used)


def test_a_per_process_limit_is_a_configuration_failure() -> None:
    assert report_category(Category.RESOURCE_LIMIT) == "config"
