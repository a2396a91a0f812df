"""Which reader reads which file: by ``--format`` name, else by sniffing."""

from __future__ import annotations

from pathlib import Path

from urbanagenda.errors import DataError
from urbanagenda.ingest.base import Reader
from urbanagenda.ingest.ddf import DdfReader
from urbanagenda.ingest.tidy import TidyCsvReader

__all__ = ["FORMATS", "reader_for", "readers"]


def readers() -> list[Reader]:
    """Every reader, most specific first (sniffing stops at the first that recognises a file)."""
    from urbanagenda.ingest.population import WorldBankPopulationReader
    from urbanagenda.ingest.sdgdb import SdgDbReader
    from urbanagenda.ingest.sdmx_reader import SdmxCsvReader, SdmxMlReader
    from urbanagenda.ingest.template import TemplateReader
    from urbanagenda.ingest.unhabitat import UNHABITAT_READERS
    from urbanagenda.ingest.unhabitat_aggregates import SlumAggregatesReader

    return [
        TemplateReader(),
        *UNHABITAT_READERS,
        SdmxMlReader(),
        SdmxCsvReader(),
        DdfReader(),
        WorldBankPopulationReader(),
        SdgDbReader(),
        TidyCsvReader(),
        SlumAggregatesReader(),  # by --format only: it never claims a file when sniffing
    ]


FORMATS = (
    "template",
    "unhabitat-open-spaces",
    "unhabitat-green-areas",
    "unhabitat-slums",
    "sdmx-ml",
    "sdmx-csv",
    "ddf",
    "worldbank-population",
    "sdgdb",
    "tidy-csv",
)


def reader_for(path: Path, format_name: str | None = None) -> Reader:
    """The reader for ``path``; raises DataError saying which formats exist when none fits."""
    all_readers = readers()
    if format_name:
        for r in all_readers:
            if r.format_name == format_name:
                return r
        raise DataError(
            f"unknown format {format_name!r}; expected one of "
            f"{', '.join(r.format_name for r in all_readers)}"
        )
    for r in all_readers:
        try:
            if r.sniff(path):
                return r
        except OSError:
            continue
    raise DataError(
        f"{path}: cannot tell which format this file is in. Expected one of: "
        f"{', '.join(r.format_name for r in all_readers)}. Name the format with --format, or "
        "check that the file is a CSV/XLSX/XML export of one of those."
    )
