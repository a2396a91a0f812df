"""Units of measure: CL_UNIT_MEASURE codes, scaled SDG database units and their spellings.

A :class:`Unit` is ``sdmx_code`` × 10^``unit_mult`` in the terms of the global SDG DSD
(CL_UNIT_MEASURE, CL_UNIT_MULT), e.g. ``CU_USD_M`` = ``USD`` × 10^6.  Inputs spell units in
many ways (``percent``, ``PERCENT``, ``%``, ``PT``); :func:`synonym_index` maps every spelling,
trimmed and lower-cased, to one unit code.  The units themselves are catalogue data
(``urbanagenda/catalogue/units.yaml``), read by :mod:`urbanagenda.model.catalogue`.

>>> pt = Unit("PT", "Percent", "PT", 0, ("percent", "%"), ("dsd_units",))
>>> index = synonym_index([pt])
>>> index[synonym_key(" Percent ")], pt.in_dsd
('PT', True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from urbanagenda.errors import ConfigError

__all__ = ["Unit", "synonym_index", "synonym_key"]

_CODE = re.compile(r"^[A-Z0-9_]+$")


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of measure with the spellings inputs use for it."""

    code: str
    name: str
    sdmx_code: str | None
    unit_mult: int
    synonyms: tuple[str, ...]
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ConfigError(f"unit code {self.code!r} is not made of A-Z, 0-9 and _")
        if not -15 <= self.unit_mult <= 15:
            raise ConfigError(f"unit_mult {self.unit_mult} is not a CL_UNIT_MULT power (-15..15)")

    @property
    def in_dsd(self) -> bool:
        """Whether the code itself is a CL_UNIT_MEASURE id."""
        return self.sdmx_code == self.code

    @property
    def spellings(self) -> tuple[str, ...]:
        """The code, the name and the synonyms."""
        return (self.code, self.name, *self.synonyms)


def synonym_key(raw: str) -> str:
    """The lookup key of a spelling: trimmed and lower-cased (as the ingest validator does)."""
    return raw.strip().lower()


def synonym_index(units: Iterable[Unit]) -> dict[str, str]:
    """Every spelling's key → unit code; a spelling shared by two units is an error."""
    index: dict[str, str] = {}
    for unit in units:
        for spelling in unit.spellings:
            other = index.setdefault(synonym_key(spelling), unit.code)
            if other != unit.code:
                raise ConfigError(
                    f"unit spelling {spelling!r} is given for both {other} and {unit.code}; "
                    "keep each spelling under one unit"
                )
    return index
