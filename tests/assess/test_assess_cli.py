"""``urbanagenda assess`` end to end: a tidy CSV file (a subprocess, as a user runs it) and
the demo database."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from urbanagenda.assess.methods import METHODS, status_codes
from urbanagenda.model.catalogue import load_catalogue
from urbanagenda.store import schema as s
from urbanagenda.store.engine import open_engine

COLUMNS = [
    "series_code", "area_code", "method", "edition", "status", "label", "score",
    "cagr_actual", "cagr_required", "ratio", "base_year", "base_value", "latest_year",
    "latest_value", "target_value", "reason",
]  # fmt: skip

CSV = """series_code,area_code,year,value,target_value,direction,limit
E2,A,2015,50,100,increase,
E2,A,2021,56,,,
E3,A,2015,80,100,increase,
E3,A,2020,90,100,increase,
E7,B,2015,1.0,0.5,decrease,
E7,B,2022,1.3,0.5,decrease,
E8,B,2015,97,95,increase,
E8,B,2022,94,95,increase,
ONE,C,2018,5,10,increase,
NODIR,C,2015,3,10,,
NODIR,C,2019,4,10,,
ZERO,D,2015,0,10,increase,
ZERO,D,2020,5,10,increase,
NOTARGET,D,2015,90,,increase,100
NOTARGET,D,2020,92,,increase,100
"""
EXPECTED = {
    "unsd-2022": {"E2": "limited", "E3": "on_track", "E7": "deterioration", "E8": "deterioration"},
    "unsd-2023": {"E2": "fair", "E3": "met", "E7": "stagnation"},
    "unsd-2024": {"E2": "marginal", "E3": "met", "E7": "regression"},
    "opensdg": {"E2": "limited", "E3": "substantial", "E7": "deterioration",
                "E8": "deterioration", "ZERO": "substantial", "NOTARGET": "moderate"},
    "escap": {"E3": "maintain", "E7": "reverse", "NOTARGET": "insufficient_data"},
    "sdsn": {"E3": "on_track", "E7": "decreasing", "NOTARGET": "moderately_improving"},
}  # fmt: skip


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "urbanagenda", "assess", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:  # pragma: no cover - only on a timeout
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


@pytest.fixture(autouse=True)
def _no_orphans():  # type: ignore[no-untyped-def]
    """Started processes are always waited for, even when a test fails half-way."""
    started: list[subprocess.Popen[str]] = []
    real = subprocess.Popen

    def tracking(*args, **kwargs):  # type: ignore[no-untyped-def]
        proc = real(*args, **kwargs)
        started.append(proc)
        return proc

    subprocess.Popen = tracking  # type: ignore[misc]
    try:
        yield
    finally:
        subprocess.Popen = real  # type: ignore[misc]
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


@pytest.fixture
def tidy(tmp_path: Path) -> Path:
    path = tmp_path / "input.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_every_method_on_a_csv_file(tidy: Path, tmp_path: Path) -> None:
    procs = {m: cli("--input", str(tidy), "--method", m, "--format", "csv") for m in METHODS}
    for method, proc in procs.items():
        code, out, err = finish(proc)
        assert code == 0, err
        out_path = tmp_path / f"{method}.csv"
        out_path.write_text(out, encoding="utf-8")
        result = pd.read_csv(out_path, keep_default_na=False, na_values=[""])
        assert list(result.columns) == COLUMNS
        assert len(result) == 8  # one row per (series_code, area_code)
        assert (result["method"] == method).all()
        statuses = dict(zip(result["series_code"], result["status"], strict=True))
        for series, status in EXPECTED[method].items():
            assert statuses[series] == status, (method, series)
        assert set(result["status"]) <= set(status_codes(method))
        refused = result[result["status"] == "insufficient_data"]
        assert refused["reason"].notna().all()
        row = result.set_index("series_code")
        assert row.at["ONE", "reason"] == "fewer_than_2_points"
        assert row.at["NODIR", "reason"] == "missing_direction"


def test_json_and_out_file(tidy: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    j = cli("--input", str(tidy), "--method", "opensdg", "--format", "json", "--out", str(target))
    bad_method = cli("--input", str(tidy), "--method", "nope")
    no_value = tmp_path / "no_value.csv"
    no_value.write_text("series_code,area_code,year\nX,A,2015\n", encoding="utf-8")
    bad_file = cli("--input", str(no_value), "--method", "opensdg")
    zh = cli("--input", str(tidy), "--method", "unsd-2023", "--format", "json", "--language", "zh")

    code, _, err = finish(j)
    assert code == 0, err
    records = json.loads(target.read_text(encoding="utf-8"))
    e2 = next(r for r in records if r["series_code"] == "E2")
    assert e2["score"] == pytest.approx(-0.820, abs=5e-4)
    assert e2["ratio"] == pytest.approx(0.4032, abs=5e-5)
    assert e2["edition"] == "sdg-build-2" and e2["reason"] is None
    one = next(r for r in records if r["series_code"] == "ONE")
    assert one["status"] == "insufficient_data" and one["score"] is None

    code, out, err = finish(bad_method)
    assert code == 2 and "unknown method 'nope'" in err
    code, out, err = finish(bad_file)
    assert code == 2 and "value" in err
    code, out, err = finish(zh)
    assert code == 0, err
    labels = {r["series_code"]: r["label"] for r in json.loads(out)}
    assert labels["E3"] == "已实现目标或步入正轨（进展显著）"


def test_database_mode_all_goal_11_series(demo_db: str, tmp_path: Path) -> None:
    goal_11 = [s.code for s in load_catalogue().series.values()
               if any(i.startswith("11.") for i in s.indicators)]  # fmt: skip
    args = ["--database", demo_db, "--format", "json"]
    runs = {m: cli(*args, "--method", m) for m in ("unsd-2024", "opensdg")}
    copy = tmp_path / "demo.sqlite"  # the session's demo database stays unchanged
    shutil.copy(demo_db.removeprefix("sqlite:///"), copy)
    recorded = cli("--database", f"sqlite:///{copy}", "--method", "sdsn", "--record",
                   "--format", "csv", "--series", "EN_LND_SLUM")  # fmt: skip
    engine = open_engine(demo_db)
    with engine.connect() as conn:
        n_groups = conn.execute(
            select(func.count()).select_from(
                select(s.observation.c.series_code, s.observation.c.area_code,
                       s.observation.c.sex, s.observation.c.age, s.observation.c.location,
                       s.observation.c.breakdown).distinct().subquery()
            )
        ).scalar_one()  # fmt: skip
    for method, proc in runs.items():
        code, out, err = finish(proc)
        assert code == 0, err
        result = pd.DataFrame(json.loads(out))
        assert len(result) == n_groups > 1000
        assert set(result["series_code"]) <= set(goal_11) | {"SP_POP_TOTL"}
        assert result["status"].isin(status_codes(method)).all()
        refused = result["status"] == "insufficient_data"
        assert result.loc[refused, "reason"].notna().all()
        assert result.loc[~refused, "reason"].isna().all()
        assert (~refused).sum() > 1000  # real verdicts, not only refusals

    engine.dispose()
    code, out, err = finish(recorded)
    assert code == 0, err
    assert "recorded as assessment run" in err
    engine = open_engine(f"sqlite:///{copy}")
    with engine.connect() as conn:
        run = conn.execute(select(s.assessment_run)).mappings().one()
        assert (run["method"], run["edition"]) == ("sdsn", "sdr-2024")
        levels = dict(
            conn.execute(
                select(s.assessment_result.c.level, func.count())
                .where(s.assessment_result.c.run_id == run["id"])
                .group_by(s.assessment_result.c.level)
            ).all()
        )
    assert levels["series"] == run["n_results"] == len(pd.read_csv(pd.io.common.StringIO(out)))
    assert {"indicator", "target", "goal"} <= set(levels)
    engine.dispose()
