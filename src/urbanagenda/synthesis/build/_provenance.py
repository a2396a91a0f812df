"""Provenance for the generated reports' tables of sources: which loads and publishers a
series' values came from (:func:`series_provenance`), when the store's data were last loaded
(:func:`data_as_of`), the data version the web platform shows (:func:`data_version`), and
the assessment methods as their configuration names them (:func:`method_info`).

Used through :mod:`._monitoring`, which re-exports every name.  Nothing is cached between
calls: every call reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from urbanagenda.assess.methods import load_method_config
from urbanagenda.store import schema as s


@dataclass(frozen=True)
class MethodInfo:
    """An assessment method as its configuration names it."""

    name: str
    edition: str
    config_version: str
    reference: str  # the published methodology the edition follows


@dataclass(frozen=True)
class Load:
    id: int
    finished_at: datetime | None
    note: str
    rows: int  # observations of the series from this load


@dataclass(frozen=True)
class Provenance:
    """Where the observations of a series in the store come from."""

    series_code: str
    loads: tuple[Load, ...]
    publishers: tuple[str, ...]  # the observations' ``source`` texts


def method_info(method: str) -> MethodInfo:
    cfg = load_method_config()
    spec = cfg["methods"][method]
    edition = str(spec["default_edition"])
    params = {str(k): v for k, v in spec["editions"].items()}[edition]
    ref_key = str(params.get("source", ""))
    reference = " ".join(str(cfg.get("sources", {}).get(ref_key, ref_key)).split())
    return MethodInfo(method, edition, str(cfg.get("version", "")), reference)


def data_as_of(engine: Engine) -> datetime | None:
    """When the last load of data into the store finished."""
    lr = s.load_run
    with engine.connect() as conn:
        value = conn.execute(
            select(func.max(func.coalesce(lr.c.finished_at, lr.c.started_at)))
        ).scalar()
    if isinstance(value, str):  # SQLite without type information in an aggregate
        value = datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None


def data_version(engine: Engine) -> str:
    """The data version as the web platform shows it: last load, last assessment run and
    number of stored aggregates (``loads.runs.aggregates``)."""
    with engine.connect() as conn:
        loads = conn.execute(select(func.coalesce(func.max(s.load_run.c.id), 0))).scalar()
        runs = conn.execute(select(func.coalesce(func.max(s.assessment_run.c.id), 0))).scalar()
        aggs = conn.execute(select(func.count()).select_from(s.aggregate_value)).scalar()
    return f"{loads}.{runs}.{aggs}"


def series_provenance(engine: Engine, codes: Sequence[str]) -> dict[str, Provenance]:
    """The loads and publishers of every series' observations in the store."""
    o, lr = s.observation, s.load_run
    if not codes:
        return {}
    stmt = (
        select(
            o.c.series_code,
            o.c.load_id,
            o.c.source,
            func.count().label("n"),
            lr.c.finished_at,
            lr.c.started_at,
            lr.c.note,
        )
        .join(lr, lr.c.id == o.c.load_id)
        .where(o.c.series_code.in_(list(codes)))
        .group_by(
            o.c.series_code, o.c.load_id, o.c.source, lr.c.finished_at, lr.c.started_at, lr.c.note
        )
        .order_by(o.c.series_code, o.c.load_id, o.c.source)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out: dict[str, Provenance] = {}
    for code in codes:
        mine = [r for r in rows if r.series_code == code]
        loads: dict[int, Load] = {}
        for r in mine:
            when = r.finished_at or r.started_at
            if isinstance(when, str):
                when = datetime.fromisoformat(when)
            prev = loads.get(int(r.load_id))
            rows_n = int(r.n) + (prev.rows if prev else 0)
            loads[int(r.load_id)] = Load(int(r.load_id), when, str(r.note or ""), rows_n)
        publishers = tuple(dict.fromkeys(str(r.source) for r in mine if r.source))
        out[code] = Provenance(code, tuple(loads.values()), publishers)
    return out
