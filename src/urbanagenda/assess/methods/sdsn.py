"""SDSN Sustainable Development Report trend arrows, vectorised.

Source: METHODS.md §1.5; SDSN, *Sustainable Development Report 2024*, Annex "Methods
summary" (SDG trend dashboards: ↑ on track or maintaining achievement, ➚ moderately
improving, → stagnating, ↓ decreasing).
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
    common_refusals,
    frame_of,
    result,
)

__all__ = ["sdsn_trend"]


def _worst_observed(points: pd.DataFrame, n: int, d: np.ndarray) -> np.ndarray:
    """The worst value each group had: its minimum for increasing series, else its maximum."""
    g = points["gid"].to_numpy()
    y = points["value"].to_numpy()
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    if len(g):  # points are sorted by group: one reduction per run of equal ids
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        lo[g[starts]] = np.minimum.reduceat(y, starts)
        hi[g[starts]] = np.maximum.reduceat(y, starts)
    worst = np.where(d < 0, hi, lo)
    return np.where(np.isfinite(worst), worst, np.nan)


def sdsn_trend(
    summary: pd.DataFrame, points: pd.DataFrame, params: Mapping[str, Any]
) -> pd.DataFrame:
    """SDSN trend arrow from normalised scores (METHODS.md §1.5).

    ``s = 100·(x − worst)/(best − worst)`` clipped to [0, 100]; ``g_act = (s_t − s_b)/(t − b)``,
    ``g_req = (100 − s_b)/(2030 − b)``; ``ratio = g_act/g_req``: ≥ 1 ``on_track``, ≥ 0.5
    ``moderately_improving``, ≥ 0 ``stagnating``, else ``decreasing``; the latest value at
    or beyond the best bound → ``achieved``.  ``score`` is ``s_t`` (0–100), ``cagr_actual``
    and ``cagr_required`` are ``g_act`` and ``g_req`` (score points per year).

    Bounds (SDSN sets them per indicator; choices where it is silent): best = the target,
    else the natural limit in the desirable direction, else ``missing_target``; worst =
    ``lower_bounds[series]`` of the configuration, else the natural limit on the other
    side, else the worst value the group had.  A base value at or beyond the best bound
    with a latest value short of it → ``decreasing``.
    """
    n = len(summary)
    a = arrays(summary)
    d, vb, vt, vs, b, t, T = a["d"], a["vb"], a["vt"], a["vs"], a["b"], a["t"], a["T"]
    v = Verdicts(n)
    out = result(n)
    common_refusals(summary, v)
    best = np.where(np.isfinite(vs), vs, a["limit"])
    v.refuse(~np.isfinite(best), "missing_target")

    configured = params.get("lower_bounds") or {}
    series = summary["series_code"].to_numpy()
    worst = a["worst_limit"].copy()
    for code, bound in configured.items():
        worst[series == code] = float(bound)
    observed = _worst_observed(points, n, d)
    with np.errstate(invalid="ignore"):
        usable = d * (best - worst) > 0
    worst = np.where(usable, worst, observed)

    with np.errstate(divide="ignore", invalid="ignore"):
        met = d * (vt - best) >= 0
        beyond = d * (vb - best) >= 0
        span = best - worst
        s_b = np.clip(100.0 * (vb - worst) / span, 0.0, 100.0)
        s_t = np.clip(100.0 * (vt - worst) / span, 0.0, 100.0)
        g_act = (s_t - s_b) / (t - b)
        g_req = (100.0 - s_b) / (T - b)
        ratio = g_act / g_req
    out["score"] = np.where(met, 100.0, s_t)
    out["cagr_actual"] = g_act
    out["cagr_required"] = g_req
    out["ratio"] = np.where(beyond, np.nan, ratio)
    v.give(met, "achieved")
    v.give(beyond, "decreasing")
    v.give(np.ones(n, bool), bands(np.nan_to_num(ratio, nan=-np.inf), params["bands"]))
    return frame_of(v, out, summary.index)
