"""The records of SDG 11 monitoring (:func:`._monitoring.monitoring`): a
:class:`Monitoring` of :class:`TargetMonitoring` records, each with its
:class:`MethodStatus` per method and :class:`RegionRow` per region.

Used through :mod:`._monitoring`, which re-exports every name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from urbanagenda.store.progress import GlobalProgress
from urbanagenda.synthesis.build._provenance import MethodInfo

WORLD = "1"


@dataclass(frozen=True)
class MethodStatus:
    """The World status of one target by one method."""

    method: str
    edition: str
    status: str  # status code ("" when the target has no headline series with data)
    label: str  # in the report's language


@dataclass(frozen=True)
class RegionRow:
    """One row of a target's regional table (the World first, then the SDG regions)."""

    area_code: str
    name: str
    value: float | None
    year: int | None
    status: str  # target-level status by the report's method ("" when none)
    label: str
    official: bool  # an official aggregate (else computed by the platform)
    n_countries: int | None  # countries with data behind the value (None: unknown)


@dataclass(frozen=True)
class TargetMonitoring:
    """Everything a report says about one SDG 11 target."""

    target: str
    title: str  # the target's text in the report's language
    short_name: str  # "housing and slums"
    series_code: str | None  # the headline series with data (None: no data)
    series_name: str
    unit: str | None
    unit_name: str
    direction: str | None
    target_2030: float | None
    story: tuple[str, ...]  # the progress engine's sentences (narrate), lead removed
    sentences: tuple[str, ...]  # further sentences with numbers
    methods: tuple[MethodStatus, ...]
    regions: tuple[RegionRow, ...]
    trend: tuple[dict[str, Any], ...]  # area, area_code, year, value (World and regions)
    countries: Mapping[str, float]  # M49 -> latest country value (the map)
    country_years: tuple[int, int] | None  # first and last year of the map's values
    years: tuple[int, ...]  # every year of the values shown
    headline_codes: tuple[str, ...] = ()  # the target's headline series (with or without data)

    @property
    def has_data(self) -> bool:
        return self.series_code is not None and bool(self.regions)

    @property
    def world(self) -> RegionRow | None:
        return next((r for r in self.regions if r.area_code == WORLD), None)


@dataclass
class Monitoring:
    """SDG 11 monitoring in one language with one headline method (and all the others)."""

    lang: str
    method: str
    edition: str
    areas: list[str]  # the World, then the eight SDG regions
    area_names: dict[str, str]
    targets: list[TargetMonitoring]
    summary: list[str]  # the progress engine's summary (summarise_targets)
    summary_extra: list[str]  # counts, regions that lag, with numbers
    chart: pd.DataFrame  # status code per target (rows) and area (columns), report's method
    labels: dict[tuple[str, str], str]  # (target, area) -> status label, report's method
    methods: dict[str, MethodInfo]
    progress: dict[str, GlobalProgress] = field(repr=False)
    headline: dict[str, pd.DataFrame] = field(repr=False)

    def series_codes(self) -> list[str]:
        return [t.series_code for t in self.targets if t.series_code]
