"""Progress assessment benchmark: vectorised methods against a per-series loop.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_assess.py                 # demo database + 4.2 M rows
    .venv/bin/python benchmarks/bench_assess.py --series 70     # a quick look (420k rows)
    .venv/bin/python benchmarks/bench_assess.py --database sqlite:///var/urbanagenda.sqlite

Two workloads:

1. every series × area of the demo database (built in a temporary folder unless
   ``--database`` names one), each of the six methods; goal: under 1 s per method;
2. a generated full-SDG-sized dataset: 700 series × 300 areas × 20 years ≈ 4.2 M rows
   (random walks, directions, half of the series with a numeric target, a natural limit of
   100 for a third of the others); goal: under 10 s on 2 cores.

The peer (the baseline) is a per-series loop that applies the Open SDG algorithm the way
open-sdg/sdg-build ``sdg/ProgressMeasure.py`` does it — one small data frame per series,
``years.max()``, ``Value[Year == y].item()``, then growth, thresholds and score in scalar
Python — written below from that file.  On the demo database it runs over every series; on
the generated dataset over a random sample of series, and its time is extrapolated per
series.  Goal: at least 50x faster, with identical statuses (and scores) on every series
both can assess.  Results are printed as a table of ratios and written as JSON to
``benchmarks/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.assess.inputs import build_input, summarise
from urbanagenda.assess.methods import METHODS, assess

OUT = Path(__file__).parent / "out"
GOAL_DEMO_S = 1.0
GOAL_FULL_S = 10.0
GOAL_RATIO = 50.0
BASELINE_STATUS = {
    "target_achieved": "target_achieved",
    "substantial_progress": "substantial",
    "moderate_progress": "moderate",
    "limited_progress": "limited",
    "deterioration": "deterioration",
}


# --------------------------------------------------------------------------- the baseline


def _growth(val1: float, val2: float, t1: float, t2: float) -> float:
    return float(((val1 / val2) ** (1 / (t1 - t2))) - 1)


def sdg_build_series_progress(data: pd.DataFrame, config: dict[str, Any]) -> tuple[str, Any]:
    """One series the way sdg-build's ``SeriesProgress`` does it: (status, score)."""
    base_year = config.get("base_year", 2015)
    target = config.get("target")
    if target == 0:
        target = 0.001
    target_year = config.get("target_year", 2030)
    direction = 1 if config.get("direction") == "positive" else -1
    limit = config.get("limit")
    method = 1 if target is None else 2
    data = data[data["Value"].notna()]
    if data.shape[0] < 1:
        return "not_available", None
    years = data["Year"]
    current_year = years.max()
    current_value = data.Value[data.Year == current_year].item()
    if base_year not in years.values:
        later = years[years > base_year]
        if later.empty:
            return "not_available", None  # sdg-build raises here
        base_year = later.min()
    base_value = data.Value[data.Year == base_year].item()
    sign = -1 if base_value < 0 else 1
    # thresholds
    if method == 1:
        th = {"high": 0.015, "med": 0.005, "low": 0.0}
        if limit is not None:
            b, lim, a = abs(base_value), abs(limit), 4.44
            if b >= 2 * lim:
                coeff = 1.0
            elif b <= lim:
                coeff = 1 - (b / lim) ** a
            else:
                coeff = 1 - ((2 * lim - b) / lim) ** a
            for k in ("high", "med", "low"):
                th[k] *= coeff
            th["coefficient"] = coeff
    else:
        th = {"high": 0.95, "med": 0.6, "low": 0.0}
    achieved = target is not None and (
        (direction == -1 and current_value <= target)
        or (direction == 1 and current_value >= target)
    )
    # progress value
    value = None
    if base_value == 0:
        base_value = 0.001
    ok = not ((base_value > 0 and current_value < 0) or (base_value < 0 and current_value > 0))
    if ok and base_year <= current_year and current_year - base_year >= 1:
        if method == 1:
            value = sign * direction * _growth(current_value, base_value, current_year, base_year)
        else:
            o = _growth(current_value, base_value, current_year, base_year)
            r = _growth(target, base_value, target_year, base_year)
            value = sign * direction * o / abs(r)
    # status
    if achieved:
        return "target_achieved", 5
    if value is None:
        return "not_available", None
    if value >= th["high"]:
        status = "substantial_progress"
    elif value >= th["med"]:
        status = "moderate_progress"
    elif value >= th["low"]:
        status = "limited_progress"
    else:
        status = "deterioration"
    # score
    if method == 1:
        coeff = th.get("coefficient", 1)
        if value < th["low"]:
            score = max(125 * value - 2.5, -5)
        elif coeff == 0:
            score = 5
        elif value >= th["high"]:
            score = min(500 * value / coeff - 5, 5)
        elif value >= th["med"]:
            score = 250 * value / coeff - 1.25
        else:
            score = 500 * value / coeff - 2.5
    elif value >= th["med"]:
        score = min(7.1429 * value - 4.2857, 5)
    else:
        score = max(4.1667 * value - 2.5, -5)
    return status, score


