"""Own-source revenue (OSR) gap analysis: the formulas of ``METHODS.md`` §4, as pure functions.

Property tax, per category *c* (registered properties ``R_c``, compliant ``K_c``, average
assessed roll value ``A_c``, average market value ``M_c``, rate applied ``τa_c``, legislated
rate ``τl_c``) with the registry's coverage ``κ = Σ R_c / estimated properties``:

* actual ``= Σ K_c·A_c·τa_c``; potential ``= Σ R_c·M_c·τl_c / κ``;
  gap ``= max(0, potential − actual)``;
* coverage part ``= actual/κ − actual``; compliance part ``= Σ (R_c − K_c)·A_c·τa_c``;
  valuation part ``= Σ K_c·(M_c − A_c)·τa_c``; rate part ``= Σ K_c·A_c·(τl_c − τa_c)``;
  the residual (the parts' interaction) is the gap less the parts.  With ``τl = τa`` this is
  exactly METHODS.md.

Business licences, per category (businesses there are ``E_c``, registered ``R_c``, paying
``K_c``, fee charged ``f_c``, legislated fee ``fl_c``): actual ``= Σ K_c·f_c``; potential
``= Σ E_c·fl_c``; coverage part ``= Σ K_c·f_c·(E_c/R_c − 1)`` (0 when ``R_c = 0``);
compliance part ``= Σ (R_c − K_c)·f_c``; rate part ``= Σ K_c·(fl_c − f_c)``; no valuation part.

User charges and other taxes, per charge (users there are ``U_e``, paying ``U_a``, rate per
period charged ``r_a`` and legislated ``r_l``, periods in the year ``p``): actual
``= U_a·r_a·p``; potential ``= U_e·r_l·p``; compliance part ``= (U_e − U_a)·r_a·p``; rate part
``= U_a·(r_l − r_a)·p``; the residual is the gap less the two (summed over a stream's charges).

The formulas are written once, over NumPy arrays (:func:`property_tax_arrays`,
:func:`business_licence_arrays`, :func:`user_charge_arrays`): the analysis evaluates many
scenarios of a stream at once (uncertainty ranges, sensitivity).  The scalar functions
(:func:`property_tax_gap`, :func:`business_licence_gap`, :func:`user_charge_gap`) check their
inputs first (counts and values non-negative, compliant ≤ registered ≤ estimated, rate ≤
legislated rate, periods within the year) and report every problem at once with where it is and
how to fix it (:class:`~urbanagenda.errors.DataError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from urbanagenda.errors import DataError

__all__ = [
    "MAX_PERIODS",
    "ChargeColumns",
    "Gap",
    "GapArrays",
    "LicenceCategory",
    "LicenceColumns",
    "PropertyCategory",
    "PropertyColumns",
    "UserCharge",
    "business_licence_arrays",
    "business_licence_gap",
    "property_tax_arrays",
    "property_tax_gap",
    "user_charge_arrays",
    "user_charge_gap",
]

Array = npt.NDArray[np.float64]
#: The most periods a charge can have in a year, by what a period is.
MAX_PERIODS: dict[str, float] = {"day": 366.0, "month": 12.0, "year": 1.0}


# ---------------------------------------------------------------------- array formulas


class PropertyColumns(NamedTuple):
    """A property category's inputs, one value per scenario."""

    registered: Array
    compliant: Array
    assessed_value: Array
    market_value: Array
    rate: Array
    legislated_rate: Array


class LicenceColumns(NamedTuple):
    """A business licence category's inputs, one value per scenario."""

    estimated: Array
    registered: Array
    compliant: Array
    fee: Array
    legislated_fee: Array


class ChargeColumns(NamedTuple):
    """A user charge's (or other tax's) inputs, one value per scenario."""

    users_estimated: Array
    users_actual: Array
    rate: Array
    legislated_rate: Array
    periods: Array


@dataclass(frozen=True)
class GapArrays:
    """A stream's figures for every scenario (parts + residual = gap in each)."""

    actual: Array
    potential: Array
    gap: Array
    parts: dict[str, Array]
    residual: Array

    def at(self, i: int) -> Gap:
        """Scenario ``i`` as plain numbers."""
        return Gap(
            float(self.actual[i]),
            float(self.potential[i]),
            float(self.gap[i]),
            {k: float(v[i]) for k, v in self.parts.items()},
            float(self.residual[i]),
        )


def _result(actual: Array, potential: Array, parts: dict[str, Array]) -> GapArrays:
    gap = np.maximum(potential - actual, 0.0)
    residual = gap - sum(parts.values(), np.zeros_like(gap))
    return GapArrays(actual, potential, gap, parts, residual)


def _zeros(like: Array) -> Array:
    return np.zeros_like(like, dtype=np.float64)


