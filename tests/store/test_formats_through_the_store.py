"""Every input format goes through the same store: real files in, the same observations out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from conftest import data_path
from urbanagenda import api
from urbanagenda.store import query
from urbanagenda.store.load import load_files


def test_sdg_database_export_xlsx_loads_city_rows(engine: Engine) -> None:
    path = data_path("unhabitat/sdgdb_format_EN_URB_OPENSP_AFG_cities.xlsx")
    result = load_files(engine, [path])
    assert result.formats == {str(path): "sdgdb"}
    assert result.inserted == 26
    kabul = query.read_observations(engine, series=["EN_URB_OPENSP"], areas=["af_kabul"])
    assert len(kabul) >= 1 and set(kabul["unit"]) == {"PT"}


@pytest.mark.parametrize("fmt", ["sdmx-ml", "sdmx-csv", "csv", "xlsx"])
def test_export_then_load_into_an_empty_store_gives_the_same_observations(
    demo_db: str, engine: Engine, tmp_path: Path, fmt: str
) -> None:
    series = ["EN_LND_SLUM", "EN_ATM_PM25", "GB_XPD_CULNAT_PB"]
    areas = ["566", "4", "76", "250", "1"]
    suffix = {"sdmx-ml": ".xml", "sdmx-csv": ".csv", "csv": ".csv", "xlsx": ".xlsx"}[fmt]
    path, n = api.export(
        series, tmp_path / f"out{suffix}", format_name=fmt, areas=areas, database=demo_db
    )
    assert n > 100
    if fmt in ("csv", "xlsx"):  # our own tabular exports are tidy files
        frame = (
            pd.read_csv(path, keep_default_na=False, dtype=str)
            if fmt == "csv"
            else pd.read_excel(path, keep_default_na=False, dtype=str)
        )
        path = tmp_path / "tidy.csv"
        frame.to_csv(path, index=False)
    result = load_files(engine, [path])
    assert result.inserted == n
    want = query.read_observations(api._engine(demo_db), series=series, areas=areas)
    got = query.read_observations(engine, series=series, areas=areas)
    cols = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown", "unit"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
    assert got["value"].tolist() == pytest.approx(want["value"].tolist(), rel=1e-12)
