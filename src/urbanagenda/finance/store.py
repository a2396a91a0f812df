"""Stored own-source revenue analyses and capital investment plans (tables
``finance_analysis`` and ``finance_plan``, migration 0005).

Nothing stored is overwritten.  An analysis is stored one row per year, keyed by the local
government (:attr:`~.model.OsrInput.key`: its area code, else its name lower-cased) and the
year; a plan one row, keyed by the local government and the plan's name.  Saving the same
input again (the SHA-256 of its canonical JSON equals the latest version's) adds nothing and
gives back the stored id; a changed input adds the next version and the older stays.

The store also answers what the analysis needs from the platform's data: the population of
an area (:func:`population_lookup`, the World Bank's ``SP_POP_TOTL``), and compares stored
analyses with each other (:func:`peers`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.finance import _store_rows as rows
from urbanagenda.finance._store_db import (
    NotFound,
    fail,
    insert_version,
    latest,
    lg_key_issue,
    one,
    read,
)
from urbanagenda.finance._store_plans import get_plan, list_plans, rank_plan, save_plan
from urbanagenda.finance.analysis import PopulationLookup
from urbanagenda.finance.model import OsrResult
from urbanagenda.model.observations import TOTAL
from urbanagenda.store import schema as s

__all__ = [
    "NotFound",
    "analysis_year_result",
    "check_area",
    "get_analysis",
    "get_plan",
    "list_analyses",
    "list_plans",
    "peers",
    "population_lookup",
    "rank_plan",
    "save_analysis",
    "save_plan",
]

#: The series the population of an area is read from.
POPULATION_SERIES = "SP_POP_TOTL"


def check_area(
    engine: Engine, area_code: str | None, country_code: str | None, *, file: str | None = None
) -> str | None:
    """Whether the store knows an analysis's (or plan's) area and country: the country code
    it would store (a city gives its country), else :class:`ValidationFailed` saying which
    code to write.  What saving checks, for validating a file before saving it."""
    try:
        with engine.connect() as conn:
            return rows.area_country(conn, area_code, country_code, file=file, what="analysis")
    except SQLAlchemyError as exc:
        raise fail(engine, exc, "checking the area") from exc


# --------------------------------------------------------------------------- analyses


def save_analysis(
    engine: Engine,
    result: OsrResult,
    *,
    user_id: int | None = None,
    source_file: str | None = None,
) -> list[int]:
    """Store ``result``, one row per year, in one transaction; the ids, in the result's year
    order.  A year whose input is unchanged keeps its row (its id comes back); a changed one
    gets the next version.  An area (or country) code the store lacks raises
    :class:`ValidationFailed` and nothing is written."""
    inp = result.input
    if len(inp.key) > rows.LG_KEY_CHARS:
        raise lg_key_issue(inp.key, source_file)
    now = datetime.now(UTC)
    ids = []
    try:
        with engine.begin() as conn:
            country = rows.area_country(
                conn, inp.area_code, inp.country_code, file=source_file, what="analysis"
            )
            for year in result.years:
                year_input = rows.year_input(inp, year.year)
                fiscal = year.fiscal
                values = {
                    "lg_name": inp.name,
                    "area_code": inp.area_code,
                    "country_code": country,
                    "currency": inp.currency,
                    "example": inp.example,
                    "actual": year.total.actual.central,
                    "potential": year.total.potential.central,
                    "gap": year.total.gap.central,
                    "population": fiscal.population,
                    "osr_per_capita_usd": fiscal.osr_per_capita_usd,
                    "osr_share_gdp": fiscal.osr_share_gdp,
                    "input": year_input,
                    "result": year.to_dict(),
                    "source_file": source_file,
                    "sha256": rows.digest(year_input),
                    "created_at": now,
                    "created_by": user_id,
                }
                key = {"lg_key": inp.key, "year": year.year}
                ids.append(insert_version(conn, s.finance_analysis, key, values))
    except SQLAlchemyError as exc:
        raise fail(engine, exc, "saving the analysis") from exc
    return ids


def _analysis_rows(
    engine: Engine,
    *,
    lg_key: str | None = None,
    area: str | None = None,
    country: str | None = None,
    year: int | None = None,
    up_to_year: int | None = None,
    latest_only: bool = True,
    full: bool = False,
) -> list[dict[str, Any]]:
    t = s.finance_analysis
    cols = [t.c[c] for c in rows.ANALYSIS_SUMMARY]
    if full:
        cols += [t.c.result]
    stmt = select(*cols)
    if latest_only:
        stmt = latest(stmt, t, "lg_key", "year")
    for column, value in (("lg_key", lg_key), ("area_code", area), ("country_code", country)):
        if value is not None:
            stmt = stmt.where(t.c[column] == value)
    if year is not None:
        stmt = stmt.where(t.c.year == year)
    if up_to_year is not None:
        stmt = stmt.where(t.c.year <= up_to_year)
    return read(engine, stmt.order_by(t.c.lg_name, t.c.lg_key, t.c.year, t.c.version))


def list_analyses(
    engine: Engine,
    *,
    area: str | None = None,
    country: str | None = None,
    year: int | None = None,
    latest_only: bool = True,
) -> list[dict[str, Any]]:
    """Stored analyses (one dict per local government and year; with ``latest_only=False``
    every version), by local government and year: id, lg_key, lg_name, area_code,
    country_code, year, version, currency, example, actual, potential, gap, efficiency,
    population, osr_per_capita_usd, osr_share_gdp, created_at (ISO 8601, UTC)."""
    found = _analysis_rows(engine, area=area, country=country, year=year, latest_only=latest_only)
    return [rows.summary(r, rows.ANALYSIS_SUMMARY) for r in found]


def get_analysis(engine: Engine, id_: int) -> dict[str, Any]:
    """One stored analysis year: its summary fields, ``input`` (the year's input),
    ``result`` (:meth:`~.model.YearResult.to_dict`), source_file, created_by, sha256;
    ``versions`` (every version of this year, oldest first), ``years`` (this local
    government's other years at their latest version, with this row in its own year) and
    ``trends`` across those years.  Raises :class:`NotFound`."""
    row = one(engine, s.finance_analysis, id_, "analysis", "osr list")
    out = rows.summary(row, rows.ANALYSIS_SUMMARY)
    out.update({k: row[k] for k in ("input", "result", "source_file", "created_by", "sha256")})
    every = _analysis_rows(engine, lg_key=row["lg_key"], latest_only=False, full=True)
    out["versions"] = [
        {"id": r["id"], "version": r["version"], "created_at": rows.iso(r["created_at"])}
        for r in every
        if r["year"] == row["year"]
    ]
    by_year = {
        r["year"]: r
        for r in _analysis_rows(engine, lg_key=row["lg_key"], full=True)
        if r["year"] != row["year"]
    }
    by_year[row["year"]] = row
    years = [by_year[y] for y in sorted(by_year)]
    out["years"] = [rows.summary(r, rows.ANALYSIS_SUMMARY) for r in years]
    out["trends"] = rows.trends(years)
    return out


def analysis_year_result(engine: Engine, id_: int) -> dict[str, Any]:
    """The stored :class:`~.model.YearResult` dict of analysis ``id_`` (what
    :func:`~.invest.envelope_from_osr` takes).  Raises :class:`NotFound`."""
    result = one(engine, s.finance_analysis, id_, "analysis", "osr list")["result"]
    assert isinstance(result, dict)
    return result


def _rank(values: dict[int, float | None]) -> dict[int, tuple[int, float | None]]:
    """id → (rank, percentile) among the ids with a value: rank 1 is the highest; the
    percentile is the share of the others with a lower value, in % (None alone)."""
    known = {k: v for k, v in values.items() if v is not None}
    out = {}
    for k, v in known.items():
        higher = sum(1 for x in known.values() if x > v)
        lower = sum(1 for x in known.values() if x < v)
        others = len(known) - 1
        out[k] = (higher + 1, 100.0 * lower / others if others else None)
    return out


def peers(
    engine: Engine, *, year: int | None = None, around: int | None = None
) -> list[dict[str, Any]]:
    """Stored local governments side by side: for each, the latest version of its latest year
    (up to ``year`` when given) with OSR per capita (USD), share of GDP and efficiency, ranked
    on the first two (``rank_per_capita``, ``percentile_per_capita``, ``rank_share_gdp``,
    ``percentile_share_gdp``; rank 1 is the highest; the percentile is the share of the other
    peers below, in %).  ``around`` (an analysis id) stands in for its local government, so
    one sees where that analysis would rank; its entry has ``highlight`` true.  Sorted by OSR
    per capita (USD), highest first, those without it last."""
    latest: dict[str, dict[str, Any]] = {}
    for r in _analysis_rows(engine, up_to_year=year):
        latest[r["lg_key"]] = r  # ascending years: the last one wins
    if around is not None:
        mine = one(engine, s.finance_analysis, around, "analysis", "osr list")
        latest[mine["lg_key"]] = mine
    entries = {r["id"]: rows.summary(r, rows.ANALYSIS_SUMMARY) for r in latest.values()}
    for metric in ("per_capita", "share_gdp"):
        column = "osr_per_capita_usd" if metric == "per_capita" else "osr_share_gdp"
        ranks = _rank({k: e[column] for k, e in entries.items()})
        for k, e in entries.items():
            rank, percentile = ranks.get(k, (None, None))
            e[f"rank_{metric}"], e[f"percentile_{metric}"] = rank, percentile
    for k, e in entries.items():
        e["highlight"] = k == around
    return sorted(
        entries.values(),
        key=lambda e: (e["rank_per_capita"] is None, e["rank_per_capita"] or 0, e["lg_name"]),
    )


def population_lookup(engine: Engine) -> PopulationLookup:
    """The population of an analysis's area from the store, for :func:`~.analysis.analyse`:
    the ``SP_POP_TOTL`` observation (totals) of the area in the latest year up to the
    analysis year, else in the nearest later year, with where it comes from ("store:
    SP_POP_TOTL 2019 (area 694)").  None for an area without one, and for an analysis without
    an area: a country's population is not a city's or a local government's, so a city the
    store has no population for needs it given in the input (``fiscal.population``)."""
    o = s.observation
    cache: dict[str, list[tuple[int, float]]] = {}

    def series(area: str) -> list[tuple[int, float]]:
        if area not in cache:
            stmt = (
                select(o.c.year, o.c.value)
                .where(
                    o.c.series_code == POPULATION_SERIES,
                    o.c.area_code == area,
                    o.c.sex == TOTAL,
                    o.c.age == TOTAL,
                    o.c.location == TOTAL,
                    o.c.breakdown == "",
                )
                .order_by(o.c.year)
            )
            cache[area] = [(int(r["year"]), float(r["value"])) for r in read(engine, stmt)]
        return cache[area]

    def lookup(area: str | None, country: str | None, year: int) -> tuple[float, str] | None:
        found = series(area) if area else []
        if not found:
            return None
        before = [p for p in found if p[0] <= year]
        at, value = before[-1] if before else found[0]
        return value, f"store: {POPULATION_SERIES} {at} (area {area})"

    return lookup
