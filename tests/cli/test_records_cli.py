"""``urbanagenda records load|list`` in-process (Typer's CliRunner) on a fresh database:
the seed's records loaded and listed in English and Chinese, JSON output, and bad input
refused with the report and a non-zero exit."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from urbanagenda.cli.main import app

SEED = Path(str(resources.files("urbanagenda.data"))) / "records" / "sg_a79_nua_2024.yaml"
runner = CliRunner()


def records(db: str, *args: str) -> Any:
    return runner.invoke(app, ["records", *args, "--database", db], env={"COLUMNS": "200"})


@pytest.fixture
def db(sqlite_engine: Engine) -> str:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    sqlite_engine.dispose()
    return url


@pytest.fixture
def loaded(db: str) -> str:
    result = records(db, "load", str(SEED))
    assert result.exit_code == 0, result.output
    return db


def test_load_then_reload(db: str) -> None:
    first = records(db, "load", str(SEED))
    assert first.exit_code == 0, first.output
    assert "109 rows read, 105 new, 0 changed" in first.stdout
    again = records(db, "load", str(SEED), "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert (summary["inserted"], summary["updated"], summary["unchanged"]) == (0, 0, 105)
    assert summary["load_id"] == 2 and summary["valid"] is True


def test_bad_input_is_refused_with_the_report(loaded: str, tmp_path: Path) -> None:
    bad = tmp_path / "sessions.csv"
    bad.write_text(
        "code,body,name_en,name_zh,start,end,status,source_doc,source_para\n"
        "X1,NOPE,A,甲,2023-06-09,2023-06-05,held,SG-A79-NUA-2024,6\n",
        encoding="utf-8",
    )
    result = records(loaded, "load", str(bad))
    assert result.exit_code == 1
    assert "rejected: 2 problem(s); nothing was loaded." in result.stderr
    assert "[unknown-reference]" in result.stderr and "[date-order]" in result.stderr
    assert "row 2" in result.stderr and "column 'body'" in result.stderr
    as_json = records(loaded, "load", str(bad), "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["valid"] is False
    assert {i["code"] for i in report["issues"]} == {"unknown-reference", "date-order"}
    listed = json.loads(records(loaded, "list", "--kind", "sessions", "--json").stdout)
    assert "X1" not in {s["code"] for s in listed}
    missing = records(loaded, "load", str(tmp_path / "nowhere.yaml"))
    assert missing.exit_code == 1 and "[file-not-found]" in missing.stderr


def test_list_sessions_as_json(loaded: str) -> None:
    result = records(loaded, "list", "--kind", "sessions", "--json")
    assert result.exit_code == 0, result.output
    sessions = {s["code"]: s for s in json.loads(result.stdout)}
    assert (sessions["UNHA-2"]["start_date"], sessions["UNHA-2"]["end_date"]) == (
        "2023-06-05",
        "2023-06-09",
    )
    assert sessions["UNHA-2"]["member_states_count"] == 132
    assert sessions["UNHA-2"]["name"]["zh"] == "联合国人居大会第二届会议"


def test_list_tables_in_english_and_chinese(loaded: str) -> None:
    en = records(loaded, "list", "--kind", "programmes")
    assert en.exit_code == 0, en.output
    assert "Safer Cities Programme" in en.stdout and "programmes (13)" in en.stdout
    zh = records(loaded, "list", "--kind", "programmes", "--lang", "zh")
    assert "加强城市安全方案" in zh.stdout and "Safer Cities" not in zh.stdout
    funding = records(loaded, "list", "--kind", "funding")
    assert "223,000,000" in funding.stdout and "+0.13" in funding.stdout
    assert "SG-A79-NUA-2024 ¶14, 92" in funding.stdout
    everything = records(loaded, "list", "--json")
    assert {k: len(v) for k, v in json.loads(everything.stdout).items()} == {
        "bodies": 3,
        "sessions": 8,
        "outcomes": 10,
        "programmes": 13,
        "results": 67,
        "funding": 3,
    }


def test_list_refuses_unknown_kind_and_language(loaded: str) -> None:
    kind = records(loaded, "list", "--kind", "resolutions")
    assert kind.exit_code == 2 and "unknown kind 'resolutions'" in kind.stderr
    lang = records(loaded, "list", "--lang", "fr")
    assert lang.exit_code == 2 and "expected en or zh" in lang.stderr
