"""Uncertainty ranges and sensitivity of a revenue stream's gap.

A stream's inputs (counts, values, rates, fees, periods) are listed as :class:`InputSlot`
records; a *scenario* gives each one a value, and the formulas of :mod:`.osr` evaluate many
scenarios at once (one NumPy row each).

**Ranges.**  Inputs given as ``{central, low, high}`` are estimates.  Every combination of the
stream's ranged inputs at their low or high value is evaluated (``2ⁿ`` scenarios, at most
:data:`MAX_RANGED` ranged inputs per stream), together with the central scenario; each figure's
range is the lowest and highest value seen.  Streams share no inputs, so the bounds of a year's
total are the sums of the streams' bounds.  A combination may break a rule the central values
keep (a high ``compliant`` with a low ``registered``): it is then moved onto the rule —
compliant capped at registered, registered at estimated (for property tax, all categories'
registered scaled down together until their sum equals the estimate), the rate or fee at the
legislated one, periods at the most the year has — and the analysis warns how many
combinations were moved.

**Sensitivity.**  Each input in turn, the others at their central values, is set 10 % lower and
10 % higher (and, when it has a range, at its low and high value), with the same rules kept; the
year's total gap is recomputed.  The elasticity is the gap's relative change per relative change
of the input, ``(gap₊ − gap₋) / gap / 0.2``.  Items are sorted by swing: the wider of
``|gap₊ − gap₋|`` and ``|gap_high − gap_low|``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from urbanagenda.errors import DataError
from urbanagenda.finance.model import (
    ChargeInput,
    Estimate,
    LicenceCategoryInput,
    PropertyCategoryInput,
    Range,
    SensitivityItem,
    StreamInput,
    StreamResult,
)
from urbanagenda.finance.osr import (
    MAX_PERIODS,
    ChargeColumns,
    GapArrays,
    LicenceColumns,
    PropertyColumns,
    business_licence_arrays,
    property_tax_arrays,
    user_charge_arrays,
)

__all__ = [
    "MAX_RANGED",
    "STEP",
    "InputSlot",
    "StreamRanges",
    "evaluate",
    "sensitivity",
    "stream_inputs",
    "stream_ranges",
]

Array = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
#: Ranged inputs allowed in one stream (2¹⁴ = 16,384 combinations).
MAX_RANGED = 14
#: The relative step of the sensitivity analysis.
STEP = 0.10

_PROPERTY_FIELDS = ("registered", "compliant", "assessed_value", "market_value", "rate")
_LICENCE_FIELDS = ("estimated", "registered", "compliant", "fee")
_CHARGE_FIELDS = ("users_estimated", "users_actual", "rate")


@dataclass(frozen=True)
class InputSlot:
    """One numeric input of a stream."""

    item: int | None  # index of the category or charge; None for the stream's own input
    field: str
    path: str  # within the stream: "estimated", "categories[1].market_value"
    label: str  # readable: "residential · market value"
    estimate: Estimate


def stream_inputs(stream: StreamInput) -> tuple[InputSlot, ...]:
    """The stream's numeric inputs, in input order (omitted legislated rates are not inputs:
    the applied rate stands for them)."""
    slots: list[InputSlot] = []
    if stream.estimated is not None:
        label = "properties estimated"
        slots.append(InputSlot(None, "estimated", "estimated", label, stream.estimated))
    items: Sequence[PropertyCategoryInput | LicenceCategoryInput | ChargeInput]
    items = stream.categories or stream.charges
    group = "categories" if stream.categories else "charges"
    for i, item in enumerate(items):
        if isinstance(item, PropertyCategoryInput):
            names: tuple[str, ...] = (*_PROPERTY_FIELDS, "legislated_rate")
        elif isinstance(item, LicenceCategoryInput):
            names = (*_LICENCE_FIELDS, "legislated_fee")
        else:
            names = (*_CHARGE_FIELDS, "legislated_rate", "periods")
        for name in names:
            value = getattr(item, name)
            if value is not None:
                label = f"{item.name} · {name.replace('_', ' ')}"
                slots.append(InputSlot(i, name, f"{group}[{i}].{name}", label, value))
    return tuple(slots)


def evaluate(
    stream: StreamInput, slots: Sequence[InputSlot], values: Array
) -> tuple[GapArrays, Flags]:
    """The stream's figures for each row of ``values`` (one column per slot), each row moved
    onto the rules first; the second array flags the rows that were moved."""
    index = {(s.item, s.field): j for j, s in enumerate(slots)}
    moved = np.zeros(values.shape[0], dtype=np.bool_)

    def col(item: int | None, name: str, fallback: str | None = None) -> Array:
        j = index.get((item, name))
        if j is None and fallback is not None:
            j = index[(item, fallback)]
        if j is None:
            raise DataError(f"{stream.name}: input {name!r} of item {item} is missing")
        return values[:, j]

    def cap(x: Array, limit: Array) -> Array:
        nonlocal moved
        over = x > limit
        moved = moved | over
        return np.where(over, limit, x)

    if stream.kind == "property_tax":
        estimated = col(None, "estimated")
        n = len(stream.categories)
        registered = [col(i, "registered") for i in range(n)]
        total = sum(registered, np.zeros_like(estimated))
        over = total > estimated
        moved = moved | over
        scale = np.where(over, estimated / np.where(over, total, 1.0), 1.0)
        columns = []
        for i, r in enumerate(registered):
            r = r * scale
            legislated = col(i, "legislated_rate", "rate")
            columns.append(
                PropertyColumns(
                    r,
                    cap(col(i, "compliant"), r),
                    col(i, "assessed_value"),
                    col(i, "market_value"),
                    cap(col(i, "rate"), legislated),
                    legislated,
                )
            )
        return property_tax_arrays(estimated, columns), moved
    if stream.kind == "business_licence":
        licences = []
        for i in range(len(stream.categories)):
            estimated = col(i, "estimated")
            r = cap(col(i, "registered"), estimated)
            legislated = col(i, "legislated_fee", "fee")
            licences.append(
                LicenceColumns(
                    estimated,
                    r,
                    cap(col(i, "compliant"), r),
                    cap(col(i, "fee"), legislated),
                    legislated,
                )
            )
        return business_licence_arrays(licences), moved
    charges = []
    for i, charge in enumerate(stream.charges):
        users = col(i, "users_estimated")
        legislated = col(i, "legislated_rate", "rate")
        most = np.full_like(users, MAX_PERIODS[charge.per])
        charges.append(
            ChargeColumns(
                users,
                cap(col(i, "users_actual"), users),
                cap(col(i, "rate"), legislated),
                legislated,
                cap(col(i, "periods"), most),
            )
        )
    return user_charge_arrays(charges), moved


@dataclass(frozen=True)
class StreamRanges:
    """A stream's figures with their ranges, and how many combinations were moved."""

    result: StreamResult  # without recommendations
    ranged: int  # ranged inputs
    combinations: int  # 2 ** ranged
    moved: int  # combinations that broke a rule and were moved onto it


