"""Stored capital investment plans (table ``finance_plan``): one row per version of a local
government's plan of a given name, never overwritten (see :mod:`.store`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import DataError
from urbanagenda.finance import _store_rows as rows
from urbanagenda.finance._store_db import fail, insert_version, latest, lg_key_issue, one, read
from urbanagenda.finance.model import OsrResult, PlanInput, PlanResult
from urbanagenda.store import schema as s

__all__ = ["get_plan", "list_plans", "rank_plan", "save_plan"]


def rank_plan(
    engine: Engine | None,
    plan: PlanInput,
    *,
    osr: OsrResult | None = None,
    osr_label: str | None = None,
) -> PlanResult:
    """Rank ``plan`` (:func:`~.invest.rank`) with what the store knows: the city's indicator
    gaps (:func:`~.needs.city_needs`); the envelope from ``osr`` (its latest year; called
    ``osr_label``), else from the stored analysis the plan names (``envelope.osr_analysis``),
    else the plan's budget; and, when the plan gives no city population, the one that
    analysis used, else the store's (:func:`~.store.population_lookup`).  Without a store
    (``engine`` None) needs count 0.5 and populations stay unknown."""
    from urbanagenda.finance.invest import envelope_from_osr, rank
    from urbanagenda.finance.needs import city_needs
    from urbanagenda.finance.store import get_analysis, population_lookup

    needs = city_needs(engine, plan.area_code) if engine and plan.area_code else None
    envelope, label, population = None, osr_label, None
    if osr is not None:
        latest_year = osr.years[-1]
        envelope = envelope_from_osr(latest_year.to_dict(), plan)
        label = label or f"OSR analysis of {osr.input.name}, {latest_year.year}"
        population = latest_year.fiscal.population
    elif plan.osr_analysis_id is not None:
        if engine is None:
            raise DataError(
                f"the envelope comes from stored OSR analysis {plan.osr_analysis_id}, but there "
                "is no database with data: give the database, or save the analysis first "
                "(`urbanagenda osr analyse FILE --save`)"
            )
        stored = get_analysis(engine, plan.osr_analysis_id)
        envelope = envelope_from_osr(stored["result"], plan)
        label = f"OSR analysis {stored['id']} ({stored['lg_name']}, {stored['year']})"
        population = stored["population"]
    if plan.city_population is None and population is None and engine and plan.area_code:
        found = population_lookup(engine)(plan.area_code, None, plan.start_year)
        population = found[0] if found else None
    if plan.city_population is None and population is not None:
        plan = replace(plan, city_population=population)
    return rank(plan, needs=needs, envelope=envelope, envelope_source=label)


def save_plan(
    engine: Engine,
    result: PlanResult,
    *,
    user_id: int | None = None,
    source_file: str | None = None,
) -> int:
    """Store a ranked plan; its id.  The same input as the latest version of this local
    government's plan of this name gives back that id; a changed one the next version.
    An area code the store lacks raises :class:`ValidationFailed`; nothing is written."""
    plan = result.input
    key = plan.area_code or plan.name.strip().lower()
    if len(key) > rows.LG_KEY_CHARS:
        raise lg_key_issue(key, source_file)
    plan_input = plan.to_dict()
    values = {
        "area_code": plan.area_code,
        "currency": plan.currency,
        "example": plan.example,
        "envelope": sum(result.envelope_by_year.values()),
        "funded": len(result.plan),
        "input": plan_input,
        "result": result.to_dict(),
        "source_file": source_file,
        "sha256": rows.digest(plan_input),
        "created_at": datetime.now(UTC),
        "created_by": user_id,
    }
    try:
        with engine.begin() as conn:
            rows.area_country(conn, plan.area_code, None, file=source_file, what="plan")
            return insert_version(conn, s.finance_plan, {"lg_key": key, "name": plan.name}, values)
    except SQLAlchemyError as exc:
        raise fail(engine, exc, "saving the plan") from exc


def list_plans(
    engine: Engine, *, area: str | None = None, latest_only: bool = True
) -> list[dict[str, Any]]:
    """Stored plans (the latest version of each, or every version): id, lg_key, name,
    area_code, version, currency, example, envelope (total over the horizon), funded
    (projects in the plan), projects (in the list), created_at."""
    t = s.finance_plan
    stmt = select(*[t.c[c] for c in rows.PLAN_SUMMARY], t.c.input)
    if latest_only:
        stmt = latest(stmt, t, "lg_key", "name")
    if area is not None:
        stmt = stmt.where(t.c.area_code == area)
    found = read(engine, stmt.order_by(t.c.name, t.c.lg_key, t.c.version))
    return [_plan_summary(r) for r in found]


def _plan_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    out = rows.summary(row, rows.PLAN_SUMMARY)
    out["projects"] = len(row["input"].get("projects", ()))
    return out


def get_plan(engine: Engine, id_: int) -> dict[str, Any]:
    """One stored plan: its summary fields, ``input`` (:meth:`~.model.PlanInput.to_dict`),
    ``result`` (:meth:`~.model.PlanResult.to_dict`), source_file, created_by, sha256 and
    ``versions`` (every version of this plan, oldest first).  Raises :class:`NotFound`."""
    row = one(engine, s.finance_plan, id_, "plan", "invest list")
    out = _plan_summary(row)
    out.update({k: row[k] for k in ("input", "result", "source_file", "created_by", "sha256")})
    t = s.finance_plan
    every = read(
        engine,
        select(t.c.id, t.c.version, t.c.created_at)
        .where(t.c.lg_key == row["lg_key"], t.c.name == row["name"])
        .order_by(t.c.version),
    )
    out["versions"] = [
        {"id": r["id"], "version": r["version"], "created_at": rows.iso(r["created_at"])}
        for r in every
    ]
    return out
