"""The OSR analysis: every stream kind worked by hand through ``analyse``, totals, fiscal
indicators, trends, warnings, properties over random inputs, and its speed."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanagenda.finance.analysis import analyse
from urbanagenda.finance.model import OsrResult, Range, StreamResult
from urbanagenda.finance.parse import parse_osr


def osr(*years: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"local_government": "Testville", "currency": "XXX", **top, "years": list(years)}


PROPERTY = {
    "kind": "property_tax",
    "name": "Property rates",
    "estimated": 1250,
    "categories": [
        {"name": "residential", "registered": 800, "compliant": 600, "assessed_value": 50_000,
         "market_value": 80_000, "rate": 0.01, "legislated_rate": 0.012},
        {"name": "commercial", "registered": 200, "compliant": 150, "assessed_value": 200_000,
         "market_value": 250_000, "rate": 0.02},
    ],
}  # fmt: skip
LICENCES = {
    "kind": "business_licence",
    "name": "Licences",
    "categories": [
        {"name": "small shops", "estimated": 9000, "registered": 6000, "compliant": 4000,
         "fee": 150, "legislated_fee": 200},
        {"name": "large firms", "estimated": 500, "registered": 400, "compliant": 400,
         "fee": 1000},
    ],
}  # fmt: skip
MARKET = {
    "kind": "user_charge_short",
    "name": "Market dues",
    "charges": [{"name": "stalls", "users_estimated": 5000, "users_actual": 3500, "rate": 20,
                 "legislated_rate": 30, "periods": 300}],
}  # fmt: skip
RENTS = {
    "kind": "user_charge_long",
    "name": "Shop rents",
    "charges": [{"name": "kiosks", "users_estimated": 200, "users_actual": 150, "rate": 1000,
                 "periods": 12}],
}  # fmt: skip
PARKING = {
    "kind": "user_charge_mixed",
    "name": "Parking",
    "charges": [
        {"name": "daily", "users_estimated": 100, "users_actual": 80, "rate": 5,
         "legislated_rate": 6, "periods": 250, "per": "day"},
        {"name": "permits", "users_estimated": 40, "users_actual": 40, "rate": 80,
         "periods": 12, "per": "month"},
    ],
}  # fmt: skip
LEVY = {
    "kind": "other_tax",
    "name": "Hotel levy",
    "charges": [{"name": "hotels", "users_estimated": 120, "users_actual": 80, "rate": 5000}],
}


def figures(s: StreamResult) -> tuple[float, ...]:
    """actual, potential, gap, residual (central values; no ranges in these inputs)."""
    for r in (s.actual, s.potential, s.gap, s.residual, *s.parts.values()):
        assert r.low == pytest.approx(r.central) and r.high == pytest.approx(r.central)
    return (s.actual.central, s.potential.central, s.gap.central, s.residual.central)


def parts(s: StreamResult) -> dict[str, float]:
    return {k: v.central for k, v in s.parts.items()}


def test_every_stream_kind_by_hand() -> None:
    year = {"year": 2019, "streams": [PROPERTY, LICENCES, MARKET, RENTS, PARKING, LEVY]}
    result = analyse(parse_osr(osr(year)))
    prop, lic, market, rents, parking, levy = result.years[0].streams
    # property tax (see test_osr): κ = 0.8; actual 900,000; potential 2,210,000
    assert figures(prop) == pytest.approx((900_000, 2_210_000, 1_310_000, 395_000))
    assert parts(prop) == pytest.approx(
        {"coverage": 225_000, "compliance": 300_000, "valuation": 330_000, "rate": 60_000}
    )
    # licences: actual 1,000,000; potential 2,300,000; coverage 400,000 …
    assert figures(lic) == pytest.approx((1_000_000, 2_300_000, 1_300_000, 400_000))
    assert parts(lic) == pytest.approx({"coverage": 400_000, "compliance": 300_000,
                                        "rate": 200_000})  # fmt: skip
    # market dues, per day: actual 3,500·20·300 = 21,000,000; potential 5,000·30·300 = 45e6
    # compliance 1,500·20·300 = 9e6; rate 3,500·10·300 = 10.5e6; residual 1,500·10·300 = 4.5e6
    assert figures(market) == pytest.approx((21e6, 45e6, 24e6, 4.5e6))
    assert parts(market) == pytest.approx({"compliance": 9e6, "rate": 10.5e6})
    # shop rents, per month: actual 150·1,000·12 = 1.8e6; potential 200·1,000·12 = 2.4e6
    assert figures(rents) == pytest.approx((1.8e6, 2.4e6, 0.6e6, 0))
    assert parts(rents) == pytest.approx({"compliance": 0.6e6, "rate": 0})
    # parking: daily 80·5·250 = 100,000 + permits 40·80·12 = 38,400 → actual 138,400
    # potential 100·6·250 = 150,000 + 38,400 = 188,400; gap 50,000
    # compliance 20·5·250 = 25,000; rate 80·1·250 = 20,000; residual 20·1·250 = 5,000
    assert figures(parking) == pytest.approx((138_400, 188_400, 50_000, 5_000))
    assert parts(parking) == pytest.approx({"compliance": 25_000, "rate": 20_000})
    # hotel levy, once a year: actual 80·5,000 = 400,000; potential 600,000; all compliance
    assert figures(levy) == pytest.approx((400_000, 600_000, 200_000, 0))
    # the total sums the streams, with the parts each stream has
    total = result.years[0].total
    assert total.kind == "total"
    assert figures(total) == pytest.approx((
        900_000 + 1_000_000 + 21e6 + 1.8e6 + 138_400 + 400_000,
        2_210_000 + 2_300_000 + 45e6 + 2.4e6 + 188_400 + 600_000,
        1_310_000 + 1_300_000 + 24e6 + 0.6e6 + 50_000 + 200_000,
        395_000 + 400_000 + 4.5e6 + 0 + 5_000 + 0,
    ))  # fmt: skip
    assert parts(total) == pytest.approx({
        "coverage": 225_000 + 400_000,
        "compliance": 300_000 + 300_000 + 9e6 + 0.6e6 + 25_000 + 200_000,
        "valuation": 330_000,
        "rate": 60_000 + 200_000 + 10.5e6 + 20_000,
    })  # fmt: skip
    assert list(total.parts) == ["coverage", "compliance", "valuation", "rate"]
    assert result.trends == ()
    json.dumps(result.to_dict())  # the JSON shape everyone consumes


LEVY_2019 = {
    "year": 2019,
    "fiscal": {"population": 1_000_000, "gdp_per_capita": 5000, "household_size": 5,
               "usd_rate": 10},
    "streams": [LEVY],
}  # fmt: skip


def test_fiscal_indicators_by_hand() -> None:
    result = analyse(parse_osr(osr(LEVY_2019)))
    f = result.years[0].fiscal
    # actual 400,000 over 1,000,000 people = 0.4 per person = 0.04 USD; potential 0.6
    # per household 0.4 · 5 = 2; share of GDP 400,000 / (1e6 · 5,000) = 8e-5; potential 1.2e-4
    assert (f.population, f.population_source) == (1_000_000, "input")
    assert f.osr_per_capita == pytest.approx(0.4)
    assert f.osr_per_capita_usd == pytest.approx(0.04)
    assert f.potential_per_capita == pytest.approx(0.6)
    assert f.osr_per_household == pytest.approx(2.0)
    assert f.osr_share_gdp == pytest.approx(8e-5)
    assert f.potential_share_gdp == pytest.approx(1.2e-4)
    assert result.warnings == ()


def test_population_from_the_store_or_none() -> None:
    year = {"year": 2019, "streams": [LEVY], "fiscal": {"usd_rate": 10}}
    calls: list[tuple[str | None, str | None, int]] = []

    def lookup(area: str | None, country: str | None, y: int) -> tuple[float, str] | None:
        calls.append((area, country, y))
        return (2_000_000.0, "store: SP_POP_TOTL 2018 (area sl_freetown)")

    inp = parse_osr(osr(year, area="sl_freetown", country="694"))
    f = analyse(inp, population=lookup).years[0].fiscal
    assert calls == [("sl_freetown", "694", 2019)]
    # 400,000 / 2,000,000 = 0.2 per person; no GDP, no household size: those stay None
    assert f.population_source == "store: SP_POP_TOTL 2018 (area sl_freetown)"
    assert f.osr_per_capita == pytest.approx(0.2) and f.osr_per_capita_usd == pytest.approx(0.02)
    assert f.osr_share_gdp is None and f.osr_per_household is None
    bare = analyse(inp, population=lambda a, c, y: None)
    assert bare.years[0].fiscal.population is None and bare.years[0].fiscal.osr_per_capita is None
    assert bare.warnings == (
        "2019: no population, so no per-capita figures or shares of GDP; give "
        "fiscal.population (or an area whose population the store has).",
    )
    assert analyse(inp).warnings == bare.warnings  # no lookup at all


def test_trends_by_hand() -> None:
    later = copy.deepcopy(LEVY_2019)
    later["year"] = 2021
    later["streams"][0]["charges"][0]["users_actual"] = 100
    result = analyse(parse_osr(osr(later, LEVY_2019)))
    assert [y.year for y in result.years] == [2019, 2021]
    trends = {t.metric: t for t in result.trends}
    assert list(trends) == [
        "actual", "potential", "gap", "efficiency", "osr_per_capita", "osr_share_gdp"
    ]  # fmt: skip
    # actual 400,000 → 500,000 over two years: change 100,000; growth √1.25 − 1 = 0.118034
    assert trends["actual"].values == {2019: 400_000, 2021: 500_000}
    assert trends["actual"].change == pytest.approx(100_000)
    assert trends["actual"].annual_growth == pytest.approx(0.118034, abs=1e-6)
    # gap 200,000 → 100,000: growth √0.5 − 1 = −0.292893
    assert trends["gap"].annual_growth == pytest.approx(-0.292893, abs=1e-6)
    # efficiency 2/3 → 5/6: change 1/6
    assert trends["efficiency"].change == pytest.approx(1 / 6)
    assert trends["potential"].change == 0 and trends["potential"].annual_growth == 0
    assert trends["osr_per_capita"].values == pytest.approx({2019: 0.4, 2021: 0.5})
    assert result.to_dict()["trends"][0]["values"] == {"2019": 400_000, "2021": 500_000}


def test_trends_skip_years_without_a_value() -> None:
    y2020 = {"year": 2020, "streams": [LEVY]}  # no population: no per-capita value
    y2022 = copy.deepcopy(LEVY_2019) | {"year": 2022}
    result = analyse(parse_osr(osr(LEVY_2019, y2020, y2022)))
    per_capita = {t.metric: t for t in result.trends}["osr_per_capita"]
    assert per_capita.values == {2019: pytest.approx(0.4), 2020: None, 2022: pytest.approx(0.4)}
    assert per_capita.change == 0 and per_capita.annual_growth == 0


def test_reported_revenue_far_from_the_computed_one_is_warned() -> None:
    near = {**LEVY, "actual_reported": 430_000}  # 7.5 % off: fine
    far = {**MARKET, "actual_reported": 15e6}  # computed 21e6: 40 % off
    result = analyse(parse_osr(osr({"year": 2019, "streams": [near, far],
                                    "fiscal": {"population": 1000}})))  # fmt: skip
    assert result.warnings == (
        "2019, Market dues: the computed actual revenue (21,000,000) differs from the revenue "
        "the accounts report (15,000,000) by 40%; check the counts, values and rates against "
        "the accounts.",
    )
    assert result.years[0].streams[0].actual_reported == 430_000
    assert result.years[0].total.actual_reported == 430_000 + 15e6


def test_recommendations_come_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    from urbanagenda.finance import analysis
    from urbanagenda.finance.model import Recommendation

    seen: list[tuple[str, str, dict[str, float], float]] = []

    def recommend(kind: str, stream: str, parts: Any, gap: float) -> tuple[Recommendation, ...]:
        seen.append((kind, stream, dict(parts), gap))
        amount = max(parts.values())
        return (Recommendation("r", stream, "x", amount, amount / gap, "", "", (), "short", ()),)

    monkeypatch.setattr(analysis, "recommend", recommend)
    result = analyse(parse_osr(osr({"year": 2019, "streams": [LEVY, MARKET]})))
    assert seen == [
        ("other_tax", "Hotel levy", {"compliance": 200_000, "rate": 0}, 200_000),
        ("user_charge_short", "Market dues", {"compliance": 9e6, "rate": 10.5e6}, 24e6),
    ]
    # the year's recommendations: every stream's, largest amount first
    assert [r.stream for r in result.years[0].recommendations] == ["Market dues", "Hotel levy"]
    assert result.years[0].streams[0].recommendations[0].amount == 200_000


# ---------------------------------------------------------------------------- properties


@st.composite
def ranged(draw: st.DrawFn, low: float, high: float) -> Any:
    """A value in [low, high], sometimes with a range around it."""
    central = draw(st.floats(min_value=low, max_value=high))
    if not draw(st.booleans()):
        return central
    return {"central": central, "low": central * draw(st.floats(0.5, 1)),
            "high": central * draw(st.floats(1, 1.5))}  # fmt: skip


@st.composite
def property_streams(draw: st.DrawFn) -> dict[str, Any]:
    cats = []
    total = 0
    for i in range(draw(st.integers(1, 3))):
        registered = draw(st.integers(1, 10_000))
        compliant = draw(st.integers(0, registered))
        total += registered
        assessed = draw(st.floats(1e3, 1e6))
        rate = draw(st.floats(1e-3, 0.05))
        cats.append({
            "name": f"c{i}",
            "registered": registered,
            "compliant": draw(ranged(compliant * 0.5, compliant)) if compliant else 0,
            "assessed_value": assessed,
            "market_value": draw(ranged(assessed, assessed * 3)),
            "rate": rate,
            "legislated_rate": rate * draw(st.floats(1, 2)),
        })  # fmt: skip
    estimated = draw(ranged(total, total * 2))
    return {"kind": "property_tax", "name": "p", "estimated": estimated, "categories": cats}


@st.composite
def charge_streams(draw: st.DrawFn) -> dict[str, Any]:
    users = draw(st.integers(1, 10_000))
    rate = draw(st.floats(0.1, 1e4))
    charge = {
        "name": "c",
        "users_estimated": draw(ranged(users, users * 2)),
        "users_actual": draw(ranged(0, users)),
        "rate": rate,
        "legislated_rate": draw(ranged(rate, rate * 2)),
        "periods": draw(ranged(1, 240)),
        "per": "day",
    }
    return {"kind": "user_charge_mixed", "name": "u", "charges": [charge]}


def money(data: dict[str, Any], k: float) -> dict[str, Any]:
    """``data`` with every amount of money × k (values, fees, rates per period)."""
    out = copy.deepcopy(data)

    def scale(v: Any) -> Any:
        return {b: x * k for b, x in v.items()} if isinstance(v, dict) else v * k

    for year in out["years"]:
        for s in year["streams"]:
            for c in s.get("categories", []):
                for f in ("assessed_value", "market_value", "fee", "legislated_fee"):
                    if f in c:
                        c[f] = scale(c[f])
            for c in s.get("charges", []):
                for f in ("rate", "legislated_rate"):
                    c[f] = scale(c[f])
    return out


def check(r: Range) -> None:
    tol = 1e-9 * max(1.0, abs(r.central))
    assert r.low - tol <= r.central <= r.high + tol


@settings(max_examples=60, deadline=None)
@given(property_streams(), charge_streams(), st.floats(1e-2, 1e2))
def test_analysis_properties(prop: dict[str, Any], charge: dict[str, Any], k: float) -> None:
    data = osr({"year": 2020, "streams": [prop, charge]})
    result = analyse(parse_osr(data))
    year = result.years[0]
    for s in (*year.streams, year.total):
        gap = s.gap.central
        tol = 1e-9 * max(1.0, gap)
        # the parts and the residual add up to the gap; potential ≥ actual (market ≥ assessed,
        # legislated ≥ charged); uncertainty bounds contain the central values
        assert sum(p.central for p in s.parts.values()) + s.residual.central == pytest.approx(
            gap, rel=1e-9, abs=1e-6
        )
        assert s.potential.central >= s.actual.central - tol
        for r in (s.actual, s.potential, s.gap, s.residual, *s.parts.values()):
            check(r)
    # the total's bounds are the sums of the streams' bounds
    assert year.total.gap.low == pytest.approx(sum(s.gap.low for s in year.streams))
    # money × k → gap × k (ranges too)
    scaled = analyse(parse_osr(money(data, k))).years[0].total
    assert scaled.gap.central == pytest.approx(year.total.gap.central * k, rel=1e-6, abs=1e-6)
    assert scaled.gap.high == pytest.approx(year.total.gap.high * k, rel=1e-6, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(property_streams(), charge_streams())
def test_closing_a_part_never_increases_the_gap(
    prop: dict[str, Any], charge: dict[str, Any]
) -> None:
    def central(v: Any) -> float:
        return float(v["central"]) if isinstance(v, dict) else float(v)

    def gap(p: dict[str, Any], c: dict[str, Any]) -> float:
        result = analyse(parse_osr(osr({"year": 2020, "streams": [p, c]})))
        return result.years[0].total.gap.central

    base = gap(prop, charge)
    tol = 1e-9 * max(1.0, base)
    closers = [
        ("compliant", "registered"),  # compliance: every registered property pays
        ("assessed_value", "market_value"),  # valuation: the roll at market value
        ("rate", "legislated_rate"),  # rate: the law's rate charged
    ]
    for small, large in closers:
        closed = copy.deepcopy(prop)
        for c in closed["categories"]:
            c[small] = central(c[large])
        assert gap(closed, charge) <= base + tol
    covered = copy.deepcopy(prop)  # coverage: every property registered
    covered["estimated"] = sum(c["registered"] for c in prop["categories"])
    assert gap(covered, charge) <= base + tol
    for small, large in (("users_actual", "users_estimated"), ("rate", "legislated_rate")):
        closed = copy.deepcopy(charge)
        closed["charges"][0][small] = central(closed["charges"][0][large])
        assert gap(prop, closed) <= base + tol


def test_fast_enough_for_a_web_page() -> None:
    ranges = copy.deepcopy([PROPERTY, LICENCES, MARKET])
    fields = [
        (0, "registered"), (0, "compliant"), (0, "market_value"), (1, "market_value"),
    ]  # fmt: skip
    for i, f in fields:
        v = ranges[0]["categories"][i][f]
        ranges[0]["categories"][i][f] = {"central": v, "low": v * 0.9, "high": v * 1.1}
    for f in ("estimated", "registered", "compliant"):
        v = ranges[1]["categories"][0][f]
        ranges[1]["categories"][0][f] = {"central": v, "low": v * 0.95, "high": v * 1.05}
    for f in ("users_estimated", "users_actual", "periods"):
        v = ranges[2]["charges"][0][f]
        ranges[2]["charges"][0][f] = {"central": v, "low": v * 0.9, "high": v}
    inp = parse_osr(osr(*({"year": y, "streams": ranges} for y in (2019, 2020, 2021))))
    analyse(inp)  # warm up
    start = time.perf_counter()
    result: OsrResult = analyse(inp)
    assert time.perf_counter() - start < 0.5  # about 10 ms on a laptop
    assert result.years[0].total.gap.low < result.years[0].total.gap.central


def test_an_over_assessed_category_is_warned_and_its_valuation_part_is_negative() -> None:
    # one category, all registered and paying, roll value 2,000 above the market's 1,000:
    # actual = 100·2,000·0.01 = 2,000; potential = 100·1,000·0.01 / 1 = 1,000; gap = 0;
    # valuation = 100·(1,000 − 2,000)·0.01 = −1,000; residual = 0 − (−1,000) = 1,000
    data = {
        "local_government": "Testville", "currency": "KES",
        "years": [{"year": 2024, "streams": [{
            "kind": "property_tax", "name": "Rates", "estimated": 100,
            "categories": [{"name": "all", "registered": 100, "compliant": 100,
                            "assessed_value": 2000, "market_value": 1000, "rate": 0.01}],
        }]}],
    }  # fmt: skip
    inp = parse_osr(data)
    result = analyse(inp)
    (stream,) = result.years[0].streams
    assert stream.gap.central == 0
    assert stream.parts["valuation"].central == pytest.approx(-1000)
    assert stream.residual.central == pytest.approx(1000)
    assert any("exceeds the market value" in w and "Rates, all" in w for w in result.warnings)
