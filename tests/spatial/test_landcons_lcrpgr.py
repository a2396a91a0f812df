"""11.3.1 LCRPGR: METHODS.md §3 checks, the GHS-UCDB's own value, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pytest

from urbanagenda.errors import MethodError
from urbanagenda.spatial.land_consumption import (
    land_consumption_rate,
    lcrpgr,
    lcrpgr_for_ucdb,
    population_growth_rate,
)

UCDB = (
    Path(__file__).parents[1] / "specimens" / "spatial" / "ghs_ucdb2015_r2019a_v1_2_las_palmas.gpkg"
)


@pytest.mark.parametrize(("formula", "expected"), [("linear", 2.7424), ("log", 2.2239)])
def test_methods_check_100_to_150_km2_and_1_to_1_2_million(formula: str, expected: float) -> None:
    result = lcrpgr(100, 150, 1_000_000, 1_200_000, 2000, 2020, lcr=formula)  # type: ignore[arg-type]
    assert result.value == pytest.approx(expected, abs=5e-5)
    assert result.indicator == "11.3.1"
    assert result.parameters == {"lcr": formula}
    c = result.components
    assert c["years"] == 20
    assert c["population_growth_rate"] == pytest.approx(math.log(1.2) / 20)
    # built-up area per person beside the ratio: 100 km² / 1 M = 100 m²; 150 / 1.2 M = 125 m²
    assert c["built_up_m2_per_person_start"] == pytest.approx(100.0)
    assert c["built_up_m2_per_person_end"] == pytest.approx(125.0)


def test_rates_hand_computed() -> None:
    assert land_consumption_rate(100, 150, 20, "linear") == pytest.approx(0.025)
    assert land_consumption_rate(100, 150, 20, "log") == pytest.approx(math.log(1.5) / 20)
    assert population_growth_rate(2, 1, 10) == pytest.approx(-math.log(2) / 10)


def test_no_value_when_population_does_not_change() -> None:
    result = lcrpgr(100, 150, 5000, 5000, 2000, 2010)
    assert result.value is None
    assert "did not change" in result.components["reason"]
    assert result.components["land_consumption_rate"] == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 150, 1, 2, 2000, 2010), "built-up area of 2000"),
        ((100, 150, -1, 2, 2000, 2010), "population of 2000"),
        ((100, 150, 1, 2, 2010, 2000), "not after"),
        ((100, float("nan"), 1, 2, 2000, 2010), "positive finite"),
    ],
)
def test_bad_input_says_what_and_how(args: tuple, message: str) -> None:
    with pytest.raises(MethodError, match=message):
        lcrpgr(*args)


def test_unknown_formula() -> None:
    with pytest.raises(MethodError, match="linear, log"):
        lcrpgr(1, 2, 1, 2, 2000, 2010, lcr="cubic")  # type: ignore[arg-type]


def test_scaling_population_or_area_units_leaves_ratio_unchanged() -> None:
    base = lcrpgr(24.4, 24.98, 318_413, 443_141, 1990, 2015).value
    assert lcrpgr(24.4, 24.98, 318_413 * 7, 443_141 * 7, 1990, 2015).value == pytest.approx(base)
    assert lcrpgr(2440, 2498, 318_413, 443_141, 1990, 2015).value == pytest.approx(base)


def test_las_palmas_matches_the_ucdb_published_land_use_efficiency() -> None:
    table = gpd.read_file(UCDB)
    frame = lcrpgr_for_ucdb(table, 1990, 2015, lcr="log")
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["id"], row["name"], row["country"]) == (1494, "Las Palmas de Gran Canaria", "ESP")
    # GHS-UCDB R2019A SDG_LUE9015 = 0.071445 (rounded to 6 decimals in the file)
    assert row["components"]["ucdb_published_lue"] == pytest.approx(0.071445, abs=1e-6)
    assert row["value"] == pytest.approx(0.071445, abs=1e-6)
    assert abs(row["components"]["difference"]) < 1e-6
    # BUCAP15 is the UCDB's built-up m² per person in 2015
    assert row["components"]["built_up_m2_per_person_end"] == pytest.approx(
        float(table["BUCAP15"].iloc[0]), rel=1e-6
    )
    linear = lcrpgr_for_ucdb(table, 1990, 2015, lcr="linear").iloc[0]
    assert linear["value"] == pytest.approx(0.072295, abs=1e-6)
    assert row["result"].components["ucdb_published_field"] == "SDG_LUE9015"


def test_ucdb_unknown_epoch_and_missing_columns() -> None:
    table = gpd.read_file(UCDB)
    with pytest.raises(MethodError, match="no epoch 1995"):
        lcrpgr_for_ucdb(table, 1995, 2015)
    with pytest.raises(MethodError, match="no column 'B90'"):
        lcrpgr_for_ucdb(table.drop(columns=["B90"]), 1990, 2015)


def test_ucdb_centre_with_bad_numbers_gets_no_value_not_a_crash() -> None:
    table = gpd.read_file(UCDB)
    table.loc[0, "P90"] = 0
    row = lcrpgr_for_ucdb(table, 1990, 2015).iloc[0]
    assert row["value"] is None
    assert "population of 1990" in row["components"]["reason"]
