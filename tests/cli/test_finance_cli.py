"""``urbanagenda osr`` and ``urbanagenda invest`` in-process (Typer's CliRunner) on a fresh
store made by ``urbanagenda init``: a small analysis whose figures are computed by hand, saved
and versioned, bad input refused with the report and the database untouched, peers, the
envelope of a plan from a stored analysis, templates, populations and the demo's example
from the demo database, and the same on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from urbanagenda.cli.main import app

runner = CliRunner()

#: A small analysis; the expected figures below are worked out by hand (METHODS.md §4).
SMALL: dict[str, Any] = {
    "format": "urbanagenda-osr/1",
    "local_government": "Freetown City Council",
    "area": "sl_freetown",
    "currency": "SLE",
    "years": [
        {
            "year": 2021,
            "fiscal": {"population": 10_000, "gdp_per_capita": 5_000, "household_size": 5,
                       "usd_rate": 20},
            "streams": [
                {"kind": "property_tax", "name": "Property rates", "estimated": 1250,
                 "categories": [
                     {"name": "residential", "registered": 800, "compliant": 600,
                      "assessed_value": 50_000, "market_value": 80_000, "rate": 0.01},
                     {"name": "commercial", "registered": 200, "compliant": 150,
                      "assessed_value": 200_000, "market_value": 250_000, "rate": 0.02,
                      "legislated_rate": 0.025}]},
                {"kind": "business_licence", "name": "Business licences",
                 "categories": [{"name": "shops", "estimated": 100, "registered": 80,
                                 "compliant": 50, "fee": 2_000, "legislated_fee": 2_500}]},
                {"kind": "user_charge_short", "name": "Market dues",
                 "charges": [{"name": "stalls", "users_estimated": 100, "users_actual": 80,
                              "rate": 10, "legislated_rate": 12, "periods": 300}]},
            ],
        }
    ],
}  # fmt: skip

# Property rates: κ = (800 + 200) / 1250 = 0.8
#   actual     = 600·50,000·0.01 + 150·200,000·0.02              =   900,000
#   potential  = (800·80,000·0.01 + 200·250,000·0.025) / 0.8     = 2,362,500
#   coverage   = 900,000 / 0.8 − 900,000                         =   225,000
#   compliance = 200·50,000·0.01 + 50·200,000·0.02               =   300,000
#   valuation  = 600·30,000·0.01 + 150·50,000·0.02               =   330,000
#   rate       = 150·200,000·(0.025 − 0.02)                      =   150,000
#   residual   = 1,462,500 − 1,005,000                           =   457,500
# Business licences: actual 50·2,000 = 100,000; potential 100·2,500 = 250,000;
#   coverage 50·2,000·(100/80 − 1) = 25,000; compliance 30·2,000 = 60,000;
#   rate 50·500 = 25,000; residual 150,000 − 110,000 = 40,000
# Market dues (per day, 300 days): actual 80·10·300 = 240,000; potential 100·12·300 = 360,000;
#   compliance 20·10·300 = 60,000; rate 80·2·300 = 48,000; residual 120,000 − 108,000 = 12,000
STREAMS = {
    "Property rates": (900_000, 2_362_500, 1_462_500,
                       {"coverage": 225_000, "compliance": 300_000, "valuation": 330_000,
                        "rate": 150_000}, 457_500),
    "Business licences": (100_000, 250_000, 150_000,
                          {"coverage": 25_000, "compliance": 60_000, "rate": 25_000}, 40_000),
    "Market dues": (240_000, 360_000, 120_000, {"compliance": 60_000, "rate": 48_000}, 12_000),
}  # fmt: skip
# totals: actual 1,240,000; potential 2,972,500; gap 1,732,500
ACTUAL, POTENTIAL, GAP = 1_240_000, 2_972_500, 1_732_500


def finance(db: str, *args: str) -> Result:
    return runner.invoke(app, [*args, "--database", db], env={"COLUMNS": "200"})


def write(tmp_path: Path, data: dict[str, Any], name: str = "osr.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def db_file(db: str) -> Path:
    return Path(db.removeprefix("sqlite:///"))


@pytest.fixture
def db(sqlite_engine: Engine) -> str:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    sqlite_engine.dispose()
    return url


def test_analyse_json_equals_the_hand_computed_figures(db: str, tmp_path: Path) -> None:
    out = finance(db, "osr", "analyse", str(write(tmp_path, SMALL)), "--json")
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    (year,) = result["years"]
    streams = {s["name"]: s for s in year["streams"]}
    for name, (actual, potential, gap, parts, residual) in STREAMS.items():
        s = streams[name]
        assert s["actual"]["central"] == pytest.approx(actual), name
        assert s["potential"]["central"] == pytest.approx(potential), name
        assert s["gap"]["central"] == pytest.approx(gap), name
        assert {k: v["central"] for k, v in s["parts"].items()} == pytest.approx(parts), name
        assert s["residual"]["central"] == pytest.approx(residual), name
    total = year["total"]
    assert (total["actual"]["central"], total["potential"]["central"]) == pytest.approx(
        (ACTUAL, POTENTIAL)
    )
    assert total["gap"] == pytest.approx({"central": GAP, "low": GAP, "high": GAP})
    fiscal = year["fiscal"]
    assert fiscal["osr_per_capita"] == pytest.approx(124.0)  # 1,240,000 / 10,000
    assert fiscal["osr_per_capita_usd"] == pytest.approx(6.2)  # 124 / 20
    assert fiscal["osr_per_household"] == pytest.approx(620.0)  # 1,240,000 · 5 / 10,000
    assert fiscal["osr_share_gdp"] == pytest.approx(0.0248)  # 1,240,000 / (10,000 · 5,000)
    assert "saved_ids" not in result
    text = finance(db, "osr", "analyse", str(write(tmp_path, SMALL)))
    assert text.exit_code == 0, text.output
    assert "gap 1,732,500" in text.stdout and "efficiency 41.7%" in text.stdout  # 1.24/2.9725
    assert "1,462,500" in text.stdout and "457,500" in text.stdout


def test_save_twice_then_a_change_adds_a_version(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    first = finance(db, "osr", "analyse", str(path), "--save", "--json")
    assert first.exit_code == 0, first.output
    ids = json.loads(first.stdout)["saved_ids"]
    again = finance(db, "osr", "analyse", str(path), "--save")
    assert again.exit_code == 0 and f"saved: analysis {ids[0]} (2021)" in again.stdout
    listed = json.loads(finance(db, "osr", "list", "--json").stdout)
    assert [(a["id"], a["version"]) for a in listed] == [(ids[0], 1)]
    assert listed[0]["gap"] == pytest.approx(GAP) and listed[0]["country_code"] == "694"
    changed = json.loads(json.dumps(SMALL))
    changed["years"][0]["streams"][2]["charges"][0]["rate"] = 11  # market dues 10 → 11
    out = finance(db, "osr", "analyse", str(write(tmp_path, changed, "v2.yaml")), "--save")
    assert out.exit_code == 0, out.output
    every = json.loads(finance(db, "osr", "list", "--all-versions", "--json").stdout)
    assert [a["version"] for a in every] == [1, 2]
    # the new actual: 1,240,000 + 80·1·300 = 1,264,000; the first version keeps 1,240,000
    assert [a["actual"] for a in every] == pytest.approx([ACTUAL, ACTUAL + 24_000])
    shown = finance(db, "osr", "show", str(ids[0]), "--json")
    assert json.loads(shown.stdout)["source_file"] == "osr.yaml"
    text = finance(db, "osr", "show", str(every[1]["id"]))
    assert "version 2 of 2" in text.stdout and "from v2.yaml" in text.stdout


def test_bad_file_is_refused_with_every_problem_and_nothing_written(
    db: str, tmp_path: Path
) -> None:
    finance(db, "osr", "list")  # migrated once, so that the file is the same before and after
    before = db_file(db).read_bytes()
    bad = json.loads(json.dumps(SMALL))
    bad["currency"] = "leones"
    shops = bad["years"][0]["streams"][1]["categories"][0]
    shops["compliant"] = 90  # more paying than registered (80)
    shops["colour"] = "red"
    out = finance(db, "osr", "analyse", str(write(tmp_path, bad)), "--save")
    assert out.exit_code == 1
    assert "nothing was saved" in out.stderr
    assert "[unknown-field]" in out.stderr and "[rule-broken]" in out.stderr
    assert "currency" in out.stderr and "compliant" in out.stderr
    report = json.loads(finance(db, "osr", "validate", str(write(tmp_path, bad)), "--json").stdout)
    assert report["valid"] is False and len(report["issues"]) >= 3
    missing = finance(db, "osr", "analyse", str(tmp_path / "nowhere.yaml"), "--save")
    assert missing.exit_code == 1 and "[file-not-found]" in missing.stderr
    unknown_area = dict(SMALL, area="SLE")
    out = finance(db, "osr", "analyse", str(write(tmp_path, unknown_area)), "--save")
    assert out.exit_code == 1 and "[unknown-area]" in out.stderr and "'694'" in out.stderr
    assert db_file(db).read_bytes() == before
    valid = finance(db, "osr", "validate", str(write(tmp_path, SMALL)))
    assert valid.exit_code == 0 and "valid: Freetown City Council, 1 year(s)" in valid.stdout
    assert finance(db, "osr", "show", "42").exit_code == 2


def test_peers_rank_the_saved_local_governments(db: str, tmp_path: Path) -> None:
    assert finance(db, "osr", "analyse", str(write(tmp_path, SMALL)), "--save").exit_code == 0
    kisumu = json.loads(json.dumps(SMALL))
    kisumu.update(local_government="Kisumu County", area="ke_kisumu", currency="KES")
    kisumu["years"][0]["fiscal"]["usd_rate"] = 10  # 124 KES per person → 12.4 USD
    out = finance(db, "osr", "analyse", str(write(tmp_path, kisumu, "k.yaml")), "--save")
    assert out.exit_code == 0, out.output
    peers = json.loads(finance(db, "osr", "peers", "--json").stdout)
    assert [(p["lg_name"], p["rank_per_capita"]) for p in peers] == [
        ("Kisumu County", 1),
        ("Freetown City Council", 2),
    ]
    assert [p["osr_per_capita_usd"] for p in peers] == pytest.approx([12.4, 6.2])
    around = finance(db, "osr", "peers", "--around", str(peers[1]["id"]))
    assert around.exit_code == 0 and "→" in around.stdout


def test_a_plan_takes_its_envelope_from_a_stored_analysis(db: str, tmp_path: Path) -> None:
    out = finance(db, "osr", "analyse", str(write(tmp_path, SMALL)), "--save", "--json")
    (analysis_id,) = json.loads(out.stdout)["saved_ids"]
    plan = {
        "name": "Freetown CIP", "area": "sl_freetown", "currency": "SLE", "start_year": 2026,
        "budget": 1_000_000,
        "projects": [
            {"id": "P1", "name": "Drains", "sector": "drainage_resilience", "cost": 300_000,
             "population_served": 5_000, "sdg_targets": ["11.5"], "stage": "ready"},
            {"id": "P2", "name": "Market", "sector": "economic_development", "cost": 2_000_000,
             "population_served": 2_000, "years": 2, "stage": "idea"},
        ],
    }  # fmt: skip
    path = write(tmp_path, plan, "plan.yaml")
    # in plan year i: 0.2 × (1,240,000 + recovery_i × 1,732,500), recovery 0.1 … 0.5
    # 2026: 0.2 × 1,413,250 = 282,650; 2030: 0.2 × (1,240,000 + 866,250) = 421,250
    out = finance(db, "invest", "rank", str(path), "--osr-analysis", str(analysis_id), "--json")
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["envelope_by_year"]["2026"] == pytest.approx(282_650)
    assert result["envelope_by_year"]["2030"] == pytest.approx(421_250)
    assert result["envelope_source"] == f"OSR analysis {analysis_id} (Freetown City Council, 2021)"
    assert result["input"]["city_population"] == 10_000  # the analysis's population
    # P1 (300,000 in one year) fits 2026; P2 (1,000,000 a year for 2 years) never does
    assert [e["project_id"] for e in result["plan"]] == ["P1"]
    assert "P2" in result["unfunded"]
    # the budget option replaces the file's: 500,000 over five years
    out = finance(db, "invest", "rank", str(path), "--budget", "500000", "--weights", "need=1",
                  "--json")  # fmt: skip
    result = json.loads(out.stdout)
    assert set(result["envelope_by_year"].values()) == {100_000.0}
    weights = {c["criterion"]: c["weight"] for c in result["ranked"][0]["criteria"]}
    assert weights["need"] == pytest.approx(1 / 1.7)  # 1 against the other defaults' 0.7
    saved = finance(db, "invest", "rank", str(path), "--save")
    assert saved.exit_code == 0 and "saved: plan 1" in saved.stdout
    listed = json.loads(finance(db, "invest", "list", "--json").stdout)
    assert [(p["id"], p["funded"], p["projects"]) for p in listed] == [(1, 1, 2)]
    assert "Drains" in finance(db, "invest", "show", "1").stdout
    both = finance(db, "invest", "rank", str(path), "--budget", "5", "--osr-analysis", "1")
    assert both.exit_code == 1 and "the envelope is given twice" in both.stderr


def test_templates_are_written_and_the_example_reads_back(tmp_path: Path) -> None:
    from urbanagenda.finance.files import read_osr_file, read_plan_file

    examples = Path(__file__).parents[2] / "src" / "urbanagenda" / "finance" / "data" / "examples"
    for tool, kind, read in (("osr", "osr", read_osr_file), ("invest", "projects", read_plan_file)):
        out = runner.invoke(app, [tool, "template", "--out", str(tmp_path / f"{tool}.xlsx")])
        assert out.exit_code == 0, out.output
        assert (tmp_path / f"{tool}.xlsx").read_bytes()[:2] == b"PK"
        filled = tmp_path / f"{tool}-example.xlsx"
        out = runner.invoke(app, [tool, "template", "--example", "--out", str(filled)])
        assert out.exit_code == 0, out.output
        (example,) = examples.glob(f"*_{kind}.yaml")
        assert read(filled) == read(example)  # type: ignore[operator]


def test_population_from_the_demo_store_and_the_demo_example(demo_db: str, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    shutil.copy(db_file(demo_db), db_file(db))
    national = json.loads(json.dumps(SMALL))
    national.update(local_government="Sierra Leone local councils", area="694")
    del national["years"][0]["fiscal"]["population"]
    out = finance(db, "osr", "analyse", str(write(tmp_path, national)), "--json")
    assert out.exit_code == 0, out.output
    fiscal = json.loads(out.stdout)["years"][0]["fiscal"]
    # the bundled World Bank file's row "Sierra Leone,SLE,2021,8094602"
    assert fiscal["population_source"] == "store: SP_POP_TOTL 2021 (area 694)"
    assert fiscal["population"] == 8_094_602
    assert fiscal["osr_per_capita"] == pytest.approx(ACTUAL / 8_094_602)
    # the demo holds the example analysis and plan, marked as examples
    listed = json.loads(finance(db, "osr", "list", "--json").stdout)
    assert {(a["lg_name"], a["example"]) for a in listed} == {("Freetown City Council", True)}
    assert len(listed) >= 2
    plans = json.loads(finance(db, "invest", "list", "--json").stdout)
    assert len(plans) == 1 and plans[0]["example"] is True


@pytest.mark.postgres
def test_save_and_list_on_postgresql(pg_engine: Engine, tmp_path: Path) -> None:
    db = pg_engine.url.render_as_string(hide_password=False)
    out = finance(db, "osr", "analyse", str(write(tmp_path, SMALL)), "--save", "--json")
    assert out.exit_code == 0, out.output
    ids = json.loads(out.stdout)["saved_ids"]
    assert json.loads(finance(db, "osr", "analyse", str(write(tmp_path, SMALL)), "--save",
                              "--json").stdout)["saved_ids"] == ids  # fmt: skip
    (row,) = json.loads(finance(db, "osr", "list", "--json").stdout)
    assert (row["id"], row["gap"], row["country_code"]) == (ids[0], pytest.approx(GAP), "694")
    peers = json.loads(finance(db, "osr", "peers", "--json").stdout)
    assert peers[0]["osr_per_capita_usd"] == pytest.approx(6.2)