def property_tax_arrays(estimated: Array, categories: Sequence[PropertyColumns]) -> GapArrays:
    """Property tax for every scenario; ``Σ registered`` must be > 0 in each."""
    registered = sum((c.registered for c in categories), _zeros(estimated))
    inverse_kappa = estimated / registered  # 1/κ
    actual = sum((c.compliant * c.assessed_value * c.rate for c in categories), _zeros(estimated))
    potential = inverse_kappa * sum(
        (c.registered * c.market_value * c.legislated_rate for c in categories), _zeros(estimated)
    )
    zero = _zeros(estimated)
    parts = {
        "coverage": actual * inverse_kappa - actual,
        "compliance": sum(
            ((c.registered - c.compliant) * c.assessed_value * c.rate for c in categories), zero
        ),
        "valuation": sum(
            (c.compliant * (c.market_value - c.assessed_value) * c.rate for c in categories), zero
        ),
        "rate": sum(
            (c.compliant * c.assessed_value * (c.legislated_rate - c.rate) for c in categories),
            zero,
        ),
    }
    return _result(actual, potential, parts)


def business_licence_arrays(categories: Sequence[LicenceColumns]) -> GapArrays:
    """Business licences for every scenario (a category with nobody registered has no
    coverage part: its whole potential is in the residual)."""
    zero = _zeros(categories[0].estimated)
    actual, potential, coverage, compliance, rate = zero, zero, zero, zero, zero
    for c in categories:
        paid = c.compliant * c.fee
        ratio = np.divide(c.estimated, c.registered, out=np.ones_like(zero), where=c.registered > 0)
        actual = actual + paid
        potential = potential + c.estimated * c.legislated_fee
        coverage = coverage + paid * (ratio - 1.0)
        compliance = compliance + (c.registered - c.compliant) * c.fee
        rate = rate + c.compliant * (c.legislated_fee - c.fee)
    return _result(
        actual, potential, {"coverage": coverage, "compliance": compliance, "rate": rate}
    )


def user_charge_arrays(charges: Sequence[ChargeColumns]) -> GapArrays:
    """User charges (or other taxes) summed over a stream's charges, for every scenario."""
    zero = _zeros(charges[0].periods)
    actual, potential, compliance, rate = zero, zero, zero, zero
    for c in charges:
        actual = actual + c.users_actual * c.rate * c.periods
        potential = potential + c.users_estimated * c.legislated_rate * c.periods
        compliance = compliance + (c.users_estimated - c.users_actual) * c.rate * c.periods
        rate = rate + c.users_actual * (c.legislated_rate - c.rate) * c.periods
    return _result(actual, potential, {"compliance": compliance, "rate": rate})


# ---------------------------------------------------------------------- scalar formulas


@dataclass(frozen=True)
class PropertyCategory:
    """One property category of the valuation roll (e.g. residential, commercial)."""

    name: str
    registered: float  # R_c: properties on the roll
    compliant: float  # K_c: of those, paying
    assessed_value: float  # A_c: average value on the roll
    market_value: float  # M_c: average market value
    rate: float  # τa_c: tax rate applied (a fraction of the value)
    legislated_rate: float | None = None  # τl_c: the rate the law sets (None: = rate)


@dataclass(frozen=True)
class LicenceCategory:
    """One category of business licences (e.g. small shops)."""

    name: str
    estimated: float  # E_c: businesses there are
    registered: float  # R_c: holding a licence record
    compliant: float  # K_c: of those, paying
    fee: float  # f_c: average fee charged per year
    legislated_fee: float | None = None  # fl_c: the fee the by-law sets (None: = fee)


@dataclass(frozen=True)
class UserCharge:
    """One user charge or other tax: a rate per payer per period (day, month or year)."""

    name: str
    users_actual: float  # payers
    users_estimated: float  # users (taxpayers) there are
    rate_actual: float  # charged per user per period
    rate_potential: float  # what the legislation allows per user per period
    periods: float  # charging periods in the year
    per: Literal["day", "month", "year"] = "day"


@dataclass(frozen=True)
class Gap:
    """Actual and potential revenue and the gap with its parts (parts + residual = gap)."""

    actual: float
    potential: float
    gap: float
    parts: dict[str, float]  # "coverage", "compliance", "valuation" or "rate"
    residual: float


def _col(value: float) -> Array:
    return np.array([value], dtype=np.float64)


def _problems(
    where: str, values: dict[str, float], bounds: Sequence[tuple[str, str, str]]
) -> list[str]:
    """The ``values`` that are negative, then each ``(small, large, why)`` where the value
    ``small`` exceeds the value ``large``."""
    problems = [
        f"{where}: {name} is {value}; it must be a number ≥ 0"
        for name, value in values.items()
        if not value >= 0  # also catches NaN
    ]
    for small, large, why in bounds:
        if values[small] > values[large]:
            problems.append(
                f"{where}: {small} ({values[small]:g}) exceeds {large} ({values[large]:g}); {why}"
            )
    return problems


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise DataError(f"invalid {what} inputs:\n  " + "\n  ".join(problems))


