"""Hard filters of a knowledge search: they decide which entries may be returned at all.

* ``error_code``, ``module`` and ``category`` are exact: an entry must carry that very value.
* ``platform`` and ``firmware`` scope entries: an entry of another platform or another firmware
  line is never returned, while an entry that leaves the field empty applies everywhere and is
  kept, unless ``include_generic`` is off.
* ``firmware`` compares dotted prefixes both ways: the filter ``2.3`` matches entries written for
  ``2.3.1`` (and ``2.3``), and the filter ``2.3.1`` matches entries written for ``2.3`` or ``2``.
  ``2.3`` never matches ``2.30``.
"""

from __future__ import annotations

from dataclasses import dataclass

from argus.knowledge.categories import Category, parse_category
from argus.knowledge.versions import firmware_lineage, normalize_firmware


@dataclass(frozen=True, kw_only=True)
class SearchFilters:
    """Hard filters; ``None`` leaves a field unconstrained."""

    error_code: str | None = None  #: exact error code
    platform: str | None = None  #: platform the batch comes from
    firmware: str | None = None  #: firmware version (prefix), e.g. "2.3" or "v2.3.1"
    module: str | None = None  #: exact module name
    category: Category | None = None  #: one category of the closed vocabulary
    include_generic: bool = True  #: keep entries with no platform / firmware of their own

    @classmethod
    def build(
        cls,
        *,
        error_code: str | None = None,
        platform: str | None = None,
        firmware: str | None = None,
        module: str | None = None,
        category: str | None = None,
        include_generic: bool = True,
    ) -> SearchFilters:
        """Filters from user input: blanks are dropped, the category must be a known one."""
        kind = _clean(category)
        version = _clean(firmware)
        return cls(
            error_code=_clean(error_code),
            platform=_clean(platform),
            firmware=normalize_firmware(version) if version else None,
            module=_clean(module),
            category=parse_category(kind) if kind else None,
            include_generic=include_generic,
        )

    @property
    def firmware_lineage(self) -> list[str]:
        """Versions an entry may be written for and still apply to :attr:`firmware`."""
        return firmware_lineage(self.firmware) if self.firmware else []

    def describe(self) -> list[str]:
        """The active filters as ``field=value`` strings, for explanations."""
        pairs = [
            ("error_code", self.error_code),
            ("platform", self.platform),
            ("firmware", self.firmware),
            ("module", self.module),
            ("category", self.category.value if self.category else None),
        ]
        return [f"{name}={value}" for name, value in pairs if value is not None]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None