def baseline(frame: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The per-series loop over ``groups`` (one row per group with its parameters)."""
    out = []
    keys = ["series_code", "area_code", "sex", "age", "location", "breakdown"]
    by_key = {k: g for k, g in frame.groupby(keys, sort=False)}
    for row in groups.itertuples(index=False):
        key = tuple(getattr(row, k) for k in keys)
        data = by_key[key][["year", "value"]].rename(columns={"year": "Year", "value": "Value"})
        config = {
            "direction": "positive" if row.direction == 1 else "negative",
            "target": None if np.isnan(row.target_value) else float(row.target_value),
            "limit": None if np.isnan(row.limit) else float(row.limit),
        }
        status, score = sdg_build_series_progress(data, config)
        out.append((*key, status, score))
    return pd.DataFrame(out, columns=[*keys, "baseline_status", "baseline_score"])


# --------------------------------------------------------------------------- workloads


def generated(n_series: int, n_areas: int, n_years: int, seed: int = 11) -> pd.DataFrame:
    """A full-SDG-sized tidy frame with per-row direction, target and limit."""
    rng = np.random.default_rng(seed)
    s = np.repeat(np.arange(n_series), n_areas * n_years)
    a = np.tile(np.repeat(np.arange(n_areas), n_years), n_series)
    years = np.tile(np.arange(2030 - 5 - n_years, 2030 - 5), n_series * n_areas)
    n_groups = n_series * n_areas
    start = rng.uniform(5, 95, n_groups)
    drift = rng.normal(0.0, 0.03, n_groups)
    steps = rng.normal(drift[:, None], 0.02, (n_groups, n_years))
    values = (start[:, None] * np.exp(np.cumsum(steps, axis=1))).ravel()
    direction = np.where(rng.random(n_series) < 0.5, "increase", "decrease")
    has_target = rng.random(n_series) < 0.5
    target = np.where(has_target, np.where(direction == "increase", 100.0, 5.0), np.nan)
    limit = np.where(~has_target & (rng.random(n_series) < 0.33), 100.0, np.nan)
    series_codes = np.array([f"BENCH_{i:04d}" for i in range(n_series)], dtype=object)
    area_codes = np.array([f"A{i:04d}" for i in range(n_areas)], dtype=object)
    return pd.DataFrame(
        {
            "series_code": series_codes[s],
            "area_code": area_codes[a],
            "year": years.astype(np.int64),
            "value": values,
            "direction": direction[s],
            "target_value": target[s],
            "limit": limit[s],
        }
    )


def demo_frame(database: str | None) -> pd.DataFrame:
    from urbanagenda.api import build_demo
    from urbanagenda.store.engine import open_engine
    from urbanagenda.store.query import read_observations

    if database is None:
        folder = tempfile.mkdtemp(prefix="bench_assess_")
        database = f"sqlite:///{folder}/demo.sqlite"
        print(f"building the demo database in {folder} ...", flush=True)
        build_demo(database)
    return read_observations(open_engine(database))


def timed(fn, repeat: int = 3) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def compare(ours: pd.DataFrame, base: pd.DataFrame) -> dict[str, Any]:
    keys = ["series_code", "area_code", "sex", "age", "location", "breakdown"]
    m = ours.merge(base, on=keys)
    both = (m["baseline_status"] != "not_available") & (m["status"] != "insufficient_data")
    same_status = m.loc[both, "status"] == m.loc[both, "baseline_status"].map(BASELINE_STATUS)
    score_ok = np.isclose(
        m.loc[both, "score"].astype(float), m.loc[both, "baseline_score"].astype(float), atol=1e-9
    )
    return {
        "series": len(m),
        "compared": int(both.sum()),
        "status_mismatches": int((~same_status).sum()),
        "score_mismatches": int((~score_ok).sum()),
        "baseline_only": int(
            ((m["baseline_status"] != "not_available") & (m["status"] == "insufficient_data")).sum()
        ),
        "baseline_only_because": m.loc[
            (m["baseline_status"] != "not_available") & (m["status"] == "insufficient_data"),
            "reason",
        ]
        .value_counts()
        .to_dict(),
        "ours_only": int(
            ((m["baseline_status"] == "not_available") & (m["status"] != "insufficient_data")).sum()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="assess this database instead of a fresh demo")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--series", type=int, default=700)
    parser.add_argument("--areas", type=int, default=300)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--sample", type=int, default=3000, help="baseline sample (generated)")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(),
        "python": sys.version.split()[0],
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }

    if not args.no_demo:
        frame = demo_frame(args.database)
        n_groups = len(summarise(build_input(frame)))
        print(f"\ndemo database: {len(frame):,} observations, {n_groups:,} series x area groups")
        rows = {}
        for method in METHODS:
            seconds, result = timed(lambda m=method: assess(frame, m))
            rows[method] = {"seconds": round(seconds, 4), "goal_s": GOAL_DEMO_S}
            print(f"  {method:10s} {seconds:7.3f} s   (goal < {GOAL_DEMO_S} s)")
        ours = assess(frame, "opensdg")
        groups = summarise(build_input(frame))
        groups = groups[groups["direction"] != 0]  # sdg-build assumes 'negative'; we refuse
        t = time.perf_counter()
        base = baseline(frame, groups)
        base_s = time.perf_counter() - t
        ours_s = rows["opensdg"]["seconds"]
        check = compare(ours, base)
        print(
            f"  baseline loop (Open SDG, {len(groups):,} series with a direction): "
            f"{base_s:.2f} s; vectorised {ours_s:.3f} s; ratio {base_s / ours_s:.0f}x "
            f"(goal >= {GOAL_RATIO:.0f}x); {check}"
        )
        report["demo"] = {
            "observations": len(frame),
            "groups": n_groups,
            "methods": rows,
            "baseline_s": round(base_s, 3),
            "ratio": round(base_s / ours_s, 1),
            "check": check,
        }

    frame = generated(args.series, args.areas, args.years)
    n_groups = args.series * args.areas
    print(
        f"\ngenerated: {len(frame):,} rows = {args.series} series x {args.areas} areas x "
        f"{args.years} years ({n_groups:,} groups)"
    )
    rows = {}
    for method in METHODS:
        seconds, result = timed(lambda m=method: assess(frame, m), repeat=1)
        counts = result["status"].value_counts().to_dict()
        rows[method] = {"seconds": round(seconds, 3), "goal_s": GOAL_FULL_S, "statuses": counts}
        print(f"  {method:10s} {seconds:7.2f} s   (goal < {GOAL_FULL_S} s)")
    ours = assess(frame, "opensdg")
    groups = summarise(build_input(frame))
    sample = groups.sample(min(args.sample, len(groups)), random_state=3)
    sub = frame.merge(sample[["series_code", "area_code"]], on=["series_code", "area_code"])
    sub = sub.assign(sex="_T", age="_T", location="_T", breakdown="")
    t = time.perf_counter()
    base = baseline(sub, sample)
    base_s = time.perf_counter() - t
    per_series = base_s / len(sample)
    extrapolated = per_series * n_groups
    ours_s = rows["opensdg"]["seconds"]
    check = compare(ours, base)
    print(
        f"  baseline loop (Open SDG) on {len(sample):,} sampled series: {base_s:.2f} s = "
        f"{per_series * 1000:.2f} ms/series -> {extrapolated:.0f} s for all {n_groups:,}; "
        f"vectorised {ours_s:.2f} s; ratio {extrapolated / ours_s:.0f}x (goal >= "
        f"{GOAL_RATIO:.0f}x); {check}"
    )
    report["generated"] = {
        "rows": len(frame),
        "groups": n_groups,
        "methods": rows,
        "baseline_sample": len(sample),
        "baseline_ms_per_series": round(per_series * 1000, 3),
        "baseline_extrapolated_s": round(extrapolated, 1),
        "ratio": round(extrapolated / ours_s, 1),
        "check": check,
    }
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench_assess-{stamp}.json", "bench_assess-latest.json"):
        (OUT / name).write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(f"\nwritten to {OUT / 'bench_assess-latest.json'}")


if __name__ == "__main__":
    main()
