"""The tabular layouts of the finance input formats, shared by the file readers
(:mod:`.files`) and the Excel templates (:mod:`.templates`), and the conversion of cell text
into the plain values of the YAML format.

Column headers are the field names of the YAML format, so an issue found by the parsers
(``years[0].streams[1].categories[0].compliant``) names a column a user can find.  A field that
takes an estimate has two more columns, ``<field>_low`` and ``<field>_high``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from urbanagenda.finance._fields import SOURCE_FIELDS
from urbanagenda.finance._invest_parse import PROJECT_FIELDS
from urbanagenda.finance.model import CRITERIA
from urbanagenda.finance.parse import FISCAL_FIELDS

__all__ = [
    "ANALYSIS_KEYS",
    "CHARGE_STREAM_KINDS",
    "CSV_OSR_KINDS",
    "CSV_PLAN_COLUMNS",
    "ESTIMATE_FIELDS",
    "FISCAL_FIELDS",
    "ITEM_FIELDS",
    "MARKER_SHEET",
    "OSR_MARKER",
    "OSR_SHEETS",
    "PLAN_KEYS",
    "PLAN_MARKER",
    "PROJECT_FIELDS",
    "SOURCE_FIELDS",
    "STREAM_FIELDS",
    "USER_CHARGE_TERMS",
    "TableSheet",
    "coerce",
    "columns_of",
    "item_key",
]

#: Hidden-sheet markers by which a workbook says which template it was made from.
OSR_MARKER = "urbanagenda-osr-template"
PLAN_MARKER = "urbanagenda-invest-template"
MARKER_SHEET = "_urbanagenda"
TEMPLATE_VERSION = "1"

#: Fields whose value may be an estimate ``{central, low, high}``.
ESTIMATE_FIELDS = frozenset(
    {
        "estimated",
        "registered",
        "compliant",
        "assessed_value",
        "market_value",
        "rate",
        "legislated_rate",
        "fee",
        "legislated_fee",
        "users_estimated",
        "users_actual",
        "periods",
        "population",
        "gdp_per_capita",
        "household_size",
    }
)
_NUMBER_FIELDS = frozenset(
    {
        "actual_reported",
        "usd_rate",
        "cost",
        "population_served",
        "cost_recovery",
        "cofinancing",
        "budget",
        "city_population",
        "envelope.capital_share",
        *(f"weights.{c}" for c in CRITERIA),
    }
)
_INT_FIELDS = frozenset({"year", "years", "start_year", "horizon", "envelope.osr_analysis"})
_BOOL_FIELDS = frozenset({"example", "land_secured", "environmental_clearance"})
_LIST_FIELDS = frozenset({"sources", "sdg_targets", "umf_cells"})
_NUMBER_LIST_FIELDS = frozenset({"budget_by_year", "envelope.gap_recovery"})

# ----------------------------------------------------------------------------- OSR layout

#: Key/value rows of the Analysis sheet (the header facts; CSV: columns on every row).
ANALYSIS_KEYS: tuple[str, ...] = (
    "local_government",
    "area",
    "country",
    "currency",
    "example",
    "note",
)
_CHARGE_FIELDS = ("users_estimated", "users_actual", "rate", "legislated_rate", "periods", "per")
#: Fields of one category or charge (one row), by stream kind.
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "property_tax": (
        "registered",
        "compliant",
        "assessed_value",
        "market_value",
        "rate",
        "legislated_rate",
    ),
    "business_licence": ("estimated", "registered", "compliant", "fee", "legislated_fee"),
    "user_charge_short": _CHARGE_FIELDS,
    "user_charge_long": _CHARGE_FIELDS,
    "user_charge_mixed": _CHARGE_FIELDS,
    "other_tax": _CHARGE_FIELDS,
}
_STREAM_COMMON = ("actual_reported", "sources", "note")
#: Fields of the stream itself (given on any one of its rows, or the same on several).
STREAM_FIELDS: dict[str, tuple[str, ...]] = {
    kind: (("estimated", *_STREAM_COMMON) if kind == "property_tax" else _STREAM_COMMON)
    for kind in ITEM_FIELDS
}
#: The kinds on the User charges sheet.
CHARGE_STREAM_KINDS: tuple[str, ...] = (
    "user_charge_short",
    "user_charge_long",
    "user_charge_mixed",
)
#: The User charges sheet's ``stream_kind`` values and the kinds they stand for.
USER_CHARGE_TERMS: dict[str, str] = {
    "short": "user_charge_short",
    "long": "user_charge_long",
    "mixed": "user_charge_mixed",
}
#: ``stream_kind`` values of the CSV besides the stream kinds.
CSV_OSR_KINDS: tuple[str, ...] = ("fiscal", "source")


def item_key(kind: str) -> str:
    """Where a stream keeps its rows: ``categories`` or ``charges``."""
    return "categories" if kind in ("property_tax", "business_licence") else "charges"


@dataclass(frozen=True)
class TableSheet:
    """A sheet with a header row and one row per record."""

    title: str
    fields: tuple[str, ...]  # logical fields, in column order (estimates expand to 3 columns)
    kind: str | None = None  # the stream kind of every row (None: a stream_kind column)
    required: tuple[str, ...] = ("year",)

    @property
    def columns(self) -> tuple[str, ...]:
        return columns_of(self.fields)


def columns_of(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The header of some fields: each estimate field followed by its ``_low``/``_high``."""
    out: list[str] = []
    for f in fields:
        out.append(f)
        if f in ESTIMATE_FIELDS:
            out += [f"{f}_low", f"{f}_high"]
    return tuple(out)


