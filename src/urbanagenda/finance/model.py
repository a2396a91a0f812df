"""The value objects of the finance tools: what an own-source revenue (OSR) analysis and a
capital investment plan take in, and what they give back.

These types are the contract between the formulas (:mod:`.osr`), the analysis
(:mod:`.analysis`), the investment ranking (:mod:`.invest`), the file readers and templates,
the store, the CLI, the API, the web pages and the summary reports.  Every result has
``to_dict()`` giving plain JSON values (the API's and ``--json``'s shape).

Any numeric input that is an estimate may carry a range: :class:`Estimate` holds the
central value and, optionally, a low and a high value; the analysis propagates the ranges to
the gap (:mod:`.uncertainty`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CHARGE_PERIODS",
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "PARTS",
    "SECTORS",
    "STAGES",
    "STREAM_KINDS",
    "ChargeInput",
    "CriterionScore",
    "Estimate",
    "FiscalIndicators",
    "FiscalInput",
    "LicenceCategoryInput",
    "Need",
    "OsrInput",
    "OsrResult",
    "PlanEntry",
    "PlanInput",
    "PlanResult",
    "Project",
    "PropertyCategoryInput",
    "Range",
    "Recommendation",
    "ScoredProject",
    "SensitivityItem",
    "SourceRef",
    "StreamInput",
    "StreamResult",
    "Trend",
    "WeightSensitivity",
    "YearInput",
    "YearResult",
    "to_jsonable",
]

#: The revenue streams of an analysis (ROSRA's streams).
STREAM_KINDS: tuple[str, ...] = (
    "property_tax",  # categories of properties on a valuation roll
    "business_licence",  # business licences and permits, categories of businesses
    "user_charge_short",  # charges per day (markets, bus parks, parking)
    "user_charge_long",  # charges per month or year (rents of municipal property, leases)
    "user_charge_mixed",  # a stream whose charges mix daily and monthly/annual ones
    "other_tax",  # any other local tax: taxpayers × average amount
)
#: The parts a gap splits into (the residual is the parts' interaction, kept apart).
PARTS: tuple[str, ...] = ("coverage", "compliance", "valuation", "rate")
#: What a user charge's ``periods`` count.
CHARGE_PERIODS: tuple[str, ...] = ("day", "month", "year")

#: Capital investment: criteria of the multi-criteria score and their default weights.
CRITERIA: tuple[str, ...] = (
    "need",  # the city's indicator gaps on the SDG targets the project addresses
    "reach",  # population served, as a share of the city's population
    "alignment",  # SDG 11 targets and UMF cells addressed
    "readiness",  # preparation stage
    "bankability",  # cost recovery, co-financing, land, environmental clearance
    "cost_effectiveness",  # people served per unit of cost, relative to the list
)
DEFAULT_WEIGHTS: dict[str, float] = {
    "need": 0.30,
    "reach": 0.15,
    "alignment": 0.10,
    "readiness": 0.15,
    "bankability": 0.15,
    "cost_effectiveness": 0.15,
}
#: Preparation stages, least to most prepared.
STAGES: tuple[str, ...] = (
    "idea",
    "concept",
    "pre_feasibility",
    "feasibility",
    "detailed_design",
    "ready",
)
SECTORS: tuple[str, ...] = (
    "transport",
    "water_sanitation",
    "solid_waste",
    "drainage_resilience",
    "housing",
    "public_space",
    "energy",
    "health",
    "education",
    "economic_development",
    "other",
)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples and dicts as plain JSON values (NaN and infinities as ``None``)."""
    if isinstance(value, _Jsonable) and type(value).to_dict is not _Jsonable.to_dict:
        return value.to_dict()  # a result that adds derived fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Jsonable:
    def to_dict(self) -> dict[str, Any]:
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- inputs (OSR)


@dataclass(frozen=True)
class Estimate(_Jsonable):
    """A number, or an estimate with a range (``low ≤ central ≤ high``)."""

    central: float
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def lo(self) -> float:
        return self.central if self.low is None else self.low

    @property
    def hi(self) -> float:
        return self.central if self.high is None else self.high

    @classmethod
    def of(cls, value: float) -> Estimate:
        return cls(float(value))


@dataclass(frozen=True)
class SourceRef(_Jsonable):
    """A cited source of input figures (an analysis's ``sources``; streams cite by ``id``)."""

    id: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class PropertyCategoryInput(_Jsonable):
    """A property category: counts on the roll, average values and the rates."""

    name: str
    registered: Estimate  # R_c: properties on the roll
    compliant: Estimate  # K_c: of those, paying
    assessed_value: Estimate  # A_c: average value on the roll
    market_value: Estimate  # M_c: average market value
    rate: Estimate  # τ_c: the rate applied (a fraction of the value)
    legislated_rate: Estimate | None = None  # the rate the law sets (None: = rate)


@dataclass(frozen=True)
class LicenceCategoryInput(_Jsonable):
    """A business licence category: businesses there are, registered and paying, and fees."""

    name: str
    estimated: Estimate  # businesses there are
    registered: Estimate  # holding a licence record
    compliant: Estimate  # of those, paying
    fee: Estimate  # average fee actually charged per year
    legislated_fee: Estimate | None = None  # the fee the by-law sets (None: = fee)


