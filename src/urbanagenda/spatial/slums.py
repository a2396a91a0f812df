"""SDG 11.1.1 — proportion of urban population living in slum households, from survey microdata.

Follows the SDG 11.1.1 metadata (UN-Habitat): a slum household is an urban household that
lacks any one of (1) improved water, (2) improved sanitation (not shared by more than two
households), (3) sufficient living space (not more than ``crowding_threshold`` persons per
habitable room; 3 by default, *check* the edition you report against), (4) durable housing,
(5) secure tenure.  Share = Σ(weight × household size × slum) / Σ(weight × household size).

The input is one row per household; the columns are documented in ``docs/spatial.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.errors import MethodError
from urbanagenda.spatial.results import IndicatorResult

__all__ = ["DEPRIVATIONS", "slum_share"]

METHOD = "unhabitat_slum_household_share"
METHOD_VERSION = "1.0"
#: The five household conditions; a slum household lacks at least one.
DEPRIVATIONS = (
    "improved_water",
    "improved_sanitation",
    "sufficient_living_space",
    "durable_housing",
    "secure_tenure",
)
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


def _flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    """0/1, true/false, yes/no → bool; NaN stays missing (returned as a float array)."""
    raw = frame[column]
    text = raw.astype("string").str.strip().str.lower()
    out = np.full(len(raw), np.nan)
    out[text.isin(_TRUE).fillna(False).to_numpy(bool)] = 1.0
    out[text.isin(_FALSE).fillna(False).to_numpy(bool)] = 0.0
    numbers = pd.to_numeric(raw.where(~raw.map(lambda v: isinstance(v, bool))), errors="coerce")
    out[(numbers == 1).to_numpy(bool)] = 1.0
    out[(numbers == 0).to_numpy(bool)] = 0.0
    bad = raw.notna().to_numpy() & np.isnan(out)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        raise MethodError(
            f"11.1.1: column {column!r} has values {raw.iloc[rows].tolist()} at rows "
            f"{rows.tolist()}; use 1/0 (or true/false, yes/no), empty for unknown."
        )
    return out


def _numbers(frame: pd.DataFrame, column: str, *, positive: bool) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
    bad = frame[column].notna().to_numpy() & ~np.isfinite(values)
    bad |= (values <= 0) if positive else (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5]
        raise MethodError(
            f"11.1.1: column {column!r} has invalid values {frame[column].iloc[rows].tolist()} "
            f"at rows {rows.tolist()}; it must hold {'positive' if positive else 'non-negative'}"
            " numbers."
        )
    return values


def slum_share(
    households: pd.DataFrame,
    *,
    crowding_threshold: float = 3.0,
    max_households_sharing_sanitation: int = 2,
    urban_only: bool = True,
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """Percentage of the urban population living in slum households.

    Needs ``weight``, ``household_size`` and, for each of the five conditions, either the flag
    column (``improved_water`` …, 1 = has it) or the raw columns it is derived from:
    ``rooms`` (habitable rooms, for sufficient living space) and ``sanitation_shared_by``
    (number of households sharing the facility, refines improved sanitation).  ``urban``
    (1/0) selects urban households when ``urban_only``.  Households with an unknown condition
    are left out and counted in the components.
    """
    if crowding_threshold <= 0:
        raise MethodError(f"11.1.1: crowding_threshold must be positive, not {crowding_threshold}")
    frame = households.reset_index(drop=True)
    missing = [c for c in ("weight", "household_size") if c not in frame.columns]
    conditions: dict[str, np.ndarray] = {}
    for name in DEPRIVATIONS:
        if name in frame.columns:
            conditions[name] = _flags(frame, name)
        elif name == "sufficient_living_space" and "rooms" in frame.columns:
            conditions[name] = np.array([])  # derived below
        else:
            missing.append(name if name != "sufficient_living_space" else f"{name} (or rooms)")
    if missing:
        raise MethodError(
            f"11.1.1: the household table lacks the columns {missing}; expected one row per "
            "household with weight, household_size and the five conditions (see "
            "docs/spatial.md, '11.1.1 household CSV')."
        )
    weight = _numbers(frame, "weight", positive=False)
    size = _numbers(frame, "household_size", positive=True)
    derived_space = conditions["sufficient_living_space"].size == 0
    if derived_space:
        rooms = _numbers(frame, "rooms", positive=True)
        conditions["sufficient_living_space"] = np.where(
            np.isfinite(rooms) & np.isfinite(size),
            (size / rooms <= crowding_threshold).astype(float),
            np.nan,
        )
    if "sanitation_shared_by" in frame.columns:
        shared = _numbers(frame, "sanitation_shared_by", positive=False)
        too_many = np.isfinite(shared) & (shared > max_households_sharing_sanitation)
        conditions["improved_sanitation"] = np.where(
            too_many, 0.0, conditions["improved_sanitation"]
        )
    selected = np.ones(len(frame), dtype=bool)
    if urban_only and "urban" in frame.columns:
        selected = _flags(frame, "urban") == 1.0
    known = np.isfinite(weight) & np.isfinite(size)
    for values in conditions.values():
        known &= ~np.isnan(values)
    use = selected & known
    people = weight * size
    denominator = float(people[use].sum())
    lacks = {name: use & (values == 0.0) for name, values in conditions.items()}
    slum = np.zeros(len(frame), dtype=bool)
    for mask in lacks.values():
        slum |= mask
    numerator = float(people[slum].sum())
    count = sum(m.astype(int) for m in lacks.values())
    components: dict[str, Any] = {
        "households": len(frame),
        "households_used": int(use.sum()),
        "households_not_urban": int((~selected).sum()),
        "households_with_unknown_condition": int((selected & ~known).sum()),
        "population_weighted": denominator,
        "slum_population_weighted": numerator,
        "lacking_share_percent": {
            name: (100.0 * float(people[mask].sum()) / denominator) if denominator else None
            for name, mask in lacks.items()
        },
        "households_by_number_of_deprivations": {
            str(k): int(((count == k) & use).sum()) for k in range(6)
        },
        "urban_filter": "urban column" if urban_only and "urban" in frame.columns else "none",
        "sufficient_living_space_from": "rooms" if derived_space else "column",
    }
    value: float | None = 100.0 * numerator / denominator if denominator > 0 else None
    if value is None:
        components["reason"] = "no urban household with known conditions and positive weight"
    return IndicatorResult(
        indicator="11.1.1",
        value=value,
        unit="percent",
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters={
            "crowding_threshold": crowding_threshold,
            "max_households_sharing_sanitation": max_households_sharing_sanitation,
            "urban_only": urban_only,
        },
        inputs=dict(inputs or {}),
    )
