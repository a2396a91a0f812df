"""Exports of observation frames: CSV, XLSX, Parquet and a Frictionless Data Package."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from urbanagenda.model.observations import COLUMNS, KEY_COLUMNS

__all__ = ["write_csv", "write_datapackage", "write_parquet", "write_xlsx"]

_DESCRIPTIONS = {
    "series_code": "SDG series code (global SDG DSD CL_SERIES, or a local series code)",
    "area_code": "M49 area code, or a city code",
    "year": "reference year",
    "sex": "CL_SEX code (_T = total)",
    "age": "CL_AGE code (_T = total)",
    "location": "CL_URBANISATION code (_T total, U urban, R rural, CITY, TSUB)",
    "breakdown": "other SDG DSD dimensions as DIM=CODE pairs joined by ';' (empty = none)",
    "value": "observation value, in `unit`",
    "unit": "CL_UNIT_MEASURE code",
    "nature": "CL_NATURE code (C, CA, E, G, M, N)",
    "source": "data source",
    "footnote": "footnote",
}


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame[list(COLUMNS)].to_csv(path, index=False, encoding="utf-8")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        frame[list(COLUMNS)].to_excel(xl, sheet_name="observations", index=False)
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    frame[list(COLUMNS)].to_parquet(path, index=False)
    return path


def write_datapackage(
    frame: pd.DataFrame,
    folder: Path,
    *,
    name: str = "urbanagenda-export",
    sources: list[dict[str, str]] | None = None,
) -> Path:
    """A Frictionless Data Package: ``observations.csv`` with its Table Schema."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(frame, folder / "observations.csv")
    fields = []
    for c in COLUMNS:
        ftype = {"year": "integer", "value": "number"}.get(c, "string")
        fdef: dict[str, object] = {"name": c, "type": ftype, "description": _DESCRIPTIONS[c]}
        if c in KEY_COLUMNS or c in ("value", "unit"):
            fdef["constraints"] = {"required": True}
        fields.append(fdef)
    descriptor = {
        "name": name,
        "title": "urbanagenda observations export",
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "sources": sources or [{"title": "UN SDG Global Database (UNSD) and UN-Habitat"}],
        "resources": [
            {
                "name": "observations",
                "path": "observations.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                # "" is a value here (the total breakdown), not a missing cell
                "schema": {"fields": fields, "primaryKey": list(KEY_COLUMNS), "missingValues": []},
            }
        ],
    }
    out = folder / "datapackage.json"
    out.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
