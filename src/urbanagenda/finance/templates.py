"""The Excel templates of the finance tools, empty or filled from an input, which
:func:`.files.read_osr_file` and :func:`.files.read_plan_file` read back.

**OSR analysis workbook** — sheets Instructions; Analysis (key/value: local_government, area,
country, currency, example, note); Sources (id, citation, url); Fiscal (one row per year:
population, gdp_per_capita, household_size, usd_rate, sources); Property tax, Business
licences, User charges (``stream_kind`` short/long/mixed), Other taxes (one row per category or
charge, grouped into streams by year and ``stream_name``; columns as in the CSV of
:mod:`.files`, each estimable number followed by ``<field>_low`` and ``<field>_high``).
Streams are read back in the order of the sheets, years in ascending order.

**Project-list workbook** — sheets Instructions; Plan (key/value: name, area, currency,
start_year, horizon, budget, budget_by_year, envelope.osr_analysis, envelope.capital_share,
envelope.gap_recovery, city_population, weights.<criterion>, example); Sources; Projects (one
row per project; sector and stage drop-downs, SDG targets and UMF cells as ``;`` lists);
Codes (the valid sectors, stages, SDG 11 targets and UMF cells).

Sheet titles, column headers and drop-down values are the format's field names in every
language; ``lang`` (``en``, ``zh``; others fall back to English) sets the instructions and
the notes on what each field means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from urbanagenda.errors import DataError
from urbanagenda.finance._files_book import (
    Check,
    key_value_sheet,
    marker_sheet,
    new_workbook,
    table_sheet,
)
from urbanagenda.finance._files_layout import (
    ANALYSIS_KEYS,
    CHARGE_STREAM_KINDS,
    ESTIMATE_FIELDS,
    OSR_MARKER,
    OSR_SHEETS,
    PLAN_KEYS,
    PLAN_MARKER,
    PROJECT_FIELDS,
    SOURCE_FIELDS,
    STREAM_FIELDS,
    USER_CHARGE_TERMS,
    coerce,
    item_key,
)
from urbanagenda.finance.invest import dump_plan
from urbanagenda.finance.model import CHARGE_PERIODS, SECTORS, STAGES, OsrInput, PlanInput
from urbanagenda.finance.parse import dump_osr
from urbanagenda.model.catalogue import load_catalogue

__all__ = [
    "osr_template",
    "plan_template",
    "write_osr_data",
    "write_osr_xlsx",
    "write_plan_data",
    "write_plan_xlsx",
]

_BOOL = Check(("true", "false"), message="true or false")
_COUNT = Check(low=0, message="A number ≥ 0 (a count or an amount).")
_SHARE = Check(low=0, high=1, message="A fraction from 0 to 1 (20 % is 0.2).")
_YEAR = Check(low=1950, high=2100, whole=True, message="A year, four digits (e.g. 2019).")
_OSR_CHECKS: dict[str, Check] = {
    "year": _YEAR,
    "example": _BOOL,
    "stream_kind": Check(tuple(USER_CHARGE_TERMS), message="short, long or mixed"),
    "per": Check(CHARGE_PERIODS, message="day, month or year"),
    **{f: _COUNT for f in (*ESTIMATE_FIELDS, "actual_reported", "usd_rate")},
    "periods": Check(low=0, high=366, message="Periods in the year: ≤ 366 days, ≤ 12 months."),
}
#: The property tax's rates are fractions of the value (the charges' rates are amounts); a
#: rate above 1 is unusual (a bill as a multiple of a value), so it only warns.
_RATE = Check(
    low=0,
    high=1,
    warn_only=True,
    message="Usually a fraction of the value (1.2 % is 0.012). Keep this value?",
)
_PROPERTY_CHECKS = {**_OSR_CHECKS, "rate": _RATE, "legislated_rate": _RATE}
_PLAN_CHECKS: dict[str, Check] = {
    "sector": Check(SECTORS),
    "stage": Check(STAGES),
    "land_secured": _BOOL,
    "environmental_clearance": _BOOL,
    "example": _BOOL,
    "cost": _COUNT,
    "population_served": _COUNT,
    "budget": _COUNT,
    "city_population": _COUNT,
    "years": Check(low=1, high=10, whole=True, message="Whole years, 1 to 10."),
    "horizon": Check(low=1, high=10, whole=True, message="Whole years, 1 to 10."),
    "start_year": _YEAR,
    "cost_recovery": _SHARE,
    "cofinancing": _SHARE,
    "envelope.capital_share": _SHARE,
    **{k: _COUNT for k in PLAN_KEYS if k.startswith("weights.")},
}


def osr_template(path: Path | str, lang: str = "en") -> Path:
    """Write the empty OSR analysis template to ``path`` (an ``.xlsx``)."""
    return write_osr_data({}, path, lang=lang)


def plan_template(path: Path | str, lang: str = "en") -> Path:
    """Write the empty project-list template to ``path``."""
    return write_plan_data({}, path, lang=lang)


def write_osr_xlsx(inp: OsrInput, path: Path | str, lang: str = "en") -> Path:
    """The OSR template filled with ``inp`` (read back, it gives ``inp`` again)."""
    return write_osr_data(dump_osr(inp), path, lang=lang)


def write_plan_xlsx(plan: PlanInput, path: Path | str, lang: str = "en") -> Path:
    """The project-list template filled with ``plan`` (read back, it gives ``plan`` again)."""
    return write_plan_data(dump_plan(plan), path, lang=lang)


def write_osr_data(data: Mapping[str, Any], path: Path | str, lang: str = "en") -> Path:
    """The OSR template filled with plain data of the YAML format (e.g. an example file)."""
    _only(data, (*ANALYSIS_KEYS, "format", "sources", "years"), "the analysis")
    wb = new_workbook("osr", lang)
    facts = {k: _cell(k, data.get(k)) for k in ANALYSIS_KEYS}
    key_value_sheet(wb, "Analysis", ANALYSIS_KEYS, facts, _OSR_CHECKS, lang)
    rows: dict[str, list[dict[str, Any]]] = {s.title: [] for s in OSR_SHEETS}
    rows["Sources"] = [_row(s, SOURCE_FIELDS, "a source") for s in data.get("sources") or ()]
    for year in data.get("years") or ():
        _only(year, ("year", "fiscal", "streams"), "a year")
        if year.get("fiscal"):
            fiscal = _row(year["fiscal"], OSR_SHEETS[1].fields[1:], "the fiscal context")
            rows["Fiscal"].append({"year": year["year"], **fiscal})
        for stream in year.get("streams") or ():
            title, fields = _stream_sheet(stream.get("kind"))
            rows[title] += _stream_rows(year["year"], stream, fields)
    for layout in OSR_SHEETS:
        checks = _PROPERTY_CHECKS if layout.title == "Property tax" else _OSR_CHECKS
        table_sheet(wb, layout.title, layout.columns, rows[layout.title], checks, lang)
    marker_sheet(wb, OSR_MARKER)
    return _save(wb, path)


def write_plan_data(data: Mapping[str, Any], path: Path | str, lang: str = "en") -> Path:
    """The project-list template filled with plain data of the YAML format."""
    nested = ("envelope", "weights")
    top = tuple(k for k in PLAN_KEYS if "." not in k)
    _only(data, (*top, *nested, "format", "sources", "projects"), "the plan")
    flat = {k: _cell(k, data.get(k)) for k in top}
    for head in nested:
        sub = data.get(head) or {}
        allowed = [k.partition(".")[2] for k in PLAN_KEYS if k.startswith(head + ".")]
        _only(sub, allowed, head)
        flat |= {f"{head}.{k}": _cell(f"{head}.{k}", v) for k, v in sub.items()}
    wb = new_workbook("invest", lang)
    key_value_sheet(wb, "Plan", PLAN_KEYS, flat, _PLAN_CHECKS, lang)
    sources = [_row(s, SOURCE_FIELDS, "a source") for s in data.get("sources") or ()]
    table_sheet(wb, "Sources", SOURCE_FIELDS, sources, {}, lang)
    projects = [_row(p, PROJECT_FIELDS, "a project") for p in data.get("projects") or ()]
    table_sheet(wb, "Projects", PROJECT_FIELDS, projects, _PLAN_CHECKS, lang)
    _codes_sheet(wb)
    marker_sheet(wb, PLAN_MARKER)
    return _save(wb, path)


# ----------------------------------------------------------------------------- filling


def _stream_sheet(kind: Any) -> tuple[str, tuple[str, ...]]:
    for layout in OSR_SHEETS[2:]:
        if layout.kind == kind or (layout.kind is None and kind in CHARGE_STREAM_KINDS):
            return layout.title, layout.fields
    raise DataError(
        f"a stream of kind {kind!r} has no sheet in the template; expected one of "
        f"{', '.join(STREAM_FIELDS)}. Check the input with urbanagenda osr validate first."
    )


def _stream_rows(
    year: int, stream: Mapping[str, Any], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """One row per category or charge; the stream's own fields on its first row."""
    kind = stream["kind"]
    key = item_key(kind)
    own_fields = STREAM_FIELDS[kind]
    _only(stream, ("kind", "name", key, *own_fields), f"the stream {stream.get('name')!r}")
    head: dict[str, Any] = {"year": year, "stream_name": stream.get("name")}
    if kind in CHARGE_STREAM_KINDS:
        head["stream_kind"] = next(t for t, k in USER_CHARGE_TERMS.items() if k == kind)
    own = _row(stream, own_fields, "a stream", keep_unknown=True)
    item_fields = tuple(f for f in fields if f not in own_fields and f not in head)
    items = stream.get(key) or [{}]
    out = []
    for i, item in enumerate(items):
        renamed = {("item" if k == "name" else k): v for k, v in item.items()}
        row = {**head, **_row(renamed, item_fields, f"a row of {stream.get('name')!r}")}
        out.append({**row, **own} if i == 0 else row)
    return out


