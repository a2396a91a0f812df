"""What Open SDG rows mean in urbanagenda's terms, and back: pure functions, no I/O.

* Disaggregation columns map to the SDG DSD dimensions where every value of the column has a
  code (``Sex``/``Gender`` female/male → CL_SEX ``F``/``M``; ``Age`` "18-24" → CL_AGE
  ``Y18T24``; ``Location`` urban/rural → CL_URBANISATION ``U``/``R``), and otherwise into
  ``breakdown`` as custom ``DIM=CODE`` pairs.  The column's name and every original value are
  kept in a :class:`ColumnMap` so that an export writes them back exactly.  A blank cell is
  the total.
* Each distinct (``Series``, ``Units``) pair of an indicator is one series: a *local* series
  ``LOCAL_<AREA>_<G_T_I>[_<LABEL>]`` linked to the global indicator by a relation (same,
  proxy, component, context), or, when the user declares ``same`` and the unit agrees, the
  global series itself.
* ``Year`` cells that are periods ("1990-1999") are stored at their last year with a
  footnote, and the label is kept to be written back.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from urbanagenda.model.codes import codelist

__all__ = [
    "RELATIONS",
    "ColumnMap",
    "SeriesMap",
    "format_value",
    "local_series_code",
    "plan_columns",
    "resolve_unit",
    "slug",
    "year_of",
]

RELATIONS = ("same", "proxy", "component", "context")
#: columns of an Open SDG CSV that are not disaggregations
STRUCTURAL = ("Year", "Units", "Series", "Value")
MAX_CODE = 64

_SEX_COLUMNS = {"sex", "gender"}
_SEX_VALUES = {"female": "F", "male": "M", "women": "F", "men": "M", "f": "F", "m": "M"}
_AGE_COLUMNS = {"age", "age group", "age_group", "age groups"}
_LOCATION_COLUMNS = {"location", "urbanisation", "urbanization", "urban/rural"}
_LOCATION_VALUES = {"urban": "U", "rural": "R"}
_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})(?:\s*years?)?$", re.I)
_UNDER = re.compile(r"^(?:under|less than|below|<)\s*(\d{1,3})(?:\s*years?)?$", re.I)
_OVER = re.compile(r"^(\d{1,3})\s*(?:\+|and over|and older|or older|or over|years and over)$", re.I)
_PERIOD = re.compile(r"^(\d{4})\s*(?:-|–|/)\s*(\d{4})$")


def slug(text: str, limit: int = 40) -> str:
    """An upper-case code from a label, readable and stable; long ones end in a short hash.

    >>> slug("Black/ African American")
    'BLACK_AFRICAN_AMERICAN'
    >>> slug("Parkland as percent of city area (%)", limit=20)
    'PARKLAND_AS_P_42C0A4'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    code = re.sub(r"[^A-Z0-9]+", "_", ascii_text.upper()).strip("_")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6].upper()
    if not code:
        return f"X{digest}"
    if len(code) > limit:
        return f"{code[: limit - 7].rstrip('_')}_{digest}"
    return code


@dataclass
class ColumnMap:
    """One disaggregation column: where its values go and the original spelling of each."""

    name: str
    target: str  # sex | age | location | breakdown
    dim: str = ""  # the breakdown dimension code (breakdown columns only)
    codes: dict[str, str] = field(default_factory=dict)  # original value -> code

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _age_code(value: str, known: set[str]) -> str | None:
    v = value.strip()
    if m := _RANGE.match(v):
        code = f"Y{int(m.group(1))}T{int(m.group(2))}"
    elif m := _UNDER.match(v):
        code = f"Y0T{int(m.group(1)) - 1}"
    elif m := _OVER.match(v):
        code = f"Y_GE{int(m.group(1))}"
    else:
        return None
    return code if code in known else None


def _all_or_none(values: Iterable[str], code_of: Any) -> dict[str, str] | None:
    out = {}
    for v in values:
        code = code_of(v)
        if code is None:
            return None
        out[v] = code
    return out if len(set(out.values())) == len(out) else None


