"""Entries are validated and normalised when loaded; the category vocabulary is closed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from argus.errors import InputError
from argus.knowledge.categories import DESCRIPTIONS, Category, parse_category
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.filters import SearchFilters
from argus.knowledge.versions import firmware_lineage, normalize_firmware


def test_lists_become_lines_and_numbered_steps() -> None:
    e = KnowledgeEntry.model_validate(
        {
            "id": "x",
            "symptom": ["line one", " line two "],
            "solution": ["restart", "check"],
            "error_code": 1213,
            "firmware": " v2.3.1 ",
            "tags": "Disk, disk ,IO",
            "root_cause": "  ",
        }
    )
    assert e.symptom == "line one\nline two"
    assert e.solution == "1. restart\n2. check"
    assert e.error_code == "1213"
    assert e.firmware == "2.3.1"
    assert e.tags == ("disk", "io")
    assert e.root_cause is None


def test_unknown_field_and_unknown_category_are_rejected() -> None:
    with pytest.raises(ValidationError, match="synptom"):
        KnowledgeEntry.model_validate({"id": "x", "synptom": "a", "solution": "b"})
    with pytest.raises(ValidationError, match="category"):
        KnowledgeEntry.model_validate(
            {"id": "x", "symptom": "a", "solution": "b", "category": "disk"}
        )


def test_content_hash_follows_the_embedded_text_only() -> None:
    base = {"id": "x", "symptom": "disk full", "solution": "free space", "root_cause": "logs"}
    a = KnowledgeEntry.model_validate(base)
    same_text = KnowledgeEntry.model_validate({**base, "solution": "other", "tags": ["t"]})
    other_text = KnowledgeEntry.model_validate({**base, "root_cause": "core dumps"})
    assert a.content_hash() == same_text.content_hash()
    assert a.content_hash() != other_text.content_hash()


def test_category_vocabulary_is_closed_and_described() -> None:
    assert set(DESCRIPTIONS) == set(Category)
    assert parse_category(" Disk_Full ") is Category.DISK_FULL
    with pytest.raises(InputError, match="unknown category 'disk'") as info:
        parse_category("disk")
    assert "disk_full" in info.value.hint


def test_firmware_lineage() -> None:
    assert normalize_firmware("V2.3") == "2.3"
    assert normalize_firmware("vendor-1") == "vendor-1"
    assert firmware_lineage("v2.3.1") == ["2", "2.3", "2.3.1"]


def test_filters_from_user_input() -> None:
    f = SearchFilters.build(platform=" J7 ", firmware="v2.3", category="TIMEOUT", module="")
    assert (f.platform, f.firmware, f.category, f.module) == ("J7", "2.3", Category.TIMEOUT, None)
    assert f.describe() == ["platform=J7", "firmware=2.3", "category=timeout"]
    with pytest.raises(InputError):
        SearchFilters.build(category="slow")
