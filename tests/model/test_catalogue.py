"""The indicator catalogue: contents checked against the bundled DSD and DDF data, and loading."""

from __future__ import annotations

import csv
import dataclasses
import doctest
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

import urbanagenda.model.catalogue as catalogue_module
from urbanagenda.errors import ConfigError
from urbanagenda.model.catalogue import (
    AGGREGATIONS,
    Catalogue,
    Series,
    load_catalogue,
    read_catalogue,
)

DATA = Path(str(resources.files("urbanagenda"))) / "data"
DDF = DATA / "un_sdg_goal11_ddf"
STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def dsd() -> ET.Element:
    return ET.parse(DATA / "sdmx" / "IAEG-SDGs_SDG_DSD.xml").getroot()


def _codelist(root: ET.Element, cl_id: str) -> list[ET.Element]:
    for cl in root.iter(f"{STR}Codelist"):
        if cl.get("id") == cl_id:
            return cl.findall(f"{STR}Code")
    raise AssertionError(f"{cl_id} not in the DSD")


def _dsd_indicators(code: ET.Element) -> list[str]:
    out = []
    for ann in code.iter(f"{COM}Annotation"):
        if (ann.findtext(f"{COM}AnnotationTitle") or "") == "Indicator":
            out.append((ann.findtext(f"{COM}AnnotationText") or "").strip())
    return out


def _ddf_series_units() -> dict[str, set[str]]:
    out = {}
    for path in sorted(DDF.glob("ddf--datapoints--*--by--*.csv")):
        code = path.name.split("--")[2].upper()
        with path.open(newline="", encoding="utf-8") as fh:
            out[code] = {row["units"] for row in csv.DictReader(fh)}
    return out


# ----------------------------------------------------------------------------- SDG 11


def test_goal_11_has_10_targets_and_15_indicators(cat: Catalogue) -> None:
    assert list(cat.goals) == ["11"]
    assert list(cat.targets) == [
        "11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.a", "11.b", "11.c"
    ]  # fmt: skip
    assert len(cat.indicators) == 15
    assert [i.code for i in cat.indicators_of_target("11.5")] == ["11.5.1", "11.5.2", "11.5.3"]
    assert cat.indicators_of_target("11.c") == []  # 11.c.1 was deleted in 2020
    assert cat.indicators["11.1.1"].name.startswith(
        "Proportion of urban population living in slums"
    )


def test_every_series_the_dsd_tags_11_is_in_the_catalogue(cat: Catalogue, dsd: ET.Element) -> None:
    tagged = {
        code.get("id"): _dsd_indicators(code)
        for code in _codelist(dsd, "CL_SERIES")
        if any(i.startswith("11.") for i in _dsd_indicators(code))
    }
    assert len(tagged) == 54
    for code, indicators in tagged.items():
        series = cat.series[code]
        assert series.global_series
        assert set(series.indicators) == set(indicators), code
    # the 4 TX_* series of 17.11.1 only look tagged to a naive text search for "11."
    assert "TX_EXP_GBMRCH" not in cat.series


def test_every_goal_11_indicator_has_a_series(cat: Catalogue) -> None:
    for code in cat.indicators:
        assert cat.series_of_indicator(code), code


def test_series_serve_several_indicators(cat: Catalogue) -> None:
    assert cat.series["VC_DSR_MORT"].indicators == ("1.5.1", "11.5.1", "13.1.1")
    assert {s.code for s in cat.series_of_indicator("13.1.1")} >= {"VC_DSR_MORT", "VC_DSR_MISS"}
    links = cat.to_frames()["series_indicator"]
    mort = links[links.series_code == "VC_DSR_MORT"]
    assert sorted(mort.indicator_code) == ["1.5.1", "11.5.1", "13.1.1"]
    assert dict(zip(mort.indicator_code, mort.in_catalogue, strict=True)) == {
        "1.5.1": False, "11.5.1": True, "13.1.1": False
    }  # fmt: skip


def test_ddf_series_are_present_with_the_unit_of_their_data(cat: Catalogue) -> None:
    ddf = _ddf_series_units()
    assert len(ddf) == 42
    for code, raw_units in ddf.items():
        series = cat.series[code]
        assert series.in_ddf, code
        assert {cat.unit_code(u) for u in raw_units} == {series.unit}, code


