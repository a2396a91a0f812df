"""What :mod:`.store` writes and reads, row by row: the canonical input of one year and its
digest, the check of the area codes, stored rows as plain dicts, and trends across stored
years."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance.analysis import trend
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.store import schema as s
from urbanagenda.store.reference import area_resolver

__all__ = [
    "ANALYSIS_SUMMARY",
    "LG_KEY_CHARS",
    "PLAN_SUMMARY",
    "area_country",
    "digest",
    "iso",
    "summary",
    "trends",
    "year_input",
]

#: The length of ``lg_key`` in both tables.
LG_KEY_CHARS = 120

#: The summary columns of a stored analysis (the listing's fields, in this order).
ANALYSIS_SUMMARY = (
    "id",
    "lg_key",
    "lg_name",
    "area_code",
    "country_code",
    "year",
    "version",
    "currency",
    "example",
    "actual",
    "potential",
    "gap",
    "population",
    "osr_per_capita_usd",
    "osr_share_gdp",
    "created_at",
)
PLAN_SUMMARY = (
    "id",
    "lg_key",
    "name",
    "area_code",
    "version",
    "currency",
    "example",
    "envelope",
    "funded",
    "created_at",
)


def digest(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``data`` (keys sorted): equal inputs, equal digests."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def year_input(inp: Any, year: int) -> dict[str, Any]:
    """``inp`` (an :class:`~.model.OsrInput`) restricted to one year, as plain data.

    The sources kept are those the year cites and those no year cites (sources of the whole
    analysis): adding a year with sources of its own leaves the other years' inputs, and so
    their stored versions, unchanged."""
    (this,) = [y for y in inp.years if y.year == year]

    def cited(y: Any) -> set[str]:
        return {i for st in y.streams for i in st.sources} | set(y.fiscal.sources)

    anywhere = set().union(*(cited(y) for y in inp.years))
    mine = cited(this)
    sources = tuple(x for x in inp.sources if x.id in mine or x.id not in anywhere)
    out = dataclasses.replace(inp, years=(this,), sources=sources).to_dict()
    assert isinstance(out, dict)
    return out


def area_country(
    conn: Connection,
    area_code: str | None,
    country_code: str | None,
    *,
    file: str | None,
    what: str,
) -> str | None:
    """The country code to store for an analysis or plan of ``area_code``; raises
    :class:`ValidationFailed` when the area or country is not in the store, or when a city's
    country is not the one given.  A city gives its country; a country is its own."""
    report = Report(files=[file] if file else [])
    rows = conn.execute(
        select(s.area.c.code, s.area.c.kind, s.area.c.country_code, s.area.c.iso3)
    ).all()
    areas = {code: (kind, country) for code, kind, country, _ in rows}
    resolve = area_resolver([(code, iso3) for code, _, _, iso3 in rows])

    def suggest(code: str) -> str:
        if not areas:
            return "the store has no areas: run `urbanagenda init` (or `urbanagenda demo`) first"
        resolved = resolve(pd.Series([code]))[0]
        if resolved:
            return f"write {resolved!r} (the store's code for {code!r})"
        return "list the codes with `urbanagenda areas`"

    country = country_code
    if area_code is not None:
        if area_code not in areas:
            report.add(
                Issue(
                    "unknown-area",
                    f"the {what}'s area {area_code!r} is not a city or country of the store.",
                    file=file,
                    column="area",
                    found=area_code,
                    expected="a store area code (a city such as 'sl_freetown' or an M49 code)",
                    fix=suggest(area_code),
                )
            )
        else:
            kind, parent = areas[area_code]
            own = area_code if kind == "country" else parent
            if country is not None and own is not None and country != own:
                report.add(
                    Issue(
                        "rule-broken",
                        f"the {what}'s country {country!r} is not the country of its area "
                        f"{area_code!r} ({own!r}).",
                        file=file,
                        column="country",
                        found=country,
                        expected=own,
                        fix=f"write country: {own!r}, or leave it out (it is taken from the area)",
                    )
                )
            country = own if own is not None else country
    if country is not None and area_code is None and areas.get(country, ("", None))[0] != "country":
        report.add(
            Issue(
                "unknown-area",
                f"the {what}'s country {country!r} is not a country of the store.",
                file=file,
                column="country",
                found=country,
                expected="an M49 country code such as '694'",
                fix=suggest(country),
            )
        )
    if not report.valid:
        raise ValidationFailed(report)
    return country


def iso(value: Any) -> str | None:
    """A stored timestamp as ISO 8601 in UTC (SQLite gives it back without a time zone)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        stamp = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat()
    return str(value)


def summary(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """A stored row's summary fields as plain values; analyses also get their efficiency
    (actual / potential, None when the potential is 0)."""
    out: dict[str, Any] = {c: (iso(row[c]) if c == "created_at" else row[c]) for c in columns}
    out["example"] = bool(out["example"])
    if "potential" in out:
        out["efficiency"] = out["actual"] / out["potential"] if out["potential"] > 0 else None
    return out


def _osr_per_capita(result: Mapping[str, Any]) -> float | None:
    value = (result.get("fiscal") or {}).get("osr_per_capita")
    return None if value is None else float(value)


def trends(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Trends across stored years (one row per year, ascending, each with its ``result``), in
    the shape of :class:`~.model.Trend`, by :func:`~.analysis.trend` as an analysis of
    several years computes them.  Empty with fewer than two years."""
    if len(rows) < 2:
        return []
    getters = {
        "actual": lambda r: r["actual"],
        "potential": lambda r: r["potential"],
        "gap": lambda r: r["gap"],
        "efficiency": lambda r: r["actual"] / r["potential"] if r["potential"] > 0 else None,
        "osr_per_capita": lambda r: _osr_per_capita(r["result"]),
        "osr_share_gdp": lambda r: r["osr_share_gdp"],
    }
    return [
        trend(metric, {int(r["year"]): get(r) for r in rows}).to_dict()
        for metric, get in getters.items()
    ]