@dataclass(frozen=True)
class ChargeInput(_Jsonable):
    """A user charge (or an "other tax"): payers, the rate per period and the periods."""

    name: str
    users_estimated: Estimate  # users (or taxpayers) there are
    users_actual: Estimate  # of those, paying
    rate: Estimate  # charged per user per period
    legislated_rate: Estimate | None = None  # allowed per user per period (None: = rate)
    periods: Estimate = field(default_factory=lambda: Estimate(1.0))  # periods in the year
    per: Literal["day", "month", "year"] = "year"


@dataclass(frozen=True)
class StreamInput(_Jsonable):
    """One revenue stream of one year.

    ``property_tax``: ``estimated`` (properties there are, registered or not) and
    ``categories`` of :class:`PropertyCategoryInput`; ``business_licence``: ``categories`` of
    :class:`LicenceCategoryInput`; user charges and ``other_tax``: ``charges``.
    ``actual_reported`` is the revenue the accounts record, when known (compared with the
    computed actual, never used in the formulas).
    """

    kind: str
    name: str
    estimated: Estimate | None = None
    categories: tuple[PropertyCategoryInput | LicenceCategoryInput, ...] = ()
    charges: tuple[ChargeInput, ...] = ()
    actual_reported: float | None = None
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class FiscalInput(_Jsonable):
    """The fiscal context of a year; population comes from the store when not given."""

    population: Estimate | None = None
    gdp_per_capita: Estimate | None = None  # local currency per person per year
    household_size: Estimate | None = None
    usd_rate: float | None = None  # local currency units per US dollar (for comparisons)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class YearInput(_Jsonable):
    year: int
    streams: tuple[StreamInput, ...]
    fiscal: FiscalInput = field(default_factory=FiscalInput)


@dataclass(frozen=True)
class OsrInput(_Jsonable):
    """An own-source revenue analysis of one local government, one or several years."""

    name: str  # the local government
    years: tuple[YearInput, ...]
    currency: str  # ISO 4217 code
    area_code: str | None = None  # a city (or country) of the store
    country_code: str | None = None  # M49; from the city when it is one
    example: bool = False  # an illustration, not an official analysis
    note: str = ""
    sources: tuple[SourceRef, ...] = ()

    @property
    def key(self) -> str:
        """What identifies the local government across analyses (area code, else name)."""
        return self.area_code or self.name.strip().lower()


# --------------------------------------------------------------------------- results (OSR)


@dataclass(frozen=True)
class Range(_Jsonable):
    """A computed figure: central value and, when inputs carry ranges, low and high."""

    central: float
    low: float
    high: float

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)


@dataclass(frozen=True)
class Recommendation(_Jsonable):
    """A cause of part of a gap and the reform the catalogue recommends (``reforms.yaml``)."""

    id: str  # catalogue entry id
    stream: str  # stream name
    part: str  # coverage | compliance | valuation | rate
    amount: float  # revenue at stake: the part's size
    share: float  # of the stream's gap
    cause: str
    reform: str
    actions: tuple[str, ...]
    horizon: str  # short | medium | long
    sources: tuple[str, ...]  # citations of the catalogue entry


@dataclass(frozen=True)
class StreamResult(_Jsonable):
    kind: str
    name: str
    actual: Range
    potential: Range
    gap: Range
    parts: dict[str, Range]  # keys among PARTS, only those the stream has
    residual: Range
    actual_reported: float | None = None
    recommendations: tuple[Recommendation, ...] = ()

    @property
    def efficiency(self) -> float | None:
        """Actual as a share of potential (None when the potential is 0)."""
        p = self.potential.central
        return self.actual.central / p if p > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """The fields and ``efficiency`` (actual as a share of potential)."""
        return {**super().to_dict(), "efficiency": self.efficiency}


@dataclass(frozen=True)
class SensitivityItem(_Jsonable):
    """How the year's total gap moves with one input (others at their central values)."""

    input: str  # a path, e.g. "streams[0].categories[1].market_value"
    label: str  # readable: "Property rates · residential · market value"
    stream: str
    base: float  # the input's central value
    gap_minus: float  # total gap with the input 10 % lower (rules kept)
    gap_plus: float  # … 10 % higher
    gap_low: float | None = None  # … at the input's low value (when it has a range)
    gap_high: float | None = None
    elasticity: float | None = None  # % change of the gap per % change of the input


@dataclass(frozen=True)
class FiscalIndicators(_Jsonable):
    population: float | None
    population_source: str | None  # "input" or "store: SP_POP_TOTL 2022 (area 694)" …
    osr_per_capita: float | None  # local currency
    osr_per_capita_usd: float | None
    potential_per_capita: float | None
    osr_per_household: float | None
    osr_share_gdp: float | None  # actual OSR / (population × GDP per capita)
    potential_share_gdp: float | None


