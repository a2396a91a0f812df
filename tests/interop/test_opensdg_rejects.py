"""Malformed Open SDG repositories: every problem located, the database untouched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from urbanagenda.errors import DataError, ValidationFailed
from urbanagenda.interop.opensdg import import_opensdg

LA = Path(__file__).parents[1] / "specimens" / "opensdg_los_angeles"
AREA = "us_los_angeles_ca"


def _copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(LA, repo)
    return repo


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def no_value_column(repo: Path) -> Path:
    _edit(repo / "data/indicator_11-2-1.csv", "Year,Bus or Rail,Value", "Year,Bus or Rail,Amount")
    return repo


def non_numeric_value(repo: Path) -> Path:
    _edit(repo / "data/indicator_11-2-1.csv", "2015,Bus,333971187", "2015,Bus,333 971 187 trips")
    return repo


def broken_yaml(repo: Path) -> Path:
    _edit(repo / "meta/11-6-1.md", "graph_type: bar\n", "graph_type: [bar\n")
    return repo


def no_data_folder(repo: Path) -> Path:
    shutil.rmtree(repo / "data")
    return repo


def zip_that_is_not_a_zip(repo: Path) -> Path:
    fake = repo.parent / "repository.zip"
    fake.write_text("Year,Value\n2020,1\n")
    return fake


def ragged_row(repo: Path) -> Path:
    _edit(repo / "data/indicator_11-6-1.csv", "2016,100", "2016,100,extra")
    return repo


def impossible_year(repo: Path) -> Path:
    _edit(repo / "data/indicator_11-6-1.csv", "2017,100", "twenty-seventeen,100")
    return repo


def duplicate_row(repo: Path) -> Path:
    _edit(repo / "data/indicator_11-6-1.csv", "2018,100", "2018,100\n2018,99")
    return repo


CASES: list[tuple[Callable[[Path], Path], str, str, int | None, str | None]] = [
    (no_value_column, "missing-column", "data/indicator_11-2-1.csv", None, "Value"),
    (non_numeric_value, "non-numeric-value", "data/indicator_11-2-1.csv", 3, "Value"),
    (broken_yaml, "parse-error", "meta/11-6-1.md", 10, None),
    (no_data_folder, "file-not-found", "repo", None, None),
    (zip_that_is_not_a_zip, "not-a-zip", "repository.zip", None, None),
    (ragged_row, "parse-error", "data/indicator_11-6-1.csv", 3, None),
    (impossible_year, "impossible-year", "data/indicator_11-6-1.csv", 4, "Year"),
    (duplicate_row, "duplicate-key", "data/indicator_11-6-1.csv", 6, None),
]


@pytest.mark.parametrize(
    ("breaks", "code", "file", "row", "column"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_a_malformed_repository_is_rejected_with_located_issues_and_writes_nothing(
    sqlite_engine: Engine,
    tmp_path: Path,
    digest,  # type: ignore[no-untyped-def]
    breaks: Callable[[Path], Path],
    code: str,
    file: str,
    row: int | None,
    column: str | None,
) -> None:
    path = breaks(_copy(tmp_path))
    db = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    before = digest(db)
    with pytest.raises(ValidationFailed) as info:
        import_opensdg(sqlite_engine, path, AREA)
    sqlite_engine.dispose()
    assert digest(db) == before
    issues = info.value.report.issues
    assert [i.code for i in issues] == [code], info.value.report.summary()
    issue = issues[0]
    assert issue.file is not None and issue.file.endswith(file)
    assert issue.row == row
    assert issue.column == column
    assert issue.fix
    # a dry run reports the same issues and raises nothing
    dry = import_opensdg(sqlite_engine, path, AREA, dry_run=True)
    assert [i.code for i in dry.report.issues] == [code]


def test_a_dry_run_of_a_good_repository_writes_nothing(
    sqlite_engine: Engine,
    digest,  # type: ignore[no-untyped-def]
) -> None:
    db = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    before = digest(db)
    result = import_opensdg(sqlite_engine, LA, AREA, dry_run=True)
    sqlite_engine.dispose()
    assert result.report.valid and result.observations == 340 and result.load_id is None
    assert digest(db) == before


def test_unknown_areas_and_relations_are_refused_before_reading(sqlite_engine: Engine) -> None:
    with pytest.raises(DataError, match="unknown area code"):
        import_opensdg(sqlite_engine, LA, "atlantis")
    with pytest.raises(DataError, match="unknown relation"):
        import_opensdg(sqlite_engine, LA, AREA, relations={"11.1.1": "twin"})
    with pytest.raises(DataError, match="does not have"):
        import_opensdg(sqlite_engine, LA, AREA, relations={"11.9.9": "context"})
