"""Indicator values frozen into a report version: the latest observation of a series for
the document's area, as the record the version keeps (later data do not change it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from urbanagenda.errors import DataError
from urbanagenda.store import schema as s

__all__ = ["LOCATION_PREFERENCE", "MAX_INDICATORS", "freeze_all", "freeze_indicator"]

MAX_INDICATORS = 60
#: Observations are frozen from the totals (sex, age ``_T``, no breakdown); for location the
#: total is preferred, then urban (slum shares exist for urban areas only), then city.
LOCATION_PREFERENCE: tuple[str, ...] = ("_T", "U", "CITY")


def freeze_indicator(conn: Connection, series_code: str, area_code: str) -> dict[str, Any] | None:
    """The latest observation of a series for an area, as the frozen record a version keeps
    (``None`` when the store has none).  Totals only; see :data:`LOCATION_PREFERENCE`."""
    o = s.observation.c
    rows = conn.execute(
        select(o.year, o.value, o.unit, o.source, o.location).where(
            o.series_code == series_code,
            o.area_code == area_code,
            o.sex == "_T",
            o.age == "_T",
            o.breakdown == "",
        )
    ).all()
    if not rows:
        return None

    def rank(r: Any) -> tuple[int, int]:
        loc = r.location
        pref = LOCATION_PREFERENCE.index(loc) if loc in LOCATION_PREFERENCE else 9
        return (pref, -int(r.year))

    best = min(rows, key=rank)
    name = conn.execute(select(s.series.c.name).where(s.series.c.code == series_code)).scalar()
    return {
        "series": series_code,
        "area": area_code,
        "year": int(best.year),
        "value": float(best.value),
        "unit": best.unit,
        "source": best.source,
        "label": name or series_code,
        "location": best.location,
    }


def freeze_all(conn: Connection, codes: Sequence[str], area: str) -> tuple[dict[str, Any], ...]:
    if len(codes) > MAX_INDICATORS:
        raise DataError(f"{len(codes)} indicator series; at most {MAX_INDICATORS} per section.")
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in codes))
    known = set(conn.execute(select(s.series.c.code).where(s.series.c.code.in_(wanted))).scalars())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise DataError(
            f"unknown indicator series {', '.join(unknown)}; use series codes of the "
            "catalogue (EN_LND_SLUM, SP_TRN_PUBL, ...; `urbanagenda series`)."
        )
    frozen = []
    missing = []
    for code in wanted:
        record = freeze_indicator(conn, code, area)
        if record is None:
            missing.append(code)
        else:
            frozen.append(record)
    if missing:
        available = (
            conn.execute(
                select(s.observation.c.series_code)
                .where(s.observation.c.area_code == area)
                .distinct()
                .order_by(s.observation.c.series_code)
            )
            .scalars()
            .all()
        )
        raise DataError(
            f"the store has no value of {', '.join(missing)} for area {area}; load the data "
            "first or choose series that have values there: "
            f"{', '.join(available) or 'none yet'}."
        )
    return tuple(frozen)