def _stream_sheet(title: str, kind: str | None) -> TableSheet:
    sample = kind or "user_charge_short"
    lead = ("year", "stream_name") if kind else ("year", "stream_kind", "stream_name")
    own = tuple(f for f in STREAM_FIELDS[sample] if f in ESTIMATE_FIELDS)
    rest = tuple(f for f in STREAM_FIELDS[sample] if f not in ESTIMATE_FIELDS)
    required = ("year",) if kind else ("year", "stream_kind")
    return TableSheet(title, (*lead, *own, "item", *ITEM_FIELDS[sample], *rest), kind, required)


#: The OSR workbook's data sheets (the Analysis sheet is key/value), in reading order.
OSR_SHEETS: tuple[TableSheet, ...] = (
    TableSheet("Sources", SOURCE_FIELDS, None, ("id",)),
    TableSheet("Fiscal", ("year", *FISCAL_FIELDS)),
    _stream_sheet("Property tax", "property_tax"),
    _stream_sheet("Business licences", "business_licence"),
    _stream_sheet("User charges", None),
    _stream_sheet("Other taxes", "other_tax"),
)

# ----------------------------------------------------------------------------- plan layout

#: Key/value rows of the Plan sheet: dotted keys are nested fields (``weights.need``).
PLAN_KEYS: tuple[str, ...] = (
    "name",
    "area",
    "currency",
    "start_year",
    "horizon",
    "budget",
    "budget_by_year",
    "envelope.osr_analysis",
    "envelope.capital_share",
    "envelope.gap_recovery",
    "city_population",
    *(f"weights.{c}" for c in CRITERIA),
    "example",
)
CSV_PLAN_COLUMNS = PROJECT_FIELDS

# ----------------------------------------------------------------------------- cell values

_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def coerce(field: str, raw: Any) -> Any:
    """A cell's content as the plain value the YAML format has for ``field``.

    ``None`` for a blank cell.  What cannot be converted is passed on unchanged, so the
    parser reports it with the field's path (e.g. text in a number field → non-numeric-value).
    """
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw:
            return None
    if raw is None:
        return None
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        raw = raw.isoformat()
    base = field.removesuffix("_low").removesuffix("_high")
    if base in ESTIMATE_FIELDS or field in _NUMBER_FIELDS:
        return _number(raw)
    if field in _INT_FIELDS:
        value = _number(raw)
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if field in _BOOL_FIELDS:
        return _flag(raw)
    if field in _LIST_FIELDS:
        return [_text(v) for v in _split(raw)]
    if field in _NUMBER_LIST_FIELDS:
        return [_number(v) for v in _split(raw)]
    return _text(raw)


def _number(raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return raw
    text = str(raw).strip().replace("_", "")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return raw


def _flag(raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return raw


def _text(raw: Any) -> Any:
    """Text; a whole number typed in a text field (an id, an M49 code) without ``.0``."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int | float):
        return str(raw)
    return str(raw).strip()


def _split(raw: Any) -> list[Any]:
    """A ``;``-separated list (``,`` also separates: no code or id contains one)."""
    if not isinstance(raw, str):
        return [raw]
    return [part.strip() for part in re.split(r"[;,]", raw) if part.strip()]