@dataclass(frozen=True)
class YearResult(_Jsonable):
    year: int
    streams: tuple[StreamResult, ...]
    total: StreamResult  # kind "total": sums over the streams (ranges: sums of bounds)
    fiscal: FiscalIndicators
    sensitivity: tuple[SensitivityItem, ...]  # largest swing first
    recommendations: tuple[Recommendation, ...]  # over all streams, largest amount first


@dataclass(frozen=True)
class Trend(_Jsonable):
    metric: str  # actual | potential | gap | efficiency | osr_per_capita | osr_share_gdp
    values: dict[int, float | None]  # year → value
    change: float | None  # last − first
    annual_growth: float | None  # compound annual growth rate, first → last year


@dataclass(frozen=True)
class OsrResult(_Jsonable):
    input: OsrInput
    years: tuple[YearResult, ...]  # ascending years
    trends: tuple[Trend, ...]  # empty with one year
    warnings: tuple[str, ...] = ()
    method: str = "urbanagenda-osr/1"


# --------------------------------------------------------------------------- investment


@dataclass(frozen=True)
class Project(_Jsonable):
    id: str
    name: str
    sector: str  # among SECTORS
    cost: float  # capital cost, local currency
    population_served: float
    years: int = 1  # implementation years (cost spread evenly)
    location: str = ""  # area code, district name or "lon,lat"
    sdg_targets: tuple[str, ...] = ()  # "11.2", "11.6" …
    umf_cells: tuple[str, ...] = ()  # "SOC-SAFE", "ENV-SUST" …
    stage: str = "concept"  # among STAGES
    cost_recovery: float = 0.0  # share of the cost recovered from user revenue, 0–1
    cofinancing: float = 0.0  # share of the cost committed by others, 0–1
    land_secured: bool = False
    environmental_clearance: bool = False
    note: str = ""

    @property
    def city_cost(self) -> float:
        """What the city itself pays (the cost less co-financing)."""
        return self.cost * (1.0 - self.cofinancing)


@dataclass(frozen=True)
class PlanInput(_Jsonable):
    """A project list with what is needed to rank it and fit it into a 5-year envelope.

    The envelope is ``budget`` (total over the horizon, spread evenly), or
    ``budget_by_year``, or derived from a stored OSR analysis: each year
    ``capital_share × (actual OSR + gap_recovery[y] × gap)``.
    """

    name: str
    projects: tuple[Project, ...]
    currency: str = ""
    area_code: str | None = None  # the city (indicator gaps come from the store)
    start_year: int = 2026
    horizon: int = 5
    budget: float | None = None
    budget_by_year: tuple[float, ...] | None = None
    osr_analysis_id: int | None = None  # stored analysis giving the envelope
    capital_share: float = 0.2
    gap_recovery: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5)
    city_population: float | None = None  # else from the OSR analysis or the store
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    example: bool = False
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Need(_Jsonable):
    """The city's indicator gap on one SDG target, 0 (target met) to 1 (furthest away)."""

    target: str
    value: float | None  # None: no data; the need criterion then uses 0.5 and says so
    series: tuple[str, ...] = ()  # series used
    area_code: str | None = None  # whose data (the city's, else its country's)
    year: int | None = None
    explanation: str = ""


@dataclass(frozen=True)
class CriterionScore(_Jsonable):
    criterion: str
    value: float  # 0–1
    weight: float  # normalised weight
    contribution: float  # weight × value
    explanation: str


@dataclass(frozen=True)
class ScoredProject(_Jsonable):
    project: Project
    score: float  # 0–1, Σ contributions
    rank: int  # 1 = best
    criteria: tuple[CriterionScore, ...]
    flags: tuple[str, ...] = ()  # e.g. "no indicator data for 11.6: need taken as 0.5"


@dataclass(frozen=True)
class PlanEntry(_Jsonable):
    project_id: str
    rank: int
    start_year: int
    end_year: int
    city_cost_by_year: dict[int, float]


@dataclass(frozen=True)
class WeightSensitivity(_Jsonable):
    """The ranking under each weight moved by ±``step`` (others rescaled to sum 1)."""

    step: float  # e.g. 0.5: each weight × 0.5 and × 1.5
    rank_range: dict[str, tuple[int, int]]  # project id → (best, worst) rank seen
    spearman_min: float  # lowest rank correlation with the base ranking
    top_changes: tuple[str, ...]  # e.g. "need × 0.5: P3 ranks first instead of P1"
    plan_changes: tuple[str, ...]  # projects entering or leaving the plan


@dataclass(frozen=True)
class PlanResult(_Jsonable):
    input: PlanInput
    ranked: tuple[ScoredProject, ...]  # by rank
    plan: tuple[PlanEntry, ...]  # funded, by start year then rank
    unfunded: dict[str, str]  # project id → why it is not in the plan
    envelope_by_year: dict[int, float]
    spent_by_year: dict[int, float]
    envelope_source: str  # "budget", "budget by year" or "OSR analysis 3 (Freetown, 2019)"
    needs: tuple[Need, ...]
    sensitivity: WeightSensitivity
    warnings: tuple[str, ...] = ()
    method: str = "urbanagenda-invest/1"
