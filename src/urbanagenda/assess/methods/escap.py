"""UN ESCAP current status and anticipated progress, vectorised.

Source: METHODS.md §1.4; UN ESCAP, *Asia and the Pacific SDG Progress Report*, Annex 1
"Technical notes – methodology to measure progress"; ESCAP Statistics Division Working
Paper SD/WP/04 (2017) on time-weighted extrapolation.  The weights are configuration
(marked *check*: the paper's exact scheme could not be read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.assess.methods._common import Verdicts, arrays, common_refusals, frame_of, result

__all__ = ["escap_anticipated_progress", "weighted_trend"]

_CENTRE = 2015.0  # years are centred for numerical stability only


def weighted_trend(
    points: pd.DataFrame, n: int, start: int, intercept: float, slope: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least-squares line per group over the points from ``start`` on.

    Weights ``w = intercept + slope·(year − first year of the group's window)``: recent
    years weigh more.  Returns (level at 2015, slope per year, number of points), NaN where
    a group has fewer than 2 distinct years.  One pass of weighted sums over all groups.
    """
    keep = points["year"].to_numpy() >= start
    g = points["gid"].to_numpy()[keep]
    x = points["year"].to_numpy()[keep].astype("float64")
    y = points["value"].to_numpy()[keep]
    count = np.bincount(g, minlength=n)
    first = np.full(n, np.nan)
    if len(g):
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        first[g[starts]] = x[starts]
    w = intercept + slope * (x - first[g])
    xc = x - _CENTRE
    sw = np.bincount(g, w, minlength=n)
    sx = np.bincount(g, w * xc, minlength=n)
    sy = np.bincount(g, w * y, minlength=n)
    sxx = np.bincount(g, w * xc * xc, minlength=n)
    sxy = np.bincount(g, w * xc * y, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = sw * sxx - sx * sx
        beta = (sw * sxy - sx * sy) / den
        alpha = (sy - beta * sx) / sw
    ok = (count >= 2) & np.isfinite(beta) & (np.abs(den) > 1e-12 * np.maximum(sw * sxx, 1e-300))
    return np.where(ok, alpha, np.nan), np.where(ok, beta, np.nan), count


def escap_anticipated_progress(
    summary: pd.DataFrame, points: pd.DataFrame, params: Mapping[str, Any]
) -> pd.DataFrame:
    """ESCAP anticipated progress with the current status index as score (METHODS.md §1.4).

    * Current status ``CS = d·(I_t − I_b)/|TV − I_b|`` (``score``; b = 2015 or the nearest
      later year with data).
    * ``Î_2030`` from a time-weighted linear regression on the observations from
      ``regression_from`` (2000) on; ``gap = (TV − Î_2030)/(TV − I_b)`` (``ratio``):
      ≤ 0 ``maintain``, 0–1 ``accelerate``, > 1 ``reverse``.
    * ``cagr_actual`` holds the fitted slope per year, ``cagr_required`` the change per
      year needed from b to the target year (the method's own growth measures).

    Edge rules (the technical notes are silent): a target is needed (``missing_target``);
    the latest value already meeting the target → ``maintain``; a base value at or beyond
    the target while the latest is not → ``maintain`` if the prediction meets the target
    again, else ``reverse`` (the gap's denominator would have the wrong sign); the
    regression needs 2 years of data in its window and a base value.
    """
    n = len(summary)
    a = arrays(summary)
    d, vb, vt, vs, b, T = a["d"], a["vb"], a["vt"], a["vs"], a["b"], a["T"]
    v = Verdicts(n)
    out = result(n)
    common_refusals(summary, v, min_points=1)
    v.refuse(~np.isfinite(vs), "missing_target")
    weights = params["weights"]
    alpha, beta, count = weighted_trend(
        points,
        n,
        int(params["regression_from"]),
        float(weights["intercept"]),
        float(weights["slope"]),
    )
    v.refuse((count < 2) | ~np.isfinite(beta), "fewer_than_2_points")
    predicted = alpha + beta * (T - _CENTRE)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["score"] = d * (vt - vb) / np.abs(vs - vb)
        gap = (vs - predicted) / (vs - vb)
        out["cagr_required"] = (vs - vb) / (T - b)
        met_now = d * (vt - vs) >= 0
        met_2030 = d * (predicted - vs) >= 0
        beyond = d * (vb - vs) >= 0
    out["cagr_actual"] = beta
    out["ratio"] = gap
    v.give(met_now, "maintain")
    v.give(beyond & met_2030, "maintain")
    v.give(beyond, "reverse")
    status = np.select(
        [gap <= float(params["gap_bands"][0]["max"]), gap <= float(params["gap_bands"][1]["max"])],
        [params["gap_bands"][0]["status"], params["gap_bands"][1]["status"]],
        default=params["gap_bands"][2]["status"],
    ).astype(object)
    v.give(np.ones(n, bool), status)
    return frame_of(v, out, summary.index)
