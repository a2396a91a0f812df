"""Own-source revenue gap formulas (METHODS.md §4): worked examples computed by hand, the
properties every valid input must keep, and bad inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urbanagenda.errors import DataError
from urbanagenda.finance.osr import (
    PropertyCategory,
    UserCharge,
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