def plan_columns(header: list[str], rows: list[list[str]]) -> list[ColumnMap]:
    """How each disaggregation column of a data file maps to dimension codes."""
    maps: list[ColumnMap] = []
    taken: set[str] = set()
    ages = set(codelist("CL_AGE"))
    for j, name in enumerate(header):
        if name in STRUCTURAL:
            continue
        values = sorted({r[j] for r in rows if r[j].strip()})
        key = name.strip().lower()
        codes: dict[str, str] | None = None
        target = "breakdown"
        if key in _SEX_COLUMNS and "sex" not in taken:
            codes = _all_or_none(values, lambda v: _SEX_VALUES.get(v.strip().lower()))
            target = "sex"
        elif key in _AGE_COLUMNS and "age" not in taken:
            codes = _all_or_none(values, lambda v: _age_code(v, ages))
            target = "age"
        elif key in _LOCATION_COLUMNS and "location" not in taken:
            codes = _all_or_none(values, lambda v: _LOCATION_VALUES.get(v.strip().lower()))
            target = "location"
        if codes is not None:
            taken.add(target)
            maps.append(ColumnMap(name, target, "", codes))
            continue
        dim = slug(name, 30)
        while dim in taken or dim in ("SEX", "AGE", "URBANISATION"):
            dim = f"{dim}_X"
        taken.add(dim)
        value_codes: dict[str, str] = {}
        used: set[str] = set()
        for v in values:
            code = slug(v, 40)
            n = 2
            while code in used:
                code, n = f"{slug(v, 36)}_{n}", n + 1
            used.add(code)
            value_codes[v] = code
        maps.append(ColumnMap(name, "breakdown", dim, value_codes))
    return maps


@dataclass
class SeriesMap:
    """One (Series, Units) pair of an indicator and the series it is stored under."""

    series: str  # the Series cell ("" when the file has none)
    units: str  # the Units cell ("" when the file has none)
    code: str  # the stored series code (local, or global for "same")
    unit: str  # its unit code
    relation: str
    local: bool
    name: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def local_series_code(area: str, indicator_id: str, label: str) -> str:
    """``LOCAL_<AREA>_<G_T_I>[_<LABEL>]``, at most 64 characters.

    >>> local_series_code("us_los_angeles_ca", "11-1-1", "Total by Gender")
    'LOCAL_US_LOS_ANGELES_CA_11_1_1_TOTAL_BY_GENDER'
    """
    base = f"LOCAL_{slug(area, 30)}_{slug(indicator_id.replace('-', '_'), 12)}"
    if not label:
        return base
    room = MAX_CODE - len(base) - 1
    return f"{base}_{slug(label, max(room, 8))}"[:MAX_CODE]


def _percent(text: str) -> bool:
    t = text.lower()
    return "%" in t or "percent" in t


def resolve_unit(
    units_cell: str, computation_units: str, synonyms: Mapping[str, str]
) -> tuple[str, str]:
    """The unit code of a series and the text it came from.

    The ``Units`` cell first (a unit name, or any label that says percent), then the
    metadata's ``computation_units`` (whole, or the part after " in ").  When neither names a
    known unit, a local unit ``LOCAL_<LABEL>`` named by the label is returned: units are never
    guessed.
    """

    def lookup(text: str) -> str | None:
        key = text.strip().lower()
        return synonyms.get(key) or synonyms.get(key.replace("µ", "u"))

    cell = units_cell.strip()
    comp = computation_units.strip()
    if cell and (code := lookup(cell)):
        return code, cell
    if cell and _percent(cell):
        return "PT", cell
    if comp:
        if code := lookup(comp):
            return code, comp
        if " in " in comp and (code := lookup(comp.rsplit(" in ", 1)[1])):
            return code, comp
    label = cell or comp
    if not label:
        return "LOCAL_UNSPECIFIED", "unit not stated in the Open SDG data or metadata"
    return f"LOCAL_{slug(label, MAX_CODE - 6)}", label


def year_of(label: str) -> tuple[str, str]:
    """The stored year (as text, for the validator) and a footnote for a ``Year`` cell.

    >>> year_of("2019"), year_of("1990-1999")
    (('2019', ''), ('1999', 'Reference period 1990-1999'))
    """
    text = label.strip()
    if m := _PERIOD.match(text):
        return m.group(2), f"Reference period {text}"
    return text, ""


def format_value(value: float) -> str:
    """A value as Open SDG files write it: whole numbers without '.0', others in the
    shortest form that reads back exactly.

    >>> format_value(36165.0), format_value(0.91), format_value(1e-7)
    ('36165', '0.91', '1e-07')
    """
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))
