"""Areas: countries, regions, groups and cities from the bundled real data."""

from __future__ import annotations

import doctest
import importlib.util
import shutil
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import urbanagenda.model.areas as areas_module
from urbanagenda.errors import ConfigError, DataError
from urbanagenda.model.areas import (
    AREA_COLUMNS,
    HIERARCHIES,
    KINDS,
    LANGS,
    Area,
    Areas,
    UnknownAreaError,
    load_areas,
    read_areas,
)

ROOT = Path(__file__).resolve().parents[2]
DERIVED = Path(str(resources.files("urbanagenda").joinpath("data", "derived", "areas")))
SDG_REGIONS = {"202", "747", "62", "753", "419", "543", "53", "513"}


@pytest.fixture(scope="module")
def areas() -> Areas:
    return load_areas()


def _build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_areas.py"
    spec = importlib.util.spec_from_file_location("urbanagenda_build_areas_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# -- contents ------------------------------------------------------------------------------


def test_every_m49_country_and_territory_is_a_country(areas: Areas) -> None:
    overview = pd.read_csv(
        DERIVED.parents[1] / "m49" / "unsd_m49_overview.csv",
        dtype=str,
        keep_default_na=False,
    )
    expected = {str(int(c)) for c in overview["M49 Code"]}
    countries = set(areas.frame.loc[areas.frame["kind"] == "country", "code"])
    assert len(expected) == 248
    assert expected <= countries
    assert len(countries) >= 249
    # country-level codes of CL_AREA the overview lacks: Kosovo, Sark, Taiwan Province
    assert {"412", "680", "158"} <= countries
    assert areas.get("412").iso3 == "XKX"


def test_one_kind_per_code_and_the_regions_and_groups(areas: Areas) -> None:
    frame = areas.frame
    assert list(frame.columns) == list(AREA_COLUMNS)
    assert frame["code"].is_unique
    assert set(frame["kind"]) <= set(KINDS)
    kind = dict(zip(frame["code"], frame["kind"], strict=True))
    assert kind["1"] == "world"
    assert {c for c, k in kind.items() if k == "sdg_region"} == SDG_REGIONS
    assert kind["11"] == kind["15"] == kind["151"] == "sdg_subregion"
    assert kind["2"] == kind["142"] == kind["9"] == "region"
    assert kind["830"] == "intermediate_region"
    assert {c for c, k in kind.items() if k == "group"} == {"199", "432", "722"}
    # other aggregates of the SDG database: income groups, developed regions, ...
    assert kind["910"] == kind["514"] == kind["515"] == kind["97"] == "other_group"
    assert areas.get("202").name == "Sub-Saharan Africa"


def test_nigeria_is_in_western_africa_and_sub_saharan_africa(areas: Areas) -> None:
    assert areas.get("566").name == "Nigeria"
    assert areas.parents_of("566", "sdg") == ["11"]
    assert areas.get("11").name == "Western Africa"
    assert areas.ancestors("566", "sdg") == ["11", "202", "1"]
    assert areas.ancestors("566", "m49") == ["11", "202", "2", "1"]
    assert areas.parents_of("566", "group") == []


def test_sdg_hierarchy_follows_the_sdg_regional_groupings(areas: Areas) -> None:
    assert areas.children("1", "sdg") == sorted(
        [*SDG_REGIONS, "10"], key=lambda c: int(c)
    )  # Antarctica belongs to no SDG region
    assert areas.ancestors("818", "sdg") == ["15", "747", "1"]  # Egypt
    assert areas.ancestors("4", "sdg") == ["34", "62", "1"]  # Afghanistan
    assert areas.ancestors("156", "sdg") == ["30", "753", "1"]  # China
    assert areas.ancestors("36", "sdg") == ["53", "1"]  # Australia
    assert areas.ancestors("242", "sdg") == ["54", "543", "1"]  # Fiji
    assert areas.ancestors("616", "sdg") == ["151", "513", "1"]  # Poland
    assert areas.ancestors("840", "sdg") == ["21", "513", "1"]  # United States
    assert areas.ancestors("32", "sdg") == ["5", "419", "1"]  # Argentina
    # CL_AREA 1.14 puts Congo in Western Africa; M49 and UN-Habitat in Middle Africa.
    assert areas.parents_of("178", "sdg") == ["17"]
    # Guernsey: Channel Islands (from CL_AREA) in M49, Northern Europe in the SDG grouping.
    assert areas.ancestors("831", "m49") == ["830", "154", "150", "1"]
    assert areas.ancestors("831", "sdg") == ["154", "513", "1"]
    countries = areas.frame.loc[areas.frame["kind"] == "country", "code"]
    linked = [c for c in countries if areas.parents_of(c, "m49")]
    for code in linked:
        if code != "10":
            assert SDG_REGIONS & set(areas.ancestors(code, "sdg")), code


def test_groups_ldc_lldc_sids(areas: Areas) -> None:
    assert set(areas.parents_of("4", "group")) == {"199", "432"}  # Afghanistan
    assert "199" not in areas.parents_of("566", "group")  # Nigeria is not an LDC
    assert areas.parents_of("242", "group") == ["722"]  # Fiji
    ldc = areas.members("199", "group")
    assert "4" in ldc and "566" not in ldc
    assert len(ldc) == 44
    assert len(areas.members("432", "group")) == 32
    assert len(areas.members("722", "group")) == 53


def test_members_are_transitive_and_kind_filtered(areas: Areas) -> None:
    ssa = areas.members("202")
    assert "566" in ssa and "818" not in ssa
    assert "818" in areas.members("747")
    assert areas.members("202", kind="sdg_subregion") == ["11", "14", "17", "18"]
    assert set(areas.members("202", kind=None)) >= {"11", "566"}
    world = areas.members("1")
    assert len(world) == len(set(world)) >= 249
    # former countries and parts of countries are not counted in any region
    for code in ("736", "827", "369", "891"):
        assert areas.get(code).kind == "country"
        assert code not in world
        assert areas.parents_of(code) == []
    assert areas.get("827").country_code == "826"
    uae_cities = areas.members("784", "city", "city")
    assert "ae_dubayy" in uae_cities
    assert all(areas.get(c).country_code == "784" for c in uae_cities)


def test_children_and_parents_of(areas: Areas) -> None:
    assert areas.children("202", "sdg") == ["11", "14", "17", "18"]
    assert "566" in areas.children("11")
    assert set(areas.parents_of("566")) == {"11"}
    assert set(areas.parents_of("4")) == {"34", "199", "432"}
    assert areas.parents_of("ae_dubayy") == ["784"]
    with pytest.raises(DataError, match="hierarchy"):
        areas.children("1", "continents")


def test_every_parent_link_points_to_an_existing_area(areas: Areas) -> None:
    parents = areas.parents
    assert list(parents.columns) == ["child", "parent", "hierarchy"]
    assert set(parents["child"]) <= areas.codes
    assert set(parents["parent"]) <= areas.codes
    assert set(parents["hierarchy"]) == set(HIERARCHIES)
    assert not parents.duplicated().any()
    country_codes = areas.frame["country_code"].dropna()
    assert set(country_codes) <= areas.codes


def test_names_in_the_six_un_languages(areas: Areas) -> None:
    names = areas.names
    china = names[names["code"] == "156"].set_index("lang")["name"]
    assert china["zh"] == "中国"
    assert china["en"] == "China"
    assert china["fr"] == "Chine"
    assert china["ru"] == "Китай"
    assert china["ar"] == "الصين"
    assert set(china.index) == set(LANGS)
    assert areas.name("156", "zh") == "中国"
    assert areas.name("202", "zh") == "Sub-Saharan Africa"  # English when none is known
    assert not names.duplicated(["code", "lang"]).any()
    assert set(names.loc[names["lang"] == "en", "code"]) == areas.codes
    with_chinese = names.loc[names["lang"] == "zh", "code"]
    assert len(with_chinese) >= 245


# -- cities ----------------------------------------------------------------------------------


def test_cities_with_names_and_countries(areas: Areas) -> None:
    cities = areas.frame[areas.frame["kind"] == "city"]
    assert len(cities) >= 5000
    readable = cities[cities["name_source"] != "derived_from_city_id"]
    assert len(readable) >= 1000
    assert cities["country_code"].notna().all()
    assert cities["code"].str.fullmatch(r"[a-z0-9_]+").all()
    assert "nociti" not in areas.codes  # the "no city" rows of the city series


def test_dubai(areas: Areas) -> None:
    dubai = areas.get("ae_dubayy")
    assert dubai.kind == "city"
    assert dubai.country_code == "784"
    assert dubai.name == "Dubayy (Dubai)"
    assert dubai.name_source == "unhabitat_open_spaces_2024"
    assert areas.parents_of("ae_dubayy", "city") == ["784"]


def test_city_names_derived_from_the_id_are_marked(areas: Areas) -> None:
    cotonou = areas.get("bj_cotonou")
    assert (cotonou.name, cotonou.name_source, cotonou.country_code) == (
        "Cotonou",
        "derived_from_city_id",
        "204",
    )
    assert areas.get("mx_agu_san_jose_de_gracia").name == "San Jose de Gracia"
    # a city only in the UN-Habitat workbooks keeps the workbook's code, lower-cased
    workbook_only = areas.get("af_herat")
    assert workbook_only.country_code == "4"
    assert workbook_only.name_source in {"unhabitat_open_spaces_2024", "unhabitat_green_areas_2024"}


# -- resolve -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("004", "4"),
        ("4", "4"),
        (" 4 ", "4"),
        ("4.0", "4"),
        (4, "4"),
        (4.0, "4"),
        (np.int64(566), "566"),
        ("NGA", "566"),
        ("nga", "566"),
        ("NG", "566"),
        ("NA", "516"),  # Namibia, not a missing value
        ("AE_DUBAYY", "ae_dubayy"),
        ("ae_dubayy", "ae_dubayy"),
        (" Ae_Dubayy ", "ae_dubayy"),
        ("001", "1"),
        ("XK", "412"),
        ("XYZ", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("4.5", None),
        ("-4", None),
        ("nociti", None),
        ("Nigeria", None),
        (True, None),
    ],
)
def test_resolve(areas: Areas, raw: object, code: str | None) -> None:
    assert areas.resolve(raw) == code


