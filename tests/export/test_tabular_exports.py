"""Exports from the demo database: round trips for CSV, XLSX, Parquet, SDMX; a valid datapackage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sdmx

from urbanagenda import api
from urbanagenda.store import query
from urbanagenda.store.engine import open_engine

SERIES = ["EN_LND_SLUM", "SP_TRN_PUBL"]


@pytest.fixture(scope="module")
def expected(demo_db: str) -> pd.DataFrame:
    return query.read_observations(open_engine(demo_db), series=SERIES)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.fillna("").astype({"year": "int64", "value": "float64"})
    for c in (
        "series_code",
        "area_code",
        "sex",
        "age",
        "location",
        "breakdown",
        "unit",
        "nature",
        "source",
        "footnote",
    ):
        got[c] = got[c].astype(str)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True),
        want.astype({c: str for c in want.columns if c not in ("year", "value")}).reset_index(
            drop=True
        ),
        check_dtype=False,
    )


def test_csv_round_trip(demo_db: str, expected: pd.DataFrame, tmp_path: Path) -> None:
    path, n = api.export(SERIES, tmp_path / "o.csv", format_name="csv", database=demo_db)
    assert n == len(expected) > 1000
    _same(pd.read_csv(path, dtype={"area_code": str}, keep_default_na=False), expected)


def test_xlsx_round_trip(demo_db: str, expected: pd.DataFrame, tmp_path: Path) -> None:
    path, _ = api.export(SERIES, tmp_path / "o.xlsx", format_name="xlsx", database=demo_db)
    _same(pd.read_excel(path, dtype={"area_code": str}, keep_default_na=False), expected)


def test_parquet_round_trip(demo_db: str, expected: pd.DataFrame, tmp_path: Path) -> None:
    path, _ = api.export(SERIES, tmp_path / "o.parquet", format_name="parquet", database=demo_db)
    _same(pd.read_parquet(path), expected)


def test_datapackage_is_valid_for_frictionless(demo_db: str, tmp_path: Path) -> None:
    from frictionless import Package

    path, n = api.export(
        ["EN_LND_SLUM"],
        tmp_path / "pkg",
        format_name="datapackage",
        areas=["566", "4"],
        database=demo_db,
    )
    report = Package(str(path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert n == 19  # Nigeria (11 slum-share years) and Afghanistan (8)


@pytest.mark.parametrize("fmt", ["sdmx-ml", "sdmx-csv"])
def test_sdmx_export_reads_back_with_sdmx1(demo_db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("o.xml" if fmt == "sdmx-ml" else "o.csv")
    path, n = api.export(["EN_LND_SLUM"], out, format_name=fmt, areas=["566"], database=demo_db)
    assert n == 11
    if fmt == "sdmx-ml":
        from urbanagenda.model.codes import dsd_path

        with open(dsd_path(), "rb") as fh:  # sdmx1 leaves a file it opened itself open
            dsd = sdmx.read_sdmx(fh).structure["SDG"]
        with open(path, "rb") as fh:
            msg = sdmx.read_sdmx(fh, structure=dsd)
        data = sdmx.to_pandas(msg.data[0]).reset_index()
        values = dict(zip(data["TIME_PERIOD"].astype(int), data["value"], strict=True))
    else:
        frame = pd.read_csv(path)
        values = dict(zip(frame["TIME_PERIOD"].astype(int), frame["OBS_VALUE"], strict=True))
    assert values[2020] == pytest.approx(48.98206)
    assert values[2000] == pytest.approx(74.10729)
