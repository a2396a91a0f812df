"""Open SDG progress measure (Statistics Canada method), vectorised.

Source: METHODS.md §1.3 and open-sdg/sdg-build ``sdg/ProgressMeasure.py`` (``SeriesProgress``:
``is_target_achieved``, ``calculate_progress_value``, ``methodology_1``/``methodology_2``,
``get_progress_thresholds``, ``get_score``), followed rule for rule with these differences,
each a place where sdg-build raises or returns a complex number:

* fewer than 2 observations from the base year on → ``insufficient_data`` (sdg-build still
  reports "target achieved" for a single point that meets the target; METHODS.md asks for
  two points for every method);
* no direction → ``insufficient_data`` (sdg-build assumes "negative");
* a target of the other sign than the base value → ``insufficient_data`` (``sign_change``);
* a target equal to the base value and not achieved (``CAGR_r = 0``, a division by zero in
  sdg-build) → deterioration with score −5 and no ratio.
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
    cagr,
    common_refusals,
    frame_of,
    result,
)

__all__ = ["opensdg_progress_measure", "opensdg_status_from_score"]


def _limit_coefficient(base: np.ndarray, limit: np.ndarray, exponent: float) -> np.ndarray:
    """``C`` of ``get_progress_thresholds``: 1 far from the limit, ``1 − (v_b/L)^4.44`` below
    it, mirrored above it; 1 where there is no limit."""
    b, lim = np.abs(base), np.abs(limit)
    with np.errstate(divide="ignore", invalid="ignore"):
        below = 1.0 - np.power(b / lim, exponent)
        above = 1.0 - np.power((2 * lim - b) / lim, exponent)
    coeff = np.where(b >= 2 * lim, 1.0, np.where(b <= lim, below, above))
    return np.where(np.isfinite(limit), coeff, 1.0)


def opensdg_status_from_score(score: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    """``get_progress_status_from_score``: ≥ 2.5 substantial, ≥ 0 moderate, ≥ −2.5 limited."""
    return bands(score, params["score_bands"])


def opensdg_progress_measure(
    summary: pd.DataFrame, points: pd.DataFrame, params: Mapping[str, Any]
) -> pd.DataFrame:
    """Open SDG / Statistics Canada progress status and score in [−5, 5] (METHODS.md §1.3).

    With a target: ``R = sign(v_b)·d·CAGR_a/|CAGR_r|``; substantial ``R ≥ 0.95``, moderate
    ``≥ 0.6``, limited ``≥ 0``, else deterioration; score ``min(7.1429R − 4.2857, 5)`` when
    ``R ≥ 0.6``, else ``max(4.1667R − 2.5, −5)``.  Without a target: ``v = sign(v_b)·d·CAGR_a``
    against 1.5 % / 0.5 % / 0 scaled by ``C = 1 − (v_b/limit)^4.44`` near a natural limit.
    The latest value meeting the target → ``target_achieved``, score 5.  A zero base value
    or target is replaced by 0.001.  ``ratio`` is R (with a target); ``score`` the score.

    >>> from urbanagenda.assess.methods import assess
    >>> r = assess(pd.DataFrame({"series_code": "X", "area_code": "A", "year": [2015, 2021],
    ...     "value": [50.0, 56.0], "direction": "increase", "target_value": 100}), "opensdg")
    >>> r.loc[0, "status"], round(float(r.loc[0, "score"]), 3)
    ('limited', -0.82)
    """
    n = len(summary)
    a = arrays(summary)
    d, vb, vt, vs, b, t, T = a["d"], a["vb"], a["vt"], a["vs"], a["b"], a["t"], a["T"]
    zero = float(params["zero_substitute"])
    v = Verdicts(n)
    out = result(n)
    common_refusals(summary, v)
    has_target = np.isfinite(vs)
    target = np.where(vs == 0, zero, vs)
    achieved = has_target & (((d < 0) & (vt <= target)) | ((d > 0) & (vt >= target)))
    done = v.give(achieved, "target_achieved")
    out["score"][done] = float(params["achieved_score"])

    sign = np.where(vb < 0, -1.0, 1.0)
    base = np.where(vb == 0, zero, vb)
    mismatch = ((base > 0) & (vt < 0)) | ((base < 0) & (vt > 0))
    mismatch |= has_target & (((base > 0) & (target < 0)) | ((base < 0) & (target > 0)))
    v.refuse(mismatch, "sign_change")

    growth = cagr(vt, base, t - b)
    out["cagr_actual"] = np.where(mismatch, np.nan, growth)

    # methodology 2: a numeric target
    w = params["with_target"]
    th = w["thresholds"]
    required = cagr(target, base, T - b)
    out["cagr_required"] = np.where(has_target & ~mismatch, required, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = sign * d * growth / np.abs(required)
    sc = w["score"]
    hi = np.minimum(float(sc["a_hi"]) * ratio + float(sc["b_hi"]), 5.0)
    lo = np.maximum(float(sc["a_lo"]) * ratio + float(sc["b_lo"]), -5.0)
    score2 = np.where(ratio >= float(th["med"]), hi, lo)
    status2 = bands(
        np.nan_to_num(ratio, nan=-np.inf),
        [
            {"status": "substantial", "min": th["high"]},
            {"status": "moderate", "min": th["med"]},
            {"status": "limited", "min": th["low"]},
            {"status": "deterioration", "min": None},
        ],
    )
    # CAGR_r == 0 (target equal to the base value, not achieved): deterioration, score −5
    score2 = np.where(np.isfinite(ratio), score2, -5.0)
    done = v.give(has_target, status2)
    out["ratio"] = np.where(done & np.isfinite(ratio), ratio, np.nan)
    out["score"][done] = score2[done]

    # methodology 1: no target, thresholds reduced near a natural limit
    wo = params["without_target"]
    th1 = wo["thresholds"]
    coeff = _limit_coefficient(vb, a["limit"], float(wo["limit_exponent"]))
    progress = sign * d * growth
    high, med, low = (float(th1[k]) * coeff for k in ("high", "med", "low"))
    status1 = np.select(
        [progress >= high, progress >= med, progress >= low],
        ["substantial", "moderate", "limited"],
        default="deterioration",
    ).astype(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        score1 = np.select(
            [progress < low, coeff == 0, progress >= high, progress >= med],
            [
                np.maximum(125 * progress - 2.5, -5.0),
                np.full(n, 5.0),
                np.minimum(500 * progress / coeff - 5, 5.0),
                250 * progress / coeff - 1.25,
            ],
            default=500 * progress / coeff - 2.5,
        )
    done = v.give(np.ones(n, bool), status1)
    out["score"][done] = score1[done]
    return frame_of(v, out, summary.index)
