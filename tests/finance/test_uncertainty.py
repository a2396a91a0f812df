"""Uncertainty ranges and sensitivity, worked by hand: combinations of the ranged inputs,
combinations moved onto the rules, the limit on ranged inputs, and the sensitivity table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from urbanagenda.errors import DataError
from urbanagenda.finance.analysis import analyse
from urbanagenda.finance.model import ChargeInput, Estimate, Range, StreamInput
from urbanagenda.finance.parse import parse_osr
from urbanagenda.finance.uncertainty import (
    MAX_RANGED,
    evaluate,
    sensitivity,
    stream_inputs,
    stream_ranges,
)


def streams(*raw: dict[str, Any]) -> tuple[StreamInput, ...]:
    inp = parse_osr({"local_government": "T", "currency": "XXX",
                     "years": [{"year": 2020, "streams": list(raw)}]})  # fmt: skip
    return inp.years[0].streams


def levy(**charge: Any) -> dict[str, Any]:
    base = {"name": "hotels", "users_estimated": 120, "users_actual": 80, "rate": 5000}
    return {"kind": "other_tax", "name": "Hotel levy", "charges": [base | charge]}


def test_ranges_over_every_combination_by_hand() -> None:
    (stream,) = streams(levy(users_actual={"central": 80, "low": 60, "high": 100},
                             users_estimated={"central": 120, "low": 90, "high": 150}))  # fmt: skip
    # (users paying, users there are) → gap = (est − paying)·5,000
    # centre (80, 120) → 200,000; (60, 90) → 150,000; (60, 150) → 450,000;
    # (100, 90) breaks the rule: paying moved onto 90 → 0; (100, 150) → 250,000
    # actual = paying·5,000: 400,000; 300,000; 300,000; 450,000; 500,000
    # potential = est·5,000: 600,000; 450,000; 750,000; 450,000; 750,000
    ranges = stream_ranges(stream)
    r = ranges.result
    assert r.gap == Range(200_000, 0, 450_000)
    assert r.actual == Range(400_000, 300_000, 500_000)
    assert r.potential == Range(600_000, 450_000, 750_000)
    assert r.parts["compliance"] == Range(200_000, 0, 450_000)
    assert r.parts["rate"] == Range(0, 0, 0) and r.residual == Range(0, 0, 0)
    assert (ranges.ranged, ranges.combinations, ranges.moved) == (2, 4, 1)


def test_a_combination_moved_onto_the_rules_is_said() -> None:
    raw = levy(users_actual={"central": 80, "low": 60, "high": 100},
               users_estimated={"central": 120, "low": 90, "high": 150})  # fmt: skip
    result = analyse(parse_osr({"local_government": "T", "currency": "XXX", "years": [
        {"year": 2020, "streams": [raw], "fiscal": {"population": 10}}]}))  # fmt: skip
    assert result.warnings == (
        "2020, Hotel levy: 1 of the 4 combinations of the input ranges broke a rule "
        "(compliant ≤ registered ≤ estimated, rate ≤ legislated rate) and were moved onto it "
        "for the ranges.",
    )


PROPERTY = {
    "kind": "property_tax",
    "name": "Rates",
    "estimated": 100,
    "categories": [
        {"name": "a", "registered": 50, "compliant": 40, "assessed_value": 100,
         "market_value": 100, "rate": 0.01},
        {"name": "b", "registered": {"central": 30, "high": 150}, "compliant": 20,
         "assessed_value": 100, "market_value": 100, "rate": 0.01},
    ],
}  # fmt: skip


def test_registered_above_the_estimate_is_scaled_down_together() -> None:
    (stream,) = streams(PROPERTY)
    # centre: κ = 80/100; actual (40 + 20)·1 = 60; potential 80·1/0.8 = 100; gap 40
    #   coverage 60/0.8 − 60 = 15; compliance 10 + 10 = 20; residual 5
    # b registered 150: Σ 200 > 100, both scaled by ½ → 25 and 75 (κ = 1); a's compliant 40
    #   moved onto 25; actual (25 + 20)·1 = 45; potential 100; gap 55; coverage 0;
    #   compliance (25 − 25 + 75 − 20)·1 = 55
    slots = stream_inputs(stream)
    central = np.array([s.estimate.central for s in slots])
    high = central.copy()
    high[[s.path for s in slots].index("categories[1].registered")] = 150
    figures, moved = evaluate(stream, slots, np.vstack([central, high]))
    assert list(moved) == [False, True]
    centre, scaled = figures.at(0), figures.at(1)
    assert (centre.actual, centre.potential, centre.gap) == pytest.approx((60, 100, 40))
    assert (centre.parts["coverage"], centre.parts["compliance"]) == pytest.approx((15, 20))
    assert centre.residual == pytest.approx(5)
    assert (scaled.actual, scaled.potential, scaled.gap) == pytest.approx((45, 100, 55))
    assert (scaled.parts["coverage"], scaled.parts["compliance"]) == pytest.approx((0, 55))
    gap = stream_ranges(stream).result.gap
    assert (gap.central, gap.low, gap.high) == pytest.approx((40, 40, 55))


def test_rates_and_periods_are_moved_onto_their_limits() -> None:
    (stream,) = streams(levy(rate={"central": 5000, "high": 7000}, legislated_rate=6000,
                             periods={"central": 1, "low": 0.5}))  # fmt: skip
    # rate 7,000 is moved onto the law's 6,000: actual 80·6,000 = 480,000 at most
    r = stream_ranges(stream).result
    assert r.actual == Range(400_000, 200_000, 480_000)  # low: 80·5,000·0.5
    assert r.parts["rate"] == Range(80_000, 0, 80_000)  # 80·(6,000 − 5,000); 0 at the cap


def test_too_many_ranged_inputs() -> None:
    def est(v: float) -> Estimate:
        return Estimate(v, v * 0.9)

    charge = ChargeInput("a", est(10), est(5), est(2), est(3), est(10), "day")
    three = (charge, replace(charge, name="b"), replace(charge, name="c"))
    stream = StreamInput("user_charge_mixed", "Parking", charges=three)
    assert sum(s.estimate.is_range for s in stream_inputs(stream)) == 15 > MAX_RANGED
    with pytest.raises(DataError, match="has 15 inputs with ranges; at most 14 are allowed"):
        stream_ranges(stream)


def test_sensitivity_by_hand() -> None:
    parking = {"kind": "user_charge_mixed", "name": "Parking", "charges": [
        {"name": "bays", "users_estimated": 10, "users_actual": 10, "rate": 100,
         "legislated_rate": 200, "periods": 100, "per": "day"}]}  # fmt: skip
    items = sensitivity(streams(levy(), parking))
    # base: levy gap (120 − 80)·5,000 = 200,000 + parking (10·200 − 10·100)·100 = 100,000
    by = {i.input: i for i in items}
    est = by["streams[0].charges[0].users_estimated"]
    # 108 users → 28·5,000 = 140,000 (+100,000); 132 → 260,000 (+100,000)
    assert (est.gap_minus, est.gap_plus) == pytest.approx((240_000, 360_000))
    assert est.elasticity == pytest.approx((360_000 - 240_000) / 300_000 / 0.2)  # 2.0
    assert est.label == "Hotel levy · hotels · users estimated" and est.base == 120
    assert est.gap_low is None and est.gap_high is None
    paying = by["streams[0].charges[0].users_actual"]  # 72 → 340,000; 88 → 260,000
    assert (paying.gap_minus, paying.gap_plus) == pytest.approx((340_000, 260_000))
    assert paying.elasticity == pytest.approx(-4 / 3)
    rate = by["streams[0].charges[0].rate"]  # no legislated rate: the law's moves with it
    assert (rate.gap_minus, rate.gap_plus) == pytest.approx((280_000, 320_000))
    periods = by["streams[0].charges[0].periods"]  # 1.1 a year is moved onto 1
    assert (periods.gap_minus, periods.gap_plus) == pytest.approx((280_000, 300_000))
    bays = by["streams[1].charges[0].users_estimated"]  # 9 bays: paying moved onto 9
    assert (bays.gap_minus, bays.gap_plus) == pytest.approx((290_000, 320_000))
    # sorted by swing (ties by input): 120k, 80k, 40k, 40k, 30k, 20k ×3, 10k
    assert [i.input for i in items] == [
        "streams[0].charges[0].users_estimated",
        "streams[0].charges[0].users_actual",
        "streams[0].charges[0].rate",
        "streams[1].charges[0].legislated_rate",
        "streams[1].charges[0].users_estimated",
        "streams[0].charges[0].periods",
        "streams[1].charges[0].periods",
        "streams[1].charges[0].rate",
        "streams[1].charges[0].users_actual",
    ]


def test_sensitivity_at_the_range_bounds() -> None:
    (stream,) = streams(levy(users_estimated={"central": 120, "low": 100, "high": 200}))
    (est, *_) = sensitivity([stream])
    # 100 users → 20·5,000 = 100,000; 200 → 600,000: the widest swing, so first
    assert est.input == "streams[0].charges[0].users_estimated"
    assert (est.gap_low, est.gap_high) == pytest.approx((100_000, 600_000))


def test_no_gap_no_elasticity() -> None:
    (stream,) = streams(levy(users_actual=120))
    assert all(i.elasticity is None for i in sensitivity([stream]))