def _range(values: Array) -> Range:
    return Range(float(values[0]), float(values.min()), float(values.max()))


def stream_ranges(stream: StreamInput) -> StreamRanges:
    """The stream's actual, potential, gap, parts and residual, each with its range over every
    combination of the ranged inputs' low and high values (and the central scenario)."""
    slots = stream_inputs(stream)
    ranged = [j for j, s in enumerate(slots) if s.estimate.is_range]
    if len(ranged) > MAX_RANGED:
        raise DataError(
            f"stream {stream.name!r} has {len(ranged)} inputs with ranges; at most {MAX_RANGED} "
            "are allowed (2^n combinations are evaluated): give ranges only to the inputs that "
            "are estimates, and plain numbers to those that are counted or legislated"
        )
    central = np.array([s.estimate.central for s in slots], dtype=np.float64)
    n = len(ranged)
    choice = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.bool_)
    values = np.tile(central, (2**n + 1, 1))
    for k, j in enumerate(ranged):
        est = slots[j].estimate
        values[1:, j] = np.where(choice[:, k], est.hi, est.lo)
    figures, moved = evaluate(stream, slots, values)
    result = StreamResult(
        kind=stream.kind,
        name=stream.name,
        actual=_range(figures.actual),
        potential=_range(figures.potential),
        gap=_range(figures.gap),
        parts={k: _range(v) for k, v in figures.parts.items()},
        residual=_range(figures.residual),
        actual_reported=stream.actual_reported,
    )
    return StreamRanges(result, n, 2**n, int(moved[1:].sum()))


def sensitivity(streams: Sequence[StreamInput]) -> tuple[SensitivityItem, ...]:
    """How a year's total gap moves with each input of its ``streams``, largest swing first."""
    evaluations: list[tuple[int, StreamInput, tuple[InputSlot, ...], Array]] = []
    base_total = 0.0
    for s_index, stream in enumerate(streams):
        slots = stream_inputs(stream)
        central = np.array([s.estimate.central for s in slots], dtype=np.float64)
        rows = [central]
        for j, slot in enumerate(slots):
            for value in _probes(slot.estimate):
                row = central.copy()
                row[j] = value
                rows.append(row)
        gaps = evaluate(stream, slots, np.vstack(rows))[0].gap
        base_total += float(gaps[0])
        evaluations.append((s_index, stream, slots, gaps))
    items: list[SensitivityItem] = []
    for s_index, stream, slots, gaps in evaluations:
        totals = [base_total - float(gaps[0]) + float(g) for g in gaps]  # the year's total gap
        k = 1
        for slot in slots:
            est = slot.estimate
            minus, plus = totals[k], totals[k + 1]
            k += 2
            low = high = None
            if est.is_range:
                low, high = totals[k], totals[k + 1]
                k += 2
            elasticity = (plus - minus) / base_total / (2 * STEP) if base_total > 0 else None
            items.append(
                SensitivityItem(
                    input=f"streams[{s_index}].{slot.path}",
                    label=f"{stream.name} · {slot.label}",
                    stream=stream.name,
                    base=est.central,
                    gap_minus=minus,
                    gap_plus=plus,
                    gap_low=low,
                    gap_high=high,
                    elasticity=elasticity,
                )
            )
    # swings equal to 12 significant digits are ties (rounding must not order them)
    return tuple(sorted(items, key=lambda i: (-float(f"{_swing(i):.12g}"), i.input)))


def _probes(est: Estimate) -> tuple[float, ...]:
    steps = (est.central * (1 - STEP), est.central * (1 + STEP))
    return (*steps, est.lo, est.hi) if est.is_range else steps


def _swing(item: SensitivityItem) -> float:
    span = abs(item.gap_plus - item.gap_minus)
    if item.gap_low is not None and item.gap_high is not None:
        span = max(span, abs(item.gap_high - item.gap_low))
    return span