def _row(
    record: Mapping[str, Any], fields: Iterable[str], what: str, *, keep_unknown: bool = False
) -> dict[str, Any]:
    """A record's fields as cells (an estimate in its three columns)."""
    fields = tuple(fields)
    if not keep_unknown:
        _only(record, fields, what)
    out: dict[str, Any] = {}
    for name in fields:
        value = record.get(name)
        if isinstance(value, Mapping) and name in ESTIMATE_FIELDS:
            _only(value, ("central", "low", "high"), f"the estimate {name!r}")
            out[name] = _cell(name, value.get("central"))
            out[f"{name}_low"] = _cell(name, value.get("low"))
            out[f"{name}_high"] = _cell(name, value.get("high"))
        else:
            out[name] = _cell(name, value)
    return out


def _cell(field: str, value: Any) -> Any:
    """A plain value as a cell: lists joined by ``;``, booleans as the drop-down's words."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return coerce(field, value)


def _only(record: Any, allowed: Iterable[str], what: str) -> None:
    """Refuse a field the template has no place for (it would be lost)."""
    if not isinstance(record, Mapping):
        raise DataError(f"{what} is not a mapping of fields: {record!r}.")
    extra = sorted(set(map(str, record)) - set(allowed))
    if extra:
        raise DataError(
            f"{what} has fields the template has no place for: {', '.join(extra)}. "
            "Check the input with urbanagenda osr validate / invest rank first."
        )


def _codes_sheet(wb: Workbook) -> None:
    catalogue = load_catalogue()
    ws = wb.create_sheet("Codes")
    ws.append(["list", "code", "name"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for name in SECTORS:
        ws.append(["sector", name, name.replace("_", " ")])
    for name in STAGES:
        ws.append(["stage", name, name.replace("_", " ")])
    for code, target in catalogue.targets.items():
        if code.startswith("11."):
            ws.append(["sdg_target", code, target.title])
    for code, cell in catalogue.umf.items():
        ws.append(["umf_cell", code, cell.name])
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 100
    ws.freeze_panes = "A2"


def _save(wb: Workbook, path: Path | str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
