"""UNSD Progress Chart methods: the growth-rate ratio (2022) and the expected-level ratio
(2023 with 3 bands, 2024 with 5).

Sources: METHODS.md §1.1–1.2; UN Statistics Division, *SDG Progress Chart 2022 Technical
Note*; *SDG Progress Chart 2023 Technical Note*; *Technical Note for Progress Assessment
2024*.  Thresholds and bands are configuration (``assess/config/methods.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.assess.methods._common import (
    Verdicts,
    arrays,
    bands,
    bands_per_series,
    cagr,
    common_refusals,
    frame_of,
    result,
)

__all__ = ["unsd_2022_growth_ratio", "unsd_expected_level_ratio"]


def _beyond(d: np.ndarray, vb: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """Base value already at or beyond the target in the desirable direction."""
    with np.errstate(invalid="ignore"):
        return d * (vb - vs) >= 0


def unsd_2022_growth_ratio(
    summary: pd.DataFrame, points: pd.DataFrame, params: Mapping[str, Any]
) -> pd.DataFrame:
    """UNSD Progress Chart 2022: ``CR = CAGR_a / CAGR_r`` (METHODS.md §1.1).

    Order of rules: at least 2 points → target met (increase ``v_t/v* > 0.9995``; decrease
    ``v_t == 0`` or ``v*/v_t > 0.9995``) → base already at or beyond the target and not
    met → deterioration → zero or negative values (no growth rate) → bands of CR
    (``≥ 0.95`` on track, ``≥ 0.5`` fair, ``≥ −0.1`` limited, else deterioration).
    Without a numeric target, ``d·CAGR_a`` against per-series limits (configuration).
    ``ratio`` is CR; no score.

    >>> from urbanagenda.assess.methods import assess
    >>> r = assess(pd.DataFrame({"series_code": "X", "area_code": "A", "year": [2015, 2021],
    ...     "value": [50.0, 56.0], "direction": "increase", "target_value": 100}), "unsd-2022")
    >>> r.loc[0, "status"], round(float(r.loc[0, "ratio"]), 4)
    ('limited', 0.4032)
    """
    n = len(summary)
    a = arrays(summary)
    d, vb, vt, vs, b, t, T = a["d"], a["vb"], a["vt"], a["vs"], a["b"], a["t"], a["T"]
    v = Verdicts(n)
    out = result(n)
    common_refusals(summary, v)
    has_target = np.isfinite(vs)
    r = float(params["met_ratio"])
    with np.errstate(divide="ignore", invalid="ignore"):
        met_inc = np.where(vs > 0, vt / vs > r, vt >= vs)
        met_dec = np.where(vt > 0, vs / vt > r, (vt == 0) & (vs >= 0) | (vt <= vs))
    met = has_target & np.where(d > 0, met_inc, met_dec)
    v.give(met, "target_met")
    v.give(_beyond(d, vb, vs), "deterioration")
    bad = (vb <= 0) | (vt < 0) | (has_target & (vs < 0))
    v.refuse(bad, "zero_or_negative_value")
    out["cagr_actual"] = np.where(bad, np.nan, cagr(vt, vb, t - b))
    out["cagr_required"] = np.where(bad | ~has_target, np.nan, cagr(vs, vb, T - b))
    # no numeric target: d·CAGR_a against the series' limits
    signed = d * out["cagr_actual"]
    v.give(~has_target, bands_per_series(signed, summary["series_code"].to_numpy(),
                                         params["no_target"]))  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        cr = out["cagr_actual"] / out["cagr_required"]
    out["ratio"] = np.where(has_target & ~bad, cr, np.nan)
    # CAGR_r == 0 cannot remain here (v_b == v* is "beyond"); guard anyway
    v.give(~np.isfinite(cr), "deterioration")
    v.give(np.ones(n, bool), bands(np.nan_to_num(cr), params["bands"]))
    return frame_of(v, out, summary.index)


def _near_target(summary: pd.DataFrame, vt: np.ndarray, vs: np.ndarray, spec: Any) -> np.ndarray:
    """Within ``within`` (1 percentage point) of a 0 % or 100 % target, for percent series
    (a series of unknown unit counts as percent)."""
    if not spec:
        return np.zeros(len(vt), bool)
    unit = summary["unit"].astype("string").fillna("").str.upper().to_numpy()
    percent_units = {str(u).upper() for u in spec.get("units", [])}
    unit_ok = (unit == "") | np.isin(unit, list(percent_units))
    at_edge = np.isin(vs, [float(x) for x in spec["targets"]])
    with np.errstate(invalid="ignore"):
        close = np.abs(vt - vs) <= float(spec["within"])
    return unit_ok & at_edge & close


def unsd_expected_level_ratio(
    summary: pd.DataFrame, points: pd.DataFrame, params: Mapping[str, Any]
) -> pd.DataFrame:
    """UNSD 2023/2024: ``r = (v2030_e − v_b)/(v* − v_b)``, ``v2030_e = v_t(1+CAGR_a)^(2030−t)``.

    METHODS.md §1.2.  Order of rules: at least 2 points → latest value meets the target, or
    is within 1 percentage point of a 0 %/100 % target → met → base at or beyond the
    target and not met → the lowest band (the ratio would have the wrong sign; the
    technical notes are silent) → zero or negative values → bands of r (2023: 0.95/0.10; 2024:
    0.95/0.5/0.1/−0.1).  Without a numeric target, ``d·CAGR_a`` bands (2 %, 0.5 %).
    ``ratio`` is r; no score.
    """
    n = len(summary)
    a = arrays(summary)
    d, vb, vt, vs, b, t, T = a["d"], a["vb"], a["vt"], a["vs"], a["b"], a["t"], a["T"]
    v = Verdicts(n)
    out = result(n)
    common_refusals(summary, v)
    has_target = np.isfinite(vs)
    top = params["bands"][0]["status"]
    bottom = params["bands"][-1]["status"]
    near = _near_target(summary, vt, vs, params.get("near_target"))
    with np.errstate(invalid="ignore"):
        met = has_target & ((d * (vt - vs) >= 0) | near)
    v.give(met, top)
    v.give(_beyond(d, vb, vs), bottom)
    bad = (vb <= 0) | (vt < 0) | (has_target & (vs < 0))
    v.refuse(bad, "zero_or_negative_value")
    growth = np.where(bad, np.nan, cagr(vt, vb, t - b))
    out["cagr_actual"] = growth
    out["cagr_required"] = np.where(bad | ~has_target, np.nan, cagr(vs, vb, T - b))
    v.give(~has_target, bands_per_series(d * growth, summary["series_code"].to_numpy(),
                                         params["no_target"]))  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        expected = vt * np.power(1.0 + growth, T - t)
        ratio = (expected - vb) / (vs - vb)
    out["ratio"] = np.where(has_target & ~bad, ratio, np.nan)
    v.give(~np.isfinite(ratio), bottom)
    v.give(np.ones(n, bool), bands(np.nan_to_num(ratio), params["bands"]))
    return frame_of(v, out, summary.index)
