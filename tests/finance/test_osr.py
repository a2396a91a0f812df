"""Own-source revenue gap formulas (METHODS.md §4): worked examples computed by hand, the
properties every valid input must keep, and bad inputs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urbanagenda.errors import DataError
from urbanagenda.finance.osr import (
    LicenceCategory,
    PropertyCategory,
    UserCharge,
    business_licence_gap,
    property_tax_gap,
    user_charge_gap,
)

RESIDENTIAL = PropertyCategory("residential", 800, 600, 50_000, 80_000, 0.01)
COMMERCIAL = PropertyCategory("commercial", 200, 150, 200_000, 250_000, 0.02)


def test_property_tax_worked_example() -> None:
    # κ = 1,000 registered / 1,250 estimated = 0.8
    # actual    = 600·50,000·0.01 + 150·200,000·0.02            =   900,000
    # potential = (800·80,000·0.01 + 200·250,000·0.02) / 0.8   = 2,050,000
    # coverage  = 900,000 / 0.8 − 900,000                       =   225,000
    # compliance= 200·50,000·0.01 + 50·200,000·0.02             =   300,000
    # valuation = 600·30,000·0.01 + 150·50,000·0.02             =   330,000
    # residual  = 1,150,000 − 855,000                           =   295,000
    g = property_tax_gap([RESIDENTIAL, COMMERCIAL], estimated_taxpayers=1250)
    assert g.actual == pytest.approx(900_000)
    assert g.potential == pytest.approx(2_050_000)
    assert g.gap == pytest.approx(1_150_000)
    assert g.parts == pytest.approx(
        {"coverage": 225_000, "compliance": 300_000, "valuation": 330_000, "rate": 0}
    )  # no legislated rate given: the rate applied is the legislated one, no rate part
    assert g.residual == pytest.approx(295_000)


def test_user_charge_worked_example() -> None:
    # actual 400·2·300 = 240,000; potential 500·3·300 = 450,000; gap 210,000
    # compliance (500−400)·2·300 = 60,000; rate 400·(3−2)·300 = 120,000; residual 30,000
    g = user_charge_gap(UserCharge("market stalls", 400, 500, 2, 3, 300))
    assert (g.actual, g.potential, g.gap) == (240_000, 450_000, 210_000)
    assert g.parts == {"compliance": 60_000, "rate": 120_000}
    assert g.residual == 30_000


def test_an_over_valued_roll_has_no_negative_gap() -> None:
    over = PropertyCategory("residential", 100, 100, 90_000, 60_000, 0.01)
    g = property_tax_gap([over], estimated_taxpayers=100)
    assert g.actual == pytest.approx(90_000) and g.potential == pytest.approx(60_000)
    assert g.gap == 0.0


# ------------------------------------------------------------------------- properties

counts = st.integers(min_value=1, max_value=100_000)
values = st.floats(min_value=1, max_value=1e7, allow_nan=False)
rates = st.floats(min_value=1e-4, max_value=0.1, allow_nan=False)


@st.composite
def categories(draw: st.DrawFn) -> PropertyCategory:
    registered = draw(counts)
    compliant = draw(st.integers(min_value=0, max_value=registered))
    assessed = draw(values)
    market = assessed * draw(st.floats(min_value=1, max_value=5))  # the roll lags the market
    return PropertyCategory("c", registered, compliant, assessed, market, draw(rates))


@st.composite
def roll(draw: st.DrawFn) -> tuple[list[PropertyCategory], float]:
    cats = draw(st.lists(categories(), min_size=1, max_size=4))
    registered = sum(c.registered for c in cats)
    return cats, registered * draw(st.floats(min_value=1, max_value=3))


@given(roll())
def test_property_tax_properties(case: tuple[list[PropertyCategory], float]) -> None:
    cats, estimated = case
    g = property_tax_gap(cats, estimated_taxpayers=estimated)
    assert g.potential >= g.actual * (1 - 1e-12)
    assert all(v >= -1e-6 for v in g.parts.values())
    # the residual is the parts' interaction: (1/κ − 1)(ΣRMτ − ΣKAτ) + Σ(R−K)(M−A)τ ≥ 0
    assert g.residual >= -1e-6 * max(1.0, g.gap)
    # closing any one part never increases the gap
    full = [PropertyCategory(c.name, c.registered, c.registered, c.assessed_value,
                             c.market_value, c.rate) for c in cats]  # fmt: skip
    revalued = [PropertyCategory(c.name, c.registered, c.compliant, c.market_value,
                                 c.market_value, c.rate) for c in cats]  # fmt: skip
    registered = sum(c.registered for c in cats)
    tol = 1e-9 * max(1.0, g.gap)
    assert property_tax_gap(full, estimated_taxpayers=estimated).gap <= g.gap + tol
    assert property_tax_gap(revalued, estimated_taxpayers=estimated).gap <= g.gap + tol
    assert property_tax_gap(cats, estimated_taxpayers=registered).gap <= g.gap + tol


@given(counts, counts, st.floats(0, 100), st.floats(0, 100), st.integers(1, 366))
def test_user_charge_properties(a: int, b: int, r1: float, r2: float, days: int) -> None:
    users_a, users_est = min(a, b), max(a, b)
    rate_a, rate_pot = min(r1, r2), max(r1, r2)
    g = user_charge_gap(UserCharge("x", users_a, users_est, rate_a, rate_pot, days))
    assert g.potential >= g.actual
    # the residual is (users_est − users_a)·(rate_pot − rate_a)·days, never negative
    assert g.residual == pytest.approx((users_est - users_a) * (rate_pot - rate_a) * days,
                                       abs=1e-6 * max(1.0, g.gap))  # fmt: skip
    paying = user_charge_gap(UserCharge("x", users_est, users_est, rate_a, rate_pot, days))
    assert paying.gap <= g.gap + 1e-9 * max(1.0, g.gap)


# -------------------------------------------------------------------------- bad input


def test_bad_property_inputs_are_all_reported() -> None:
    bad = PropertyCategory("commercial", 10, 12, -5, 100, 0.01)
    with pytest.raises(DataError) as err:
        property_tax_gap([bad], estimated_taxpayers=5)
    text = str(err.value)
    assert "property category 1 ('commercial'): assessed_value is -5" in text
    assert "compliant (12) exceeds registered (10)" in text
    assert "registered properties (10) exceed estimated_taxpayers (5)" in text


@pytest.mark.parametrize(
    ("charge", "found"),
    [
        (UserCharge("parking", 600, 500, 2, 3, 300), "users_actual (600) exceeds users_estimated"),
        (UserCharge("parking", 400, 500, 4, 3, 300), "rate_actual (4) exceeds rate_potential (3)"),
        (UserCharge("parking", 400, 500, 2, 3, float("nan")), "periods is nan"),
    ],
)
def test_bad_user_charge_inputs(charge: UserCharge, found: str) -> None:
    with pytest.raises(DataError, match="invalid user charge inputs") as err:
        user_charge_gap(charge)
    assert found in str(err.value)


def test_no_category_and_no_estimate() -> None:
    with pytest.raises(DataError) as err:
        property_tax_gap([], estimated_taxpayers=0)
    assert "no property category" in str(err.value) and "estimated_taxpayers is 0" in str(err.value)


# ------------------------------------------------------------- legislated rates, licences

RESIDENTIAL_LAW = PropertyCategory("residential", 800, 600, 50_000, 80_000, 0.01, 0.012)


def test_property_tax_with_a_legislated_rate() -> None:
    # κ = 1,000 / 1,250 = 0.8
    # actual    = 600·50,000·0.01 + 150·200,000·0.02               =   900,000
    # potential = (800·80,000·0.012 + 200·250,000·0.02) / 0.8
    #           = (768,000 + 1,000,000) / 0.8                      = 2,210,000
    # gap       = 2,210,000 − 900,000                              = 1,310,000
    # coverage 225,000; compliance 300,000; valuation 330,000 (as without the law's rate)
    # rate      = 600·50,000·(0.012 − 0.01) + 150·200,000·0          =    60,000
    # residual  = 1,310,000 − 915,000                              =   395,000
    g = property_tax_gap([RESIDENTIAL_LAW, COMMERCIAL], estimated_taxpayers=1250)
    assert g.actual == pytest.approx(900_000)
    assert g.potential == pytest.approx(2_210_000)
    assert g.gap == pytest.approx(1_310_000)
    assert g.parts == pytest.approx(
        {"coverage": 225_000, "compliance": 300_000, "valuation": 330_000, "rate": 60_000}
    )
    assert g.residual == pytest.approx(395_000)


SHOPS = LicenceCategory("small shops", 9000, 6000, 4000, 150, 200)
LARGE = LicenceCategory("large firms", 500, 400, 400, 1000)


def test_business_licence_worked_example() -> None:
    # actual    = 4,000·150 + 400·1,000                             = 1,000,000
    # potential = 9,000·200 + 500·1,000                             = 2,300,000
    # gap                                                            = 1,300,000
    # coverage  = 4,000·150·(9,000/6,000 − 1) + 400·1,000·(500/400 − 1)
    #           = 300,000 + 100,000                                  =   400,000
    # compliance= (6,000 − 4,000)·150 + (400 − 400)·1,000            =   300,000
    # rate      = 4,000·(200 − 150) + 400·0                          =   200,000
    # residual  = 1,300,000 − 900,000                                =   400,000
    g = business_licence_gap([SHOPS, LARGE])
    assert (g.actual, g.potential, g.gap) == pytest.approx((1_000_000, 2_300_000, 1_300_000))
    assert g.parts == pytest.approx({"coverage": 400_000, "compliance": 300_000, "rate": 200_000})
    assert g.residual == pytest.approx(400_000)


def test_a_licence_category_nobody_registered_is_all_residual() -> None:
    # E 100, R 0, K 0, fee 50: actual 0, potential 5,000; no coverage part (R = 0): all residual
    g = business_licence_gap([LicenceCategory("street vendors", 100, 0, 0, 50)])
    assert (g.actual, g.potential, g.gap) == (0, 5_000, 5_000)
    assert g.parts == {"coverage": 0, "compliance": 0, "rate": 0}
    assert g.residual == 5_000


def test_monthly_charge_and_annual_tax() -> None:
    # a monthly rent: actual 150·10,000·12 = 18,000,000; potential 200·12,000·12 = 28,800,000
    # compliance 50·10,000·12 = 6,000,000; rate 150·2,000·12 = 3,600,000; residual 50·2,000·12
    g = user_charge_gap(UserCharge("stall rents", 150, 200, 10_000, 12_000, 12, "month"))
    assert (g.actual, g.potential, g.gap) == (18_000_000, 28_800_000, 10_800_000)
    assert g.parts == {"compliance": 6_000_000, "rate": 3_600_000}
    assert g.residual == 1_200_000
    # a yearly levy once a year: actual 80·5e6 = 4e8; potential 120·5e6 = 6e8; all compliance
    levy = user_charge_gap(UserCharge("hotel levy", 80, 120, 5e6, 5e6, 1, "year"))
    assert (levy.gap, levy.parts, levy.residual) == (2e8, {"compliance": 2e8, "rate": 0}, 0)


@pytest.mark.parametrize(
    ("periods", "per", "found"),
    [(13, "month", "periods (13) exceed what a year has (12 per month)"),
     (2, "year", "periods (2) exceed what a year has (1 per year)"),
     (367, "day", "periods (367) exceed what a year has (366 per day)")],
)  # fmt: skip
def test_periods_beyond_the_year(periods: float, per: str, found: str) -> None:
    with pytest.raises(DataError) as err:
        user_charge_gap(UserCharge("x", 1, 1, 1, 1, periods, per))  # type: ignore[arg-type]
    assert found in str(err.value)


def test_bad_rates_and_licences_are_all_reported() -> None:
    over = PropertyCategory("commercial", 10, 5, 100, 100, 0.02, 0.01)
    with pytest.raises(DataError, match=r"rate \(0.02\) exceeds legislated_rate \(0.01\)"):
        property_tax_gap([over], estimated_taxpayers=10)
    bad = LicenceCategory("kiosks", 10, 12, 13, 300, 200)
    with pytest.raises(DataError) as err:
        business_licence_gap([bad])
    text = str(err.value)
    assert "registered (12) exceeds estimated (10)" in text
    assert "compliant (13) exceeds registered (12)" in text
    assert "fee (300) exceeds legislated_fee (200)" in text
    with pytest.raises(DataError, match="no licence category"):
        business_licence_gap([])


@st.composite
def legislated_roll(draw: st.DrawFn) -> tuple[list[PropertyCategory], float]:
    cats, estimated = draw(roll())
    raise_by = [draw(st.floats(min_value=1, max_value=2)) for _ in cats]
    return [replace(c, legislated_rate=c.rate * k) for c, k in zip(cats, raise_by, strict=True)], (
        estimated
    )


@given(legislated_roll(), st.floats(min_value=1e-3, max_value=1e3))
def test_property_tax_with_law_properties(
    case: tuple[list[PropertyCategory], float], k: float
) -> None:
    cats, estimated = case
    g = property_tax_gap(cats, estimated_taxpayers=estimated)
    tol = 1e-9 * max(1.0, g.gap)
    assert g.potential >= g.actual * (1 - 1e-12)
    assert g.gap == pytest.approx(sum(g.parts.values()) + g.residual)
    assert all(v >= -tol for v in g.parts.values())
    # closing the rate part (charging the law's rate) never increases the gap
    lawful = [replace(c, rate=c.legislated_rate) for c in cats]
    assert property_tax_gap(lawful, estimated_taxpayers=estimated).gap <= g.gap + tol
    # money scales: values × k → every figure × k
    scaled = [replace(c, assessed_value=c.assessed_value * k, market_value=c.market_value * k)
              for c in cats]  # fmt: skip
    s = property_tax_gap(scaled, estimated_taxpayers=estimated)
    assert s.gap == pytest.approx(g.gap * k, rel=1e-9, abs=1e-6)
    assert s.actual == pytest.approx(g.actual * k, rel=1e-9)


@st.composite
def licences(draw: st.DrawFn) -> LicenceCategory:
    estimated = draw(counts)
    registered = draw(st.integers(min_value=0, max_value=estimated))
    compliant = draw(st.integers(min_value=0, max_value=registered))
    fee = draw(values)
    return LicenceCategory("c", estimated, registered, compliant, fee,
                           fee * draw(st.floats(min_value=1, max_value=3)))  # fmt: skip


@given(st.lists(licences(), min_size=1, max_size=4), st.floats(min_value=1e-3, max_value=1e3))
def test_business_licence_properties(cats: list[LicenceCategory], k: float) -> None:
    g = business_licence_gap(cats)
    tol = 1e-9 * max(1.0, g.gap)
    assert g.potential >= g.actual
    assert g.gap == pytest.approx(sum(g.parts.values()) + g.residual)
    assert all(v >= -tol for v in g.parts.values())
    for closed in (
        [replace(c, compliant=c.registered) for c in cats],  # compliance
        [replace(c, registered=c.estimated) for c in cats],  # coverage (the gap stays)
        [replace(c, fee=c.legislated_fee) for c in cats],  # rate
    ):
        assert business_licence_gap(closed).gap <= g.gap + tol
    scaled = [replace(c, fee=c.fee * k, legislated_fee=(c.legislated_fee or c.fee) * k)
              for c in cats]  # fmt: skip
    assert business_licence_gap(scaled).gap == pytest.approx(g.gap * k, rel=1e-9, abs=1e-6)
