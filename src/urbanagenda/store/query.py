"""Reading from the store: observations, series, areas and a summary, as data frames."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError
from urbanagenda.model.observations import COLUMNS
from urbanagenda.store import schema as s
from urbanagenda.store.reference import area_resolver

__all__ = ["list_areas", "list_series", "read_observations", "revisions", "summary"]


def _frame(engine: Engine, stmt) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    try:
        with engine.connect() as conn:
            result = conn.execute(stmt)
            columns = list(result.keys())
            # plain tuples: pandas probes Row objects attribute by attribute, 10× slower
            rows = [tuple(row) for row in result.fetchall()]
            return pd.DataFrame.from_records(rows, columns=columns)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read from the database {engine.url!r}: {exc}. "
            "Has it been created? Run `urbanagenda init` or `urbanagenda demo`."
        ) from exc


def resolve_area_codes(engine: Engine, codes: Sequence[str]) -> list[str]:
    """Canonical codes for user-typed area codes; unknown ones raise StoreError-free DataError."""
    from urbanagenda.errors import DataError

    rows = _frame(engine, select(s.area.c.code, s.area.c.iso3))
    resolve = area_resolver(list(rows.itertuples(index=False, name=None)))
    resolved = resolve(pd.Series(list(codes), dtype="string"))
    unknown = [c for c, r in zip(codes, resolved, strict=True) if r is None]
    if unknown:
        raise DataError(
            f"unknown area code(s): {', '.join(unknown)}. Expected M49 codes (566), ISO3 codes "
            "(NGA) or city codes (ng_lagos); list them with `urbanagenda areas`."
        )
    return [str(r) for r in resolved]


def read_observations(
    engine: Engine,
    series: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
) -> pd.DataFrame:
    """Observations as a frame with the columns of ``COLUMNS``, sorted by key."""
    o = s.observation
    stmt = select(*[o.c[c] for c in COLUMNS])
    if series:
        stmt = stmt.where(o.c.series_code.in_([x.upper() for x in series]))
    if areas:
        stmt = stmt.where(o.c.area_code.in_(list(areas)))
    if years:
        lo, hi = years
        if lo is not None:
            stmt = stmt.where(o.c.year >= lo)
        if hi is not None:
            stmt = stmt.where(o.c.year <= hi)
    stmt = stmt.order_by(
        o.c.series_code, o.c.area_code, o.c.year, o.c.sex, o.c.age, o.c.location, o.c.breakdown
    )
    frame = _frame(engine, stmt)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def list_series(engine: Engine) -> pd.DataFrame:
    """Every series with its unit, direction, indicators and number of observations."""
    counts = (
        select(s.observation.c.series_code, func.count().label("observations"))
        .group_by(s.observation.c.series_code)
        .subquery()
    )
    stmt = (
        select(
            s.series.c.code,
            s.series.c.name,
            s.series.c.unit,
            s.series.c.direction,
            s.series.c.target_2030,
            s.series.c.aggregation,
            s.series.c.global_series,
            func.coalesce(counts.c.observations, 0).label("observations"),
        )
        .outerjoin(counts, counts.c.series_code == s.series.c.code)
        .order_by(s.series.c.code)
    )
    frame = _frame(engine, stmt)
    links = _frame(engine, select(s.series_indicator))
    ind = links.groupby("series_code")["indicator_code"].agg(lambda x: ",".join(sorted(x)))
    frame.insert(2, "indicators", frame["code"].map(ind).fillna(""))
    return frame


def list_areas(engine: Engine, kind: str | None = None, parent: str | None = None) -> pd.DataFrame:
    stmt = select(
        s.area.c.code, s.area.c.kind, s.area.c.name, s.area.c.iso3, s.area.c.country_code
    ).order_by(s.area.c.kind, s.area.c.code)
    if kind:
        stmt = stmt.where(s.area.c.kind == kind)
    if parent:
        kids = select(s.area_parent.c.child).where(s.area_parent.c.parent == parent)
        stmt = stmt.where(s.area.c.code.in_(kids))
    return _frame(engine, stmt)


def revisions(engine: Engine, series: str, area: str) -> pd.DataFrame:
    o, r = s.observation, s.observation_revision
    stmt = (
        select(
            o.c.series_code,
            o.c.area_code,
            o.c.year,
            o.c.sex,
            o.c.age,
            o.c.location,
            o.c.breakdown,
            r.c.value,
            r.c.unit,
            r.c.load_id,
            r.c.replaced_at,
            r.c.replaced_by_load,
        )
        .join(o, o.c.id == r.c.observation_id)
        .where(o.c.series_code == series.upper(), o.c.area_code == area)
        .order_by(o.c.year, r.c.id)
    )
    return _frame(engine, stmt)


def summary(engine: Engine) -> dict[str, object]:
    o = s.observation
    with engine.connect() as conn:
        n_obs = conn.execute(select(func.count()).select_from(o)).scalar_one()
        n_series = conn.execute(select(func.count(func.distinct(o.c.series_code)))).scalar_one()
        n_areas = conn.execute(select(func.count(func.distinct(o.c.area_code)))).scalar_one()
        years = conn.execute(select(func.min(o.c.year), func.max(o.c.year))).one()
        n_cat = conn.execute(select(func.count()).select_from(s.series)).scalar_one()
        by_kind: dict[str, int] = dict(
            conn.execute(select(s.area.c.kind, func.count()).group_by(s.area.c.kind)).all()
        )
        loads = conn.execute(select(func.count()).select_from(s.load_run)).scalar_one()
        revs = conn.execute(select(func.count()).select_from(s.observation_revision)).scalar_one()
    return {
        "observations": int(n_obs),
        "series_with_data": int(n_series),
        "areas_with_data": int(n_areas),
        "years": [years[0], years[1]],
        "series_in_catalogue": int(n_cat),
        "areas_by_kind": {k: int(v) for k, v in by_kind.items()},
        "loads": int(loads),
        "revisions": int(revs),
    }
