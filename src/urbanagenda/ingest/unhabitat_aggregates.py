"""UN-Habitat's official regional and global slum estimates, as observations on region codes.

:class:`SlumAggregatesReader` (``unhabitat-slum-aggregates``) reads the same workbook as
:class:`~urbanagenda.ingest.unhabitat.SlumEstimatesReader` (``unhabitat_slum_estimates_by_
country_2000-2020.xlsx``) but keeps only the rows of SDG regions and the World ("Sub-Saharan
Africa" -> ``202``, "Global Average" -> ``1``, ...): ``EN_LND_SLUM`` and ``EN_LND_SLUMN``
with location ``U``, as UN-Habitat publishes them.  They are the official aggregates that
computed aggregates are compared with (``urbanagenda aggregate``).  The country rows are left
to the default reader, so loading both never gives a row twice.

It is chosen only by name (``urbanagenda load --format unhabitat-slum-aggregates``): sniffing
picks the default reader for this workbook, whose behaviour is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.unhabitat import SlumEstimatesReader, _is_country

__all__ = ["SlumAggregatesReader"]


class SlumAggregatesReader:
    """The regional and global rows of the UN-Habitat slum estimates workbook only."""

    format_name = "unhabitat-slum-aggregates"

    def __init__(self) -> None:
        self._reader = SlumEstimatesReader(aggregates=True)

    def sniff(self, path: Path) -> bool:
        """Never recognised by sniffing: name the format to load the aggregates."""
        return False

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        for chunk in self._reader.read(path, chunk_rows=chunk_rows):
            frame = chunk.frame
            # unresolved names stay text and stay in, so that the validator reports them
            keep = ~frame["area_code"].map(lambda c: isinstance(c, str) and _is_country(c))
            yield Chunk(frame[keep].reset_index(drop=True), chunk.issues)