def test_resolve_series_on_a_sample(areas: Areas) -> None:
    raw = ["004", "NGA", "AE_DUBAYY", " 566 ", "xyz", None, "4.0", "NA", "1"]
    values = pd.Series(raw * 1000, name="GeoAreaCode", index=range(5, 9005))
    out = areas.resolve_series(values)
    assert out.dtype == object
    assert out.name == "GeoAreaCode"
    assert out.index.equals(values.index)
    expected = ["4", "566", "ae_dubayy", "566", None, None, "4", "516", "1"]
    assert out.iloc[:9].tolist() == expected
    assert out.tolist() == [areas.resolve(v) for v in values]


def test_resolve_series_numeric_and_string_dtypes(areas: Areas) -> None:
    ints = pd.Series([4, 566, 999999, 4])
    assert areas.resolve_series(ints).tolist() == ["4", "566", None, "4"]
    floats = pd.Series([4.0, np.nan, 784.0])
    assert areas.resolve_series(floats).tolist() == ["4", None, "784"]
    text = pd.Series(["004", pd.NA, "ngA"], dtype="string")
    assert areas.resolve_series(text).tolist() == ["4", None, "566"]
    assert areas.resolve_series(pd.Series([], dtype=object)).tolist() == []


# -- get, search -----------------------------------------------------------------------------


