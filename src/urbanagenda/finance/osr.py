"""Own-source revenue (OSR) gap analysis: the formulas of ``METHODS.md`` §4, as pure functions.

Property tax, per category *c* (registered properties ``R_c``, compliant ``K_c``, average
assessed roll value ``A_c``, average market value ``M_c``, rate ``τ_c``) with the registry's
coverage ``κ = registered / estimated taxpayers``:

* actual ``= Σ K_c·A_c·τ_c``; potential ``= Σ R_c·M_c·τ_c / κ``;
  gap ``= max(0, potential − actual)``;
* coverage part ``= actual/κ − actual``; compliance part ``= Σ (R_c − K_c)·A_c·τ_c``;
  valuation part ``= Σ K_c·(M_c − A_c)·τ_c``; the residual (the parts' interaction) is the gap
  less the three.

User charges: actual ``= users_a·rate_a·days``; potential ``= users_est·rate_pot·days``;
compliance part ``= (users_est − users_a)·rate_a·days``; rate part
``= users_a·(rate_pot − rate_a)·days``; the residual is the gap less the two.

Inputs are checked before anything is computed (counts and values non-negative, compliant ≤
registered ≤ estimated, actual rate ≤ potential rate); every problem is reported at once with
where it is and how to fix it (:class:`~urbanagenda.errors.DataError`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from urbanagenda.errors import DataError

__all__ = [
    "Gap",
    "PropertyCategory",
    "UserCharge",
    "property_tax_gap",
    "user_charge_gap",
]


@dataclass(frozen=True)
class PropertyCategory:
    """One property category of the valuation roll (e.g. residential, commercial)."""

    name: str
    registered: float  # R_c: properties on the roll
    compliant: float  # K_c: of those, paying
    assessed_value: float  # A_c: average value on the roll
    market_value: float  # M_c: average market value
    rate: float  # τ_c: tax rate (a fraction of the value)


@dataclass(frozen=True)
class UserCharge:
    """One user charge (a fee per user per day, e.g. a market stall or parking)."""

    name: str
    users_actual: float  # users who pay
    users_estimated: float  # users there are
    rate_actual: float  # what is charged per user per day
    rate_potential: float  # what the legislation allows
    days: float  # charging days in the year


@dataclass(frozen=True)
class Gap:
    """Actual and potential revenue and the gap with its parts (parts + residual = gap)."""

    actual: float
    potential: float
    gap: float
    parts: dict[str, float]  # "coverage", "compliance", "valuation" or "rate"
    residual: float


def _problems_of_category(i: int, c: PropertyCategory) -> list[str]:
    where = f"property category {i + 1} ({c.name!r})"
    out = [
        f"{where}: {field} is {value}; it must be a number ≥ 0"
        for field, value in (
            ("registered", c.registered),
            ("compliant", c.compliant),
            ("assessed_value", c.assessed_value),
            ("market_value", c.market_value),
            ("rate", c.rate),
        )
        if not value >= 0  # also catches NaN
    ]
    if c.compliant > c.registered:
        out.append(
            f"{where}: compliant ({c.compliant:g}) exceeds registered ({c.registered:g}); "
            "only registered properties can pay: check both counts"
        )
    return out


def property_tax_gap(categories: Sequence[PropertyCategory], *, estimated_taxpayers: float) -> Gap:
    """The property tax gap and its coverage, compliance and valuation parts."""
    problems: list[str] = []
    if not categories:
        problems.append("no property category: give at least one")
    for i, c in enumerate(categories):
        problems += _problems_of_category(i, c)
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
    if problems:
        raise DataError("invalid property tax inputs:\n  " + "\n  ".join(problems))
    kappa = registered / estimated_taxpayers
    actual = sum(c.compliant * c.assessed_value * c.rate for c in categories)
    potential = sum(c.registered * c.market_value * c.rate for c in categories) / kappa
    gap = max(0.0, potential - actual)
    parts = {
        "coverage": actual / kappa - actual,
        "compliance": sum(
            (c.registered - c.compliant) * c.assessed_value * c.rate for c in categories
        ),
        "valuation": sum(
            c.compliant * (c.market_value - c.assessed_value) * c.rate for c in categories
        ),
    }
    return Gap(actual, potential, gap, parts, gap - sum(parts.values()))


def user_charge_gap(charge: UserCharge) -> Gap:
    """A user charge's gap and its compliance and rate parts."""
    c = charge
    where = f"user charge {c.name!r}"
    problems = [
        f"{where}: {field} is {value}; it must be a number ≥ 0"
        for field, value in (
            ("users_actual", c.users_actual),
            ("users_estimated", c.users_estimated),
            ("rate_actual", c.rate_actual),
            ("rate_potential", c.rate_potential),
            ("days", c.days),
        )
        if not value >= 0
    ]
    if c.users_actual > c.users_estimated:
        problems.append(
            f"{where}: users_actual ({c.users_actual:g}) exceeds users_estimated "
            f"({c.users_estimated:g}): the estimate counts every user, paying or not"
        )
    if c.rate_actual > c.rate_potential:
        problems.append(
            f"{where}: rate_actual ({c.rate_actual:g}) exceeds rate_potential "
            f"({c.rate_potential:g}): the potential rate is the highest the law allows"
        )
    if problems:
        raise DataError("invalid user charge inputs:\n  " + "\n  ".join(problems))
    actual = c.users_actual * c.rate_actual * c.days
    potential = c.users_estimated * c.rate_potential * c.days
    gap = max(0.0, potential - actual)
    parts = {
        "compliance": (c.users_estimated - c.users_actual) * c.rate_actual * c.days,
        "rate": c.users_actual * (c.rate_potential - c.rate_actual) * c.days,
    }
    return Gap(actual, potential, gap, parts, gap - sum(parts.values()))
