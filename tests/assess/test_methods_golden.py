"""Golden values of the progress methods: METHODS.md §1.6 and hand-computed cases.

Every number below was computed by hand (or on a calculator) from the formulas of
METHODS.md §1, not by running the code.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from urbanagenda.assess.methods import METHODS, OUTPUT_COLUMNS, assess, load_method_config
from urbanagenda.errors import ConfigError, DataError, MethodError


def series(
    points: list[tuple[int, float]],
    direction: str | None = "increase",
    target: float | None = None,
    code: str = "TEST_SERIES",
    area: str = "A",
    **params: object,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_code": code,
            "area_code": area,
            "year": [y for y, _ in points],
            "value": [float(v) for _, v in points],
            "direction": direction,
            "target_value": target,
            **params,
        }
    )


def one(frame: pd.DataFrame, method: str, **kw: object) -> pd.Series:
    result = assess(frame, method, **kw)  # type: ignore[arg-type]
    assert len(result) == 1
    return result.iloc[0]


E2 = series([(2015, 50), (2021, 56)], "increase", 100)
E3 = series([(2015, 80), (2020, 90)], "increase", 100)
E7 = series([(2015, 1.0), (2022, 1.3)], "decrease", 0.5)
E8 = series([(2015, 97), (2022, 94)], "increase", 95)


# ---------------------------------------------------------------- METHODS.md §1.6


@pytest.mark.parametrize(
    ("frame", "cr", "status"),
    [(E2, 0.4032, "limited"), (E3, 1.5904, "on_track"), (E7, -0.8457, "deterioration")],
)
def test_table_unsd_2022(frame: pd.DataFrame, cr: float, status: str) -> None:
    r = one(frame, "unsd-2022")
    assert r["ratio"] == pytest.approx(cr, abs=5e-5)
    assert r["status"] == status


def test_table_e8_unsd_2022_base_beyond_target() -> None:
    r = one(E8, "unsd-2022")
    assert r["status"] == "deterioration"


@pytest.mark.parametrize(
    ("frame", "ratio", "s2023", "s2024"),
    [
        (E2, 0.3275, "fair", "marginal"),
        (E3, 1.6953, "met", "met"),
        (E7, -1.5091, "stagnation", "regression"),
    ],
)
def test_table_unsd_2023_2024(frame: pd.DataFrame, ratio: float, s2023: str, s2024: str) -> None:
    r23, r24 = one(frame, "unsd-2023"), one(frame, "unsd-2024")
    assert r23["ratio"] == pytest.approx(ratio, abs=5e-5)
    assert r24["ratio"] == pytest.approx(ratio, abs=5e-5)
    assert (r23["status"], r24["status"]) == (s2023, s2024)


@pytest.mark.parametrize(
    ("frame", "ratio", "status", "score"),
    [
        (E2, 0.4032, "limited", -0.820),
        (E3, 1.5904, "substantial", 5.0),
        (E7, -0.8457, "deterioration", -5.0),
        (E8, -3.226, "deterioration", -5.0),
    ],
)
def test_table_opensdg(frame: pd.DataFrame, ratio: float, status: str, score: float) -> None:
    r = one(frame, "opensdg")
    assert r["ratio"] == pytest.approx(ratio, abs=5e-4)
    assert r["status"] == status
    assert r["score"] == pytest.approx(score, abs=5e-4)


def test_growth_columns_and_years() -> None:
    r = one(E2, "unsd-2022")
    assert r["cagr_actual"] == pytest.approx(1.12 ** (1 / 6) - 1)  # 0.019068
    assert r["cagr_required"] == pytest.approx(2 ** (1 / 15) - 1)  # 0.047294
    assert (r["base_year"], r["base_value"], r["latest_year"], r["latest_value"]) == (
        2015,
        50.0,
        2021,
        56.0,
    )
    assert r["target_value"] == 100.0
    assert (r["method"], r["edition"]) == ("unsd-2022", "2022")
    assert pd.isna(r["reason"]) and pd.isna(r["score"])


# ---------------------------------------------------------------- edge rules, every method

MET_CODE = {
    "unsd-2022": "target_met",
    "unsd-2023": "met",
    "unsd-2024": "met",
    "opensdg": "target_achieved",
    "escap": "maintain",
    "sdsn": "achieved",
}


@pytest.mark.parametrize("method", list(METHODS))
def test_fewer_than_2_points(method: str) -> None:
    r = one(series([(2018, 5)], "increase", 10), method)
    assert r["status"] == "insufficient_data"
    assert r["reason"] == "fewer_than_2_points"
    assert r["label"] == "Insufficient data"
    assert (r["base_year"], r["latest_year"]) == (2018, 2018)
    assert pd.isna(r["ratio"]) and pd.isna(r["score"])


@pytest.mark.parametrize("method", list(METHODS))
def test_only_data_before_the_base_year(method: str) -> None:
    r = one(series([(2010, 5), (2012, 6)], "increase", 10), method)
    if method == "escap":  # its regression uses data from 2000 on, but needs a base value
        assert r["reason"] == "fewer_than_2_points"
    assert r["status"] == "insufficient_data"
    assert pd.isna(r["base_year"]) and r["latest_year"] == 2012


@pytest.mark.parametrize("method", list(METHODS))
def test_missing_direction(method: str) -> None:
    r = one(series([(2015, 1), (2020, 5)], None, 10), method)
    assert (r["status"], r["reason"]) == ("insufficient_data", "missing_direction")


@pytest.mark.parametrize("method", list(METHODS))
def test_invalid_direction(method: str) -> None:
    r = one(series([(2015, 1), (2020, 5)], "sideways", 10), method)
    assert (r["status"], r["reason"]) == ("insufficient_data", "invalid_direction")


@pytest.mark.parametrize("method", list(METHODS))
def test_duplicate_years(method: str) -> None:
    r = one(series([(2015, 1), (2015, 2), (2020, 5)], "increase", 10), method)
    assert (r["status"], r["reason"]) == ("insufficient_data", "duplicate_years")


@pytest.mark.parametrize("method", list(METHODS))
def test_target_already_met_in_base_year(method: str) -> None:
    r = one(series([(2015, 100), (2020, 100)], "increase", 100), method)
    assert r["status"] == MET_CODE[method]
    assert pd.isna(r["reason"])


@pytest.mark.parametrize("method", list(METHODS))
def test_decrease_met_at_zero(method: str) -> None:
    r = one(series([(2015, 10), (2021, 0)], "decrease", 0), method)
    assert r["status"] == MET_CODE[method]


@pytest.mark.parametrize("method", ["unsd-2022", "unsd-2023", "unsd-2024"])
def test_zero_base_has_no_growth_rate(method: str) -> None:
    r = one(series([(2015, 0), (2020, 5)], "increase", 10), method)
    assert (r["status"], r["reason"]) == ("insufficient_data", "zero_or_negative_value")


@pytest.mark.parametrize("method", ["unsd-2022", "unsd-2023", "unsd-2024"])
def test_negative_values_have_no_growth_rate(method: str) -> None:
    r = one(series([(2015, -3), (2020, -1)], "increase", 10), method)
    assert (r["status"], r["reason"]) == ("insufficient_data", "zero_or_negative_value")


def test_opensdg_zero_base_is_replaced_by_0_001() -> None:
    r = one(series([(2015, 0), (2020, 5)], "increase", 10), "opensdg")
    # CAGR_a = (5/0.001)^(1/5) - 1 = 4.49280, CAGR_r = (10/0.001)^(1/15) - 1 = 0.84785
    assert r["cagr_actual"] == pytest.approx(4.49280, abs=1e-5)
    assert r["cagr_required"] == pytest.approx(0.84785, abs=1e-5)
    assert r["ratio"] == pytest.approx(5.29906, abs=1e-5)
    assert (r["status"], r["score"]) == ("substantial", 5.0)


def test_opensdg_sign_change() -> None:
    r = one(series([(2015, 5), (2020, -1)], "increase", 10), "opensdg")
    assert (r["status"], r["reason"]) == ("insufficient_data", "sign_change")


def test_opensdg_negative_values_use_the_sign_of_the_base() -> None:
    # -10 -> -5 increasing towards 0 (target -1): sign(v_b) = -1 makes the fall in |v| good
    r = one(series([(2015, -10), (2020, -5)], "increase", -1), "opensdg")
    cagr_a = 0.5**0.2 - 1  # -0.129449
    cagr_r = 0.1 ** (1 / 15) - 1  # -0.142304
    assert r["ratio"] == pytest.approx(-1 * cagr_a / abs(cagr_r), abs=1e-9)  # 0.90967
    assert r["status"] == "moderate"
    assert r["score"] == pytest.approx(7.1429 * 0.909668 - 4.2857, abs=1e-4)  # 2.2120


def test_base_year_later_than_2015() -> None:
    frame = series([(2012, 1), (2017, 50), (2020, 60)], "increase", 100)
    r = one(frame, "unsd-2022")
    # b = 2017: CAGR_a = 1.2^(1/3) - 1 = 0.062659, CAGR_r = 2^(1/13) - 1 = 0.054766
    assert (r["base_year"], r["base_value"]) == (2017, 50.0)
    assert r["ratio"] == pytest.approx(0.062659 / 0.054766, abs=1e-4)  # 1.1441
    assert r["status"] == "on_track"


def test_base_year_and_target_year_from_the_input() -> None:
    frame = series([(2015, 50), (2016, 52), (2021, 56)], "increase", 100, base_year=2016)
    r = one(frame, "unsd-2022")
    assert r["base_year"] == 2016
    frame = series([(2015, 50), (2021, 56)], "increase", 100, target_year=2025)
    r = one(frame, "unsd-2022")
    assert r["cagr_required"] == pytest.approx(2 ** (1 / 10) - 1)


def test_decrease_to_a_zero_target() -> None:
    frame = series([(2015, 10), (2020, 5)], "decrease", 0)
    # CAGR_a = 0.5^(1/5) - 1 = -0.129449; CAGR_r = (0/10)^(1/15) - 1 = -1; CR = 0.129449
    r = one(frame, "unsd-2022")
    assert r["ratio"] == pytest.approx(0.129449, abs=1e-6)
    assert r["status"] == "limited"
    # v2030_e = 5 * 0.5^(10/5) = 1.25; r = (1.25 - 10)/(0 - 10) = 0.875
    for method, status in (("unsd-2023", "fair"), ("unsd-2024", "moderate")):
        r = one(frame, method)
        assert r["ratio"] == pytest.approx(0.875, abs=1e-9)
        assert r["status"] == status
    # Open SDG: target 0 -> 0.001; CAGR_r = (0.001/10)^(1/15) - 1 = -0.458830; R = 0.282129
    r = one(frame, "opensdg")
    assert r["cagr_required"] == pytest.approx(-0.458830, abs=1e-6)
    assert r["ratio"] == pytest.approx(0.282129, abs=1e-6)
    assert r["status"] == "limited"
    assert r["score"] == pytest.approx(-1.32445, abs=1e-5)
    # ESCAP: the line through (2015, 10) and (2020, 5) gives -5 in 2030; gap = -0.5
    r = one(frame, "escap")
    assert r["ratio"] == pytest.approx(-0.5) and r["status"] == "maintain"
    assert r["score"] == pytest.approx(0.5)  # CS = -1 * (5 - 10)/|0 - 10|
    # SDSN: best 0, worst 10 (the worst value seen): s 0 -> 50; g_act 10, g_req 100/15
    r = one(frame, "sdsn")
    assert r["ratio"] == pytest.approx(1.5) and r["status"] == "on_track"
    assert r["score"] == pytest.approx(50.0)


def test_unsd_2022_target_met_tolerance() -> None:
    # increase: v_t/v* > 0.9995; decrease: v*/v_t > 0.9995
    assert (
        one(series([(2015, 50), (2020, 99.96)], "increase", 100), "unsd-2022")["status"]
        == "target_met"
    )
    assert (
        one(series([(2015, 50), (2020, 99.94)], "increase", 100), "unsd-2022")["status"]
        != "target_met"
    )
    assert (
        one(series([(2015, 9), (2020, 5.002)], "decrease", 5), "unsd-2022")["status"]
        == "target_met"
    )


@pytest.mark.parametrize("method", ["unsd-2023", "unsd-2024"])
def test_within_one_point_of_a_100_percent_target(method: str) -> None:
    assert one(series([(2015, 90), (2020, 99.2)], "increase", 100), method)["status"] == "met"
    assert one(series([(2015, 9), (2020, 0.8)], "decrease", 0), method)["status"] == "met"
    slow = series([(2015, 99), (2020, 99.2)], "increase", 100)  # r = 0.6 without the rule
    assert one(slow, method)["status"] == "met"
    assert one(slow.assign(unit="PT"), method)["status"] == "met"
    assert one(slow.assign(unit="NUMBER"), method)["status"] != "met"


def test_no_target_unsd() -> None:
    up = series([(2015, 10), (2020, 12)], "increase")  # CAGR_a = 0.037137
    assert one(up, "unsd-2022")["status"] == "on_track"
    assert one(up, "unsd-2023")["status"] == "met"
    down = series([(2015, 10), (2020, 12)], "decrease")
    assert one(down, "unsd-2022")["status"] == "deterioration"
    assert one(down, "unsd-2024")["status"] == "regression"
    fair = series([(2015, 100), (2020, 105)], "increase")  # CAGR_a = 0.009806
    r = one(fair, "unsd-2023")
    assert r["cagr_actual"] == pytest.approx(0.009806, abs=1e-6)
    assert pd.isna(r["ratio"]) and pd.isna(r["cagr_required"])
    assert r["status"] == "fair"
    assert one(fair, "unsd-2024")["status"] == "marginal"  # 0.5-1 % (2024 bands, check)
    assert one(fair, "unsd-2022")["status"] == "fair"


def test_no_target_unsd_2022_per_series_limits_from_configuration() -> None:
    config = load_method_config()
    config["methods"]["unsd-2022"]["editions"]["2022"]["no_target"]["per_series"] = {
        "TEST_SERIES": [
            {"status": "on_track", "min": 0.05},
            {"status": "fair", "min": 0.03},
            {"status": "limited", "min": 0.0},
            {"status": "deterioration", "min": None},
        ]
    }
    up = series([(2015, 10), (2020, 12)], "increase")  # 0.037137
    assert one(up, "unsd-2022", config=config)["status"] == "fair"


def test_opensdg_without_target_near_a_natural_limit() -> None:
    # v = (92/90)^(1/5) - 1 = 0.0044055; C = 1 - 0.9^4.44 = 0.373622
    # thresholds 0.015 C = 0.0056043, 0.005 C = 0.0018681 -> moderate
    # score 250 v / C - 1.25 = 1.69781
    r = one(series([(2015, 90), (2020, 92)], "increase", None, limit=100), "opensdg")
    assert r["cagr_actual"] == pytest.approx(0.0044055, abs=1e-7)
    assert r["status"] == "moderate"
    assert r["score"] == pytest.approx(1.69781, abs=1e-5)
    # far from any limit the same growth is limited: 0 <= 0.0044 < 0.005; 500 v - 2.5
    r = one(series([(2015, 90), (2020, 92)], "increase", None), "opensdg")
    assert r["status"] == "limited"
    assert r["score"] == pytest.approx(500 * 0.0044055 - 2.5, abs=1e-4)  # -0.29728


def test_opensdg_without_target_deterioration_score() -> None:
    r = one(series([(2015, 10), (2020, 9)], "increase"), "opensdg")
    v = 0.9**0.2 - 1  # -0.020852
    assert r["status"] == "deterioration"
    assert r["score"] == pytest.approx(max(125 * v - 2.5, -5), abs=1e-9)  # -5 (floor)
    r = one(series([(2015, 10), (2020, 9.9)], "increase"), "opensdg")
    assert r["score"] == pytest.approx(125 * (0.99**0.2 - 1) - 2.5, abs=1e-9)  # -2.7513


def test_escap_weighted_regression() -> None:
    # weights 1, 2, 3 (1 + years since 2015): slope 1.4 a year, 31.3 predicted for 2030
    frame = series([(2015, 10), (2016, 12), (2017, 13)], "increase", 40)
    r = one(frame, "escap")
    assert r["cagr_actual"] == pytest.approx(1.4)
    assert r["ratio"] == pytest.approx((40 - 31.3) / 30)  # gap 0.29
    assert r["status"] == "accelerate"
    assert r["score"] == pytest.approx(0.1)  # CS = (13 - 10)/30
    assert r["cagr_required"] == pytest.approx(2.0)  # (40 - 10)/15
    assert (
        one(series([(2015, 10), (2016, 12), (2017, 13)], "increase", 25), "escap")["status"]
        == "maintain"
    )


def test_escap_reverse_and_missing_target() -> None:
    assert one(E7, "escap")["status"] == "reverse"  # 1.0 -> 1.3, target 0.5
    assert one(E8, "escap")["status"] == "reverse"  # base beyond, prediction short of it
    r = one(series([(2015, 1), (2020, 2)], "increase"), "escap")
    assert (r["status"], r["reason"]) == ("insufficient_data", "missing_target")


def test_escap_uses_points_before_2015_in_the_regression() -> None:
    # 2010: 0, 2015: 10, 2020: 12 -> the trend is steeper than from 2015 alone
    with_history = one(series([(2010, 0), (2015, 10), (2020, 12)], "increase", 30), "escap")
    alone = one(series([(2015, 10), (2020, 12)], "increase", 30), "escap")
    assert with_history["cagr_actual"] > alone["cagr_actual"] == pytest.approx(0.4)


def test_sdsn_bands_and_bounds() -> None:
    # worst bound from the configuration: s 50 -> 56 by 2021; g_act 1, g_req 50/15
    config = load_method_config()
    config["methods"]["sdsn"]["editions"]["sdr-2024"]["lower_bounds"] = {"TEST_SERIES": 0}
    r = one(E2, "sdsn", config=config)
    assert r["score"] == pytest.approx(56.0)
    assert r["ratio"] == pytest.approx(0.3)
    assert r["status"] == "stagnating"
    # the ratio does not depend on the worst bound (no clipping): same arrow without it
    assert one(E2, "sdsn")["ratio"] == pytest.approx(0.3)
    assert one(E3, "sdsn")["status"] == "on_track"  # 1.5
    half = series([(2015, 50), (2020, 60)], "increase", 100)  # (10/5)/(50/15) = 0.6
    assert one(half, "sdsn")["status"] == "moderately_improving"
    assert one(E7, "sdsn")["status"] == "decreasing"
    nothing = one(series([(2015, 1), (2020, 2)], "increase"), "sdsn")
    assert (nothing["status"], nothing["reason"]) == ("insufficient_data", "missing_target")
    # without a target, the natural limit is the best bound (rule 2 of SDSN: 100 % access)
    limited = one(series([(2015, 50), (2020, 60)], "increase", None, limit=100), "sdsn")
    assert limited["status"] == "moderately_improving"


# ---------------------------------------------------------------- inputs and parameters


def test_catalogue_fills_what_the_rows_leave_out() -> None:
    # EN_LND_SLUM: decrease, target 0 (catalogue)
    frame = pd.DataFrame(
        {"series_code": "EN_LND_SLUM", "area_code": "4", "year": [2015, 2020],
         "value": [60.0, 50.0]}
    )  # fmt: skip
    r = one(frame, "unsd-2022")
    assert r["target_value"] == 0.0 and r["status"] != "insufficient_data"
    override = frame.assign(target_value=55.0)
    assert one(override, "unsd-2022")["status"] == "target_met"
    no_target = frame.assign(target_value=None, direction="increase")
    assert one(no_target, "unsd-2022")["status"] == "target_met"  # 50 >= 0: catalogue target
    made_up = frame.assign(series_code="NOT_IN_CATALOGUE")
    assert one(made_up, "unsd-2022")["reason"] == "missing_direction"


def test_as_of_drops_later_observations() -> None:
    frame = series([(2015, 50), (2021, 56), (2024, 90)], "increase", 100)
    r = one(frame, "unsd-2022", as_of=2021)
    assert (r["latest_year"], r["latest_value"]) == (2021, 56.0)
    assert r["ratio"] == pytest.approx(0.4032, abs=5e-5)


def test_groups_by_disaggregation() -> None:
    frame = pd.concat([E2.assign(sex="F"), E3.assign(sex="M")])
    result = assess(frame, "unsd-2022")
    assert dict(zip(result["sex"], result["status"], strict=True)) == {
        "F": "limited",
        "M": "on_track",
    }
    assert list(result.columns) == list(OUTPUT_COLUMNS)


def test_chinese_labels() -> None:
    assert one(E3, "unsd-2023", language="zh")["label"] == "已实现目标或步入正轨（进展显著）"
    cfg = load_method_config()
    for name, spec in cfg["methods"].items():
        for code, text in spec["statuses"].items():
            assert text["en"] and text["zh"], (name, code)


def test_nan_and_infinite_values_are_left_out() -> None:
    frame = series([(2015, 50), (2018, math.nan), (2021, 56), (2022, math.inf)], "increase", 100)
    r = one(frame, "unsd-2022")
    assert (r["latest_year"], r["status"]) == (2021, "limited")


def test_unknown_method_and_edition() -> None:
    with pytest.raises(MethodError, match="unknown progress method 'nope'"):
        assess(E2, "nope")
    with pytest.raises(ConfigError, match="no edition '1999'"):
        assess(E2, "unsd-2022", edition="1999")


def test_missing_columns() -> None:
    with pytest.raises(DataError, match="no column"):
        assess(E2.drop(columns="value"), "opensdg")
