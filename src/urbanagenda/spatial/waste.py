"""SDG 11.6.1 — municipal solid waste collected and managed in controlled facilities.

Follows the SDG 11.6.1 metadata and the UN-Habitat Waste Wise Cities Tool (WaCT, 2021):

* total MSW generated = household generation (step 1) + non-household generation (step 2);
* MSW managed in controlled facilities = Σ over recovery facilities with basic, improved or
  full control of (waste received − residues sent on to disposal) + Σ over disposal
  facilities with basic, improved or full control of the waste received (steps 5–6; the
  residue term avoids counting twice what a recovery facility passes on);
* 11.6.1 = 100 × managed in controlled facilities ÷ total generated.

Tables and columns are documented in ``docs/spatial.md``.  Both tables carry their quantity
unit (``t/day`` or ``t/year``); different units are an error, not a silent conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.errors import MethodError
from urbanagenda.spatial.results import IndicatorResult

__all__ = ["CONTROLLED_LEVELS", "CONTROL_LEVELS", "controlled_waste_share"]

METHOD = "wact_2021_controlled_facilities"
METHOD_VERSION = "1.0"
#: WaCT control levels of a facility, lowest first.
CONTROL_LEVELS = ("none", "very_limited", "limited", "basic", "improved", "full")
CONTROLLED_LEVELS = frozenset({"basic", "improved", "full"})
FACILITY_TYPES = ("recovery", "disposal")
UNITS = ("t/day", "t/year")


def _require(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MethodError(
            f"11.6.1: the {table} table lacks the columns {missing} (has "
            f"{list(frame.columns)}); see docs/spatial.md, '11.6.1 Waste Wise Cities tables'."
        )


def _tonnes(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        raise MethodError(
            f"11.6.1: {table} column {column!r} has missing or negative values "
            f"{frame[column].iloc[rows].tolist()} at rows {rows.tolist()}; give tonnes ≥ 0."
        )
    return values


def _unit(frame: pd.DataFrame, table: str) -> str:
    units = sorted(set(frame["unit"].astype(str).str.strip()))
    if len(units) != 1 or units[0] not in UNITS:
        raise MethodError(
            f"11.6.1: the {table} table has units {units}; use one unit, one of {UNITS}, in "
            "every row (convert before, e.g. t/day × 365 = t/year)."
        )
    return units[0]


def controlled_waste_share(
    generation: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    controlled_levels: frozenset[str] = CONTROLLED_LEVELS,
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """Percentage of MSW generated that is managed in controlled facilities (WaCT).

    ``generation``: ``source`` (household / non_household or finer), ``tonnes``, ``unit``.
    ``facilities``: ``facility``, ``type`` (recovery / disposal), ``control_level`` (none …
    full), ``received_tonnes``, ``unit`` and optionally ``residue_to_disposal_tonnes``.
    Optional ``collected_tonnes`` in the generation table gives the collection coverage too.
    """
    _require(generation, ["source", "tonnes", "unit"], "generation")
    _require(
        facilities, ["facility", "type", "control_level", "received_tonnes", "unit"], "facility"
    )
    unknown_levels = set(controlled_levels) - set(CONTROL_LEVELS)
    if unknown_levels:
        raise MethodError(f"11.6.1: unknown control levels {sorted(unknown_levels)}")
    g_unit, f_unit = _unit(generation, "generation"), _unit(facilities, "facility")
    if len(facilities) and g_unit != f_unit:
        raise MethodError(
            f"11.6.1: generation is in {g_unit} but facilities in {f_unit}; give both in the "
            "same unit."
        )
    generated = _tonnes(generation, "tonnes", "generation")
    total = float(generated.sum())
    if total <= 0:
        raise MethodError("11.6.1: total MSW generated is 0; check the generation table.")
    kinds = facilities["type"].astype(str).str.strip().str.lower()
    bad_kinds = sorted(set(kinds) - set(FACILITY_TYPES))
    levels = facilities["control_level"].astype(str).str.strip().str.lower().str.replace(" ", "_")
    bad_levels = sorted(set(levels) - set(CONTROL_LEVELS))
    if bad_kinds or bad_levels:
        raise MethodError(
            f"11.6.1: facility types {bad_kinds} / control levels {bad_levels} are not known; "
            f"types are {FACILITY_TYPES}, levels {CONTROL_LEVELS} (WaCT step 6)."
        )
    received = _tonnes(facilities, "received_tonnes", "facility")
    residue = (
        _tonnes(facilities, "residue_to_disposal_tonnes", "facility")
        if "residue_to_disposal_tonnes" in facilities.columns
        else np.zeros(len(facilities))
    )
    if np.any(residue > received):
        rows = np.flatnonzero(residue > received)[:5].tolist()
        raise MethodError(
            f"11.6.1: facilities at rows {rows} send on more residue than they receive."
        )
    recovery = (kinds == "recovery").to_numpy()
    controlled = levels.isin(controlled_levels).to_numpy()
    net = np.where(recovery, received - residue, received)
    managed = float(net[controlled].sum())
    components: dict[str, Any] = {
        "unit": g_unit,
        "msw_generated": total,
        "generated_by_source": {
            str(k): float(v)
            for k, v in pd.Series(generated).groupby(generation["source"]).sum().items()
        },
        "managed_in_controlled_facilities": managed,
        "controlled_recovery": float(net[controlled & recovery].sum()),
        "controlled_disposal": float(net[controlled & ~recovery].sum()),
        "received_by_uncontrolled_facilities": float(net[~controlled].sum()),
        "recovery_rate_percent": 100.0 * float(net[controlled & recovery].sum()) / total,
        "facilities": len(facilities),
    }
    if "collected_tonnes" in generation.columns:
        collected = _tonnes(generation, "collected_tonnes", "generation")
        components["collected"] = float(collected.sum())
        components["collection_coverage_percent"] = 100.0 * float(collected.sum()) / total
    if float(net.sum()) > total * (1 + 1e-9):
        components["warning"] = (
            "facilities receive more waste than is generated: check for imports from other "
            "cities or double counting"
        )
    return IndicatorResult(
        indicator="11.6.1",
        value=100.0 * managed / total,
        unit="percent",
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters={"controlled_levels": sorted(controlled_levels)},
        inputs=dict(inputs or {}),
    )
