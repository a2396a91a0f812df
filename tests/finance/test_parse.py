"""The OSR input format: what it reads, its defaults, the round trip through the plain form,
and bad inputs — every problem reported at once, with where it is."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance.model import ChargeInput, Estimate, PropertyCategoryInput, SourceRef
from urbanagenda.finance.parse import dump_osr, parse_osr
from urbanagenda.finance.uncertainty import MAX_RANGED

# The format as the brief writes it (PyYAML reads 1.2e10 and 2.0e6 as text: they must pass).
EXAMPLE = """
format: urbanagenda-osr/1
local_government: Freetown City Council
area: sl_freetown
country: "694"
currency: SLE
example: true
note: "an illustration"
sources:
  - {id: fcc2020, citation: "Freetown City Council (2020) budget", url: "https://example.org"}
years:
  - year: 2020
    streams:
      - {kind: other_tax, charges: [{name: hotel levy, users_estimated: 120, users_actual: 80,
                                      rate: 5.0e6}]}
  - year: 2019
    fiscal:
      population: 1055964
      gdp_per_capita: {low: 4.9e6, central: 5.3e6, high: 5.7e6}
      household_size: 5.1
      usd_rate: 9010
      sources: [fcc2020]
    streams:
      - kind: property_tax
        name: Property rates
        estimated: {central: 120000, low: 110000, high: 140000}
        actual_reported: 1.2e10
        sources: [fcc2020]
        note: ""
        categories:
          - {name: residential, registered: 100000, compliant: 60000, assessed_value: 2.0e6,
             market_value: {central: 3.0e6, high: 4.0e6}, rate: 0.01, legislated_rate: 0.012}
      - kind: business_licence
        name: Business licences
        categories:
          - {name: small shops, estimated: 9000, registered: 6000, compliant: 4000,
             fee: 150000, legislated_fee: 200000}
      - kind: user_charge_short
        name: Market dues
        charges:
          - {name: market stalls, users_estimated: 5000, users_actual: 3500, rate: 2000,
             legislated_rate: 3000, periods: 300}
      - kind: user_charge_long
        charges: [{name: shop rents, users_estimated: 200, users_actual: 150, rate: 10000,
                   periods: 12}]
      - kind: user_charge_mixed
        name: Parking
        charges:
          - {name: daily, users_estimated: 100, users_actual: 80, rate: 500, periods: 250,
             per: day}
          - {name: permits, users_estimated: 40, users_actual: 40, rate: 8000, periods: 12,
             per: month}
