"""The command line as a user runs it: a real process on the demo database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TIDY = Path(__file__).parents[1] / "specimens" / "tidy"


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "urbanagenda", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_show_prints_nigerias_real_slum_shares(demo_db: str) -> None:
    out = run("show", "--series", "EN_LND_SLUM", "--area", "566", "--json", db=demo_db)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    values = {r["year"]: r["value"] for r in rows}
    assert values[2000] == pytest.approx(74.10729)
    assert values[2020] == pytest.approx(48.98206)
    assert {r["series_code"] for r in rows} == {"EN_LND_SLUM"}
    assert {r["area_code"] for r in rows} == {"566"}
    assert len(rows) == 11


def test_listings_have_json(demo_db: str) -> None:
    series = json.loads(run("series", "--json", db=demo_db).stdout)
    with_data = [s for s in series if s["observations"] > 0]
    assert len(with_data) >= 40
    areas = json.loads(run("areas", "--kind", "country", "--json", db=demo_db).stdout)
    assert len(areas) >= 240
    assert any(a["code"] == "566" and a["name"] == "Nigeria" for a in areas)


def test_malformed_file_exits_non_zero_with_a_located_report(demo_db: str, tmp_path: Path) -> None:
    db_file = Path(demo_db.removeprefix("sqlite:///"))
    before = db_file.read_bytes()
    out = run("load", str(TIDY / "bad_rows.csv"), db=demo_db)
    assert out.returncode == 1
    assert "nothing was loaded" in out.stderr
    assert "row 4" in out.stderr and "unknown-area" in out.stderr
    assert db_file.read_bytes() == before
    out = run("validate", str(TIDY / "bad_rows.csv"), "--json", db=demo_db)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["valid"] is False and report["counts"]["unknown-series"] == 1


def test_unknown_area_in_show_says_how_to_fix(demo_db: str) -> None:
    out = run("show", "--series", "EN_LND_SLUM", "--area", "Atlantis", db=demo_db)
    assert out.returncode == 2
    assert "urbanagenda areas" in out.stderr
