"""The finance store (finance/store.py) on both backends: analyses stored one row per year and
never overwritten (the same input again adds nothing, a changed one the next version), bad
area codes refused with nothing written, listings, trends across stored years, peers with
ranks, plans alike, and the population of an area read from the real World Bank data."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine, func, select

from conftest import data_path
from urbanagenda.errors import ValidationFailed
from urbanagenda.finance import store
from urbanagenda.finance.model import (
    Estimate,
    FiscalIndicators,
    LicenceCategoryInput,
    Need,
    OsrInput,
    OsrResult,
    PlanEntry,
    PlanInput,
    PlanResult,
    Project,
    Range,
    ScoredProject,
    StreamInput,
    StreamResult,
    WeightSensitivity,
    YearInput,
    YearResult,
)
from urbanagenda.store import schema as s
from urbanagenda.store.load import load_files


def _stream(year: int, fee: float) -> StreamInput:
    return StreamInput(
        kind="business_licence",
        name="Business licences",
        categories=(
            LicenceCategoryInput("shops", Estimate(100), Estimate(80), Estimate(50), Estimate(fee)),
        ),
    )


def _year(year: int, actual: float, potential: float, *, usd: float | None = None,
          share: float | None = None, per_capita: float | None = None) -> YearResult:  # fmt: skip
    def r(x: float) -> Range:
        return Range.exact(x)

    total = StreamResult(
        "total", "Total", r(actual), r(potential), r(potential - actual), {}, r(0.0)
    )
    fiscal = FiscalIndicators(1000.0 if usd else None, "input" if usd else None, per_capita,
                              usd, None, None, share, None)  # fmt: skip
    return YearResult(year, (dataclasses.replace(total, kind="business_licence"),), total,
                      fiscal, (), ())  # fmt: skip


def analysis(
    name: str = "Freetown City Council",
    area: str | None = "sl_freetown",
    *,
    country: str | None = None,
    years: dict[int, tuple[float, float]] | None = None,
    fees: dict[int, float] | None = None,
    usd: dict[int, float] | None = None,
) -> OsrResult:
    """A hand-made result: ``years`` year → (actual, potential); the input's licence fee per
    year (``fees``) is what makes an input differ; ``usd`` year → OSR per capita in USD."""
    years = years or {2019: (100.0, 400.0), 2021: (121.0, 400.0)}
    fees = fees or {}
    usd = usd or {}
    inp = OsrInput(
        name=name,
        years=tuple(YearInput(y, (_stream(y, fees.get(y, 2.0)),)) for y in years),
        currency="SLE",
        area_code=area,
        country_code=country,
    )
    results = tuple(
        _year(y, a, p, usd=usd.get(y), share=a / 1e6, per_capita=a / 1000)
        for y, (a, p) in years.items()
    )
    return OsrResult(inp, results, ())


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(s.metadata.tables[table])).scalar_one()
        )


def test_saved_once_per_year_then_versioned_never_overwritten(engine: Engine) -> None:
    first = store.save_analysis(engine, analysis(), source_file="freetown.yaml")
    assert len(first) == 2 and count(engine, "finance_analysis") == 2
    # the same input again adds nothing and gives back the stored ids
    assert store.save_analysis(engine, analysis()) == first
    assert count(engine, "finance_analysis") == 2
    # 2021's fee changes: 2021 gets version 2, 2019 keeps its row
    changed = store.save_analysis(engine, analysis(fees={2021: 3.0}))
    assert changed[0] == first[0] and changed[1] not in first
    assert count(engine, "finance_analysis") == 3
    listed = store.list_analyses(engine)
    assert [(a["year"], a["version"]) for a in listed] == [(2019, 1), (2021, 2)]
    every = store.list_analyses(engine, latest_only=False)
    assert [(a["year"], a["version"]) for a in every] == [(2019, 1), (2021, 1), (2021, 2)]
    old = store.get_analysis(engine, first[1])
    assert old["input"]["years"][0]["streams"][0]["categories"][0]["fee"]["central"] == 2.0
    assert [v["version"] for v in old["versions"]] == [1, 2]
    # back to the first input: a third version (it differs from the latest), not the first id
    again = store.save_analysis(engine, analysis())
    assert again[1] not in (first[1], changed[1])
    assert store.get_analysis(engine, again[1])["version"] == 3


def test_listing_fields_and_the_city_gives_its_country(engine: Engine) -> None:
    (a19, _) = store.save_analysis(engine, analysis(usd={2019: 0.05}), user_id=None)
    row = store.list_analyses(engine, year=2019)[0]
    assert row["id"] == a19
    assert (row["lg_key"], row["lg_name"], row["area_code"]) == (
        "sl_freetown", "Freetown City Council", "sl_freetown")  # fmt: skip
    assert row["country_code"] == "694"  # Freetown is a city of Sierra Leone (M49 694)
    assert (row["actual"], row["potential"], row["gap"]) == (100.0, 400.0, 300.0)
    assert row["efficiency"] == pytest.approx(0.25)  # 100 / 400
    assert row["osr_per_capita_usd"] == 0.05 and row["osr_share_gdp"] == pytest.approx(1e-4)
    assert row["currency"] == "SLE" and row["example"] is False
    assert row["created_at"].endswith("+00:00")
    assert store.list_analyses(engine, country="694", year=2021)[0]["year"] == 2021
    assert store.list_analyses(engine, area="ke_kisumu") == []


def test_trends_across_the_stored_years(engine: Engine) -> None:
    ids = store.save_analysis(engine, analysis())
    got = store.get_analysis(engine, ids[0])
    assert [y["year"] for y in got["years"]] == [2019, 2021]
    trends = {t["metric"]: t for t in got["trends"]}
    # actual 100 (2019) → 121 (2021): change 21; growth (121/100)^(1/2) − 1 = 0.1
    assert trends["actual"]["values"] == {"2019": 100.0, "2021": 121.0}
    assert trends["actual"]["change"] == pytest.approx(21.0)
    assert trends["actual"]["annual_growth"] == pytest.approx(0.1)
    # efficiency 100/400 = 0.25 → 121/400 = 0.3025
    assert trends["efficiency"]["change"] == pytest.approx(0.0525)
    assert trends["potential"]["annual_growth"] == pytest.approx(0.0)
    assert trends["osr_per_capita"]["values"] == {"2019": 0.1, "2021": 0.121}
    # the stored result is the year's result dict, as the analysis gave it
    assert got["result"] == analysis().years[0].to_dict()
    assert store.analysis_year_result(engine, ids[1]) == analysis().years[1].to_dict()


def test_bad_area_codes_are_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(ValidationFailed) as caught:
        store.save_analysis(engine, analysis(area="SLE"), source_file="f.yaml")
    (issue,) = caught.value.report.issues
    assert issue.code == "unknown-area" and issue.column == "area" and issue.file == "f.yaml"
    assert "'694'" in (issue.fix or "")  # the store's code for the ISO3 code SLE
    with pytest.raises(ValidationFailed) as caught:
        store.save_analysis(engine, analysis(country="404"))  # Freetown is not in Kenya
    (issue,) = caught.value.report.issues
    assert issue.code == "rule-broken" and issue.expected == "694"
    with pytest.raises(ValidationFailed) as caught:
        store.save_analysis(engine, analysis(area=None, country="9999"))
    assert caught.value.report.issues[0].column == "country"
    assert count(engine, "finance_analysis") == 0
    with pytest.raises(store.NotFound, match="no stored analysis 7"):
        store.get_analysis(engine, 7)


def test_peers_rank_the_latest_year_of_each_local_government(engine: Engine) -> None:
    fcc = store.save_analysis(engine, analysis(usd={2019: 5.0, 2021: 8.0}))
    ksm = store.save_analysis(
        engine, analysis("Kisumu County", "ke_kisumu", years={2020: (50.0, 60.0)},
                         usd={2020: 6.0}))  # fmt: skip
    (lil,) = store.save_analysis(
        engine, analysis("Lilongwe City Council", None, years={2021: (10.0, 90.0)}))  # fmt: skip
    got = store.peers(engine)
    # per capita (USD): Freetown 2021 8.0 > Kisumu 6.0; Lilongwe has none (last, no rank)
    assert [p["id"] for p in got] == [fcc[1], ksm[0], lil]
    assert [p["rank_per_capita"] for p in got] == [1, 2, None]
    assert [p["percentile_per_capita"] for p in got] == [100.0, 0.0, None]
    # share of GDP = actual / 1e6: Freetown 121, Kisumu 50, Lilongwe 10 (in 1e-6)
    assert [p["rank_share_gdp"] for p in got] == [1, 2, 3]
    assert [p["percentile_share_gdp"] for p in got] == [100.0, 50.0, 0.0]
    # up to 2019: Freetown's 2019 only (Kisumu starts 2020, Lilongwe 2021)
    (only,) = store.peers(engine, year=2019)
    assert only["id"] == fcc[0] and only["percentile_per_capita"] is None
    # around Freetown 2019 (5.0 USD): it stands in for Freetown and ranks below Kisumu (6.0)
    around = store.peers(engine, around=fcc[0])
    assert [(p["id"], p["rank_per_capita"], p["highlight"]) for p in around[:2]] == [
        (ksm[0], 1, False),
        (fcc[0], 2, True),
    ]


def _plan(budget: float = 1000.0, name: str = "Freetown CIP 2026-2030") -> PlanResult:
    projects = (Project("P1", "Bus corridor", "transport", 800.0, 3000.0),
                Project("P2", "Drains", "drainage_resilience", 600.0, 1000.0))  # fmt: skip
    inp = PlanInput(name, projects, currency="SLE", area_code="sl_freetown", budget=budget)
    ranked = tuple(ScoredProject(p, 0.5, i + 1, ()) for i, p in enumerate(projects))
    return PlanResult(
        input=inp,
        ranked=ranked,
        plan=(PlanEntry("P1", 1, 2026, 2026, {2026: 800.0}),),
        unfunded={"P2": "needs 400 more by 2026"},
        envelope_by_year={y: budget / 5 for y in range(2026, 2031)},
        spent_by_year={2026: 800.0},
        envelope_source="budget",
        needs=(Need("11.2", 0.4),),
        sensitivity=WeightSensitivity(0.5, {"P1": (1, 1), "P2": (2, 2)}, 1.0, (), ()),
    )


def test_plans_are_versioned_like_analyses(engine: Engine) -> None:
    first = store.save_plan(engine, _plan(), source_file="cip.yaml")
    assert store.save_plan(engine, _plan()) == first
    second = store.save_plan(engine, _plan(budget=2000.0))
    assert second != first and count(engine, "finance_plan") == 2
    (listed,) = store.list_plans(engine)
    assert (listed["id"], listed["version"], listed["envelope"]) == (second, 2, 2000.0)
    assert (listed["funded"], listed["projects"], listed["lg_key"]) == (1, 2, "sl_freetown")
    assert len(store.list_plans(engine, latest_only=False)) == 2
    got = store.get_plan(engine, first)
    assert got["result"]["unfunded"] == {"P2": "needs 400 more by 2026"}
    assert got["result"]["envelope_by_year"]["2026"] == 200.0  # year keys as strings in JSON
    assert got["source_file"] == "cip.yaml" and [v["version"] for v in got["versions"]] == [1, 2]
    bad = dataclasses.replace(_plan(), input=dataclasses.replace(_plan().input, area_code="xx"))
    with pytest.raises(ValidationFailed):
        store.save_plan(engine, bad)
    assert count(engine, "finance_plan") == 2
    with pytest.raises(store.NotFound, match="invest list"):
        store.get_plan(engine, 99)


def test_population_from_the_world_bank_series(sqlite_engine: Engine) -> None:
    load_files(
        sqlite_engine,
        [data_path("population/world_bank_population_by_country.csv")],
        source="World Bank SP.POP.TOTL",
    )
    lookup = store.population_lookup(sqlite_engine)
    # the file's rows "Sierra Leone,SLE,2019,7731991", "…,1960,2268356", "…,2024,8642022"
    assert lookup("694", None, 2019) == (7_731_991.0, "store: SP_POP_TOTL 2019 (area 694)")
    # before the first year: the nearest, i.e. the first year; after the last: the last
    assert lookup("694", None, 1900) == (2_268_356.0, "store: SP_POP_TOTL 1960 (area 694)")
    assert lookup("694", None, 2100) == (8_642_022.0, "store: SP_POP_TOTL 2024 (area 694)")
    # a city without a population of its own gets none, not its country's
    assert lookup("sl_freetown", "694", 2019) is None
    assert lookup(None, "694", 2019) is None


def rounded(value: object) -> object:
    """Floats to 12 significant digits, in nested lists and dicts (stored JSON and fresh
    results may differ in the last bit)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def test_stored_trends_are_the_analysis_trends(sqlite_engine: Engine) -> None:
    from urbanagenda.finance._store_demo import example_files
    from urbanagenda.finance.analysis import analyse
    from urbanagenda.finance.files import read_osr_file

    (path,) = example_files("osr")
    result = analyse(read_osr_file(path), population=store.population_lookup(sqlite_engine))
    assert len(result.years) >= 2  # the example has a trend to compare
    ids = store.save_analysis(sqlite_engine, result, source_file=path.name)
    stored = store.get_analysis(sqlite_engine, ids[-1])
    assert rounded(stored["trends"]) == rounded([t.to_dict() for t in result.trends])
    assert stored["example"] is True and stored["result"] == result.years[-1].to_dict()
