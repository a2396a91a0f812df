"""A city's indicator gaps per SDG 11 target (the investment ranking's need criterion): one
series' need by hand, and golden values on the demo database (the city's own data, its
country's when the city has none, a value the spatial engine stored)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from urbanagenda.errors import DataError
from urbanagenda.finance.needs import city_needs, series_need
from urbanagenda.store.engine import open_engine
from urbanagenda.store.load import load_files


@pytest.fixture(scope="module")
def demo(demo_db: str) -> Engine:
    return open_engine(demo_db)


def test_shortfall_to_a_numeric_target() -> None:
    # public transport access (increase), target 100, lower limit 0: (100 − 27.6) / 100
    need, how = series_need(27.6, [27.6], increasing=True, target=100, limit=0)
    assert need == pytest.approx(0.724) and "(100 − 27.6) / (100 − 0)" in how
    # slum share (decrease), target 0, natural limit 100: 50.65 / 100
    assert series_need(50.65, [], increasing=False, target=0, limit=100)[0] == 0.5065
    # beyond the target: nothing is needed
    assert series_need(90, [90], increasing=True, target=80, limit=0)[0] == 0.0
    assert series_need(-5, [-5], increasing=False, target=0, limit=100)[0] == 0.0
    # no limit: the worst latest value of the areas of the same kind, (20 − 10) / (50 − 10)
    assert series_need(20, [5, 20, 50], increasing=False, target=10)[0] == 0.25
    # (80 − 30) / (80 − 30): the worst area is the city itself
    assert series_need(30, [30, 60, 90], increasing=True, target=80)[0] == 1.0


def test_standing_among_areas_without_a_target() -> None:
    peers = [1, 2, 2, 3, 4]
    # increasing, v = 2: better 3 and 4, one other equal: (2 + 0.5) / 4
    assert series_need(2, peers, increasing=True)[0] == 0.625
    # decreasing, v = 2: better 1: (1 + 0.5) / 4
    assert series_need(2, peers, increasing=False)[0] == 0.375
    assert series_need(4, peers, increasing=True)[0] == 0.0  # the best
    assert series_need(4, peers, increasing=False)[0] == 1.0  # the worst
    need, how = series_need(7, [7], increasing=True)
    assert need == 0.5 and "only area" in how


def test_freetown_golden_values(demo: Engine) -> None:
    needs = city_needs(demo, "sl_freetown")
    assert list(needs) == ["11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.a",
                           "11.b", "11.c"]  # fmt: skip
    # no slum data for the city: Sierra Leone's (694) 2020 urban slum share 50.65 % → 0.5065,
    # and the number of slum dwellers' standing among countries; the mean of the two
    slum = needs["11.1"]
    assert (slum.area_code, slum.year, slum.series) == (
        "694",
        2020,
        ("EN_LND_SLUM", "EN_LND_SLUMN"),
    )
    assert "(50.65 − 0) / (100 − 0) → 0.51" in slum.explanation
    assert slum.value == pytest.approx(0.5242610873831776)
    # waste collected in the city (2018) with the country's PM2.5 (2019): the city's need
    waste = needs["11.6"]
    assert (waste.area_code, waste.year, waste.series) == (
        "sl_freetown",
        2019,
        ("EN_REF_WASCOL", "EN_ATM_PM25"),
    )
    assert "EN_REF_WASCOL (sl_freetown 2018)" in waste.explanation
    assert "EN_ATM_PM25 (694 2019)" in waste.explanation
    assert waste.value == pytest.approx(0.9458783242868518)
    assert needs["11.7"].value == pytest.approx(0.8369829130269926)
    assert needs["11.7"].series == (
        "EN_URB_OPENSP", "UH_GREEN_AREA_PC", "UH_GREEN_AREA_SHARE", "UH_OPENSP_ACCESS"
    )  # fmt: skip
    # nothing for the city or the country
    for target in ("11.2", "11.3", "11.c"):
        assert needs[target].value is None and needs[target].series == ()
        assert "no data" in needs[target].explanation


def test_a_city_with_its_own_transport_access(demo: Engine) -> None:
    # Kisumu's SP_TRN_PUBL 2020 = 27.6 % against the target 100 %: (100 − 27.6) / 100
    need = city_needs(demo, "ke_kisumu", ["11.2"])["11.2"]
    assert (need.value, need.area_code, need.year) == (pytest.approx(0.724), "ke_kisumu", 2020)


def test_a_country_has_no_fallback(demo: Engine) -> None:
    needs = city_needs(demo, "694", ["11.6", "11.7"])
    assert needs["11.6"].series == ("EN_ATM_PM25",) and needs["11.6"].area_code == "694"
    assert needs["11.7"].value is None
    assert needs["11.7"].explanation == "no data for the series of 11.7 for 694"


def test_a_value_stored_by_the_spatial_engine_counts(demo_db: str, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    engine = open_engine(f"sqlite:///{path}")
    csv = tmp_path / "sdg_11_2_1_computed.csv"  # what compute-batch --store loads
    csv.write_text(
        "series_code,area_code,year,value,unit,nature,source,footnote,sex\n"
        "SP_TRN_PUBL,sl_freetown,2024,40,PT,E,urbanagenda computed (test v1),,_T\n",
        encoding="utf-8",
    )
    assert load_files(engine, [csv]).rows_read == 1
    need = city_needs(engine, "sl_freetown", ["11.2"])["11.2"]
    # (100 − 40) / (100 − 0)
    assert (need.value, need.area_code, need.year) == (pytest.approx(0.6), "sl_freetown", 2024)


def test_bad_requests(demo: Engine) -> None:
    with pytest.raises(DataError, match="unknown area code"):
        city_needs(demo, "xx_atlantis")
    with pytest.raises(DataError, match=r"unknown SDG 11 target\(s\) 11\.9"):
        city_needs(demo, "sl_freetown", ["11.1", "11.9"])
