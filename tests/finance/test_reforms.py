"""The reforms catalogue (finance/data/reforms.yaml) and the recommendations it gives."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import pytest
import yaml

from urbanagenda.errors import ConfigError, DataError
from urbanagenda.finance import reforms
from urbanagenda.finance.model import PARTS, STREAM_KINDS
from urbanagenda.finance.reforms import STREAM_PARTS, catalogue, recommend


def _raw() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("urbanagenda.finance").joinpath("data", "reforms.yaml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- the catalogue


def test_every_kind_and_part_an_analysis_can_produce_is_covered() -> None:
    assert set(STREAM_PARTS) == set(STREAM_KINDS)
    pairs = [(k, p) for k, ps in STREAM_PARTS.items() for p in ps]
    # property tax 4 + licences 3 + four charge/other kinds × 2 = 15 pairs
    assert len(pairs) == 15
    for kind, part in pairs:
        assert any(e.applies_to(kind, part) for e in catalogue()), (kind, part)


def test_the_issue_examples_are_in_the_catalogue() -> None:
    by_id = {e.id: e for e in catalogue()}
    # outdated valuation roll → revaluation cycle; incomplete registry → address/GIS registry
    assert "revaluation cycle" in by_id["property-revaluation-cycle"].reform
    assert by_id["property-revaluation-cycle"].parts == ("valuation",)
    assert "GIS registry" in by_id["property-register-gis"].reform
    assert by_id["property-register-gis"].parts == ("coverage",)


def test_every_entry_cites_public_guidance_with_a_year_or_a_link() -> None:
    entries = catalogue()
    assert len({e.id for e in entries}) == len(entries)
    for entry in entries:
        assert entry.sources, entry.id
        assert entry.actions and entry.cause and entry.reform, entry.id
        assert entry.horizon in reforms.HORIZONS
        for citation in entry.sources:
            assert re.search(r"\(\d{4}\)|https?://", citation), citation
    cited = {c for e in entries for c in e.sources}
    assert any(c.startswith("Farvacque-Vitkovic, C. and Kopanyi, M. (eds) (2014)") for c in cited)
    assert any("unhabitat.org/rosra" in c for c in cited)


def test_every_source_in_the_file_is_cited_by_some_entry() -> None:
    raw = _raw()
    used = {s for e in raw["entries"] for s in e["sources"]}
    assert used == set(raw["sources"])


def test_catalogue_is_loaded_once_and_serialises_to_json() -> None:
    assert catalogue() is catalogue()
    listing = [e.to_dict() for e in catalogue()]
    assert json.loads(json.dumps(listing)) == listing
    assert listing[0]["id"] == "property-register-gis"
    assert isinstance(listing[0]["actions"], list)


# --------------------------------------------------------------------------- recommend


def test_recommend_hand_example_property_tax() -> None:
    # gap 100 = coverage 50 + compliance 30 + valuation 2 + rate 0 + residual 18.
    # threshold 5 % × 100 = 5: coverage (50) and compliance (30) qualify; valuation (2) is
    # below it, rate (0) is not positive.  Compliance matches two entries.
    recs = recommend(
        "property_tax",
        "Property rates",
        {"coverage": 50.0, "compliance": 30.0, "valuation": 2.0, "rate": 0.0},
        100.0,
    )
    assert [(r.id, r.part, r.amount, r.share) for r in recs] == [
        ("property-register-gis", "coverage", 50.0, 0.5),
        ("property-billing-enforcement", "compliance", 30.0, 0.3),
        ("property-payment-facilitation", "compliance", 30.0, 0.3),
    ]
    assert all(r.stream == "Property rates" for r in recs)
    entry = {e.id: e for e in catalogue()}["property-register-gis"]
    assert recs[0].sources == entry.sources
    assert recs[0].actions == entry.actions
    assert recs[0].horizon == "medium"


def test_recommend_orders_by_amount_not_by_part() -> None:
    # rate 40 > valuation 35 > coverage 25 of a gap of 100
    recs = recommend(
        "property_tax", "PT", {"coverage": 25.0, "valuation": 35.0, "rate": 40.0}, 100.0
    )
    assert [r.part for r in recs] == ["rate", "valuation", "coverage"]
    assert [r.id for r in recs] == [
        "property-rate-schedule",
        "property-revaluation-cycle",
        "property-register-gis",
    ]


def test_threshold_is_inclusive_at_five_percent() -> None:
    # 5 of 100 is exactly 5 %: kept; 4.99 is not
    kept = recommend("business_licence", "BL", {"coverage": 5.0, "rate": 4.99}, 100.0)
    assert [(r.id, r.share) for r in kept] == [("licence-business-census", 0.05)]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("user_charge_short", ["charge-collection-control"]),
        ("user_charge_long", ["charge-lease-management"]),
        ("user_charge_mixed", ["charge-collection-control", "charge-lease-management"]),
        ("other_tax", ["other-tax-taxpayer-register"]),
    ],
)
def test_charges_compliance_entries_follow_the_kind(kind: str, expected: list[str]) -> None:
    recs = recommend(kind, "S", {"compliance": 600.0, "rate": 400.0}, 1000.0)
    compliance = [r.id for r in recs if r.part == "compliance"]
    assert compliance == expected
    assert all(r.share == 0.6 for r in recs if r.part == "compliance")
    assert [r.part for r in recs][-1] == "rate"  # 400 < 600: rate comes last


def test_no_gap_no_recommendation() -> None:
    assert recommend("property_tax", "PT", {"coverage": 10.0}, 0.0) == ()
    assert recommend("property_tax", "PT", {"coverage": 10.0}, -5.0) == ()
    assert recommend("property_tax", "PT", {}, 100.0) == ()


def test_a_part_the_kind_cannot_have_gives_nothing() -> None:
    # licences have no valuation part: no entry applies, nothing is invented
    assert recommend("business_licence", "BL", {"valuation": 100.0}, 100.0) == ()


def test_recommend_rejects_unknown_kinds_parts_and_non_finite_numbers() -> None:
    with pytest.raises(DataError, match=r"unknown stream kind 'property'.*property_tax"):
        recommend("property", "PT", {"coverage": 1.0}, 1.0)
    with pytest.raises(DataError, match=r"'residual'.*not a part"):
        recommend("property_tax", "PT", {"residual": 1.0}, 1.0)
    with pytest.raises(DataError, match="gap, part coverage not a finite number"):
        recommend("property_tax", "PT", {"coverage": math.inf}, math.nan)


# --------------------------------------------------------------------------- validation


def test_a_broken_catalogue_reports_every_problem_at_once() -> None:
    raw = _raw()
    bad = copy.deepcopy(raw)
    first = bad["entries"][0]
    first["parts"] = ["coverge"]  # typo
    first["sources"] = ["nowhere"]  # not in sources
    first["colour"] = "red"  # unknown field
    bad["entries"][1]["horizon"] = "soon"
    bad["entries"][2]["id"] = bad["entries"][3]["id"]  # duplicate id
    with pytest.raises(ConfigError) as err:
        reforms._parse(bad)
    message = str(err.value)
    for expected in (
        "entries[0]: unknown field(s) colour",
        "entries[0].parts: unknown 'coverge'",
        "entries[0].sources: unknown 'nowhere'",
        "entries[1].horizon: 'soon'",
        "entries[3].id: 'property-payment-facilitation' is used twice",
        # entry 0 was the only coverage entry of property tax
        "no entry covers the coverage part of property_tax streams",
    ):
        assert expected in message
    assert "problem(s)" in message


def test_missing_sources_and_citations_are_reported() -> None:
    bad = copy.deepcopy(_raw())
    bad["sources"]["rosra"] = {"url": "https://unhabitat.org/rosra"}
    with pytest.raises(ConfigError, match=r"sources\.rosra\.citation"):
        reforms._parse(bad)
    with pytest.raises(ConfigError, match="mapping"):
        reforms._parse([])


def test_the_bundled_catalogue_parses_without_problems() -> None:
    assert reforms._parse(_raw()) == catalogue()
    assert {p for e in catalogue() for p in e.parts} == set(PARTS)
