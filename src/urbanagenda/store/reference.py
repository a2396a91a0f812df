"""What loads are checked against, read from the store: series units, unit synonyms, areas."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Connection, select

from urbanagenda.ingest.validate import Reference
from urbanagenda.store import schema as s

__all__ = ["area_resolver", "reference_from_store"]

_NUMERIC = re.compile(r"^0*(\d+)(?:\.0*)?$")


def area_resolver(rows: list[tuple[str, str | None]]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised resolver from raw area codes to canonical ones.

    Accepts the code itself, M49 codes with leading zeros or a trailing ``.0`` ("004",
    "4.0" → "4"), ISO 3166 alpha-3 codes ("NGA" → "566") and city codes in any case.
    Unknown codes come back missing.
    """
    mapping: dict[str, str] = {}
    for code, iso3 in rows:
        mapping[code] = code
        mapping.setdefault(code.lower(), code)
        if isinstance(iso3, str) and iso3:
            mapping.setdefault(iso3.upper(), code)

    def resolve(raw: pd.Series) -> pd.Series:
        text = raw.astype("string").fillna("").str.strip()
        out = text.map(mapping)
        need = out.isna() & (text != "")
        if need.any():
            t = text[need]
            digits = t.str.extract(_NUMERIC, expand=False)
            alt = digits.where(digits.notna(), t.str.upper())
            found = alt.map(mapping)
            alt_lower = t.str.lower().map(mapping)
            out[need] = found.where(found.notna(), alt_lower)
        return out.astype(object).where(out.notna(), None)

    return resolve


def reference_from_store(conn: Connection) -> Reference:
    series_units = dict(conn.execute(select(s.series.c.code, s.series.c.unit)).all())
    synonyms = {
        k.lower(): v
        for k, v in conn.execute(select(s.unit_synonym.c.synonym, s.unit_synonym.c.unit_code)).all()
    }
    for code in set(series_units.values()):
        synonyms.setdefault(code.lower(), code)
    areas = [(c, i) for c, i in conn.execute(select(s.area.c.code, s.area.c.iso3)).all()]
    return Reference(
        series_units=series_units, unit_synonyms=synonyms, resolve_areas=area_resolver(areas)
    )