def property_tax_gap(categories: Sequence[PropertyCategory], *, estimated_taxpayers: float) -> Gap:
    """The property tax gap and its coverage, compliance, valuation and rate parts."""
    problems: list[str] = []
    if not categories:
        problems.append("no property category: give at least one")
    for i, c in enumerate(categories):
        where = f"property category {i + 1} ({c.name!r})"
        legislated = c.rate if c.legislated_rate is None else c.legislated_rate
        problems += _problems(
            where,
            {
                "registered": c.registered,
                "compliant": c.compliant,
                "assessed_value": c.assessed_value,
                "market_value": c.market_value,
                "rate": c.rate,
                "legislated_rate": legislated,
            },
            [
                (
                    "compliant",
                    "registered",
                    "only registered properties can pay: check both counts",
                ),
                (
                    "rate",
                    "legislated_rate",
                    "the legislated rate is the highest the law allows: check both rates",
                ),
            ],
        )
    registered = sum(c.registered for c in categories)
    if not estimated_taxpayers > 0:
        problems.append(
            f"estimated_taxpayers is {estimated_taxpayers}; it must be > 0 (the properties "
            "there are, registered or not)"
        )
    elif registered > estimated_taxpayers:
        problems.append(
            f"registered properties ({registered:g}) exceed estimated_taxpayers "
            f"({estimated_taxpayers:g}): the estimate counts every property, registered or not"
        )
    elif registered == 0:
        problems.append("no property is registered: the coverage ratio would be 0")
    _raise("property tax", problems)
    columns = [
        PropertyColumns(
            _col(c.registered),
            _col(c.compliant),
            _col(c.assessed_value),
            _col(c.market_value),
            _col(c.rate),
            _col(c.rate if c.legislated_rate is None else c.legislated_rate),
        )
        for c in categories
    ]
    return property_tax_arrays(_col(estimated_taxpayers), columns).at(0)


def business_licence_gap(categories: Sequence[LicenceCategory]) -> Gap:
    """The business licence gap and its coverage, compliance and rate parts."""
    problems: list[str] = []
    if not categories:
        problems.append("no licence category: give at least one")
    for i, c in enumerate(categories):
        where = f"licence category {i + 1} ({c.name!r})"
        legislated = c.fee if c.legislated_fee is None else c.legislated_fee
        problems += _problems(
            where,
            {
                "estimated": c.estimated,
                "registered": c.registered,
                "compliant": c.compliant,
                "fee": c.fee,
                "legislated_fee": legislated,
            },
            [
                (
                    "registered",
                    "estimated",
                    "the estimate counts every business, licensed or not: check both counts",
                ),
                (
                    "compliant",
                    "registered",
                    "only registered businesses can pay: check both counts",
                ),
                (
                    "fee",
                    "legislated_fee",
                    "the legislated fee is the highest the by-law allows: check both fees",
                ),
            ],
        )
    _raise("business licence", problems)
    columns = [
        LicenceColumns(
            _col(c.estimated),
            _col(c.registered),
            _col(c.compliant),
            _col(c.fee),
            _col(c.fee if c.legislated_fee is None else c.legislated_fee),
        )
        for c in categories
    ]
    return business_licence_arrays(columns).at(0)


def user_charge_gap(charge: UserCharge) -> Gap:
    """A user charge's (or other tax's) gap and its compliance and rate parts."""
    c = charge
    where = f"user charge {c.name!r}"
    problems = _problems(
        where,
        {
            "users_actual": c.users_actual,
            "users_estimated": c.users_estimated,
            "rate_actual": c.rate_actual,
            "rate_potential": c.rate_potential,
            "periods": c.periods,
        },
        [
            ("users_actual", "users_estimated", "the estimate counts every user, paying or not"),
            ("rate_actual", "rate_potential", "the potential rate is the highest the law allows"),
        ],
    )
    if c.per not in MAX_PERIODS:
        problems.append(f"{where}: per is {c.per!r}; it must be one of day, month, year")
    elif c.periods > MAX_PERIODS[c.per]:
        problems.append(
            f"{where}: periods ({c.periods:g}) exceed what a year has "
            f"({MAX_PERIODS[c.per]:g} per {c.per}); give the number of {c.per}s the charge "
            "is collected in the year"
        )
    _raise("user charge", problems)
    columns = ChargeColumns(
        _col(c.users_estimated),
        _col(c.users_actual),
        _col(c.rate_actual),
        _col(c.rate_potential),
        _col(c.periods),
    )
    return user_charge_arrays([columns]).at(0)
