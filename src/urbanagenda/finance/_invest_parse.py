"""Reading the project-list format (``urbanagenda-invest/1``) into a
:class:`~.model.PlanInput`.

Private to :mod:`urbanagenda.finance.invest` (``parse_plan``; its inverse ``dump_plan`` is
there).  Every problem is collected (:class:`._invest_reader.FieldReader`) and
:class:`~urbanagenda.errors.ValidationFailed` is raised once, with all of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from functools import cache
from typing import Any

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance._fields import SOURCE_FIELDS
from urbanagenda.finance._invest_reader import FieldReader
from urbanagenda.finance.model import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    SECTORS,
    STAGES,
    PlanInput,
    Project,
    SourceRef,
)
from urbanagenda.model.catalogue import load_catalogue

FORMAT = "urbanagenda-invest/1"
MAX_HORIZON = 10

_TOP_FIELDS = (
    "format",
    "name",
    "area",
    "currency",
    "start_year",
    "horizon",
    "budget",
    "budget_by_year",
    "envelope",
    "city_population",
    "weights",
    "example",
    "sources",
    "projects",
)
_ENVELOPE_FIELDS = ("osr_analysis", "capital_share", "gap_recovery")
PROJECT_FIELDS = (
    "id",
    "name",
    "sector",
    "cost",
    "years",
    "location",
    "population_served",
    "sdg_targets",
    "umf_cells",
    "stage",
    "cost_recovery",
    "cofinancing",
    "land_secured",
    "environmental_clearance",
    "note",
)


def default_gap_recovery(horizon: int) -> tuple[float, ...]:
    """Share of the OSR gap recovered in each plan year when the plan does not say: 10 % more
    each year, at most a half (``0.1, 0.2, 0.3, 0.4, 0.5`` for five years)."""
    return tuple(min(0.5, round(0.1 * (i + 1), 10)) for i in range(horizon))


@cache
def sdg_targets() -> tuple[str, ...]:
    """The SDG 11 targets a project may address ("11.1" … "11.c"), from the catalogue."""
    return tuple(t for t in load_catalogue().targets if t.startswith("11."))


@cache
def umf_cells() -> tuple[str, ...]:
    """The UMF cell codes (``SOC-SAFE`` …), from the catalogue."""
    return tuple(load_catalogue().umf)


# ----------------------------------------------------------------------------- parse


def parse_plan(data: Mapping[str, Any], *, file: str | None = None) -> PlanInput:
    """Validate and convert a project list; raise ``ValidationFailed`` listing every problem."""
    r = FieldReader(file)
    doc = r.mapping(data, "", _TOP_FIELDS, "the project list")
    if doc is None:
        raise ValidationFailed(r.report())
    fmt = doc.get("format")
    if fmt is not None and fmt != FORMAT:
        r.add(
            "unknown-format",
            "format",
            "is not the project-list format.",
            found=fmt,
            expected=FORMAT,
            fix=f"write 'format: {FORMAT}' or leave the field out",
        )
    name = (
        r.text(doc.get("name"), "name") if r.required(doc, "name", "", "the project list") else ""
    )
    currency = r.text(doc.get("currency"), "currency")
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isupper()):
        r.add(
            "out-of-range",
            "currency",
            "is not an ISO 4217 currency code.",
            found=currency,
            expected="three capital letters such as SLE, KES or MWK",
            fix="write the ISO 4217 code of the local currency",
        )
    start = datetime.date.today().year + 1
    if doc.get("start_year") is not None:
        start = r.integer(doc["start_year"], "start_year", low=1950, high=2100,
                          code="impossible-year") or start  # fmt: skip
    horizon = 5
    if doc.get("horizon") is not None:
        horizon = r.integer(doc["horizon"], "horizon", low=1, high=MAX_HORIZON) or horizon
    budget, by_year, envelope = _budget(r, doc, horizon)
    population = None
    if doc.get("city_population") is not None:
        population = r.number(doc["city_population"], "city_population", above_low=True)
    weights = _weights(r, doc.get("weights"))
    sources = _sources(r, doc.get("sources"))
    projects = _projects(r, doc.get("projects"))
    area = r.text(doc.get("area"), "area")
    example = r.boolean(doc.get("example"), "example")
    if r.issues:
        raise ValidationFailed(r.report())
    osr_id, capital_share, gap_recovery = envelope
    return PlanInput(
        name=name,
        projects=projects,
        currency=currency,
        area_code=area or None,
        start_year=start,
        horizon=horizon,
        budget=budget,
        budget_by_year=by_year,
        osr_analysis_id=osr_id,
        capital_share=capital_share,
        gap_recovery=gap_recovery,
        city_population=population,
        weights=weights,
        example=example,
        sources=sources,
    )


def _budget(
    r: FieldReader, doc: Mapping[str, Any], horizon: int
) -> tuple[float | None, tuple[float, ...] | None, tuple[int | None, float, tuple[float, ...]]]:
    """The envelope fields: ``budget``, ``budget_by_year``, ``envelope``; one form at most."""
    budget = None
    if doc.get("budget") is not None:
        budget = r.number(doc["budget"], "budget", unit=" (total over the horizon)")
    by_year: tuple[float, ...] | None = None
    raw_years = doc.get("budget_by_year")
    if raw_years is not None:
        if not isinstance(raw_years, list | tuple):
            r.add(
                "parse-error",
                "budget_by_year",
                "is not a list of yearly amounts.",
                found=raw_years,
                expected=f"a list of {horizon} amounts",
                fix="write the amounts in square brackets, one per plan year",
            )
        else:
            values = [r.number(v, f"budget_by_year[{i}]") for i, v in enumerate(raw_years)]
            if len(values) != horizon:
                r.add(
                    "rule-broken",
                    "budget_by_year",
                    f"gives {len(values)} yearly amounts for a {horizon}-year horizon.",
                    found=str(len(values)),
                    expected=f"{horizon} amounts (the horizon)",
                    fix="give one amount per plan year, or change 'horizon'",
                )
            by_year = tuple(v if v is not None else 0.0 for v in values)
    osr_id: int | None = None
    share, recovery = 0.2, default_gap_recovery(horizon)
    raw_env = doc.get("envelope")
    env = None if raw_env is None else r.mapping(raw_env, "envelope", _ENVELOPE_FIELDS, "envelope")
    if env is not None:
        if env.get("osr_analysis") is not None:
            osr_id = r.integer(env["osr_analysis"], "envelope.osr_analysis", low=1, high=2**62)
        if env.get("capital_share") is not None:
            share = r.number(env["capital_share"], "envelope.capital_share", high=1.0) or 0.0
        raw_rec = env.get("gap_recovery")
        if isinstance(raw_rec, list | tuple):
            rec = [
                r.number(v, f"envelope.gap_recovery[{i}]", high=1.0) for i, v in enumerate(raw_rec)
            ]
            recovery = tuple(v if v is not None else 0.0 for v in rec)
            if len(rec) != horizon:
                r.add(
                    "rule-broken",
                    "envelope.gap_recovery",
                    f"gives {len(rec)} yearly shares for a {horizon}-year horizon.",
                    found=str(len(rec)),
                    expected=f"{horizon} shares from 0 to 1",
                    fix="give one share of the gap recovered per plan year",
                )
        elif raw_rec is not None:
            r.add(
                "parse-error",
                "envelope.gap_recovery",
                "is not a list of yearly shares.",
                found=raw_rec,
                expected=f"a list of {horizon} shares from 0 to 1",
                fix="write e.g. [0.1, 0.2, 0.3, 0.4, 0.5]",
            )
    given = [
        k
        for k, v in (
            ("budget", doc.get("budget")),
            ("budget_by_year", raw_years),
            ("envelope.osr_analysis", env.get("osr_analysis") if env else None),
        )
        if v is not None
    ]
    if len(given) > 1:
        r.add(
            "rule-broken",
            given[1],
            f"the envelope is given twice, as {' and as '.join(given)}.",
            found=", ".join(given),
            expected="one of budget, budget_by_year, envelope.osr_analysis",
            fix="keep one way of giving the envelope and remove the others",
        )
    return budget, by_year, (osr_id, share, recovery)


def _weights(r: FieldReader, raw: Any) -> dict[str, float]:
    """Given weights over the defaults (a subset overrides those criteria only)."""
    weights = dict(DEFAULT_WEIGHTS)
    if raw is None:
        return weights
    data = r.mapping(raw, "weights", CRITERIA, "weights")
    if data is None:
        return weights
    for key, value in data.items():
        if key in CRITERIA:
            w = r.number(value, f"weights.{key}")
            if w is not None:
                weights[key] = w
    if not any(weights.values()):
        r.add(
            "rule-broken",
            "weights",
            "every weight is 0, so no project can score.",
            expected="at least one weight above 0",
            fix="give a positive weight to at least one criterion",
        )
    return weights


def _sources(r: FieldReader, raw: Any) -> tuple[SourceRef, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        r.add(
            "parse-error",
            "sources",
            "is not a list of sources.",
            found=raw,
            expected="a list of {id, citation, url}",
            fix="write each source as '- {id: ..., citation: ..., url: ...}'",
        )
        return ()
    out: list[SourceRef] = []
    for i, item in enumerate(raw):
        path = f"sources[{i}]"
        data = r.mapping(item, path, SOURCE_FIELDS, "a source")
        if data is None:
            continue
        ok = r.required(data, "id", path, "the source") & r.required(
            data, "citation", path, "the source"
        )
        sid = r.text(data.get("id"), f"{path}.id")
        if sid and sid in {s.id for s in out}:
            r.add("duplicate-key", f"{path}.id", "two sources have this id.", found=sid,
                    fix="give each source its own id")  # fmt: skip
            continue
        if ok:
            url = r.text(data.get("url"), f"{path}.url")
            out.append(SourceRef(sid, r.text(data["citation"], f"{path}.citation"), url or None))
    return tuple(out)


def _projects(r: FieldReader, raw: Any) -> tuple[Project, ...]:
    if not isinstance(raw, list | tuple) or not raw:
        r.add(
            "missing-value" if not raw else "parse-error",
            "projects",
            "the project list has no projects." if not raw else "is not a list of projects.",
            found=raw or None,
            expected="a list of at least one project",
            fix="add '- {id: P1, name: ..., sector: ..., cost: ..., population_served: ...}'",
        )
        return ()
    out: list[Project] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        project = _project(r, item, f"projects[{i}]")
        pid = item.get("id") if isinstance(item, Mapping) else None
        key = str(pid).strip() if isinstance(pid, str | int) and not isinstance(pid, bool) else None
        if key in seen:
            r.add("duplicate-key", f"projects[{i}].id", "two projects have this id.",
                    found=key, fix="give each project its own id")  # fmt: skip
            continue
        if key is not None:
            seen.add(key)
        if project is not None:
            out.append(project)
    return tuple(out)


def _project(r: FieldReader, raw: Any, path: str) -> Project | None:
    data = r.mapping(raw, path, PROJECT_FIELDS, "a project")
    if data is None:
        return None
    required = ("id", "name", "sector", "cost", "population_served")
    present = [r.required(data, k, path, "the project") for k in required]
    p = f"{path}."
    sector = r.choice(data.get("sector"), p + "sector", SECTORS, "sector") if present[2] else None
    cost = r.number(data.get("cost"), p + "cost", above_low=True) if present[3] else None
    served = (
        r.number(data.get("population_served"), p + "population_served") if present[4] else None
    )
    years = 1
    if data.get("years") is not None:
        years = r.integer(data["years"], p + "years", low=1, high=100) or 1
    stage = "concept"
    if data.get("stage") is not None:
        stage = r.choice(data["stage"], p + "stage", STAGES, "preparation stage") or stage
    shares = {
        k: r.number(data[k], p + k, high=1.0, unit=" (a share from 0 to 1)")
        if data.get(k) is not None
        else 0.0
        for k in ("cost_recovery", "cofinancing")
    }
    targets = r.codes(data.get("sdg_targets"), p + "sdg_targets", sdg_targets(), "SDG 11 target")
    cells = r.codes(data.get("umf_cells"), p + "umf_cells", umf_cells(), "UMF cell")
    land = r.boolean(data.get("land_secured"), p + "land_secured")
    clearance = r.boolean(data.get("environmental_clearance"), p + "environmental_clearance")
    if not all(present) or None in (sector, cost, served, *shares.values()):
        return None
    assert sector is not None and cost is not None and served is not None
    return Project(
        id=r.text(data["id"], p + "id"),
        name=r.text(data["name"], p + "name"),
        sector=sector,
        cost=cost,
        population_served=served,
        years=years,
        location=r.text(data.get("location"), p + "location"),
        sdg_targets=targets,
        umf_cells=cells,
        stage=stage,
        cost_recovery=shares["cost_recovery"] or 0.0,
        cofinancing=shares["cofinancing"] or 0.0,
        land_secured=land,
        environmental_clearance=clearance,
        note=r.text(data.get("note"), p + "note"),
    )
