"""Capital investment prioritisation: a four-project list scored, ranked and planned by hand,
the envelope's carry-over, unfunded reasons, the weight sensitivity, and the project-list
format (round trip and every bad input reported at once)."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.finance._invest_plan import spearman, varied_weights
from urbanagenda.finance.invest import dump_plan, envelope_from_osr, parse_plan, rank
from urbanagenda.finance.model import (
    DEFAULT_WEIGHTS,
    FiscalIndicators,
    Need,
    PlanResult,
    Range,
    StreamResult,
    YearResult,
)

# City population 1,000,000; money in millions of SLE.  Needs: 11.1 0.8, 11.2 0.4, 11.6 0.6;
# 11.3 and 11.7 have no data (0.5).
NEEDS = {t: Need(t, v) for t, v in (("11.1", 0.8), ("11.2", 0.4), ("11.6", 0.6))}
FOUR = {
    "name": "Four projects",
    "currency": "SLE",
    "start_year": 2026,
    "horizon": 5,
    "budget_by_year": [50, 150, 100, 100, 100],
    "city_population": 1_000_000,
    "projects": [
        {"id": "P1", "name": "Bus corridor", "sector": "transport", "cost": 300, "years": 3,
         "population_served": 400_000, "sdg_targets": ["11.2"],
         "umf_cells": ["SOC-INCL", "ECO-INCL"], "stage": "feasibility", "cost_recovery": 0.2,
         "cofinancing": 0.5, "land_secured": True},
        {"id": "P2", "name": "Slum upgrading", "sector": "housing", "cost": 200, "years": 2,
         "population_served": 100_000, "sdg_targets": ["11.1", "11.7"],
         "umf_cells": ["SOC-INCL"], "stage": "detailed_design", "land_secured": True,
         "environmental_clearance": True},
        {"id": "P3", "name": "Waste transfer station", "sector": "solid_waste", "cost": 100,
         "population_served": 250_000, "sdg_targets": ["11.6"],
         "umf_cells": ["ENV-SUST", "ENV-SAFE", "SOC-SAFE", "GOV-SUST"], "stage": "ready",
         "cost_recovery": 0.5, "environmental_clearance": True},
        {"id": "P4", "name": "Waterfront park", "sector": "public_space", "cost": 500,
         "years": 6, "population_served": 50_000, "sdg_targets": ["11.7", "11.3", "11.1"],
         "stage": "idea", "cofinancing": 0.8},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def four() -> PlanResult:
    return rank(parse_plan(FOUR), needs=NEEDS)


def _criteria(result: PlanResult, pid: str) -> dict[str, float]:
    (sp,) = [sp for sp in result.ranked if sp.project.id == pid]
    return {c.criterion: c.value for c in sp.criteria}


def test_criteria_by_hand(four: PlanResult) -> None:
    # P1: need 0.4 (11.2); reach 400,000/1,000,000; alignment 0.5·1/3 + 0.5·2/4;
    #     readiness feasibility 3/5; bankability (0.2 + 0.5 + 1 + 0)/4;
    #     cost-effectiveness (400,000/300) / (250,000/100) = 1,333.3/2,500
    assert _criteria(four, "P1") == pytest.approx(
        {
            "need": 0.4,
            "reach": 0.4,
            "alignment": 1 / 6 + 0.25,
            "readiness": 0.6,
            "bankability": 0.425,
            "cost_effectiveness": 400_000 / 300 / 2500,
        }
    )
    # P2: need (0.8 + 0.5)/2 (11.7 without data); alignment 0.5·2/3 + 0.5·1/4; 500/2,500
    assert _criteria(four, "P2") == pytest.approx(
        {
            "need": 0.65,
            "reach": 0.1,
            "alignment": 1 / 3 + 0.125,
            "readiness": 0.8,
            "bankability": 0.5,
            "cost_effectiveness": 0.2,
        }
    )
    # P3: alignment 0.5·1/3 + 0.5·4/4; readiness ready = 1; bankability (0.5 + 0 + 0 + 1)/4
    assert _criteria(four, "P3") == pytest.approx(
        {
            "need": 0.6,
            "reach": 0.25,
            "alignment": 1 / 6 + 0.5,
            "readiness": 1.0,
            "bankability": 0.375,
            "cost_effectiveness": 1.0,
        }
    )
    # P4: need (0.5 + 0.5 + 0.8)/3; alignment 0.5·3/3 + 0; bankability 0.8/4; 100/2,500
    assert _criteria(four, "P4") == pytest.approx(
        {
            "need": 0.6,
            "reach": 0.05,
            "alignment": 0.5,
            "readiness": 0.0,
            "bankability": 0.2,
            "cost_effectiveness": 0.04,
        }
    )


def test_scores_and_ranking_by_hand(four: PlanResult) -> None:
    # default weights 0.30 need, 0.15 reach, 0.10 alignment, 0.15 readiness,
    # 0.15 bankability, 0.15 cost-effectiveness:
    # P3 = 0.18 + 0.0375 + 0.066667 + 0.15 + 0.05625 + 0.15 = 0.640417
    # P2 = 0.195 + 0.015 + 0.045833 + 0.12 + 0.075 + 0.03   = 0.480833
    # P1 = 0.12 + 0.06 + 0.041667 + 0.09 + 0.06375 + 0.08   = 0.455417
    # P4 = 0.18 + 0.0075 + 0.05 + 0 + 0.03 + 0.006          = 0.273500
    assert [sp.project.id for sp in four.ranked] == ["P3", "P2", "P1", "P4"]
    assert [sp.rank for sp in four.ranked] == [1, 2, 3, 4]
    assert [sp.score for sp in four.ranked] == pytest.approx(
        [0.640417, 0.480833, 0.455417, 0.2735], abs=1e-6
    )
    for sp in four.ranked:
        assert sum(c.contribution for c in sp.criteria) == pytest.approx(sp.score)
        assert {c.criterion: c.weight for c in sp.criteria} == pytest.approx(DEFAULT_WEIGHTS)
    p4 = four.ranked[3]
    assert p4.flags == (
        "no indicator data for 11.7: need taken as 0.5",
        "no indicator data for 11.3: need taken as 0.5",
    )
    assert [n.target for n in four.needs] == ["11.1", "11.2", "11.3", "11.6", "11.7"]
    assert [n.value for n in four.needs] == [0.8, 0.4, None, 0.6, None]
    assert any("no indicator data for 11.3, 11.7" in w for w in four.warnings)


def test_plan_with_carry_over_and_unfunded_reasons(four: PlanResult) -> None:
    # envelope 50, 150, 100, 100, 100 → cumulative 50, 200, 300, 400, 500
    # P3 (100 in one year): 2026 would need 100 > 50, so 2027 (cumulative 100 ≤ 200)
    # P2 (100 a year, 2 years): 2026 no; 2027: cumulative 0, 200, 300 ≤ 50, 200, 300 — the
    #     50 left in 2026 carries over into 2027's 200 of spending
    # P1 (city cost 300·(1 − 0.5) = 150, 50 a year over 3): best start 2028, cumulative
    #     spending 350 against 300 by 2028 → needs 50 more by 2028
    # P4: 6 years > the 5-year horizon
    assert [(e.project_id, e.start_year, e.end_year) for e in four.plan] == [
        ("P3", 2027, 2027),
        ("P2", 2027, 2028),
    ]
    assert four.plan[1].city_cost_by_year == {2027: 100.0, 2028: 100.0}
    assert four.unfunded["P1"].startswith("needs 50 SLE more by 2028 (starting in 2028)")
    assert four.unfunded["P4"].startswith("takes 6 years, longer than the 5-year horizon")
    assert four.spent_by_year == {2026: 0.0, 2027: 200.0, 2028: 100.0, 2029: 0.0, 2030: 0.0}
    assert four.envelope_by_year == {2026: 50, 2027: 150, 2028: 100, 2029: 100, 2030: 100}
    assert four.envelope_source == "budget by year"
    json.dumps(four.to_dict())  # plain JSON values


def test_carry_over_funds_later_spending_but_nothing_is_borrowed() -> None:
    one = {"id": "A", "name": "A", "sector": "other", "cost": 300, "population_served": 1}
    front = parse_plan(
        {"name": "x", "start_year": 2026, "horizon": 3, "budget_by_year": [300, 0, 0],
         "projects": [one | {"years": 3}]}
    )  # fmt: skip
    (entry,) = rank(front).plan  # 100 a year, paid out of 2026's money carried over
    assert (entry.start_year, entry.end_year) == (2026, 2028)
    back = replace(front, budget_by_year=(0.0, 0.0, 300.0))
    # 2028's money cannot pay for 2026 or 2027: cumulative spending 100, 200 against 0, 0
    result = rank(back)
    assert result.plan == () and result.unfunded["A"].startswith("needs 200 more by 2027")
    late = replace(back, projects=(replace(back.projects[0], years=1),))
    assert [(e.start_year, e.end_year) for e in rank(late).plan] == [(2028, 2028)]


def test_a_lower_ranked_project_fills_what_is_left() -> None:
    big = {"id": "BIG", "name": "b", "sector": "other", "cost": 1000, "population_served": 9e5,
           "stage": "ready"}  # fmt: skip
    small = {"id": "SMALL", "name": "s", "sector": "other", "cost": 100, "population_served": 1}
    plan = parse_plan({"name": "x", "budget": 500, "projects": [big, small]})
    result = rank(plan)
    assert [sp.project.id for sp in result.ranked] == ["BIG", "SMALL"]
    assert [e.project_id for e in result.plan] == ["SMALL"]
    # 100 a year: even in the last year the cumulative envelope is 500 short of 1,000
    assert result.unfunded["BIG"].startswith(f"needs 500 more by {plan.start_year + 4}")


def test_ties_go_to_the_lower_city_cost_then_the_id() -> None:
    base = {"name": "p", "sector": "other", "cost": 100, "population_served": 100}
    plan = parse_plan({"name": "x", "projects": [base | {"id": "B"}, base | {"id": "A"}]})
    assert [sp.project.id for sp in rank(plan).ranked] == ["A", "B"]
    # twice the cost for twice the people: the same cost-effectiveness; with reach weighing
    # nothing every criterion that counts is equal, so the lower city cost (B's 100) wins
    twice = base | {"id": "A", "cost": 200, "population_served": 200}
    doc = {"name": "x", "weights": {"reach": 0}, "projects": [base | {"id": "B"}, twice]}
    ranked = rank(parse_plan(doc)).ranked
    assert [sp.project.id for sp in ranked] == ["B", "A"]
    assert ranked[0].score == ranked[1].score


def test_weights_are_rescaled_and_a_subset_overrides_the_defaults() -> None:
    doc = FOUR | {"weights": {c: 2 for c in DEFAULT_WEIGHTS}}
    result = rank(parse_plan(doc), needs=NEEDS)
    assert [c.weight for c in result.ranked[0].criteria] == pytest.approx([1 / 6] * 6)
    plan = parse_plan(FOUR | {"weights": {"need": 0.7}})
    assert plan.weights == DEFAULT_WEIGHTS | {"need": 0.7}
    # need 0.7 / 1.4 = 0.5: P2 (need 0.65) rises above P3?  P2 = 0.5·0.65 + 0.5·0.285833/0.7
    # = 0.529167; P3 = 0.5·0.6 + 0.5·0.460417/0.7 = 0.628869: P3 still first
    ranked = rank(plan, needs=NEEDS).ranked
    assert [round(sp.score, 6) for sp in ranked[:2]] == [0.628869, 0.529167]


def test_reach_without_city_population_is_relative_to_the_list() -> None:
    result = rank(parse_plan({k: v for k, v in FOUR.items() if k != "city_population"}))
    # largest population served: P1 400,000 → P3 250,000 / 400,000
    assert _criteria(result, "P3")["reach"] == pytest.approx(0.625)
    assert any("no city population given" in w for w in result.warnings)


def test_a_ranking_without_an_envelope() -> None:
    doc = {k: v for k, v in FOUR.items() if k != "budget_by_year"}
    result = rank(parse_plan(doc), needs=NEEDS)
    assert result.plan == () and set(result.unfunded) == {"P1", "P2", "P3", "P4"}
    assert result.envelope_source == "none"
    assert any("ranking only" in w for w in result.warnings)
    assert result.sensitivity.plan_changes == ()


def _year_result(actual: float, gap: float) -> dict[str, Any]:
    r = Range.exact
    total = StreamResult("total", "Total", r(actual), r(actual + gap), r(gap), {}, r(0))
    none = FiscalIndicators(None, None, None, None, None, None, None, None)
    return YearResult(2024, (), total, none, (), ()).to_dict()


def test_envelope_from_an_osr_analysis() -> None:
    # capital share 0.2 × (actual 1,000 + recovery × gap 500): recovery 0.1 … 0.5
    plan = parse_plan(FOUR | {"budget_by_year": None})
    env = envelope_from_osr(_year_result(1000, 500), plan)
    assert env == pytest.approx({2026: 210, 2027: 220, 2028: 230, 2029: 240, 2030: 250})
    result = rank(plan, needs=NEEDS, envelope=env, envelope_source="OSR analysis 3 (2024)")
    assert result.envelope_source == "OSR analysis 3 (2024)"
    assert sum(result.spent_by_year.values()) == pytest.approx(100 + 200 + 150)
    custom = parse_plan(FOUR | {"budget_by_year": None, "horizon": 2, "envelope":
                                {"capital_share": 0.5, "gap_recovery": [0, 1]}})  # fmt: skip
    assert envelope_from_osr(_year_result(1000, 500), custom) == {2026: 500, 2027: 750}
    with pytest.raises(DataError, match=r"total\.actual\.central"):
        envelope_from_osr({"year": 2024}, plan)


def test_an_envelope_that_does_not_fit_the_horizon_is_refused() -> None:
    plan = parse_plan(FOUR)
    with pytest.raises(DataError, match="each plan year 2026–2030"):
        rank(plan, envelope={2026: 10.0})
    stored = parse_plan(FOUR | {"budget_by_year": None, "envelope": {"osr_analysis": 3}})
    assert stored.osr_analysis_id == 3
    with pytest.raises(DataError, match="envelope_from_osr"):
        rank(stored)
    with pytest.raises(DataError, match="cost 0"):
        rank(replace(plan, projects=(replace(plan.projects[0], cost=0.0),)))


# --------------------------------------------------------------------- weight sensitivity


def test_varied_weights_keep_the_moved_weight_and_rescale_the_others() -> None:
    # need 0.30 × 1.5 = 0.45; the others share 0.55 in proportion: reach 0.15·0.55/0.70
    w = varied_weights(DEFAULT_WEIGHTS, "need", 1.5)
    assert w["need"] == pytest.approx(0.45) and sum(w.values()) == pytest.approx(1)
    assert w["reach"] == pytest.approx(0.15 * 0.55 / 0.70)
    only = varied_weights({"need": 1.0}, "need", 0.5)  # the others were 0: shared equally
    assert only["need"] == 0.5 and only["reach"] == pytest.approx(0.1)
    assert varied_weights({"need": 0.8, "reach": 0.2}, "need", 1.5)["need"] == 1.0  # capped


def test_spearman_by_hand() -> None:
    # two neighbours swap among four: Σd² = 2, 1 − 6·2 / (4·15) = 0.8
    assert spearman({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 1, "b": 3, "c": 2, "d": 4}) == 0.8
    assert spearman({"a": 1, "b": 2}, {"a": 2, "b": 1}) == -1.0
    assert spearman({"a": 1}, {"a": 1}) == 1.0


def test_weight_sensitivity_of_the_four_projects(four: PlanResult) -> None:
    sens = four.sensitivity
    assert sens.step == 0.5
    # need × 0.5: need weighs 0.15, the rest × 0.85/0.70:
    # P1 = 0.15·0.4 + 0.335417·1.214286 = 0.467292 > P2 = 0.15·0.65 + 0.285833·1.214286
    # = 0.444583, so P1 and P2 swap (ranks 2 ↔ 3, Spearman 0.8); P3 stays first throughout
    assert sens.rank_range["P3"] == (1, 1)
    assert sens.rank_range["P1"][0] == 2 and sens.rank_range["P2"][1] == 3
    assert sens.spearman_min == pytest.approx(0.8)
    assert sens.top_changes == ()
    # re-planned with P1 before P2: P3 2027; P1 2026–2028 (cumulative 50, 200, 250);
    # P2 then fits only in 2029–2030, so P1 enters the plan and nobody leaves.  The same swap
    # under reach × 1.5 (0.225; rest × 0.775/0.85): P1 0.09 + 0.395417·0.911765 = 0.450527
    # > P2 0.0225 + 0.465833·0.911765 = 0.447230; and cost-effectiveness × 1.5:
    # P1 0.12 + 0.375417·0.911765 = 0.462292 > P2 0.045 + 0.450833·0.911765 = 0.456054
    assert sens.plan_changes == (
        "need × 0.5: P1 enters the plan",
        "reach × 1.5: P1 enters the plan",
        "cost_effectiveness × 1.5: P1 enters the plan",
    )


def test_a_new_top_project_is_said() -> None:
    doc = {"name": "x", "projects": [
        {"id": "READY", "name": "r", "sector": "other", "cost": 100, "population_served": 10,
         "stage": "ready"},
        {"id": "NEEDED", "name": "n", "sector": "other", "cost": 100, "population_served": 10,
         "stage": "idea", "sdg_targets": ["11.1"]},
    ]}  # fmt: skip
    # READY: 0.15·1 + 0.3·0.5 (no target) + shared; NEEDED: 0.3·0.9 + 0.1·(0.5/3) + shared
    # READY − NEEDED = 0.15 + 0.15 − 0.27 − 0.016667 = 0.013333: READY first, but with
    # readiness × 0.5 (0.075, the rest × 0.925/0.85) NEEDED overtakes it
    result = rank(parse_plan(doc), needs={"11.1": Need("11.1", 0.9)})
    assert result.ranked[0].project.id == "READY"
    assert "readiness × 0.5: NEEDED ranks first instead of READY" in result.sensitivity.top_changes
    assert result.sensitivity.spearman_min == -1.0


# --------------------------------------------------------------------------- the format


BRIEF_EXAMPLE = """
format: urbanagenda-invest/1
name: Freetown capital investment plan 2026–2030
area: sl_freetown
currency: SLE
start_year: 2026
horizon: 5
budget: 1.2e9
city_population: 1200000
weights: {need: 0.3, reach: 0.15, alignment: 0.1, readiness: 0.15, bankability: 0.15,
          cost_effectiveness: 0.15}
