"""The DDF-CSV reader on the bundled real UN SDG Global Database files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conftest import data_path
from urbanagenda.ingest.ddf import DdfReader

DDF = data_path("un_sdg_goal11_ddf")


def _file(series: str) -> Path:
    return next(DDF.glob(f"ddf--datapoints--{series}--by--*.csv"))


def _all(path: Path) -> pd.DataFrame:
    chunks = list(DdfReader().read(path))
    assert not [i for c in chunks for i in c.issues]
    return pd.concat([c.frame for c in chunks], ignore_index=True)


def test_reads_every_goal11_file_of_the_real_mirror() -> None:
    frame = _all(DDF)
    files = [p for p in DDF.iterdir() if p.name.startswith("ddf--datapoints--")]
    assert len(files) == 42
    assert frame["series_code"].nunique() == 42
    expected_rows = sum(len(pd.read_csv(p)) for p in files)
    assert len(frame) == expected_rows


def test_maps_ddf_codes_to_dsd_codes() -> None:
    slum = _all(_file("en_lnd_slum"))
    nga = slum[slum["area_code"] == "566"].set_index("year")
    assert float(nga.loc["2020", "value"]) == 48.98206
    assert set(slum["location"]) == {"U"}
    assert set(slum["nature"]) == {"G"}
    pm = _all(_file("en_atm_pm25"))
    assert set(pm["location"]) == {"_T", "U", "R", "CITY", "TSUB"}


def test_city_rows_belong_to_the_city_and_breakdowns_are_canonical() -> None:
    publ = _all(_file("sp_trn_publ"))
    lagos = publ[publ["area_code"] == "ng_lagos"]
    assert lagos["value"].tolist() == ["38.1"]
    assert set(publ["breakdown"]) == {""}  # notspec is the total
    gov = _all(_file("gb_xpd_culnat_pb"))
    assert set(gov["breakdown"]) == {
        "",
        "COMPOSITE_BREAKDOWN=LG_LOCAL",
        "COMPOSITE_BREAKDOWN=LG_NAT",
        "COMPOSITE_BREAKDOWN=LG_REG",
    }


def test_rows_point_at_file_lines() -> None:
    path = _file("en_lnd_slum")
    frame = _all(path)
    lines = path.read_text().splitlines()
    first = frame.iloc[0]
    assert lines[first["_row"] - 1].startswith(f"{first['area_code']},urban,")
    last = frame.iloc[-1]
    assert lines[last["_row"] - 1].endswith(f",{last['year']},{last['value']}")
