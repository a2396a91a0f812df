"""``urbanagenda report`` in-process (Typer's CliRunner) on the demo database: one real run
per format (the national draft for Nigeria, the smallest report), ``--json``, and requests
that are refused with a clear message and write nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from urbanagenda.cli.main import app

runner = CliRunner()


def report(demo_db: str, *args: str) -> Any:
    return runner.invoke(app, ["report", *args, "--database", demo_db], env={"COLUMNS": "200"})


def test_pdf_with_progress_and_summary(demo_db: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "nigeria.pdf"
    result = report(demo_db, "national", "--area", "NGA", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Nigeria" in text
    # the steps, then where, how big and how long
    for step in ("building the national report (en)", "rendering PDF", "writing"):
        assert step in result.output
    assert f"written: {out}" in result.output and "KiB" in result.output
    assert not list(tmp_path.glob("*.part"))


def test_docx_json(demo_db: str, tmp_path: Path) -> None:
    from docx import Document as Docx

    out = tmp_path / "nigeria.docx"
    result = report(demo_db, "national", "--area", "566", "--format", "docx", "--out", str(out),
                    "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["path"] == str(out.resolve()) and info["kind"] == "national"
    assert info["lang"] == "en" and info["format"] == "docx"
    assert info["bytes"] == out.stat().st_size > 0 and info["seconds"] > 0
    text = "\n".join(p.text for p in Docx(str(out)).paragraphs)
    assert "Nigeria" in text


def test_html_in_chinese_into_a_folder(demo_db: str, tmp_path: Path) -> None:
    result = report(demo_db, "national", "--area", "566", "--lang", "zh", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = tmp_path / "national-566-zh.html"  # the default name, in the folder given
    page = written.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and 'lang="zh' in page
    assert "尼日利亚" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["national", "--area", "999999"], "unknown area '999999'"),
        (["national", "--area", "ng_lagos"], "is a city, not a country"),
        (["national"], "needs a country"),
        (["synthesis", "--area", "566"], "--area is for national report drafts"),
        (["memoir"], "unknown report 'memoir'"),
        (["sg-report", "--format", "odt"], "unknown format 'odt'"),
        (["sg-report", "--lang", "de"], "unknown language 'de'"),
        (["sg-report", "--method", "guesswork"], "unknown progress method 'guesswork'"),
    ],
)
def test_refused_requests_write_nothing(
    demo_db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "report.out"
    result = report(demo_db, *args, "--out", str(out))
    assert result.exit_code == 2
    assert "error:" in result.output and message in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "report.html"
    result = report(demo_db, "national", "--area", "566", "--out", str(out))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert not (tmp_path / "no").exists()
