"""DDF-CSV datapoints, as in the open-numbers mirror of the UN SDG Global Database.

A dataset is a folder of ``ddf--datapoints--<series>--by--<dims>.csv`` files (a single such
file may be loaded too).  Dimension codes are the lower-case SDG API codes; they are mapped
to the DSD codes of :mod:`urbanagenda.model.observations`.  Where a ``cities`` column is
present the observation belongs to the city (its area code is the city id), else to
``geo_area`` (an M49 code); the city id ``nociti`` marks a national value of a city series.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.csvtools import arrow_error_issue, check_text_file, read_header, stream_csv
from urbanagenda.ingest.report import Issue

__all__ = ["DdfReader", "datapoint_files"]

_NAME = re.compile(r"^ddf--datapoints--(?P<series>[a-z0-9_]+)--by--(?P<dims>[a-z0-9_-]+)\.csv$")

SEX = {
    "bothsex": "_T",
    "notspec": "_T",
    "female": "F",
    "male": "M",
    "o": "_O",
    "u": "_U",
    "x": "_X",
}
LOCATION = {
    "allarea": "_T",
    "notspec": "_T",
    "urban": "U",
    "rural": "R",
    "city": "CITY",
    "tsub": "TSUB",
}
#: other DDF dimensions → (SDG DSD dimension, code map; None maps a code to its upper case)
OTHER: dict[str, tuple[str, dict[str, str] | None]] = {
    "custom_breakdown": ("CUST_BREAKDOWN", {"notspec": "_T"}),
    "level_of_government": (
        "COMPOSITE_BREAKDOWN",
        {"t": "_T", "local": "LG_LOCAL", "nat": "LG_NAT", "reg": "LG_REG"},
    ),
    "hazard_type": ("HAZARD_TYPE", {"notspec": "_T"}),
}
KNOWN_DIMS = {"geo_area", "cities", "year", "sex", "location", "nature", "units", "age", *OTHER}


def datapoint_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if _NAME.match(p.name))
    return [path]


def _map(col: pd.Series, mapping: dict[str, str] | None) -> pd.Series:
    s = col.astype("string").fillna("").str.strip().str.lower()
    if mapping is None:
        return s.str.upper()
    return s.map(lambda v: mapping.get(v, v.upper())).astype("string")


class DdfReader:
    format_name = "ddf"

    def sniff(self, path: Path) -> bool:
        if path.is_dir():
            return any(_NAME.match(p.name) for p in path.iterdir())
        return bool(_NAME.match(path.name))

    def read(self, path: Path, *, chunk_rows: int = 200_000) -> Iterator[Chunk]:
        files = datapoint_files(path)
        if not files:
            yield Chunk(
                pd.DataFrame(),
                [
                    Issue(
                        "empty-file",
                        "the folder holds no ddf--datapoints--*.csv file.",
                        file=str(path),
                        fix="point at a DDF dataset folder or at one datapoints file",
                    )
                ],
            )
            return
        for file in files:
            yield from self._read_file(file, chunk_rows)

    def _read_file(self, file: Path, chunk_rows: int) -> Iterator[Chunk]:
        fatal = check_text_file(file)
        if fatal:
            yield Chunk(pd.DataFrame(), [fatal])
            return
        m = _NAME.match(file.name)
        if not m:
            yield Chunk(
                pd.DataFrame(),
                [
                    Issue(
                        "unknown-format",
                        "the file name is not a DDF datapoints name.",
                        file=str(file),
                        found=file.name,
                        expected="ddf--datapoints--<series>--by--<dim>--<dim>.csv",
                        fix="rename the file as DDF requires, or load it as tidy CSV",
                    )
                ],
            )
            return
        concept = m.group("series")
        dims = m.group("dims").split("--")
        header = read_header(file)
        expected = [*dims, concept]
        missing = [c for c in expected if c not in header]
        unknown = [d for d in dims if d not in KNOWN_DIMS]
        issues = [
            Issue(
                "missing-column",
                f"column {c!r} named by the file name is absent.",
                file=str(file),
                row=1,
                column=c,
                found=", ".join(header),
                expected=", ".join(expected),
                fix="make the header match the file name's dimensions",
            )
            for c in missing
        ] + [
            Issue(
                "unknown-code",
                f"the DDF dimension {d!r} is not one urbanagenda maps.",
                file=str(file),
                row=1,
                column=d,
                expected=", ".join(sorted(KNOWN_DIMS)),
                fix="remove the dimension or map it to an SDG DSD dimension first",
            )
            for d in unknown
        ]
        if issues:
            yield Chunk(pd.DataFrame(), issues)
            return
        try:
            for raw, first_line in stream_csv(file, chunk_rows=chunk_rows):
                yield Chunk(self._convert(raw, concept, dims, first_line, file))
        except (pa.ArrowInvalid, ValueError) as exc:
            yield Chunk(pd.DataFrame(), [arrow_error_issue(file, exc)])

    @staticmethod
    def _convert(
        raw: pd.DataFrame, concept: str, dims: list[str], first: int, file: Path
    ) -> pd.DataFrame:
        n = len(raw)
        out = pd.DataFrame(index=raw.index)
        out["series_code"] = concept.upper()
        if "cities" in raw:
            city = raw["cities"].str.strip().str.lower()
            # "nociti…" marks a national value of a city series (city-states such as Singapore)
            national = city.str.startswith("nociti") | (city == "")
            out["area_code"] = city.where(~national, raw["geo_area"])
        else:
            out["area_code"] = raw["geo_area"]
        out["year"] = raw["year"]
        out["value"] = raw[concept]
        if "sex" in raw:
            out["sex"] = _map(raw["sex"], SEX)
        if "location" in raw:
            out["location"] = _map(raw["location"], LOCATION)
        if "age" in raw:
            out["age"] = _map(raw["age"], {"allage": "_T", "notspec": "_T"})
        if "nature" in raw:
            out["nature"] = raw["nature"].str.strip().str.upper()
        if "units" in raw:
            out["unit"] = raw["units"]
        parts = []
        for d in sorted(d for d in dims if d in OTHER):
            dsd_dim, mapping = OTHER[d]
            codes = _map(raw[d], mapping)
            parts.append((dsd_dim, codes))
        if parts:
            parts.sort(key=lambda p: p[0])
            key = pd.Series("", index=raw.index, dtype="string")
            for dsd_dim, codes in parts:
                piece = (dsd_dim + "=" + codes).where((codes != "_T") & (codes != ""), "")
                key = key.str.cat(piece, sep=";")
            out["breakdown"] = key.str.replace(r";{2,}", ";", regex=True).str.strip(";")
        out["_row"] = np.arange(first, first + n)
        out["_sheet"] = ""
        return out
