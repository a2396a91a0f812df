"""The demo's example analysis and project list (finance/data/examples/): they parse, are
marked as examples, cite their sources, keep the published figures, give estimates as
ranges, and analyse to the hand-computed figures of the README."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from urbanagenda.finance.analysis import analyse
from urbanagenda.finance.invest import parse_plan
from urbanagenda.finance.model import (
    ChargeInput,
    LicenceCategoryInput,
    OsrInput,
    PropertyCategoryInput,
    StreamInput,
)
from urbanagenda.finance.parse import dump_osr, parse_osr


def _load(name: str) -> dict[str, Any]:
    text = resources.files("urbanagenda.finance").joinpath("data", "examples", name).read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def osr_data() -> dict[str, Any]:
    return _load("freetown_osr.yaml")


@pytest.fixture(scope="module")
def osr(osr_data: dict[str, Any]) -> OsrInput:
    return parse_osr(osr_data, file="freetown_osr.yaml")


def _stream(inp: OsrInput, year: int, kind: str) -> StreamInput:
    (y,) = [y for y in inp.years if y.year == year]
    (s,) = [s for s in y.streams if s.kind == kind]
    return s


# --------------------------------------------------------------------------- the OSR file


def test_example_parses_and_is_marked_as_an_example(osr: OsrInput) -> None:
    assert osr.example is True
    assert osr.name == "Freetown City Council"
    assert osr.area_code == "sl_freetown"
    assert osr.currency == "SLE"
    assert [y.year for y in osr.years] == [2021, 2022]
    assert "not an official analysis" in osr.note
    for year in osr.years:
        kinds = {s.kind for s in year.streams}
        assert {"property_tax", "business_licence", "user_charge_short"} <= kinds


def test_every_source_is_cited_in_full_and_used(osr: OsrInput) -> None:
    ids = {s.id for s in osr.sources}
    for source in osr.sources:
        assert source.url and source.url.startswith("https://"), source.id
        assert len(source.citation) > 40, source.id
    cited: set[str] = set()
    for year in osr.years:
        cited |= set(year.fiscal.sources)
        for stream in year.streams:
            cited |= set(stream.sources)
            # every stream says where its figures come from, or that they are estimates
            assert stream.note, (year.year, stream.name)
    assert cited <= ids
    # the market dues cite nothing because nothing is published: their note says so
    assert "no published figure" in _stream(osr, 2021, "user_charge_short").note
    assert ids <= cited  # every listed source is cited by a stream or a year


def test_published_figures_are_kept_exactly(osr: OsrInput) -> None:
    # 160,000 geo-mapped properties, 80 % billed up to NLe 500 (FCC 2020)
    for year, paid_share in ((2021, 0.24), (2022, 0.35)):
        prop = _stream(osr, year, "property_tax")
        cats = [c for c in prop.categories if isinstance(c, PropertyCategoryInput)]
        assert sum(c.registered.central for c in cats) == 160_000
        assert cats[0].registered.central == 0.8 * 160_000
        for cat in cats:  # the share of property rates paid (mayor, 2021 and 2023)
            assert cat.compliant.central == pytest.approx(paid_share * cat.registered.central)
            assert cat.assessed_value.central == 500  # the NLe 500 (Le500,000) threshold
    for year, paid_share in ((2021, 0.17), (2022, 0.45)):
        (lic,) = _stream(osr, year, "business_licence").categories
        assert isinstance(lic, LicenceCategoryInput)
        assert lic.compliant.central == pytest.approx(paid_share * lic.registered.central)
    pop = osr.years[0].fiscal.population
    assert pop is not None and (pop.central, pop.low) == (1_055_964, 606_701)
    assert osr.years[1].fiscal.usd_rate == 13.0


def test_unpublished_figures_are_ranges(osr: OsrInput) -> None:
    for year in osr.years:
        prop = _stream(osr, year.year, "property_tax")
        assert prop.estimated is not None and prop.estimated.is_range
        for cat in prop.categories:
            assert isinstance(cat, PropertyCategoryInput)
            assert cat.rate.is_range  # the average bill is not published
        (lic,) = _stream(osr, year.year, "business_licence").categories
        assert isinstance(lic, LicenceCategoryInput)
        assert lic.estimated.is_range and lic.registered.is_range and lic.fee.is_range
        (charge,) = _stream(osr, year.year, "user_charge_short").charges
        assert isinstance(charge, ChargeInput)
        assert charge.users_estimated.is_range and charge.users_actual.is_range
        assert charge.rate.is_range
        assert year.fiscal.population is not None and year.fiscal.population.is_range


def test_example_round_trips_through_the_plain_form(osr: OsrInput) -> None:
    assert parse_osr(dump_osr(osr)) == osr


def test_example_analyses_to_the_hand_computed_figures(osr: OsrInput) -> None:
    result = analyse(osr)
    by_year = {y.year: y for y in result.years}
    # 2022, property rates (κ = 160,000 / 168,000 = 1 / 1.05):
    #   actual    = 44,800·500·0.5 + 11,200·500·3 = 11.2 m + 16.8 m = 28.0 m
    #   potential = (128,000·500·0.5 + 32,000·500·3)·1.05 = 80 m·1.05 = 84.0 m; gap 56.0 m
    #   coverage  = 28.0 m·1.05 − 28.0 m = 1.4 m
    #   compliance = 83,200·250 + 20,800·1,500 = 20.8 m + 31.2 m = 52.0 m; valuation = rate = 0
    y22 = by_year[2022]
    prop = {s.kind: s for s in y22.streams}["property_tax"]
    assert prop.actual.central == pytest.approx(28.0e6)
    assert prop.potential.central == pytest.approx(84.0e6)
    assert prop.gap.central == pytest.approx(56.0e6)
    assert prop.parts["coverage"].central == pytest.approx(1.4e6)
    assert prop.parts["compliance"].central == pytest.approx(52.0e6)
    assert prop.parts["valuation"].central == pytest.approx(0.0, abs=1e-6)
    assert prop.residual.central == pytest.approx(2.6e6)
    # business licences 2022: actual 10,800·1,000 = 10.8 m; potential 30,000·1,000 = 30 m;
    #   coverage = 10.8 m·(30,000/24,000 − 1) = 2.7 m; compliance = 13,200·1,000 = 13.2 m
    lic = {s.kind: s for s in y22.streams}["business_licence"]
    assert (lic.actual.central, lic.potential.central) == pytest.approx((10.8e6, 30.0e6))
    assert lic.parts["coverage"].central == pytest.approx(2.7e6)
    assert lic.parts["compliance"].central == pytest.approx(13.2e6)
    # market dues: actual 6,000·2·300 = 3.6 m; potential 10,000·3·300 = 9.0 m;
    #   compliance 4,000·2·300 = 2.4 m; rate 6,000·1·300 = 1.8 m
    dues = {s.kind: s for s in y22.streams}["user_charge_short"]
    assert (dues.actual.central, dues.potential.central) == pytest.approx((3.6e6, 9.0e6))
    assert dues.parts["rate"].central == pytest.approx(1.8e6)
    # totals: 2021 19.2 + 4.08 + 3.6 = 26.88 m; 2022 28.0 + 10.8 + 3.6 = 42.4 m
    assert by_year[2021].total.actual.central == pytest.approx(26.88e6)
    assert y22.total.actual.central == pytest.approx(42.4e6)
    assert y22.total.potential.central == pytest.approx(123.0e6)
    # per capita 42.4 m / 1,055,964 = 40.15 SLE = 3.09 USD at 13 SLE per dollar
    assert y22.fiscal.osr_per_capita == pytest.approx(42.4e6 / 1_055_964)
    assert y22.fiscal.osr_per_capita_usd == pytest.approx(42.4e6 / 1_055_964 / 13.0)
    # the ranges hold the central values
    assert prop.gap.low <= prop.gap.central <= prop.gap.high
    # recommendations: property compliance (52 m, 93 % of the gap) comes first; coverage
    # (1.4 m, 2.5 %) is below the 5 % threshold
    recs = [r for r in y22.recommendations if r.stream == "Property rates"]
    assert recs[0].part == "compliance"
    assert "coverage" not in {r.part for r in recs}


# --------------------------------------------------------------------------- the projects


def test_project_list_parses_and_is_marked_as_an_example() -> None:
    plan = parse_plan(_load("freetown_projects.yaml"), file="freetown_projects.yaml")
    assert plan.example is True
    assert plan.area_code == "sl_freetown"
    assert plan.currency == "SLE"
    assert [p.id for p in plan.projects] == ["P1", "P2", "P3", "P4", "P5"]
    for project in plan.projects:
        assert "Published" in project.note, project.id  # each says what is published
    by_id = {p.id: p for p in plan.projects}
    # IRUMP: US$50 m grant + US$2 m counterpart = US$52 m at 13 SLE per dollar
    assert by_id["P1"].cost == 52e6 * 13
    assert by_id["P1"].cofinancing == round(50 / 52, 2)
    # RUSLP subcomponent 1b: US$23 m, IDA grant
    assert (by_id["P2"].cost, by_id["P2"].cofinancing) == (23e6 * 13, 1.0)
    # budget: 5 years × 20 % × 42.4 m SLE (the example's 2022 actual OSR)
    assert plan.budget == pytest.approx(5 * 0.2 * 42.4e6)
    for source in plan.sources:
        assert source.url and source.url.startswith("http"), source.id