def test_get_accepts_raw_codes_and_rejects_unknown_ones(areas: Areas) -> None:
    assert areas.get("004") == areas.get("4")
    assert areas.get("4") == Area(
        "4", "country", "Afghanistan", "AF", "AFG", "4", "unsd_m49_overview"
    )
    with pytest.raises(UnknownAreaError, match="unknown area 'XYZ'") as info:
        areas.get("XYZ")
    assert isinstance(info.value, KeyError) and isinstance(info.value, DataError)


def test_area_is_validated_on_construction() -> None:
    with pytest.raises(DataError, match="not canonical"):
        Area("004", "country", "Afghanistan")
    with pytest.raises(DataError, match="kind"):
        Area("4", "nation", "Afghanistan")


def test_search_in_any_language(areas: Areas) -> None:
    assert areas.search("nigeria") == ["566"]
    assert areas.search("中国", lang="zh")[0] == "156"
    assert areas.search("cote d'ivoire")[0] == "384"  # accents ignored
    assert areas.search("Кита")[0] == "156"
    assert "ae_dubayy" in areas.search("dubai")
    assert areas.search("nigeria", lang="zh") == []
    assert areas.search("sub-saharan africa")[0] == "202"
    with pytest.raises(DataError, match="empty"):
        areas.search("  ")
    with pytest.raises(DataError, match="language"):
        areas.search("china", lang="de")


