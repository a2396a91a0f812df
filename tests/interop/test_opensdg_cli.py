"""``urbanagenda opensdg`` as a user runs it: a real process on a new database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LA = Path(__file__).parents[1] / "specimens" / "opensdg_los_angeles"


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": db, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "urbanagenda", "opensdg", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_import_dry_run_then_import_then_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.sqlite'}"
    dry = run("import", str(LA), "--area", "us_los_angeles_ca", "--dry-run", "--json", db=db)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["dry_run"] is True
    done = run("import", str(LA), "--area", "us_los_angeles_ca", "--json", db=db)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["indicators"], len(out["series"]), out["observations"]) == (16, 22, 340)
    exported = run("export", "--area", "us_los_angeles_ca", "--out", str(tmp_path / "x"), db=db)
    assert exported.returncode == 0, exported.stderr
    assert "wrote 35 files" in exported.stdout
    for path in LA.rglob("*"):
        if path.is_file():
            rel = path.relative_to(LA)
            assert (tmp_path / "x" / rel).read_bytes() == path.read_bytes(), rel


def test_a_rejected_import_exits_1_and_lists_the_problems(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.sqlite'}"
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    out = run("import", str(bad), "--area", "us_los_angeles_ca", db=db)
    assert out.returncode == 1
    assert "[not-a-zip]" in out.stderr and "nothing was imported" in out.stderr
    wrong = run("import", str(LA), "--area", "us_los_angeles_ca", "--relation", "11.1.1", db=db)
    assert wrong.returncode == 2
    assert "INDICATOR=RELATION" in wrong.stderr
