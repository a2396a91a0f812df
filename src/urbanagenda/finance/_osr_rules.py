"""The rules that tie an OSR stream's inputs together (used by :mod:`.parse`).

Each rule ``small ≤ large`` (compliant ≤ registered ≤ estimated, users paying ≤ users there are,
rate ≤ legislated rate) must hold at the central values.  Ranges are ordered (low ≤ central ≤
high), so the low value of ``small`` never exceeds the high value of ``large``: some
combination of the ranges always keeps the rule, and those that break it are moved onto it by
:mod:`.uncertainty`.  For property tax the registered properties of every category must also
be > 0 in sum at their low values (the registry's coverage divides the potential).  A stream
may have at most :data:`~.uncertainty.MAX_RANGED` ranged inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from urbanagenda.finance._osr_read import Reader, fmt
from urbanagenda.finance.model import Estimate, StreamInput
from urbanagenda.finance.uncertainty import MAX_RANGED, stream_inputs

__all__ = ["RULES", "check_item", "check_stream"]


#: The rules ``small ≤ large`` of a category or charge, by what it is, and why they hold.
RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "property": (
        ("compliant", "registered", "only registered properties can pay"),
        ("rate", "legislated_rate", "the legislated rate is the most the law allows"),
    ),
    "licence": (
        ("registered", "estimated", "the estimate counts every business, licensed or not"),
        ("compliant", "registered", "only registered businesses can pay"),
        ("fee", "legislated_fee", "the legislated fee is the most the by-law allows"),
    ),
    "charge": (
        ("users_actual", "users_estimated", "the estimate counts every user, paying or not"),
        ("rate", "legislated_rate", "the legislated rate is the most the law allows"),
    ),
}


def check_item(r: Reader, where: str, what: str, values: Mapping[str, Estimate | None]) -> None:
    """Record the broken :data:`RULES` of the category or charge at ``where`` (``what``:
    property, licence or charge); rules with a value that could not be read are skipped."""
    for small, large, why in RULES[what]:
        a, b = values.get(small), values.get(large)
        if a is not None and b is not None:
            _le(r, where, small, a, large, b, why)


def check_stream(r: Reader, stream: StreamInput, path: str) -> None:
    """Record the broken rules of the whole ``stream`` (found at ``path``) in ``r``: for
    property tax, Σ registered against estimated; at most :data:`MAX_RANGED` ranges."""
    if stream.kind == "property_tax" and stream.estimated is not None:
        _property_totals(r, stream, stream.estimated, path)
    ranged = [s.path for s in stream_inputs(stream) if s.estimate.is_range]
    if len(ranged) > MAX_RANGED:
        r.add(
            "rule-broken",
            path,
            f"{path} ({stream.name!r}) has {len(ranged)} inputs with ranges; at most "
            f"{MAX_RANGED} are allowed (every combination of them is evaluated).",
            found=", ".join(ranged),
            expected=f"at most {MAX_RANGED} ranged inputs in one stream",
            fix="give ranges only to the estimated inputs (e.g. market values, estimated counts)"
            " and plain numbers to counted or legislated ones (registered, rates)",
        )


def _le(
    r: Reader,
    where: str,
    small_name: str,
    small: Estimate,
    large_name: str,
    large: Estimate,
    why: str,
) -> None:
    if small.central > large.central:
        r.add(
            "rule-broken",
            f"{where}.{small_name}",
            f"{where}: {small_name} ({fmt(small.central)}) exceeds {large_name} "
            f"({fmt(large.central)}); {why}.",
            found=f"{small_name} {fmt(small.central)}, {large_name} {fmt(large.central)}",
            expected=f"{small_name} ≤ {large_name}",
            fix=f"check both {small_name} and {large_name}",
        )


def _property_totals(r: Reader, stream: StreamInput, estimated: Estimate, path: str) -> None:
    """Σ registered ≤ estimated (at central values), and > 0 (at low values too)."""
    central = sum(c.registered.central for c in stream.categories)
    low = sum(c.registered.lo for c in stream.categories)
    where = f"{path}.estimated"
    if central > estimated.central:
        r.add(
            "rule-broken",
            where,
            f"{path}: the registered properties of all categories ({fmt(central)}) exceed "
            f"estimated ({fmt(estimated.central)}); the estimate counts every property, "
            "registered or not.",
            found=f"Σ registered {fmt(central)}, estimated {fmt(estimated.central)}",
            expected="Σ registered ≤ estimated",
            fix="check the estimated number of properties and the registered counts",
        )
    if central <= 0 or low <= 0:
        r.add(
            "rule-broken",
            f"{path}.categories",
            f"{path}: no property is registered"
            + (" at the low values of the ranges" if central > 0 else "")
            + "; the registry's coverage (registered / estimated) would be 0.",
            found=f"Σ registered {fmt(central)} (low {fmt(low)})",
            expected="at least one registered property in every case",
            fix="give the registered counts of the roll (their low values > 0 too)",
        )
