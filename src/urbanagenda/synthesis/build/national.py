"""The draft of a country's national report on the New Urban Agenda, for its focal point.

:func:`build_national` writes, from the store and in English or Chinese:

I.   the country profile: SDG region, sub-region and country groups (the bundled area
     tables), the latest population (``SP_POP_TOTL``) and the number of cities with data;
II.  every Goal 11 series with data for the country: earliest and latest value, the 2030
     target of the catalogue, the status by the chosen progress method (assessed on the
     country's headline disaggregation, as the country page of the web platform does), a
     sentence per series target by target (the headline series of ``assess/config/
     progress.yaml`` first) with the SDG region and the World beside it, and a trend chart of
     each headline series with a time series;
III. the country's cities in the store: a table of their latest values, the highest and the
     lowest city of each series, and a bar chart;
IV.  the sections of its last published national report in the reporting library (cited by
     title, year and version; Markdown read into plain paragraphs, trimmed);
V.   the voluntary local reviews of its cities, with the passages the library's tagger tied
     to Goal 11 targets;
VI.  points for the focal point.

Every number comes from the store when the draft is built and cites a source (series with
areas, years, loads and publishers; the assessment method; the library documents).
"""

from __future__ import annotations

from urbanagenda.model.areas import load_areas
from urbanagenda.synthesis.build._national_cities import _CitiesPart
from urbanagenda.synthesis.build._national_common import country_code as country_code
from urbanagenda.synthesis.build._national_common import headline_rows as headline_rows
from urbanagenda.synthesis.build._national_indicators import _IndicatorsPart
from urbanagenda.synthesis.build._national_library import _LibraryPart
from urbanagenda.synthesis.build._national_library import (
    markdown_paragraphs as markdown_paragraphs,
)
from urbanagenda.synthesis.build._national_library import trim_paragraphs as trim_paragraphs
from urbanagenda.synthesis.build._national_library import trim_text as trim_text
from urbanagenda.synthesis.build._national_profile import (
    POPULATION_SERIES as POPULATION_SERIES,
)
from urbanagenda.synthesis.build._national_profile import _ProfilePart
from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.generate import BuildContext

__all__ = ["POPULATION_SERIES", "build_national", "country_code"]


class _Draft(_ProfilePart, _IndicatorsPart, _CitiesPart, _LibraryPart):
    """The whole draft: its chapters from the ``_national_*`` modules, in order."""

    # ====================================================================== VI. next
    def next_points(self) -> None:
        self.chapter_heading("h_next", "next-steps")
        self.b.bullets([str(x) for x in self.ph.get("next_points", [])])


# --------------------------------------------------------------------------- entry point


def build_national(ctx: BuildContext) -> Document:
    """The national report draft of the country ``ctx.area`` (M49 or ISO 3166 code)."""
    areas = load_areas()
    code = country_code(ctx.area, areas)
    draft = _Draft(ctx, code, areas)
    draft.cover()
    draft.profile()
    draft.indicators()
    draft.cities()
    draft.report()
    draft.vlrs()
    draft.next_points()
    return draft.doc
