"""A city's indicator gaps on the SDG 11 targets, 0 (met) to 1 (furthest away), from the
store: the ``need`` criterion of the investment ranking (:mod:`.invest`).

For each target, the series of its indicators (store tables ``indicator`` and
``series_indicator``; direction, numeric 2030 target and limits from ``series``, as
:mod:`urbanagenda.assess.inputs` reads them).  For each series, the latest observation of the
city at the total disaggregation (sex and age ``_T``, no breakdown; location ``_T``, else
urban ``U``, else ``CITY``, in that order of preference), else its country's
(``area.country_code``), else none.  Observations the spatial engine stored for the city
(``compute-batch --store``) are observations like any other, so they count.

A series' need, from the latest value *v*:

* with a numeric 2030 target *T*: the shortfall toward the worst end *W*, normalised and
  clamped to 0–1: ``(T − v) / (T − W)`` for an increasing series (*W* the lower limit,
  else the lowest latest value among areas of the same kind), ``(v − T) / (W − T)`` for a
  decreasing one (*W* the natural limit, else the highest latest value among areas of the
  same kind) — e.g. slum share with *T* = 0 and limit 100: ``v / 100``; public transport
  access with *T* = 100 and lower limit 0: ``(100 − v) / 100``;
* without a numeric target: the area's standing among all areas of the same kind with data
  (their latest values): ``(areas better + ½ · areas equal) / (areas − 1)``, so the worst is
  1 and the best 0 (0.5 when it is the only one).

A series without a direction (e.g. the land consumption ratio) gives no need.  The target's
need is the mean over its series with data; ``Need.area_code`` is the city when any of those
came from the city (else the country), ``Need.year`` the latest year used, and the
explanation lists every series with its value, area, year and need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import DataError, StoreError
from urbanagenda.finance._invest_parse import sdg_targets
from urbanagenda.finance.model import Need
from urbanagenda.model.observations import TOTAL
from urbanagenda.store import schema as s
from urbanagenda.store.query import resolve_area_codes

__all__ = ["city_needs", "series_need"]

#: Locations read as the area's total, best first.
LOCATIONS: tuple[str, ...] = (TOTAL, "U", "CITY")


@dataclass(frozen=True)
class _Series:
    code: str
    direction: str | None
    target: float | None
    natural_limit: float | None
    lower_limit: float | None


def city_needs(
    engine: Engine, area_code: str, targets: Sequence[str] | None = None
) -> dict[str, Need]:
    """The need of every SDG 11 target (or of ``targets``) for a city (or a country)."""
    valid = sdg_targets()
    wanted = list(dict.fromkeys(targets)) if targets is not None else list(valid)
    unknown = [t for t in wanted if t not in valid]
    if unknown:
        raise DataError(
            f"unknown SDG 11 target(s) {', '.join(unknown)}; expected among {', '.join(valid)}"
        )
    (code,) = resolve_area_codes(engine, [area_code])
    areas = dict(_rows(engine, select(s.area.c.code, s.area.c.kind)))
    ((kind, country),) = _rows(
        engine, select(s.area.c.kind, s.area.c.country_code).where(s.area.c.code == code)
    )
    country_kind = areas.get(country) if country and country != code else None
    series_of: dict[str, list[_Series]] = {t: [] for t in wanted}
    links = (
        select(
            s.indicator.c.target_code,
            s.series.c.code,
            s.series.c.direction,
            s.series.c.target_2030,
            s.series.c.natural_limit,
            s.series.c.lower_limit,
        )
        .join(s.series_indicator, s.series_indicator.c.indicator_code == s.indicator.c.code)
        .join(s.series, s.series.c.code == s.series_indicator.c.series_code)
        .where(s.indicator.c.target_code.in_(wanted))
        .order_by(s.indicator.c.code, s.series.c.code)
    )
    for target, *fields in _rows(engine, links):
        meta = _Series(*fields)
        if meta.direction and meta.code not in {m.code for m in series_of[target]}:
            series_of[target].append(meta)
    codes = sorted({m.code for ms in series_of.values() for m in ms})
    latest = _latest(engine, codes, [kind, *([country_kind] if country_kind else [])])
    needs: dict[str, Need] = {}
    for t in wanted:
        needs[t] = _target_need(t, series_of[t], latest, code, kind, country, country_kind)
    return needs


def _target_need(
    target: str,
    series: list[_Series],
    latest: pd.DataFrame,
    code: str,
    kind: str,
    country: str | None,
    country_kind: str | None,
) -> Need:
    used: list[tuple[str, float, str, int, str]] = []  # series, need, area, year, how
    for meta in series:
        of_series = latest[latest["series_code"] == meta.code]
        for area, area_kind in ((code, kind), (country, country_kind)):
            if area is None or area_kind is None:
                continue
            peers = of_series[of_series["kind"] == area_kind]
            mine = peers[peers["area_code"] == area]
            if len(mine):
                row = mine.iloc[0]
                value, how = series_need(
                    float(row["value"]),
                    peers["value"].tolist(),
                    increasing=meta.direction == "increase",
                    target=meta.target,
                    limit=meta.lower_limit if meta.direction == "increase" else meta.natural_limit,
                )
                used.append((meta.code, value, area, int(row["year"]), how))
                break
    if not used:
        where = f"{code} or its country {country}" if country and country != code else code
        return Need(target, None, explanation=f"no data for the series of {target} for {where}")
    value = sum(u[1] for u in used) / len(used)
    from_city = any(u[2] == code for u in used)
    return Need(
        target,
        value,
        tuple(u[0] for u in used),
        code if from_city or country is None else country,
        max(u[3] for u in used),
        f"mean of {len(used)} series: " + "; ".join(f"{u[0]} ({u[2]} {u[3]}) {u[4]}" for u in used),
    )


def series_need(
    v: float,
    peers: Sequence[float],
    *,
    increasing: bool,
    target: float | None = None,
    limit: float | None = None,
) -> tuple[float, str]:
    """One series' need for the latest value ``v``, and how it was found.

    ``peers``: the latest values of the areas of the same kind (``v`` among them);
    ``target``: the numeric 2030 target; ``limit``: the worst end (the lower limit of an
    increasing series, the natural limit of a decreasing one).
    """
    inc = increasing
    if target is not None:
        t = target
        worst = limit if limit is not None else (min(peers) if inc else max(peers))
        span = (t - worst) if inc else (worst - t)
        short = (t - v) if inc else (v - t)
        need = (1.0 if short > 0 else 0.0) if span <= 0 else min(1.0, max(0.0, short / span))
        formula = (
            f"({t:g} − {v:.4g}) / ({t:g} − {worst:.4g})"
            if inc
            else (f"({v:.4g} − {t:g}) / ({worst:.4g} − {t:g})")
        )
        return need, f"= {v:.4g}, target {t:g}: {formula} → {need:.2f}"
    others = len(peers) - 1
    if others <= 0:
        return 0.5, f"= {v:.4g}, the only area with data → 0.50"
    better = sum(1 for p in peers if (p > v if inc else p < v))
    equal = sum(1 for p in peers if p == v) - 1
    need = (better + 0.5 * equal) / others
    return need, f"= {v:.4g}, worse than {need:.0%} of {others} other areas → {need:.2f}"


def _latest(engine: Engine, codes: Sequence[str], kinds: Sequence[str]) -> pd.DataFrame:
    """Per series and area (of the kinds), the latest total value: series_code, area_code,
    kind, year, value."""
    o, a = s.observation, s.area
    frame = _frame(
        engine,
        select(o.c.series_code, o.c.area_code, a.c.kind, o.c.year, o.c.location, o.c.value)
        .join(a, a.c.code == o.c.area_code)
        .where(
            o.c.series_code.in_(list(codes)),
            a.c.kind.in_(list(kinds)),
            o.c.sex == TOTAL,
            o.c.age == TOTAL,
            o.c.breakdown == "",
            o.c.location.in_(LOCATIONS),
        ),
    )
    if frame.empty:
        return pd.DataFrame(columns=["series_code", "area_code", "kind", "year", "value"])
    frame["preference"] = frame["location"].map({loc: i for i, loc in enumerate(LOCATIONS)})
    frame = frame.sort_values(["series_code", "area_code", "preference", "year"],
                              ascending=[True, True, True, False])  # fmt: skip
    return frame.drop_duplicates(["series_code", "area_code"]).reset_index(drop=True)


def _frame(engine: Engine, stmt: Select[Any]) -> pd.DataFrame:
    rows = _rows(engine, stmt)
    return pd.DataFrame.from_records(rows, columns=list(stmt.selected_columns.keys()))


def _rows(engine: Engine, stmt: Select[Any]) -> list[Any]:
    """The rows as plain tuples; a database error says how to fix it."""
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(stmt).fetchall()]
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the indicator data from {engine.url!r}: {exc}. Has the database been "
            "created? Run `urbanagenda init` or `urbanagenda demo`."
        ) from exc
