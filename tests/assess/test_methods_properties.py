"""Properties of the progress methods (Hypothesis): monotone bands, direction symmetry,
invariance to the unit's scale, met targets reported met, and no exception or silent NaN
for any series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urbanagenda.assess.methods import METHODS, assess, load_method_config, status_codes

CONFIG = load_method_config()
#: statuses from best to worst (the roll-up ranks), insufficient_data excluded
RANKS = {m: rule.get("ranks") for m, rule in CONFIG["rollup"]["rules"].items()}
RANKS["opensdg"] = ["target_achieved", "substantial", "moderate", "limited", "deterioration"]
MET = {
    "unsd-2022": "target_met",
    "unsd-2023": "met",
    "unsd-2024": "met",
    "opensdg": "target_achieved",
    "escap": "maintain",
    "sdsn": "achieved",
}
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

positive = st.floats(min_value=0.5, max_value=1000, allow_nan=False, allow_infinity=False)
latest_year = st.integers(min_value=2016, max_value=2029)


Case = tuple[float, float, float | None, int, bool]  # v_b, v_t, target, t, increase


def frame(cases: list[tuple[list[tuple[int, float]], str | None, float | None]]) -> pd.DataFrame:
    """One series per case (code C0, C1, ...), assessed in one call."""
    parts = [
        pd.DataFrame(
            {
                "series_code": f"C{i:03d}",
                "area_code": "A",
                "year": [y for y, _ in points],
                "value": [v for _, v in points],
                "direction": direction,
                "target_value": target,
                "unit": "NUMBER",
            }
        )
        for i, (points, direction, target) in enumerate(cases)
    ]
    return pd.concat(parts, ignore_index=True)


def run(method: str, cases: list) -> pd.DataFrame:
    return assess(frame(cases), method, config=CONFIG).set_index("series_code").sort_index()


def rank(method: str, status: str) -> int:
    return RANKS[method].index(status)


def near_edge(method: str, ratio: float) -> bool:
    """A ratio within rounding of a band boundary may fall either side."""
    edges = {
        "escap": [0.0, 1.0],
        "sdsn": [0.0, 0.5, 1.0],
        "opensdg": [0.0, 0.6, 0.95],
        "unsd-2022": [-0.1, 0.5, 0.95],
        "unsd-2023": [0.1, 0.95],
        "unsd-2024": [-0.1, 0.1, 0.5, 0.95],
    }[method]
    return bool(np.isfinite(ratio)) and any(abs(ratio - e) < 1e-6 for e in edges)


case = st.tuples(
    positive,
    positive,
    st.one_of(st.none(), positive),
    latest_year,
    st.booleans(),
)
cases = st.lists(case, min_size=1, max_size=20)


@FAST
@given(data=cases, better=st.floats(min_value=1.0001, max_value=3))
@pytest.mark.parametrize("method", list(METHODS))
def test_a_better_latest_value_never_gives_a_worse_band(
    method: str, data: list[Case], better: float
) -> None:
    worse, good = [], []
    for vb, vt, target, t, increase in data:
        direction = "increase" if increase else "decrease"
        vt2 = vt * better if increase else vt / better
        worse.append(([(2015, vb), (t, vt)], direction, target))
        good.append(([(2015, vb), (t, vt2)], direction, target))
    a, b = run(method, worse), run(method, good)
    for code in a.index:
        sa, sb = a.at[code, "status"], b.at[code, "status"]
        if "insufficient_data" in (sa, sb):
            assert sa == sb == "insufficient_data"
        elif not near_edge(method, a.at[code, "ratio"]):
            assert rank(method, sb) <= rank(method, sa), (code, sa, sb)


@FAST
@given(data=cases, shift=st.floats(1001, 5000))
@pytest.mark.parametrize("method", ["escap", "sdsn"])
def test_linear_methods_mirror_exactly(method: str, data: list[Case], shift: float) -> None:
    """x increasing towards T is judged as (c − x) decreasing towards (c − T)."""
    up, down = [], []
    for vb, vt, target, t, _ in data:
        target = 2 * vb if target is None else target
        up.append(([(2015, vb), (t, vt)], "increase", target))
        down.append(([(2015, shift - vb), (t, shift - vt)], "decrease", shift - target))
    a, b = run(method, up), run(method, down)
    for code in a.index:
        if near_edge(method, a.at[code, "ratio"]):
            continue
        assert a.at[code, "status"] == b.at[code, "status"]
        if np.isfinite(a.at[code, "ratio"]):
            assert b.at[code, "ratio"] == pytest.approx(a.at[code, "ratio"], rel=1e-6, abs=1e-6)


@FAST
@given(data=cases)
@pytest.mark.parametrize("method", ["unsd-2022", "unsd-2023", "unsd-2024", "opensdg"])
def test_direction_symmetry_without_target(method: str, data: list[Case]) -> None:
    """The same growth is never better judged against the direction it goes in."""
    points = [[(2015, vb), (t, vt)] for vb, vt, _, t, _ in data]
    a = run(method, [(p, "increase", None) for p in points])
    b = run(method, [(p, "decrease", None) for p in points])
    for i, code in enumerate(a.index):
        vb, vt = data[i][0], data[i][1]
        assert a.at[code, "cagr_actual"] == pytest.approx(b.at[code, "cagr_actual"])
        up, down = rank(method, a.at[code, "status"]), rank(method, b.at[code, "status"])
        if vt > vb:
            assert up <= down
        elif vt < vb:
            assert up >= down


@FAST
@given(data=cases, scale=st.floats(min_value=1e-3, max_value=1e3))
@pytest.mark.parametrize("method", ["unsd-2022", "unsd-2023", "unsd-2024", "opensdg"])
def test_ratio_methods_do_not_depend_on_the_unit(
    method: str, data: list[Case], scale: float
) -> None:
    one, other = [], []
    for vb, vt, target, t, increase in data:
        direction = "increase" if increase else "decrease"
        target = vb * 1.5 if target is None else target
        one.append(([(2015, vb), (t, vt)], direction, target))
        other.append(([(2015, vb * scale), (t, vt * scale)], direction, target * scale))
    a, b = run(method, one), run(method, other)
    for code in a.index:
        ra, rb = a.at[code, "ratio"], b.at[code, "ratio"]
        if np.isfinite(ra):
            assert rb == pytest.approx(ra, rel=1e-6, abs=1e-9)
        if not near_edge(method, ra):
            assert a.at[code, "status"] == b.at[code, "status"]


@FAST
@given(
    data=st.lists(
        st.tuples(positive, positive, st.floats(0, 50), latest_year, st.booleans()),
        min_size=1,
        max_size=20,
    )
)
@pytest.mark.parametrize("method", list(METHODS))
def test_a_met_target_is_reported_met(method: str, data: list) -> None:
    built = []
    for vb, target, beyond, t, increase in data:
        direction = "increase" if increase else "decrease"
        vt = target + beyond if increase else max(target - beyond, 0.0)
        built.append(([(2015, vb), (t, vt)], direction, target))
    result = run(method, built)
    assert (result["status"] == MET[method]).all()


values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, -1.0, 100.0, 0.001]),
)
rows = st.lists(
    st.tuples(
        st.sampled_from(["S1", "S2", "EN_LND_SLUM"]),
        st.sampled_from(["A", "B"]),
        st.integers(min_value=1995, max_value=2035),
        values,
        st.sampled_from([None, "", "increase", "decrease", "bogus"]),
        st.one_of(st.none(), st.sampled_from([0.0, 100.0, -5.0]), positive),
        st.one_of(st.none(), st.sampled_from([0.0, 100.0])),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows)
@pytest.mark.parametrize("method", list(METHODS))
def test_every_series_gets_a_status_or_a_reason(method: str, data: list) -> None:
    obs = pd.DataFrame(
        data,
        columns=["series_code", "area_code", "year", "value", "direction", "target_value",
                 "limit"],
    )  # fmt: skip
    result = assess(obs, method, config=CONFIG)
    assert len(result) == obs.groupby(["series_code", "area_code"]).ngroups
    assert result["status"].isin(status_codes(method)).all()
    assert result["label"].notna().all()
    refused = result["status"] == "insufficient_data"
    assert result.loc[refused, "reason"].notna().all()
    assert result.loc[~refused, "reason"].isna().all()
    for column in ("score", "cagr_actual", "cagr_required", "ratio"):
        assert not np.isinf(result[column].to_numpy(dtype=float)).any()
