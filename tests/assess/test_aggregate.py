"""Aggregation rules (METHODS.md section 2): golden values, coverage, membership, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanagenda.assess.aggregate import (
    RESULT_COLUMNS,
    CoverageRule,
    aggregate,
    load_aggregation_config,
    nearest_year_weights,
    read_aggregation_config,
)
from urbanagenda.errors import ConfigError, MethodError
from urbanagenda.model.areas import load_areas
from urbanagenda.store.aggregates import default_groups, membership

CITIES = pd.DataFrame({"area_code": ["a", "b", "c"], "year": 2020, "value": [60.0, 40.0, 80.0]})
CITY_POP = pd.DataFrame({"area_code": ["a", "b", "c"], "year": 2020, "weight": [5e6, 2e6, 1e6]})
ONE_GROUP = pd.DataFrame({"group": "X", "member": ["a", "b", "c"]})


def test_methods_check_weighted_575_simple_60() -> None:
    weighted = aggregate(CITIES, ONE_GROUP, rule="population_weighted_mean", weights=CITY_POP)
    simple = aggregate(CITIES, ONE_GROUP, rule="simple_mean")
    assert weighted["value"].item() == pytest.approx(57.5)
    assert simple["value"].item() == pytest.approx(60.0)
    assert list(weighted.columns) == list(RESULT_COLUMNS)
    row = weighted.iloc[0]
    assert (row["n_members"], row["n_with_data"], row["coverage_members"]) == (3, 3, 1.0)
    assert row["coverage_weight"] == pytest.approx(1.0)
    assert row["reason"] is None
    assert simple["weight_source"].item() == "none (simple mean)"


def test_sum_of_parts_by_hand() -> None:
    # two countries: 30 of 100 and 10 of 300 urban people in slums -> 40 / 400 = 10 %
    # (a simple mean of the shares would give (30 + 3.33) / 2 = 16.7 %)
    num = pd.DataFrame(
        {"area_code": ["p", "q"], "year": 2020, "location": "U", "value": [30.0, 10.0]}
    )
    den = num.assign(value=[100.0, 300.0])
    share = num.assign(value=[30.0, 100 * 10 / 300])
    members = pd.DataFrame({"group": "G", "member": ["p", "q"]})
    out = aggregate(share, members, rule="sum_of_parts", numerator=num, denominator=den, scale=100)
    assert out["value"].item() == pytest.approx(10.0)
    assert out["location"].item() == "U"
    # the same value from the ratios weighted by the denominator
    weights = den.rename(columns={"value": "weight"}).drop(columns="location")
    again = aggregate(share, members, rule="sum_of_parts", weights=weights)
    assert again["value"].item() == pytest.approx(10.0)


def test_sum_counts_reporting_members() -> None:
    obs = pd.DataFrame({"area_code": ["a", "b"], "year": 2020, "value": [1.0, 1.0]})
    out = aggregate(obs, ONE_GROUP, rule="sum", coverage=CoverageRule(0.0, None))
    assert out["value"].item() == 2.0 and out["n_with_data"].item() == 2


def test_coverage_below_the_weight_minimum_gives_no_value_and_a_reason() -> None:
    only_small = CITIES[CITIES["area_code"].isin(["b", "c"])]  # 3 M of 8 M people
    out = aggregate(
        only_small,
        ONE_GROUP,
        rule="population_weighted_mean",
        weights=CITY_POP,
        coverage=CoverageRule(min_member_share=0.0, min_weight_share=0.5),
    )
    row = out.iloc[0]
    assert np.isnan(row["value"])
    assert row["coverage_weight"] == pytest.approx(3 / 8)
    assert "37.5 %" in row["reason"] and "50.0 %" in row["reason"]
    # the same data pass a lower minimum
    ok = aggregate(
        only_small, ONE_GROUP, rule="population_weighted_mean", weights=CITY_POP,
        coverage=CoverageRule(0.0, 0.3),
    )  # fmt: skip
    assert ok["value"].item() == pytest.approx((2 * 40 + 1 * 80) / 3)


def test_coverage_below_the_member_minimum_gives_no_value() -> None:
    out = aggregate(
        CITIES.iloc[:1], ONE_GROUP, rule="simple_mean", coverage=CoverageRule(0.5, None)
    )
    assert np.isnan(out["value"].item())
    assert "1 of 3 member areas" in out["reason"].item()


def test_years_without_member_data_are_reported() -> None:
    out = aggregate(CITIES, ONE_GROUP, rule="simple_mean", years=[2019, 2020])
    assert out["year"].tolist() == [2019, 2020]
    assert out["reason"].iloc[0] == "no member area has data"
    assert out["value"].iloc[1] == pytest.approx(60.0)


def test_weights_from_the_nearest_year_within_the_tolerance() -> None:
    wanted = pd.DataFrame({"area_code": ["a", "a", "a"], "year": [2021, 2023, 2030]})
    weights = pd.DataFrame({"area_code": "a", "year": [2020, 2022], "weight": [1.0, 2.0]})
    got = nearest_year_weights(wanted, weights, tolerance=2)
    # 2021: 2020 and 2022 are as near, the earlier year wins; 2030: none within 2 years
    assert got.iloc[0] == 1.0 and got.iloc[1] == 2.0 and np.isnan(got.iloc[2])


def test_weights_of_the_same_scope_by_location() -> None:
    obs = pd.DataFrame(
        {"area_code": ["a", "b", "a", "b"], "year": 2019, "location": ["U", "U", "R", "R"],
         "value": [10.0, 20.0, 30.0, 40.0]}
    )  # fmt: skip
    weights = pd.DataFrame(
        {"area_code": ["a", "b", "a", "b"], "year": 2019, "location": ["U", "U", "R", "R"],
         "weight": [3.0, 1.0, 1.0, 3.0]}
    )  # fmt: skip
    members = pd.DataFrame({"group": "G", "member": ["a", "b"]})
    out = aggregate(obs, members, rule="population_weighted_mean", weights=weights)
    got = dict(zip(out["location"], out["value"], strict=True))
    assert got == pytest.approx({"U": 12.5, "R": 37.5})


def test_membership_from_the_real_areas() -> None:
    areas = load_areas()
    frame = membership(["202", "1", "199", "566"], areas)
    ssa = set(frame.loc[frame["group"] == "202", "member"])
    assert ssa == set(areas.members("202", "sdg", "country"))
    assert "566" in ssa and "818" not in ssa  # Nigeria in, Egypt (Northern Africa) out
    world = frame[frame["group"] == "1"]
    assert set(world["hierarchy"]) == {"sdg"} and ssa < set(world["member"])
    ldc = frame[frame["group"] == "199"]
    assert set(ldc["hierarchy"]) == {"group"} and set(ldc["member"]) == set(
        areas.members("199", "group", "country")
    )
    cities = frame[frame["group"] == "566"]
    assert set(cities["member_kind"]) == {"city"} and "ng_lagos" in set(cities["member"])
    groups = default_groups(areas)
    assert {"1", "202", "747", "11", "199", "432", "722"} <= set(groups)


def test_real_membership_aggregates_region_202() -> None:
    areas = load_areas()
    members = membership(["202"], areas)
    nga, eth = "566", "231"
    obs = pd.DataFrame({"area_code": [nga, eth, "818"], "year": 2020, "value": [50.0, 60.0, 1.0]})
    out = aggregate(obs, members[["group", "member"]], rule="simple_mean",
                    coverage=CoverageRule(0.0, None))  # fmt: skip
    assert out["value"].item() == pytest.approx(55.0)  # Egypt is not a member of 202
    assert out["n_with_data"].item() == 2
    assert out["n_members"].item() == len(areas.members("202"))


def test_wrong_inputs_say_what_to_do() -> None:
    with pytest.raises(MethodError, match="unknown aggregation rule"):
        aggregate(CITIES, ONE_GROUP, rule="median")
    with pytest.raises(MethodError, match="needs weights"):
        aggregate(CITIES, ONE_GROUP, rule="population_weighted_mean")
    with pytest.raises(MethodError, match="group and member"):
        aggregate(CITIES, ONE_GROUP.rename(columns={"group": "region"}), rule="simple_mean")
    with pytest.raises(ConfigError, match="between 0 and 1"):
        CoverageRule(min_member_share=50)


def test_bundled_configuration_is_complete() -> None:
    config = load_aggregation_config()
    assert config.weights["total_population"] == "SP_POP_TOTL"
    assert config.weights["city_population"] is None
    assert config.default_coverage.min_weight_share == 0.5
    assert config.coverage_for("simple_mean").min_member_share == 0.5
    assert config.parts["EN_LND_SLUM"].numerator == "EN_LND_SLUMN"
    with pytest.raises(ConfigError, match="cannot be read"):
        read_aggregation_config("version: x\n")


# --------------------------------------------------------------------------- properties

_values = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=100, allow_nan=False),
        st.floats(min_value=1, max_value=1e9, allow_nan=False),
    ),
    min_size=1,
    max_size=12,
)


def _frames(pairs: list[tuple[float, float]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    codes = [f"m{i}" for i in range(len(pairs))]
    obs = pd.DataFrame({"area_code": codes, "year": 2020, "value": [v for v, _ in pairs]})
    weights = pd.DataFrame({"area_code": codes, "year": 2020, "weight": [w for _, w in pairs]})
    members = pd.DataFrame({"group": "G", "member": [*codes, "m_without_data"]})
    return obs, weights, members


# each aggregate() call costs a fixed ~0.1 s of pandas overhead: few examples, several rules
@settings(max_examples=12, deadline=None)
@given(_values, st.randoms(use_true_random=False))
def test_permuting_members_does_not_change_results(pairs, rnd) -> None:  # type: ignore[no-untyped-def]
    obs, weights, members = _frames(pairs)
    order = list(range(len(obs)))
    rnd.shuffle(order)
    for rule in ("population_weighted_mean", "simple_mean", "sum"):
        kwargs = {"weights": weights} if rule == "population_weighted_mean" else {}
        a = aggregate(obs, members, rule=rule, coverage=CoverageRule(0, None), **kwargs)
        b = aggregate(
            obs.iloc[order], members.sample(frac=1, random_state=rnd.randint(0, 999)),
            rule=rule, coverage=CoverageRule(0, None),
            **({"weights": weights.iloc[order[::-1]]} if kwargs else {}),
        )  # fmt: skip
        assert b["value"].item() == pytest.approx(a["value"].item(), rel=1e-9, abs=1e-9)
        assert b["n_with_data"].item() == a["n_with_data"].item() == len(pairs)


@settings(max_examples=25, deadline=None)
@given(_values, st.floats(min_value=1e-3, max_value=1e3, allow_nan=False))
def test_scaling_weights_does_not_change_a_weighted_mean(pairs, factor) -> None:  # type: ignore[no-untyped-def]
    obs, weights, members = _frames(pairs)
    a = aggregate(obs, members, rule="population_weighted_mean", weights=weights)
    scaled = weights.assign(weight=weights["weight"] * factor)
    b = aggregate(obs, members, rule="population_weighted_mean", weights=scaled)
    assert b["value"].item() == pytest.approx(a["value"].item(), rel=1e-9, abs=1e-9)
    assert b["coverage_weight"].item() == pytest.approx(a["coverage_weight"].item())
    values = [v for v, _ in pairs]
    assert min(values) - 1e-9 <= a["value"].item() <= max(values) + 1e-9
