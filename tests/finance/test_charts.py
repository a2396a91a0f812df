"""The finance charts: Vega-Lite specs built from hand-made results (model.py objects turned
into their JSON shapes), their numbers checked by hand and every spec drawn to SVG."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from urbanagenda.finance import charts
from urbanagenda.finance.model import (
    CriterionScore,
    FiscalIndicators,
    Need,
    PlanEntry,
    PlanInput,
    PlanResult,
    Project,
    Range,
    ScoredProject,
    SensitivityItem,
    StreamResult,
    Trend,
    WeightSensitivity,
    YearResult,
)
from urbanagenda.synthesis.charts import to_svg

# -- a hand-computed year ------------------------------------------------------------------
# Property rates: estimated 1,000 properties; one category R = 800, K = 600, A = 1,000,
# M = 1,500, τ = 0.01, legislated τl = 0.012; κ = 800 / 1,000 = 0.8.
#   actual = 600·1,000·0.01 = 6,000;  potential = 800·1,500·0.012 / 0.8 = 18,000;  gap = 12,000
#   coverage = 6,000/0.8 − 6,000 = 1,500;  compliance = (800 − 600)·1,000·0.01 = 2,000
#   valuation = 600·(1,500 − 1,000)·0.01 = 3,000;  rate = 600·1,000·(0.012 − 0.01) = 1,200
#   residual = 12,000 − 7,700 = 4,300
# Market dues: 50 users, 40 paying, 2 per day (legislated 2.5), 100 days.
#   actual = 40·2·100 = 8,000;  potential = 50·2.5·100 = 12,500;  gap = 4,500
#   compliance = (50 − 40)·2·100 = 2,000;  rate = 40·0.5·100 = 2,000;  residual = 500
# Total: actual 14,000, potential 30,500, gap 16,500; coverage 1,500, compliance 4,000,
# valuation 3,000, rate 3,200, residual 4,800 (1,500 + 4,000 + 3,000 + 3,200 + 4,800 = 16,500).
X = Range.exact


def _stream(kind: str, name: str, a: float, p: float, parts: dict[str, float]) -> StreamResult:
    residual = p - a - sum(parts.values())
    return StreamResult(
        kind, name, X(a), X(p), X(p - a), {k: X(v) for k, v in parts.items()}, X(residual)
    )


PROPERTY = _stream(
    "property_tax",
    "Property rates",
    6000,
    18000,
    {"coverage": 1500, "compliance": 2000, "valuation": 3000, "rate": 1200},
)
MARKET = _stream(
    "user_charge_short", "Market dues", 8000, 12500, {"compliance": 2000, "rate": 2000}
)
TOTAL = _stream(
    "total",
    "Total",
    14000,
    30500,
    {"coverage": 1500, "compliance": 4000, "valuation": 3000, "rate": 3200},
)
# Sensitivity, by hand: market value −10 % (1,350) → property potential 16,200, total gap
# 16,200 + 12,500 − 14,000 = 14,700; +10 % (1,650) → 19,800 → gap 18,300 (swing 3,600).
# Users paying −10 % (36) → dues 7,200, actual 13,200, gap 17,300; +10 % (44) → gap 15,700.
SENSITIVITY = (
    SensitivityItem(
        "streams[0].categories[0].market_value",
        "Property rates · residential · market value",
        "Property rates",
        1500,
        14700,
        18300,
        elasticity=(18300 - 14700) / 16500 / 0.2,
    ),
    SensitivityItem(
        "streams[1].charges[0].users_actual",
        "Market dues · market stalls · users paying",
        "Market dues",
        40,
        17300,
        15700,
        elasticity=(15700 - 17300) / 16500 / 0.2,
    ),
)
FISCAL = FiscalIndicators(10000, "input", 1.4, 0.07, 3.05, 7.0, 0.0028, 0.0061)
YEAR = YearResult(2023, (PROPERTY, MARKET), TOTAL, FISCAL, SENSITIVITY, ())


def _rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["data"]["values"])


def test_waterfall_climbs_from_actual_through_each_part_to_the_potential() -> None:
    spec = charts.waterfall_spec(YEAR.to_dict(), labels={"actual": "Collected"})
    steps = [(r["key"], r["start"], r["end"]) for r in _rows(spec)]
    assert steps == [
        ("actual", 0.0, 14000.0),
        ("coverage", 14000.0, 15500.0),  # 14,000 + 1,500
        ("compliance", 15500.0, 19500.0),  # + 4,000
        ("valuation", 19500.0, 22500.0),  # + 3,000
        ("rate", 22500.0, 25700.0),  # + 3,200
        ("residual", 25700.0, 30500.0),  # + 4,800
        ("potential", 0.0, 30500.0),  # = the potential
    ]
    # the caller's words replace the English ones; the colours stay with their step
    assert _rows(spec)[0]["step"] == "Collected"
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True))["Collected"] == "#0b5cad"
    assert [r["text"] for r in _rows(spec)][:2] == ["14,000", "1,500"]


def test_waterfall_of_one_stream_shows_only_its_parts_and_a_negative_residual_steps_down() -> None:
    # a charge: actual 8,000, compliance 2,000, rate 3,000, potential 12,500 → residual −500
    stream = _stream("user_charge_short", "Dues", 8000, 12500, {"compliance": 2000, "rate": 3000})
    spec = charts.waterfall_spec(stream.to_dict(), number=lambda v: f"{v / 1000:g}k")
    rows = _rows(spec)
    assert [r["key"] for r in rows] == ["actual", "compliance", "rate", "residual", "potential"]
    assert (rows[3]["start"], rows[3]["end"], rows[3]["top"]) == (13000.0, 12500.0, 13000.0)
    assert rows[-1]["end"] == 12500.0 and rows[3]["text"] == "-0.5k"


def test_tornado_ranks_inputs_by_swing_around_the_base_gap() -> None:
    items = [i.to_dict() for i in reversed(SENSITIVITY)]  # smallest swing first on purpose
    spec = charts.tornado_spec(items, base_gap=16500)
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order == [SENSITIVITY[0].label, SENSITIVITY[1].label]  # swing 3,600 before 1,600
    bars = {(r["input"], r["move"]): (r["start"], r["end"]) for r in _rows(spec)}
    assert bars[(SENSITIVITY[0].label, "Input 10 % lower")] == (16500, 14700.0)
    assert bars[(SENSITIVITY[0].label, "Input 10 % higher")] == (16500, 18300.0)
    assert spec["layer"][1]["data"]["values"][0]["gap"] == 16500
    # top=1 keeps the largest; without the base one bar spans the two gaps
    single = charts.tornado_spec(items, top=1)
    assert [(r["start"], r["end"]) for r in _rows(single)] == [(18300.0, 14700.0)]
    assert len(single["layer"]) == 1


# -- trends and peers ----------------------------------------------------------------------
# Two years: 2022 actual 13,000 and 2023 14,000 (potential 30,500 both), as to_dict() gives
# them: year keys are strings.
TRENDS = (
    Trend("actual", {2022: 13000.0, 2023: 14000.0}, 1000.0, 14000 / 13000 - 1),
    Trend("potential", {2022: 30500.0, 2023: 30500.0}, 0.0, 0.0),
    Trend("osr_share_gdp", {2022: None, 2023: 0.0028}, None, None),
)


def test_trend_has_actual_and_potential_by_year_in_their_waterfall_colours() -> None:
    trends = [t.to_dict() for t in TRENDS]
    assert set(trends[0]["values"]) == {"2022", "2023"}
    spec = charts.trend_spec(trends, labels={"potential": "Potential"})
    assert [(r["series"], r["year"], r["value"]) for r in _rows(spec)] == [
        ("Actual revenue", 2022, 13000.0),
        ("Actual revenue", 2023, 14000.0),
        ("Potential", 2022, 30500.0),
        ("Potential", 2023, 30500.0),
    ]
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Actual revenue", "Potential"], "range": ["#0b5cad", "#1a9850"]}
    # a metric with a missing year draws only the years it has
    share = charts.trend_spec(trends, metrics=("osr_share_gdp",))
    assert [r["year"] for r in _rows(share)] == [2023]


PEERS = [
    {"lg_key": "ke_kisumu", "lg_name": "Kisumu", "year": 2022, "osr_per_capita_usd": 4.5,
     "osr_share_gdp": None},
    {"lg_key": "sl_freetown", "lg_name": "Freetown", "year": 2021, "osr_per_capita_usd": 6.25,
     "osr_share_gdp": 0.004},
    {"lg_key": "mw_mzuzu", "lg_name": "Mzuzu", "year": 2022, "osr_per_capita_usd": 2.0,
     "osr_share_gdp": 0.002},
]  # fmt: skip


def test_peers_highest_first_with_the_highlighted_local_government_in_red() -> None:
    spec = charts.peers_spec(PEERS, highlight="ke_kisumu")
    rows = _rows(spec)
    assert [r["name"] for r in rows] == ["Freetown", "Kisumu", "Mzuzu"]
    assert [r["role"] for r in rows] == [
        "Other local governments",
        "This local government",
        "Other local governments",
    ]
    assert spec["encoding"]["color"]["scale"]["range"][0] == "#c92a2a"
    # share of GDP: Kisumu has none, so it is left out; the axis is in per cent
    share = charts.peers_spec(PEERS, metric="osr_share_gdp", highlight="ke_kisumu")
    assert [r["name"] for r in _rows(share)] == ["Freetown", "Mzuzu"]
    assert share["encoding"]["x"]["axis"]["format"] == ".1%"
    # store.peers marks the analysis asked about: that row is highlighted by default
    marked = [{**p, "highlight": p["lg_key"] == "mw_mzuzu"} for p in PEERS]
    roles = {r["name"]: r["role"] for r in _rows(charts.peers_spec(marked))}
    assert roles["Mzuzu"] == "This local government" and roles["Kisumu"] != roles["Mzuzu"]


# -- a hand-made plan ----------------------------------------------------------------------
# Weights need 0.5, readiness 0.5.  P1: need 0.8, readiness 0.6 → 0.4 + 0.3 = 0.7;
# P2: need 0.4, readiness 1.0 → 0.2 + 0.5 = 0.7 (tie: P2 costs the city less, 100 < 300, so
# ranks first); P3: need 0.2, readiness 0.2 → 0.2, unfunded.  Envelope 200 a year, 2026–2027.
def _scored(pid: str, rank: int, need: float, ready: float, cost: float) -> ScoredProject:
    crit = (
        CriterionScore("need", need, 0.5, 0.5 * need, ""),
        CriterionScore("readiness", ready, 0.5, 0.5 * ready, ""),
    )
    project = Project(pid, f"Project {pid}", "transport", cost, 1000.0)
    return ScoredProject(project, 0.5 * need + 0.5 * ready, rank, crit)


RANKED = (
    _scored("P2", 1, 0.4, 1.0, 100),
    _scored("P1", 2, 0.8, 0.6, 300),
    _scored("P3", 3, 0.2, 0.2, 500),
)
PLAN = PlanResult(
    input=PlanInput("Plan", tuple(s.project for s in RANKED), start_year=2026, horizon=2),
    ranked=RANKED,
    plan=(
        PlanEntry("P2", 1, 2026, 2026, {2026: 100.0}),
        PlanEntry("P1", 2, 2026, 2027, {2026: 100.0, 2027: 200.0}),
    ),
    unfunded={"P3": "needs 500 more by 2027"},
    envelope_by_year={2026: 200.0, 2027: 200.0},
    spent_by_year={2026: 200.0, 2027: 200.0},
    envelope_source="budget",
    needs=(Need("11.2", 0.8, ("SP_TRN_PUBL",), "sl_freetown", 2020),),
    sensitivity=WeightSensitivity(0.5, {"P1": (1, 2)}, 0.5, (), ()),
)  # fmt: skip


def test_ranking_stacks_contributions_in_rank_order_and_marks_the_unfunded() -> None:
    spec = charts.ranking_spec(PLAN.to_dict())
    order = spec["encoding"]["y"]["sort"]
    assert order == ["1. Project P2", "2. Project P1", "3. Project P3 (Not funded)"]
    rows = _rows(spec)
    p1 = {r["criterion"]: r["contribution"] for r in rows if r["project"] == "2. Project P1"}
    assert p1 == {"Need": pytest.approx(0.4), "Readiness": pytest.approx(0.3)}  # Σ = 0.7
    assert {r["status"] for r in rows if r["project"].startswith("3.")} == {"Not funded"}
    assert {r["status"] for r in rows if r["project"].startswith("1.")} == {"In the plan"}


def test_envelope_stacks_spending_by_project_under_the_envelope_line() -> None:
    spec = charts.envelope_spec(PLAN.to_dict())
    bars, line = (layer["data"]["values"] for layer in spec["layer"])
    assert sorted((r["year"], r["project"], r["amount"]) for r in bars) == [
        ("2026", "1. Project P2", 100.0),
        ("2026", "2. Project P1", 100.0),
        ("2027", "2. Project P1", 200.0),
    ]
    assert [(r["year"], r["amount"]) for r in line] == [("2026", 200.0), ("2027", 200.0)]
    # per year, the spending adds up to what the plan says it spends
    for year, spent in PLAN.spent_by_year.items():
        assert sum(r["amount"] for r in bars if r["year"] == str(year)) == spent


# -- every spec draws, in English and in Chinese -------------------------------------------
ZH = {"actual": "实际收入", "potential": "潜在收入", "coverage": "覆盖", "amount": "金额"}


def _all_specs(labels: dict[str, str] | None) -> dict[str, dict[str, Any]]:
    year = YEAR.to_dict()
    return {
        "waterfall": charts.waterfall_spec(year, labels=labels, title="Gap"),
        "tornado": charts.tornado_spec(year["sensitivity"], base_gap=16500, labels=labels),
        "trend": charts.trend_spec([t.to_dict() for t in TRENDS], labels=labels),
        "peers": charts.peers_spec(PEERS, highlight="sl_freetown", labels=labels),
        "ranking": charts.ranking_spec(PLAN.to_dict(), labels=labels),
        "envelope": charts.envelope_spec(PLAN.to_dict(), labels=labels),
    }


#: The marks each chart must draw (bars are "rect" marks).
MARKS = {
    "waterfall": {"rect", "text"},
    "tornado": {"rect", "rule"},
    "trend": {"line", "symbol"},
    "peers": {"rect"},
    "ranking": {"rect"},
    "envelope": {"rect", "line", "symbol"},
}


@pytest.mark.parametrize("labels", [None, ZH], ids=["en", "zh"])
def test_every_spec_is_json_and_draws_to_svg(labels: dict[str, str] | None) -> None:
    for name, spec in _all_specs(labels).items():
        assert spec["$schema"].endswith("/v6.json"), name
        json.dumps(spec, allow_nan=False)  # plain JSON: the page embeds it as is
        svg = to_svg(spec)
        assert svg.startswith("<svg"), name
        drawn = set(re.findall(r'class="mark-([a-z]+) role-mark', svg))
        assert drawn >= MARKS[name], (name, drawn)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        if name == "waterfall":
            assert ("潜在收入" if labels else "Potential revenue") in texts
            assert "30,500" in texts  # the potential's bar label
        if name == "ranking":
            assert "1. Project P2" in texts


def test_a_page_can_ask_for_a_fluid_width() -> None:
    spec = charts.waterfall_spec(YEAR.to_dict(), width="container")
    assert spec["width"] == "container"
    assert to_svg(spec).startswith("<svg")
