"""The own-source revenue analysis of a local government: every stream of every year through
the formulas of :mod:`.osr`, totals, fiscal indicators, trends across years, uncertainty
ranges, sensitivity and recommendations.

* Streams: actual, potential, gap, parts and residual, each a :class:`~.model.Range` over the
  inputs' ranges (:func:`.uncertainty.stream_ranges`); the recommendations of the reforms
  catalogue for the parts of the stream's gap (:func:`.reforms.recommend`).
* The year's total sums the streams (the bounds are the sums of the streams' bounds: streams
  share no inputs).
* Fiscal indicators, at central values: population from the input, else from ``population``
  (the store's), else none (and a warning); OSR per capita ``= actual / population`` (in US
  dollars with ``usd_rate``), per household ``= actual · household size / population``, share
  of GDP ``= actual / (population · GDP per capita)``, and the same for the potential.
* Trends (two years or more): actual, potential, gap, efficiency (actual / potential), OSR per
  capita and share of GDP by year; the change (last − first) and the compound annual growth
  ``(last / first)^(1 / years between) − 1``, over the first and last years with a value.
* Warnings: a computed actual more than 10 % away from the ``actual_reported`` revenue; range
  combinations moved onto the rules; years without population.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from urbanagenda.finance._osr_read import fmt
from urbanagenda.finance.model import (
    PARTS,
    FiscalIndicators,
    OsrInput,
    OsrResult,
    PropertyCategoryInput,
    Range,
    StreamInput,
    StreamResult,
    Trend,
    YearInput,
    YearResult,
)
from urbanagenda.finance.reforms import recommend
from urbanagenda.finance.uncertainty import sensitivity, stream_ranges

__all__ = ["REPORTED_TOLERANCE", "PopulationLookup", "analyse", "trend"]

#: (area code, country code, year) → (population, where it comes from) or None.
PopulationLookup = Callable[[str | None, str | None, int], tuple[float, str] | None]
#: How far the computed actual revenue may be from the reported one before a warning.
REPORTED_TOLERANCE = 0.10


def analyse(inp: OsrInput, *, population: PopulationLookup | None = None) -> OsrResult:
    """Analyse ``inp`` (already validated by :func:`~urbanagenda.finance.parse.parse_osr`)."""
    warnings: list[str] = []
    years = tuple(
        _year(inp, year, population, warnings) for year in sorted(inp.years, key=lambda y: y.year)
    )
    trends = _trends(years) if len(years) > 1 else ()
    return OsrResult(input=inp, years=years, trends=trends, warnings=tuple(warnings))


def _year(
    inp: OsrInput, year: YearInput, population: PopulationLookup | None, warnings: list[str]
) -> YearResult:
    streams: list[StreamResult] = []
    for stream in year.streams:
        ranges = stream_ranges(stream)
        result = ranges.result
        parts = {k: v.central for k, v in result.parts.items()}
        result = dataclasses.replace(
            result,
            recommendations=recommend(stream.kind, stream.name, parts, result.gap.central),
        )
        streams.append(result)
        if ranges.moved:
            warnings.append(
                f"{year.year}, {stream.name}: {ranges.moved} of the {ranges.combinations} "
                "combinations of the input ranges broke a rule (compliant ≤ registered ≤ "
                "estimated, rate ≤ legislated rate) and were moved onto it for the ranges."
            )
        warnings += _reported(year.year, result)
        warnings += _over_assessed(year.year, stream)
    total = _total(streams)
    recommendations = sorted(
        (rec for s in streams for rec in s.recommendations), key=lambda rec: -rec.amount
    )
    return YearResult(
        year=year.year,
        streams=tuple(streams),
        total=total,
        fiscal=_fiscal(inp, year, total, population, warnings),
        sensitivity=sensitivity(year.streams),
        recommendations=tuple(recommendations),
    )


def _reported(year: int, result: StreamResult) -> list[str]:
    reported, actual = result.actual_reported, result.actual.central
    if reported is None or abs(actual - reported) <= REPORTED_TOLERANCE * reported:
        return []
    differs = f"by {abs(actual - reported) / reported:.0%}" if reported > 0 else "(reported 0)"
    return [
        f"{year}, {result.name}: the computed actual revenue ({fmt(round(actual))}) differs "
        f"from the revenue the accounts report ({fmt(reported)}) {differs}; check the counts, "
        "values and rates against the accounts."
    ]


def _over_assessed(year: int, stream: StreamInput) -> list[str]:
    """Categories whose roll values exceed their market values: allowed (rolls over-value),
    but then the valuation part is negative and the potential may fall below the actual."""
    return [
        f"{year}, {stream.name}, {c.name}: the assessed value ({fmt(c.assessed_value.central)}) "
        f"exceeds the market value ({fmt(c.market_value.central)}), so the valuation part is "
        "negative (the roll over-values); check both values."
        for c in stream.categories
        if isinstance(c, PropertyCategoryInput)
        and c.assessed_value.central > c.market_value.central
    ]


def _sum(ranges: Sequence[Range]) -> Range:
    return Range(
        sum(r.central for r in ranges), sum(r.low for r in ranges), sum(r.high for r in ranges)
    )


def _total(streams: Sequence[StreamResult]) -> StreamResult:
    reported = [s.actual_reported for s in streams]
    return StreamResult(
        kind="total",
        name="Total",
        actual=_sum([s.actual for s in streams]),
        potential=_sum([s.potential for s in streams]),
        gap=_sum([s.gap for s in streams]),
        parts={
            part: _sum([s.parts[part] for s in streams if part in s.parts])
            for part in PARTS
            if any(part in s.parts for s in streams)
        },
        residual=_sum([s.residual for s in streams]),
        actual_reported=None if None in reported else sum(r for r in reported if r is not None),
    )


def _fiscal(
    inp: OsrInput,
    year: YearInput,
    total: StreamResult,
    population: PopulationLookup | None,
    warnings: list[str],
) -> FiscalIndicators:
    given = year.fiscal
    people: float | None = None
    source: str | None = None
    if given.population is not None:
        people, source = given.population.central, "input"
    elif population is not None and (inp.area_code or inp.country_code):
        found = population(inp.area_code, inp.country_code, year.year)
        if found is not None:
            people, source = found
    if not people:
        warnings.append(
            f"{year.year}: no population, so no per-capita figures or shares of GDP; give "
            "fiscal.population (or an area whose population the store has)."
        )
        return FiscalIndicators(None, None, None, None, None, None, None, None)
    actual, potential = total.actual.central, total.potential.central
    gdp = given.gdp_per_capita.central if given.gdp_per_capita else None
    household = given.household_size.central if given.household_size else None
    return FiscalIndicators(
        population=people,
        population_source=source,
        osr_per_capita=actual / people,
        osr_per_capita_usd=actual / people / given.usd_rate if given.usd_rate else None,
        potential_per_capita=potential / people,
        osr_per_household=actual * household / people if household else None,
        osr_share_gdp=actual / (people * gdp) if gdp else None,
        potential_share_gdp=potential / (people * gdp) if gdp else None,
    )


_METRICS: dict[str, Callable[[YearResult], float | None]] = {
    "actual": lambda y: y.total.actual.central,
    "potential": lambda y: y.total.potential.central,
    "gap": lambda y: y.total.gap.central,
    "efficiency": lambda y: y.total.efficiency,
    "osr_per_capita": lambda y: y.fiscal.osr_per_capita,
    "osr_share_gdp": lambda y: y.fiscal.osr_share_gdp,
}


def trend(metric: str, values: Mapping[int, float | None]) -> Trend:
    """A metric's trend over years: between the first and the last year with a value,
    ``change`` is last − first and ``annual_growth`` the compound annual growth rate
    ``(last / first) ** (1 / years apart) − 1`` (None unless first > 0 and last ≥ 0)."""
    ordered = dict(sorted(values.items()))
    known = [(year, v) for year, v in ordered.items() if v is not None]
    change = growth = None
    if len(known) >= 2:
        (y0, first), (y1, last) = known[0], known[-1]
        change = last - first
        if first > 0 and last >= 0:
            growth = (last / first) ** (1 / (y1 - y0)) - 1
    return Trend(metric, ordered, change, growth)


def _trends(years: Sequence[YearResult]) -> tuple[Trend, ...]:
    return tuple(
        trend(metric, {y.year: value(y) for y in years}) for metric, value in _METRICS.items()
    )
