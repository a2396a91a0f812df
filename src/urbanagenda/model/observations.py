"""The observation frame: the one tabular shape every reader produces and every writer takes.

An observation is a value of a series for an area, a year and a disaggregation.  Dimension
codes follow the global SDG Data Structure Definition IAEG-SDGs:SDG(1.14):

* ``sex``: CL_SEX (``_T`` total, ``F``, ``M``, ...)
* ``age``: CL_AGE (``_T`` total, ``Y15T24``, ...)
* ``location``: CL_URBANISATION (``_T`` total, ``U`` urban, ``R`` rural, ``CITY``, ``TSUB``)
* ``breakdown``: every other dimension, as ``DIM=CODE`` pairs sorted by ``DIM`` and joined
  with ``;`` (for example ``COMPOSITE_BREAKDOWN=LG_LOCAL``); the empty string means no
  further breakdown.

``unit`` is a CL_UNIT_MEASURE code (``PT`` percent, ``NUMBER``, ...); ``nature`` a CL_NATURE
code (``C``, ``CA``, ``E``, ``G``, ``M``, ``N``) or empty.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = [
    "COLUMNS",
    "KEY_COLUMNS",
    "OPTIONAL_DEFAULTS",
    "TOTAL",
    "VALUE_COLUMNS",
    "breakdown_key",
    "empty_frame",
    "parse_breakdown",
]

TOTAL = "_T"

KEY_COLUMNS: tuple[str, ...] = (
    "series_code",
    "area_code",
    "year",
    "sex",
    "age",
    "location",
    "breakdown",
)
VALUE_COLUMNS: tuple[str, ...] = ("value", "unit", "nature", "source", "footnote")
COLUMNS: tuple[str, ...] = KEY_COLUMNS + VALUE_COLUMNS

#: Default of each column a reader may leave out.
OPTIONAL_DEFAULTS: Mapping[str, str] = {
    "sex": TOTAL,
    "age": TOTAL,
    "location": TOTAL,
    "breakdown": "",
    "unit": "",
    "nature": "",
    "source": "",
    "footnote": "",
}

DTYPES: Mapping[str, str] = {
    "series_code": "object",
    "area_code": "object",
    "year": "int64",
    "sex": "object",
    "age": "object",
    "location": "object",
    "breakdown": "object",
    "value": "float64",
    "unit": "object",
    "nature": "object",
    "source": "object",
    "footnote": "object",
}


def empty_frame() -> pd.DataFrame:
    """An observation frame with no rows and the declared columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=DTYPES[c]) for c in COLUMNS})


def breakdown_key(pairs: Mapping[str, str]) -> str:
    """The canonical breakdown string of some extra dimensions.

    Totals (``_T``) and empty codes are left out, so a series with no extra breakdown has
    the key ``""``.

    >>> breakdown_key({"CUST_BREAKDOWN": "_T", "COMPOSITE_BREAKDOWN": "LG_LOCAL"})
    'COMPOSITE_BREAKDOWN=LG_LOCAL'
    """
    kept = sorted((k, v) for k, v in pairs.items() if v and v != TOTAL)
    return ";".join(f"{k}={v}" for k, v in kept)


def parse_breakdown(key: str) -> dict[str, str]:
    """The inverse of :func:`breakdown_key`.

    >>> parse_breakdown("COMPOSITE_BREAKDOWN=LG_LOCAL;CUST_BREAKDOWN=C01")
    {'COMPOSITE_BREAKDOWN': 'LG_LOCAL', 'CUST_BREAKDOWN': 'C01'}
    """
    if not key:
        return {}
    out: dict[str, str] = {}
    for part in key.split(";"):
        dim, _, code = part.partition("=")
        out[dim] = code
    return out