example: true
sources: [{id: fcc, citation: "Freetown City Council (2019) Transform Freetown", url: "https://fcc.gov.sl"}]
projects:
  - {id: P1, name: Bus rapid transit corridor, sector: transport, cost: 4.5e8, years: 3,
     location: "sl_freetown", population_served: 300000, sdg_targets: ["11.2"],
     umf_cells: [SOC-INCL, ENV-SUST], stage: feasibility, cost_recovery: 0.3, cofinancing: 0.5,
     land_secured: true, environmental_clearance: false, note: ""}
  - {id: 2, name: Drains, sector: drainage_resilience, cost: 2e8, population_served: 1e5,
     sdg_targets: [11.5, 11.b]}
"""


def test_the_brief_example_parses_and_round_trips() -> None:
    plan = parse_plan(yaml.safe_load(BRIEF_EXAMPLE), file="plan.yaml")
    assert plan.budget == 1.2e9  # PyYAML reads 1.2e9 as text
    assert plan.area_code == "sl_freetown" and plan.example and plan.sources[0].id == "fcc"
    p1, p2 = plan.projects
    assert (p1.cost, p1.city_cost, p1.umf_cells) == (4.5e8, 2.25e8, ("SOC-INCL", "ENV-SUST"))
    assert (p2.id, p2.sdg_targets, p2.stage, p2.years) == ("2", ("11.5", "11.b"), "concept", 1)
    assert plan.gap_recovery == (0.1, 0.2, 0.3, 0.4, 0.5) and plan.capital_share == 0.2
    dumped = dump_plan(plan)
    assert parse_plan(dumped) == plan
    assert parse_plan(json.loads(json.dumps(dumped))) == plan
    assert dump_plan(parse_plan(dumped)) == dumped
    again = replace(plan, budget=None, budget_by_year=(1.0, 2.0, 3.0, 4.0, 5.0))
    assert parse_plan(dump_plan(again)) == again


def test_defaults() -> None:
    one = {"id": "A", "name": "a", "sector": "other", "cost": 1, "population_served": 0}
    plan = parse_plan({"name": "x", "horizon": 7, "projects": [one]})
    assert plan.start_year == datetime.date.today().year + 1
    assert plan.gap_recovery == (0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5)
    assert plan.weights == DEFAULT_WEIGHTS and plan.currency == "" and not plan.example


def _issues(data: Any) -> list[tuple[str, str | None]]:
    with pytest.raises(ValidationFailed) as info:
        parse_plan(data, file="plan.yaml")
    assert all(i.file == "plan.yaml" for i in info.value.report.issues)
    return [(i.code, i.column) for i in info.value.report.issues]


def test_every_problem_is_reported_at_once() -> None:
    bad = {
        "format": "urbanagenda-invest/2",
        "currency": "sle",
        "start_year": 1800,
        "horizon": 11,
        "budget": 1e9,
        "budget_by_year": [1, 2],
        "weights": {"need": -1, "speed": 1},
        "colour": "red",
        "projects": [
            {"id": "A", "name": "a", "sector": "roads", "cost": 0, "population_served": 1,
             "stage": "dreaming", "sdg_targets": ["11.8", "11.1", "11.1"],
             "umf_cells": ["SOC-SAFETY"], "cofinancing": 1.5, "cost_recovery": -0.1,
             "land_secured": "maybe"},
            {"id": "A", "name": "b", "sector": "other", "cost": "lots", "population_served": 1},
            {"id": "A", "name": "c", "sector": "other", "cost": 5, "population_served": 1,
             "costs": 5},
            {"name": "d"},
        ],
    }  # fmt: skip
    found = _issues(bad)
    expected = [
        ("unknown-field", "colour"),
        ("unknown-format", "format"),
        ("missing-value", "name"),
        ("out-of-range", "currency"),
        ("impossible-year", "start_year"),
        ("out-of-range", "horizon"),
        ("rule-broken", "budget_by_year"),  # 2 amounts for the default horizon of 5
        ("rule-broken", "budget_by_year"),  # and the budget given twice
        ("unknown-field", "weights.speed"),
        ("out-of-range", "weights.need"),
        ("missing-value", "projects[3].id"),
        ("unknown-code", "projects[0].sector"),
        ("out-of-range", "projects[0].cost"),
        ("unknown-code", "projects[0].stage"),
        ("out-of-range", "projects[0].cost_recovery"),
        ("out-of-range", "projects[0].cofinancing"),
        ("unknown-code", "projects[0].sdg_targets[0]"),
        ("duplicate-key", "projects[0].sdg_targets[2]"),
        ("unknown-code", "projects[0].umf_cells[0]"),
        ("parse-error", "projects[0].land_secured"),
        ("non-numeric-value", "projects[1].cost"),
        ("duplicate-key", "projects[1].id"),
        ("unknown-field", "projects[2].costs"),
        ("duplicate-key", "projects[2].id"),
    ]
    assert sorted(found, key=str) == sorted(
        expected
        + [("missing-value", f"projects[3].{k}") for k in ("sector", "cost", "population_served")],
        key=str,
    )


def test_messages_list_the_valid_codes_and_say_how_to_fix() -> None:
    doc = FOUR | {"projects": [FOUR["projects"][0] | {"umf_cells": ["SOC"]}]}
    with pytest.raises(ValidationFailed) as info:
        parse_plan(doc)
    (issue,) = info.value.report.issues
    assert issue.expected is not None and "SOC-SAFE" in issue.expected
    assert issue.fix and issue.found == "SOC"
    assert "projects[0].umf_cells[0]" in str(info.value)


@pytest.mark.parametrize(
    ("data", "code", "column"),
    [
        ([1, 2], "parse-error", None),
        ({"name": "x"}, "missing-value", "projects"),
        ({"name": "x", "projects": "P1"}, "parse-error", "projects"),
        ({"name": "x", "projects": [{}], "weights": {"need": 0, "reach": 0, "alignment": 0,
          "readiness": 0, "bankability": 0, "cost_effectiveness": 0}},
         "rule-broken", "weights"),
        ({"name": "x", "budget": 1, "envelope": {"osr_analysis": 2}}, "rule-broken",
         "envelope.osr_analysis"),
        ({"name": "x", "envelope": {"gap_recovery": [0.1, 2]}}, "out-of-range",
         "envelope.gap_recovery[1]"),
        ({"name": "x", "envelope": {"capital_share": 1.2}}, "out-of-range",
         "envelope.capital_share"),
        ({"name": "x", "city_population": 0}, "out-of-range", "city_population"),
        ({"name": "x", "sources": [{"id": "a", "citation": "c"}, {"id": "a", "citation": "d"}]},
         "duplicate-key", "sources[1].id"),
        ({"name": "x", "projects": [{"id": "A", "name": "a", "sector": "other", "cost": 1,
          "population_served": 1, "years": 1.5}]}, "out-of-range", "projects[0].years"),
    ],
)  # fmt: skip
def test_bad_input(data: Any, code: str, column: str | None) -> None:
    assert (code, column) in _issues(data)


# ------------------------------------------------------------------------------ properties

_project = st.fixed_dictionaries(
    {
        "sector": st.just("other"),
        "name": st.just("p"),
        "cost": st.floats(1, 1e6),
        "population_served": st.floats(0, 1e6),
        "years": st.integers(1, 7),
        "cofinancing": st.floats(0, 1),
        "stage": st.sampled_from(["idea", "concept", "feasibility", "ready"]),
        "sdg_targets": st.lists(st.sampled_from(["11.1", "11.2", "11.6"]), unique=True),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    projects=st.lists(_project, min_size=1, max_size=6),
    envelope=st.lists(st.floats(0, 5e5), min_size=5, max_size=5),
)
def test_the_plan_never_spends_money_it_does_not_have_yet(
    projects: list[dict[str, Any]], envelope: list[float]
) -> None:
    doc = {
        "name": "x",
        "start_year": 2026,
        "budget_by_year": envelope,
        "projects": [p | {"id": f"P{i}"} for i, p in enumerate(projects)],
    }
    result = rank(parse_plan(doc), needs=NEEDS)
    spent = [result.spent_by_year[y] for y in range(2026, 2031)]
    for year in range(1, 6):
        assert sum(spent[:year]) <= sum(envelope[:year]) * (1 + 1e-9) + 1e-6
    funded = {e.project_id for e in result.plan}
    assert funded.isdisjoint(result.unfunded)
    assert funded | set(result.unfunded) == {f"P{i}" for i in range(len(projects))}
    assert all(0 <= sp.score <= 1 for sp in result.ranked)
    scores = [round(sp.score, 12) for sp in result.ranked]  # ties are compared rounded
    assert scores == sorted(scores, reverse=True)
