"""World Bank population CSV (``Country Name, Country Code, Year, Value``), as bundled.

Rows become series ``SP_POP_TOTL`` (total population, persons) for the country whose ISO3
code is given.  World Bank aggregates (regions, income groups, ``WLD`` …) are not M49 areas
and are skipped on purpose: urbanagenda computes aggregates itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.csvtools import check_text_file, read_header, stream_csv

__all__ = ["WB_AGGREGATES", "WorldBankPopulationReader"]

HEADER = ["Country Name", "Country Code", "Year", "Value"]
SERIES = "SP_POP_TOTL"

#: World Bank aggregate codes (WDI country groups), plus XKX (Kosovo) and CHI (Channel
#: Islands), which have no M49 country code of their own.
WB_AGGREGATES = frozenset(
    [
        "AFE",
        "AFW",
        "ARB",
        "CEB",
        "CSS",
        "EAP",
        "EAR",
        "EAS",
        "ECA",
        "ECS",
        "EMU",
        "EUU",
        "FCS",
        "HIC",
        "HPC",
        "IBD",
        "IBT",
        "IDA",
        "IDB",
        "IDX",
        "INX",
        "LAC",
        "LCN",
        "LDC",
        "LIC",
        "LMC",
        "LMY",
        "LTE",
        "MEA",
        "MIC",
        "MNA",
        "NAC",
        "OED",
        "OSS",
        "PRE",
        "PSS",
        "PST",
        "SAS",
        "SSA",
        "SSF",
        "SST",
        "TEA",
        "TEC",
        "TLA",
        "TMN",
        "TSA",
        "TSS",
        "UMC",
        "WLD",
        "XKX",
        "CHI",
    ]
)


class WorldBankPopulationReader:
    format_name = "worldbank-population"

    def sniff(self, path: Path) -> bool:
        return path.suffix.lower() == ".csv" and path.is_file() and read_header(path) == HEADER

    def read(self, path: Path, *, chunk_rows: int = 200_000) -> Iterator[Chunk]:
        fatal = check_text_file(path)
        if fatal:
            yield Chunk(pd.DataFrame(), [fatal])
            return
        for raw, first in stream_csv(path, chunk_rows=chunk_rows):
            rows = np.arange(first, first + len(raw))
            keep = ~raw["Country Code"].str.strip().str.upper().isin(WB_AGGREGATES)
            frame = pd.DataFrame(
                {
                    "series_code": SERIES,
                    "area_code": raw["Country Code"],
                    "year": raw["Year"],
                    "value": raw["Value"],
                    "unit": "NUMBER",
                    "_row": rows,
                    "_sheet": "",
                }
            )[keep.to_numpy()]
            yield Chunk(frame)