def test_ddf_concepts_of_goal_11_are_in_the_catalogue(cat: Catalogue) -> None:
    with (DDF / "ddf--concepts--continuous.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if re.search(r"\b11\b", r["goal"])]
    assert len(rows) == 42
    for row in rows:
        indicators = {i.strip() for i in row["indicator"].split(",")}
        assert indicators <= set(cat.series[row["name"]].indicators), row["name"]


def test_key_series_rules(cat: Catalogue) -> None:
    slum = cat.series["EN_LND_SLUM"]
    assert (slum.direction, slum.aggregation, slum.unit) == ("decrease", "sum_of_parts", "PT")
    assert slum.aggregation_weight == "urban_population" and slum.numerator and slum.denominator
    assert (slum.natural_limit, slum.lower_limit) == (100.0, 0.0)
    transport = cat.series["SP_TRN_PUBL"]
    assert transport.aggregation == "population_weighted_mean"
    assert (transport.direction, transport.target_2030) == ("increase", 100.0)
    pm25 = cat.series["EN_ATM_PM25"]
    assert (pm25.direction, pm25.aggregation, pm25.unit) == (
        "decrease", "population_weighted_mean", "GPERM3"
    )  # fmt: skip
    assert pm25.target_2030 is None  # the WHO guideline is not an SDG target
    assert cat.series["SG_GOV_LOGV"].direction is None
    assert cat.series["SG_GOV_LOGV"].aggregation == "sum"
    assert cat.series["EN_LND_CNSPOP"].aggregation == "none"
    assert cat.series["VC_DSR_CHLN"].unit == "CU_USD_M"


def test_every_series_is_fully_described(cat: Catalogue) -> None:
    for s in cat.series.values():
        assert s.aggregation in AGGREGATIONS
        assert s.unit in cat.units
        assert dict(s.value_sources).keys() == set(catalogue_module.SERIES_SOURCE_FIELDS)
        assert set(s.sources) <= set(cat.sources)
        if s.unit == "PT" and s.code != "VC_DSR_LSGP":  # loss can exceed 100 % of GDP
            assert (s.lower_limit, s.natural_limit) == (0.0, 100.0), s.code


def test_unhabitat_series_are_local(cat: Catalogue) -> None:
    local = {c for c, s in cat.series.items() if not s.global_series}
    assert local == {"UH_OPENSP_ACCESS", "UH_GREEN_AREA_SHARE", "UH_GREEN_AREA_PC", "SP_POP_TOTL"}
    assert cat.series["SP_POP_TOTL"].indicators == ()
    assert cat.series["UH_GREEN_AREA_PC"].unit == "SQ_M_PER_CAPITA"
    assert cat.series["UH_GREEN_AREA_SHARE"].aggregation == "simple_mean"
    # slum population has a DSD code, so no local one
    assert "UH_SLUM_POP" not in cat.series and cat.series["EN_LND_SLUMN"].unit == "NUMBER"


# ----------------------------------------------------------------------------- units


def test_unit_code_spellings(cat: Catalogue) -> None:
    for raw in ("percent", "PERCENT", "Percent", "%", "PT", "  pt "):
        assert cat.unit_code(raw) == "PT", raw
    assert cat.unit_code("number") == cat.unit_code("NUMBER") == "NUMBER"
    assert cat.unit_code("µg/m3") == "GPERM3"
    assert cat.unit_code("furlongs per fortnight") is None
    assert cat.unit_code("") is None
    assert cat.unit_code(None) is None  # type: ignore[arg-type]


def test_every_ddf_unit_entity_maps(cat: Catalogue) -> None:
    with (DDF / "ddf--entities--units.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 48
    for row in rows:
        assert cat.unit_code(row["units"]) is not None, row
        assert cat.unit_code(row["name"]) == cat.unit_code(row["units"]), row


def test_every_dsd_unit_maps_to_itself(cat: Catalogue, dsd: ET.Element) -> None:
    codes = _codelist(dsd, "CL_UNIT_MEASURE")
    assert len(codes) == 52
    for code in codes:
        names = [n.text or "" for n in code.findall(f"{COM}Name") if n.get(LANG) == "en"]
        assert cat.unit_code(code.get("id", "")) == code.get("id")
        assert cat.unit_code(names[0]) == code.get("id"), names
        assert cat.units[code.get("id", "")].in_dsd


def test_sdg_export_units_map(cat: Catalogue) -> None:
    path = DATA / "unhabitat" / "sdgdb_format_EN_URB_OPENSP_AFG_cities.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = list(next(rows))
        units = {row[header.index("Units")] for row in rows if row[0] is not None}
    finally:
        wb.close()
    assert units and all(cat.unit_code(str(u)) == "PT" for u in units)


def test_scaled_units_translate_to_sdmx(cat: Catalogue) -> None:
    assert cat.unit_from_sdmx("USD", 6) == "CU_USD_M"
    assert cat.unit_from_sdmx("PT") == "PT"
    assert cat.unit_from_sdmx("NUMBER", 3) == "NUM_TH"
    assert cat.unit_from_sdmx("NOPE") is None
    chln = cat.units["CU_USD_M"]
    assert (chln.sdmx_code, chln.unit_mult, chln.in_dsd) == ("USD", 6, False)


# ----------------------------------------------------------------------------- NUA, UMF, links


def test_nua_structure(cat: Catalogue) -> None:
    sections = {
        c.code: (c.para_first, c.para_last) for c in cat.nua.values() if c.level == "section"
    }
    assert sections == {
        "NUA.TC.1": (25, 42), "NUA.TC.2": (43, 62), "NUA.TC.3": (63, 80),
        "NUA.EI.1": (85, 92), "NUA.EI.2": (93, 125), "NUA.EI.3": (126, 160),
    }  # fmt: skip
    assert (cat.nua["NUA.FR"].para_first, cat.nua["NUA.FR"].para_last) == (161, 175)
    assert cat.nua["NUA.EI.1"].paragraphs_verified
    assert not cat.nua["NUA.TC.2"].paragraphs_verified


def test_umf_has_20_cells(cat: Catalogue) -> None:
    assert len(cat.umf) == 20
    assert len({c.domain for c in cat.umf.values()}) == 5
    assert len({c.objective for c in cat.umf.values()}) == 4
    assert cat.umf["ENV-SAFE"].name == "Safe and peaceful environment"


def test_every_link_points_at_existing_codes(cat: Catalogue) -> None:
    tables = {
        "goal": cat.goals, "target": cat.targets, "indicator": cat.indicators,
        "series": cat.series, "nua": cat.nua, "umf": cat.umf,
    }  # fmt: skip
    assert cat.links
    for link in cat.links:
        assert link.from_code in tables[link.from_kind], link
        assert link.to_code in tables[link.to_kind], link
        assert link.source in cat.sources, link
    kinds = {(link.from_kind, link.to_kind) for link in cat.links}
    assert kinds == {("nua", "target"), ("nua", "goal"), ("indicator", "umf")}
    assert {link.from_code for link in cat.links if link.to_kind == "umf"} == set(cat.indicators)


# ----------------------------------------------------------------------------- API


def test_frames_are_flat_and_complete(cat: Catalogue) -> None:
    frames = cat.to_frames()
    assert set(frames) >= {
        "goals", "targets", "indicators", "series", "series_indicator", "units",
        "nua_commitments", "umf_cells", "framework_links",
    }  # fmt: skip
    assert len(frames["series"]) == len(cat.series)
    assert len(frames["umf_cells"]) == 20
    assert frames["series"]["target_2030"].dtype == "float64"
    for name, frame in frames.items():
        for column in frame.columns:
            kinds = {type(v) for v in frame[column] if v is not None}
            assert not kinds & {tuple, list, dict}, (name, column)
    synonyms = frames["unit_synonyms"]
    assert synonyms.synonym.is_unique
    assert (synonyms.synonym == synonyms.synonym.str.strip().str.lower()).all()


def test_load_is_cached_and_objects_are_frozen(cat: Catalogue) -> None:
    assert load_catalogue() is cat
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.series["EN_LND_SLUM"].direction = "increase"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cat.series["NEW"] = cat.series["EN_LND_SLUM"]  # type: ignore[index]


def test_series_are_validated_on_construction(cat: Catalogue) -> None:
    good = cat.series["EN_LND_SLUM"]
    with pytest.raises(ConfigError, match="direction"):
        dataclasses.replace(good, direction="up")
    with pytest.raises(ConfigError, match="target_2030"):
        dataclasses.replace(good, target_2030=120.0)
    with pytest.raises(ConfigError, match="numerator"):
        dataclasses.replace(good, numerator=None)
    assert isinstance(dataclasses.replace(good, notes="x"), Series)


def test_module_doctests() -> None:
    for module in (catalogue_module, __import__("urbanagenda.model.units").model.units):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module


# ----------------------------------------------------------------------------- broken data


def _patched(name: str, change: str, by: str) -> str:
    text = catalogue_module._package_text(name)
    assert change in text, change
    return text.replace(change, by, 1)


@pytest.mark.parametrize(
    ("name", "change", "by", "message"),
    [
        ("series.yaml", "unit: PT", "unit: PERCENTISH", "unit 'PERCENTISH' is not in units.yaml"),
        ("series.yaml", "direction: decrease", "direction: down", "direction 'down'"),
        ("series.yaml", "aggregation: sum_of_parts", "aggregation: median", "aggregation"),
        ("series.yaml", "name: dsd,", "name: wikipedia,", "unknown source 'wikipedia'"),
        ("series.yaml", 'version: "2025.2"', 'version: "1999.1"', "release all catalogue files"),
        ("series.yaml", "series:", "series: [oops", "cannot be read as YAML"),
        ("sdg11.yaml", "target: '11.1'", "target: 11.1", "quote codes"),
        ("units.yaml", "- code: PT\n", "- code: PT\n  colour: red\n", "unknown keys ['colour']"),
        ("units.yaml", "[percent, PERCENT", "[number, PERCENT", "'number' is given for both"),
        ("umf.yaml", "to: SOC-INCL", "to: SOC-NOPE", "umf 'SOC-NOPE' does not exist"),
        ("nua.yaml", "paragraphs: [85, 92]", "paragraphs: [85, 190]", "paragraphs 85-190"),
    ],
)
def test_broken_files_raise_config_error(name: str, change: str, by: str, message: str) -> None:
    def read_text(file: str) -> str:
        return _patched(file, change, by) if file == name else catalogue_module._package_text(file)

    with pytest.raises(ConfigError) as info:
        read_catalogue(read_text)
    text = str(info.value)
    assert message in text
    assert name in text and "Fix:" in text


def test_missing_file_raises_config_error() -> None:
    def read_text(file: str) -> str:
        if file == "umf.yaml":
            raise FileNotFoundError(file)
        return catalogue_module._package_text(file)

    with pytest.raises(ConfigError, match=r"umf\.yaml.*cannot be read"):
        read_catalogue(read_text)