"""


def example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE)
    assert isinstance(data, dict)
    return data


def test_the_example_reads_with_its_defaults() -> None:
    inp = parse_osr(example(), file="ex.yaml")
    assert (inp.name, inp.currency, inp.area_code, inp.country_code, inp.example) == (
        "Freetown City Council", "SLE", "sl_freetown", "694", True
    )  # fmt: skip
    assert inp.sources == (SourceRef("fcc2020", "Freetown City Council (2020) budget",
                                     "https://example.org"),)  # fmt: skip
    assert [y.year for y in inp.years] == [2019, 2020]  # sorted
    y2019 = inp.years[0]
    assert y2019.fiscal.gdp_per_capita == Estimate(5.3e6, 4.9e6, 5.7e6)
    assert y2019.fiscal.usd_rate == 9010 and y2019.fiscal.sources == ("fcc2020",)
    prop = y2019.streams[0]
    assert prop.estimated == Estimate(120_000, 110_000, 140_000)
    assert prop.actual_reported == 1.2e10
    assert prop.categories[0] == PropertyCategoryInput(
        "residential", Estimate(1e5), Estimate(6e4), Estimate(2e6), Estimate(3e6, None, 4e6),
        Estimate(0.01), Estimate(0.012)
    )  # fmt: skip
    # per: day for short charges, month for long ones; a stream without a name has its kind's
    assert y2019.streams[2].charges[0].per == "day"
    assert (y2019.streams[3].name, y2019.streams[3].charges[0].per) == (
        "User charges (long-term)", "month"
    )  # fmt: skip
    assert y2019.streams[3].charges[0].legislated_rate is None  # = the rate charged
    assert [c.per for c in y2019.streams[4].charges] == ["day", "month"]
    # other taxes: once a year unless told
    levy = inp.years[1].streams[0]
    assert (levy.name, levy.charges[0]) == ("Other taxes", ChargeInput(
        "hotel levy", Estimate(120), Estimate(80), Estimate(5e6), None, Estimate(1), "year"
    ))  # fmt: skip


def test_round_trip_through_the_plain_form() -> None:
    inp = parse_osr(example())
    plain = dump_osr(inp)
    assert parse_osr(plain) == inp
    assert parse_osr(json.loads(json.dumps(plain))) == inp  # JSON, as the API sends it
    assert parse_osr(yaml.safe_load(yaml.safe_dump(plain))) == inp
    assert plain["years"][0]["streams"][0]["categories"][0]["market_value"] == {
        "central": 3e6, "high": 4e6
    }  # fmt: skip
    assert "legislated_rate" not in plain["years"][0]["streams"][3]["charges"][0]


def test_small_conveniences() -> None:
    data = example()
    data["currency"] = "sle"
    data["country"] = "004"
    inp = parse_osr(data)
    assert (inp.currency, inp.country_code) == ("SLE", "4")


def issues(data: Any) -> list[tuple[str, str | None]]:
    with pytest.raises(ValidationFailed) as err:
        parse_osr(data, file="bad.yaml")
    assert all(i.file == "bad.yaml" for i in err.value.report.issues)
    return [(i.code, i.column) for i in err.value.report.issues]


def test_every_problem_is_reported_at_once() -> None:
    data = example()
    data["currency"] = "LEONE"
    data["colour"] = "red"
    data["years"][1]["year"] = 2020  # duplicate of years[0]
    y = data["years"][1]
    y["fiscal"]["population"] = -5
    y["fiscal"]["sources"] = ["fcc2021"]
    prop = y["streams"][0]
    prop["categories"][0]["compliant"] = 200_000  # > registered
    prop["categories"][0]["rate"] = 0.02  # > legislated 0.012
    prop["categories"][0]["market_vlaue"] = 1
    y["streams"][1]["categories"][0]["registered"] = 10_000  # > estimated 9,000
    y["streams"][1]["categories"][0]["fee"] = "150 000 Le"
    y["streams"][2]["charges"][0]["users_actual"] = 6000  # > users_estimated 5,000
    y["streams"][2]["charges"][0]["periods"] = 400  # > 366 days
    y["streams"][3]["kind"] = "user_charge_longterm"
    del y["streams"][4]["charges"][1]["per"]  # mixed charges must say
    y["streams"][4]["name"] = "Market dues"  # duplicate name in the year
    y["streams"].append({"kind": "other_tax", "charges": []})
    assert issues(data) == [
        ("unknown-field", "colour"),
        ("out-of-range", "years[1].fiscal.population"),
        ("unknown-code", "years[1].fiscal.sources[0]"),
        ("unknown-field", "years[1].streams[0].categories[0].market_vlaue"),
        ("rule-broken", "years[1].streams[0].categories[0].compliant"),
        ("rule-broken", "years[1].streams[0].categories[0].rate"),
        ("non-numeric-value", "years[1].streams[1].categories[0].fee"),
        ("rule-broken", "years[1].streams[1].categories[0].registered"),
        ("out-of-range", "years[1].streams[2].charges[0].periods"),
        ("rule-broken", "years[1].streams[2].charges[0].users_actual"),
        ("unknown-code", "years[1].streams[3].kind"),
        ("missing-value", "years[1].streams[4].charges[1].per"),
        ("duplicate-key", "years[1].streams[4].name"),
        ("missing-value", "years[1].streams[5].charges"),
        ("duplicate-key", "years[1].year"),
        ("out-of-range", "currency"),
    ]


def test_messages_say_what_where_and_how_to_fix() -> None:
    data = example()
    data["years"][1]["streams"][0]["categories"][0]["compliant"] = 200_000
    data["years"][1]["streams"][0]["categories"][0]["market_vlaue"] = 1
    with pytest.raises(ValidationFailed) as err:
        parse_osr(data, file="bad.yaml")
    text = str(err.value)
    assert (
        "[rule-broken] bad.yaml, column 'years[1].streams[0].categories[0].compliant': "
        "years[1].streams[0].categories[0]: compliant (200,000) exceeds registered (100,000); "
        "only registered properties can pay."
    ) in text
    assert "did you mean 'market_value'?" in text


def test_missing_fields_and_wrong_shapes() -> None:
    assert issues({"years": "2019"}) == [
        ("missing-value", "local_government"),
        ("missing-value", "currency"),
        ("parse-error", "years"),
    ]
    assert issues([1, 2]) == [("parse-error", None)]
    assert issues({**example(), "format": "rosra/2"}) == [("unknown-format", "format")]
    year: dict[str, Any] = {"year": "twenty", "streams": [{"name": "x"}, 3]}
    assert issues({**example(), "years": [year]}) == [
        ("impossible-year", "years[0].year"),
        ("missing-value", "years[0].streams[0].kind"),
        ("parse-error", "years[0].streams[1]"),
    ]


def test_ranges_are_ordered_and_registered_stays_positive() -> None:
    data = example()
    cat = data["years"][1]["streams"][0]["categories"][0]
    cat["registered"] = {"central": 100_000, "low": 0, "high": 110_000}  # Σ low = 0
    lic = data["years"][1]["streams"][1]["categories"][0]
    lic["compliant"] = {"central": 4000, "low": 5000, "high": 5500}  # low > central
    charge = data["years"][1]["streams"][2]["charges"][0]
    charge["users_estimated"] = {"central": 5000, "low": 3000, "high": 3100}  # high < central
    assert issues(data) == [
        ("rule-broken", "years[1].streams[0].categories"),
        ("rule-broken", "years[1].streams[1].categories[0].compliant.low"),
        ("rule-broken", "years[1].streams[2].charges[0].users_estimated.central"),
    ]


def test_ranges_that_cross_a_rule_are_allowed() -> None:
    # centrals keep the rules; some combinations of the bounds break them (moved when analysed)
    data = example()
    lic = data["years"][1]["streams"][1]["categories"][0]
    lic["compliant"] = {"central": 4000, "low": 3000, "high": 7000}
    lic["registered"] = {"central": 6000, "low": 5000, "high": 9500}
    lic["estimated"] = {"central": 9000, "low": 6000, "high": 9400}
    charge = data["years"][1]["streams"][2]["charges"][0]
    charge["rate"] = {"central": 2000, "low": 1000, "high": 4000}
    charge["legislated_rate"] = {"central": 3000, "low": 2500, "high": 3500}
    prop = data["years"][1]["streams"][0]
    prop["estimated"] = {"central": 100_000, "low": 90_000}
    prop["categories"][0]["registered"] = {"central": 100_000, "high": 120_000}
    inp = parse_osr(data)
    assert inp.years[0].streams[1].categories[0].compliant == Estimate(4000, 3000, 7000)


def test_too_many_ranged_inputs_in_a_stream() -> None:
    data = example()
    stream = data["years"][1]["streams"][4]
    fields = ("users_estimated", "users_actual", "rate", "periods")
    for charge in stream["charges"]:
        for f in fields:
            charge[f] = {"central": float(charge[f]), "low": float(charge[f]) * 0.9}
    stream["charges"].append({**copy.deepcopy(stream["charges"][0]), "name": "evening"})
    assert len(stream["charges"]) * len(fields) == MAX_RANGED - 2
    parse_osr(data)  # 12 ranged inputs
    stream["charges"].append({**copy.deepcopy(stream["charges"][0]), "name": "night"})
    with pytest.raises(ValidationFailed) as err:
        parse_osr(data)
    (issue,) = err.value.report.issues
    assert (issue.code, issue.column) == ("rule-broken", "years[1].streams[4]")
    assert f"has 16 inputs with ranges; at most {MAX_RANGED}" in issue.message
    assert issue.fix is not None and "give ranges only to the estimated inputs" in issue.fix


def test_sources_are_checked() -> None:
    data = example()
    data["sources"].append({"id": "fcc2020", "citation": "again"})
    data["sources"].append({"citation": "no id"})
    data["years"][1]["streams"][0]["sources"] = ["fcc2019"]
    assert issues(data) == [
        ("duplicate-key", "sources[1].id"),
        ("missing-value", "sources[2].id"),
        ("unknown-code", "years[1].streams[0].sources[0]"),
    ]