def test_load_areas_is_cached(areas: Areas) -> None:
    assert load_areas() is areas


def test_module_examples() -> None:
    result = doctest.testmod(areas_module)
    assert result.attempted > 0 and result.failed == 0


# -- bad bundled files ---------------------------------------------------------------------------


def _copy_tables(tmp_path: Path) -> Path:
    folder = tmp_path / "areas"
    folder.mkdir()
    for stem in ("areas", "names", "parents"):
        shutil.copy(DERIVED / f"{stem}.csv", folder / f"{stem}.csv")
    return folder


def test_a_missing_table_is_a_config_error(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    (folder / "parents.csv").unlink()
    with pytest.raises(ConfigError, match=r"parents\.csv is missing.*build_areas\.py"):
        read_areas(folder)


def test_a_table_with_wrong_columns_is_a_config_error(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    (folder / "names.csv").write_text("code,language,label\n4,en,Afghanistan\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"names\.csv has the columns"):
        read_areas(folder)


def test_a_link_to_an_unknown_area_is_a_config_error(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    with (folder / "parents.csv").open("a", encoding="utf-8") as handle:
        handle.write("566,99999999,sdg\n")
    with pytest.raises(ConfigError, match=r"parent that is not an area.*99999999"):
        read_areas(folder)


def test_a_table_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    folder = _copy_tables(tmp_path)
    (folder / "areas.csv").write_bytes(b"code,kind\n\xff\xfe,\x00\n")
    with pytest.raises(ConfigError, match=r"areas\.csv"):
        read_areas(folder)


def test_the_copied_tables_read_back_equal(tmp_path: Path, areas: Areas) -> None:
    again = read_areas(_copy_tables(tmp_path))
    pd.testing.assert_frame_equal(again.frame, areas.frame)
    pd.testing.assert_frame_equal(again.parents, areas.parents)


# -- the derived files ---------------------------------------------------------------------------


@pytest.mark.slow
def test_committed_tables_equal_a_fresh_build() -> None:
    build = _build_script()
    tables = build.build()
    assert build.differences(tables, DERIVED) == []


def test_city_name_rule() -> None:
    rule = _build_script().city_name_from_id
    assert rule("ae_dubayy") == "Dubayy"
    assert rule("ae_abu_zaby") == "Abu Zaby"
    assert rule("co_ant_santa_fe_de_antioquia") == "Santa Fe de Antioquia"
    assert rule("co_bogota") == "Bogota"
