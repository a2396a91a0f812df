"""SDG 11.3.1 — ratio of land consumption rate to population growth rate (LCRPGR).

Follows the UN-Habitat SDG 11.3.1 metadata (2021 revision) and, for the ``log`` land
consumption rate, the earlier UN-Habitat guidance and the GHSL Urban Centre Database
(``SDG_LUE9015`` in GHS-UCDB R2019A is ``ln(B15/B90) / ln(P15/P90)``):

* ``PGR = ln(P2/P1) / y``
* ``LCR = (V2 − V1) / V1 / y`` (``linear``, 2021 metadata) or ``ln(V2/V1) / y`` (``log``)
* ``LCRPGR = LCR / PGR``

with ``V`` the built-up area, ``P`` the population and ``y`` the number of years between them.
Built-up area per person (m²) is reported beside the ratio. When the population does not change
the ratio has no value (``PGR = 0``); the result then says so in its components.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

import pandas as pd

from urbanagenda.errors import MethodError
from urbanagenda.spatial.results import IndicatorResult

__all__ = [
    "LCR_FORMULAS",
    "UCDB_EPOCHS",
    "land_consumption_rate",
    "lcrpgr",
    "lcrpgr_for_ucdb",
    "population_growth_rate",
]

METHOD = "unhabitat_2021_lcrpgr"
METHOD_VERSION = "1.0"
LCR_FORMULAS: tuple[str, ...] = ("linear", "log")
LcrFormula = Literal["linear", "log"]

#: GHS-UCDB R2019A epochs and the two-digit suffix of their B (built-up km²) and P fields.
UCDB_EPOCHS: Mapping[int, str] = {1975: "75", 1990: "90", 2000: "00", 2015: "15"}
#: Published land-use-efficiency fields of the UCDB, by (from, to) epoch (log formula).
UCDB_PUBLISHED_LUE: Mapping[tuple[int, int], str] = {(1990, 2015): "SDG_LUE9015"}


def _positive(name: str, value: float, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MethodError(
            f"11.3.1{where}: {name} is {value!r}, not a number; give it as a positive number."
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise MethodError(
            f"11.3.1{where}: {name} is {value!r}; it must be a positive finite number "
            "(a built-up area or population of zero has no growth rate). Check the input."
        )
    return number


def _check_formula(formula: str) -> None:
    if formula not in LCR_FORMULAS:
        raise MethodError(
            f"11.3.1: unknown land consumption rate formula {formula!r}; use one of "
            f"{', '.join(LCR_FORMULAS)} ('linear' as in the 2021 metadata, 'log' as in the "
            "older guidance and the GHSL database)."
        )


def land_consumption_rate(
    built_up_start: float, built_up_end: float, years: float, formula: LcrFormula = "linear"
) -> float:
    """Annual land consumption rate; ``linear``: ``(V2−V1)/V1/y``, ``log``: ``ln(V2/V1)/y``."""
    _check_formula(formula)
    v1 = _positive("the built-up area of the first year", built_up_start, "")
    v2 = _positive("the built-up area of the second year", built_up_end, "")
    y = _positive("the number of years", years, "")
    return (v2 - v1) / v1 / y if formula == "linear" else math.log(v2 / v1) / y


def population_growth_rate(population_start: float, population_end: float, years: float) -> float:
    """Annual population growth rate ``ln(P2/P1)/y``."""
    p1 = _positive("the population of the first year", population_start, "")
    p2 = _positive("the population of the second year", population_end, "")
    y = _positive("the number of years", years, "")
    return math.log(p2 / p1) / y


def lcrpgr(
    built_up_km2_start: float,
    built_up_km2_end: float,
    population_start: float,
    population_end: float,
    year_start: int,
    year_end: int,
    *,
    lcr: LcrFormula = "linear",
    where: str = "",
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """LCRPGR of one area from built-up areas (km²) and populations of two years.

    ``where`` names the area in error messages. The value is ``None`` when the population did
    not change (``components['reason']`` says so).

    >>> round(lcrpgr(100, 150, 1_000_000, 1_200_000, 2000, 2020).value, 4)
    2.7424
    >>> round(lcrpgr(100, 150, 1_000_000, 1_200_000, 2000, 2020, lcr="log").value, 4)
    2.2239
    """
    _check_formula(lcr)
    at = f" ({where})" if where else ""
    if int(year_end) <= int(year_start):
        raise MethodError(
            f"11.3.1{at}: the second year {year_end} is not after the first {year_start}; "
            "give the earlier year first."
        )
    years = int(year_end) - int(year_start)
    v1 = _positive(f"the built-up area of {year_start} (km²)", built_up_km2_start, at)
    v2 = _positive(f"the built-up area of {year_end} (km²)", built_up_km2_end, at)
    p1 = _positive(f"the population of {year_start}", population_start, at)
    p2 = _positive(f"the population of {year_end}", population_end, at)
    rate = land_consumption_rate(v1, v2, years, lcr)
    components: dict[str, Any] = {
        "year_start": int(year_start),
        "year_end": int(year_end),
        "years": years,
        "built_up_km2_start": v1,
        "built_up_km2_end": v2,
        "population_start": p1,
        "population_end": p2,
        "land_consumption_rate": rate,
        "built_up_m2_per_person_start": v1 * 1e6 / p1,
        "built_up_m2_per_person_end": v2 * 1e6 / p2,
    }
    value: float | None
    if p1 == p2:
        components["population_growth_rate"] = 0.0
        components["reason"] = (
            "the population did not change, so the population growth rate is 0 and the ratio "
            "has no value"
        )
        value = None
    else:
        pgr = population_growth_rate(p1, p2, years)
        components["population_growth_rate"] = pgr
        value = rate / pgr
    return IndicatorResult(
        indicator="11.3.1",
        value=value,
        unit="ratio",
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters={"lcr": lcr},
        inputs=dict(inputs or {}),
    )


def _ucdb_field(frame: pd.DataFrame, prefix: str, year: int) -> str:
    if year not in UCDB_EPOCHS:
        raise MethodError(
            f"11.3.1: the GHS Urban Centre Database has no epoch {year}; use two of "
            f"{', '.join(str(y) for y in UCDB_EPOCHS)}."
        )
    name = prefix + UCDB_EPOCHS[year]
    if name not in frame.columns:
        raise MethodError(
            f"11.3.1: the urban centre table has no column {name!r} (needed for {year}); "
            "expected a GHS-UCDB R2019A file with B75/B90/B00/B15 (built-up km²) and "
            "P75/P90/P00/P15 (population)."
        )
    return name


def lcrpgr_for_ucdb(
    table: pd.DataFrame,
    year_start: int,
    year_end: int,
    *,
    lcr: LcrFormula = "linear",
    inputs: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """LCRPGR for every urban centre of a GHS-UCDB R2019A attribute table.

    Returns one row per centre: ``id`` (``ID_HDC_G0``), ``name`` (``UC_NM_MN``), ``country``
    (``CTR_MN_ISO``), ``value``, ``components`` (a dict) and ``result`` (the
    :class:`IndicatorResult`). Where the database publishes its own land-use efficiency for the
    same years (``SDG_LUE9015`` for 1990–2015, log formula) it is added to the components as
    ``ucdb_published_lue`` with ``difference`` = ours − published.
    A centre whose inputs cannot give a value (zero built-up area or population) gets
    ``value`` ``None`` and the reason, instead of stopping the whole table.
    """
    _check_formula(lcr)
    b1, b2 = _ucdb_field(table, "B", year_start), _ucdb_field(table, "B", year_end)
    p1, p2 = _ucdb_field(table, "P", year_start), _ucdb_field(table, "P", year_end)
    published = UCDB_PUBLISHED_LUE.get((int(year_start), int(year_end)))
    if published is not None and published not in table.columns:
        published = None
    rows: list[dict[str, Any]] = []
    for record in table.to_dict("records"):
        ident = record.get("ID_HDC_G0")
        ident = int(ident) if isinstance(ident, float) and ident.is_integer() else ident
        name = record.get("UC_NM_MN")
        where = f"urban centre {ident} {name}".strip()
        try:
            result: IndicatorResult | None = lcrpgr(
                record[b1],
                record[b2],
                record[p1],
                record[p2],
                year_start,
                year_end,
                lcr=lcr,
                where=where,
                inputs=inputs,
            )
            components = dict(result.components) if result else {}
        except MethodError as exc:
            result = None
            components = {"reason": str(exc)}
        if published is not None and result is not None:
            own = record.get(published)
            if own is not None and not pd.isna(own):
                components["ucdb_published_lue"] = float(own)
                components["ucdb_published_field"] = published
                components["ucdb_published_formula"] = "log"
                if result.value is not None:
                    components["difference"] = result.value - float(own)
                result = replace(result, components=components)
        rows.append(
            {
                "id": ident,
                "name": name,
                "country": record.get("CTR_MN_ISO"),
                "value": None if result is None else result.value,
                "components": components,
                "result": result,
            }
        )
    return pd.DataFrame(rows, columns=["id", "name", "country", "value", "components", "result"])
