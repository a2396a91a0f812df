"""One revenue stream of the OSR format ↔ :class:`~.model.StreamInput` (used by :mod:`.parse`).

Which fields a stream takes depends on its ``kind``: property tax has ``estimated`` and property
``categories``; business licences have licence ``categories``; user charges and other taxes have
``charges``.  Every problem is recorded in the :class:`~._osr_read.Reader`; the stream's rules
(compliant ≤ registered ≤ estimated …) are checked once its fields are read
(:mod:`._osr_rules`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from urbanagenda.finance._osr_read import Reader, dump_estimate
from urbanagenda.finance._osr_rules import check_item, check_stream
from urbanagenda.finance.model import (
    CHARGE_PERIODS,
    STREAM_KINDS,
    ChargeInput,
    Estimate,
    LicenceCategoryInput,
    PropertyCategoryInput,
    StreamInput,
)
from urbanagenda.finance.osr import MAX_PERIODS

__all__ = ["KIND_NAMES", "dump_stream", "read_stream"]

#: The name of a stream that has none, by kind.
KIND_NAMES: dict[str, str] = {
    "property_tax": "Property tax",
    "business_licence": "Business licences",
    "user_charge_short": "User charges (short-term)",
    "user_charge_long": "User charges (long-term)",
    "user_charge_mixed": "User charges (mixed)",
    "other_tax": "Other taxes",
}
#: What a charge's period is when it does not say, by stream kind (None: it must say).
_DEFAULT_PER: dict[str, str | None] = {
    "user_charge_short": "day",
    "user_charge_long": "month",
    "user_charge_mixed": None,
    "other_tax": "year",
}
_COMMON = ("kind", "name", "actual_reported", "sources", "note")
_PROPERTY = ("name", "registered", "compliant", "assessed_value", "market_value", "rate")
_LICENCE = ("name", "estimated", "registered", "compliant", "fee")
_CHARGE = ("name", "users_estimated", "users_actual", "rate", "legislated_rate", "periods", "per")

Item = PropertyCategoryInput | LicenceCategoryInput | ChargeInput
_Category = TypeVar("_Category", PropertyCategoryInput, LicenceCategoryInput)


def read_stream(r: Reader, value: Any, path: str, ids: set[str]) -> StreamInput | None:
    """The stream at ``path``, or None when anything in it is wrong (recorded in ``r``)."""
    if not isinstance(value, Mapping):
        r.mapping(value, path, allowed=_COMMON, what="a stream")
        return None
    kind = value.get("kind")
    if kind not in STREAM_KINDS:
        r.add(
            "missing-value" if kind is None else "unknown-code",
            f"{path}.kind",
            f"{path}.kind is {'missing' if kind is None else repr(kind)}; "
            "it says which revenue stream this is.",
            found=kind,
            expected="one of " + ", ".join(STREAM_KINDS),
            fix="use one of the stream kinds (other_tax for any other local tax)",
        )
        return None
    group = "charges" if kind in _DEFAULT_PER else "categories"
    extra = ("estimated", group) if kind == "property_tax" else (group,)
    required = ("kind", *extra)
    data = r.mapping(value, path, allowed=(*_COMMON, *extra), required=required,
                     what=f"a {kind} stream")  # fmt: skip
    if data is None:
        return None
    before = len(r.issues)
    read: Callable[[Reader, Any, str, int], Item | None]
    if kind == "property_tax":
        read = _property
    elif kind == "business_licence":
        read = _licence
    else:
        read = _charge_reader(kind)
    items: list[Item] = []
    names: set[str] = set()
    raws = r.items(data.get(group), f"{path}.{group}", what=group)
    for i, raw in enumerate(raws):
        item = read(r, raw, f"{path}.{group}[{i}]", i)
        if item is not None:
            if item.name in names:
                r.add("duplicate-key", f"{path}.{group}[{i}].name",
                      f"{path}.{group}[{i}]: the name {item.name!r} is used twice in the stream.",
                      found=item.name, fix="give each category or charge its own name")  # fmt: skip
            names.add(item.name)
            items.append(item)
    reported = r.number(data.get("actual_reported"), f"{path}.actual_reported")
    stream = StreamInput(
        kind=kind,
        name=r.text(data.get("name"), f"{path}.name") or KIND_NAMES[kind],
        estimated=r.estimate(data.get("estimated"), f"{path}.estimated", positive=True),
        categories=tuple(i for i in items if not isinstance(i, ChargeInput)),
        charges=tuple(i for i in items if isinstance(i, ChargeInput)),
        actual_reported=reported,
        sources=r.cite(data.get("sources"), f"{path}.sources", ids),
        note=r.text(data.get("note"), f"{path}.note") or "",
    )
    if len(items) == len(raws):  # the whole stream's rules need every item
        check_stream(r, stream, path)
    return stream if len(r.issues) == before else None


def _fields(
    r: Reader, raw: Any, path: str, fields: tuple[str, ...], optional: tuple[str, ...], what: str
) -> dict[str, Any] | None:
    data = r.mapping(raw, path, allowed=(*fields, *optional), required=fields[1:], what=what)
    return None if data is None else dict(data)


def _all(values: dict[str, Estimate | None]) -> dict[str, Estimate] | None:
    """The values when every one was read, else None (the problems are recorded)."""
    if any(v is None for v in values.values()):
        return None
    return {k: v for k, v in values.items() if v is not None}


def _property(r: Reader, raw: Any, path: str, i: int) -> PropertyCategoryInput | None:
    return _category(
        r, raw, path, i, PropertyCategoryInput, "property", _PROPERTY, "legislated_rate"
    )


def _licence(r: Reader, raw: Any, path: str, i: int) -> LicenceCategoryInput | None:
    return _category(
        r, raw, path, i, LicenceCategoryInput, "licence", _LICENCE, "legislated_fee", "estimated"
    )


def _category(
    r: Reader,
    raw: Any,
    path: str,
    i: int,
    make: Callable[..., _Category],
    what: str,
    fields: tuple[str, ...],
    legislated: str,
    positive: str = "",
) -> _Category | None:
    """A property or licence category: its ``fields`` (the name first; ``positive`` must be
    > 0) and the optional ``legislated`` rate or fee."""
    data = _fields(r, raw, path, fields, (legislated,), f"a {what} category")
    if data is None:
        return None
    read = {f: r.estimate(data.get(f), f"{path}.{f}", positive=f == positive) for f in fields[1:]}
    law = r.estimate(data.get(legislated), f"{path}.{legislated}")
    check_item(r, path, what, {**read, legislated: law})
    name = r.text(data.get("name"), f"{path}.name") or f"category {i + 1}"
    values = _all(read)
    if values is None:
        return None
    return make(name, **values, **{legislated: law})


def _charge_reader(kind: str) -> Callable[[Reader, Any, str, int], ChargeInput | None]:
    default_per = _DEFAULT_PER[kind]

    def read(r: Reader, raw: Any, path: str, i: int) -> ChargeInput | None:
        required: tuple[str, ...] = ("users_estimated", "users_actual", "rate")
        if kind != "other_tax":
            required = (*required, "periods")
        if default_per is None:
            required = (*required, "per")
        data = r.mapping(raw, path, allowed=_CHARGE, required=required, what="a charge")
        if data is None:
            return None
        per = data.get("per", default_per)
        if per is not None and per not in CHARGE_PERIODS:
            r.add(
                "unknown-code",
                f"{path}.per",
                f"{path}.per is {per!r}, not a charging period.",
                found=per,
                expected="one of " + ", ".join(CHARGE_PERIODS),
                fix="say whether the rate is charged per day, per month or per year",
            )
            per = None
        periods_value = data.get("periods", 1 if kind == "other_tax" else None)
        periods = r.estimate(
            periods_value,
            f"{path}.periods",
            positive=True,
            maximum=MAX_PERIODS[per] if per else None,
            max_why=f" ({per}s in a year)",
        )
        read = {f: r.estimate(data.get(f), f"{path}.{f}") for f in required[:3]}
        legislated = r.estimate(data.get("legislated_rate"), f"{path}.legislated_rate")
        check_item(r, path, "charge", {**read, "legislated_rate": legislated})
        values = _all(read)
        name = r.text(data.get("name"), f"{path}.name") or f"charge {i + 1}"
        if per is None or periods is None or values is None:
            return None
        return ChargeInput(name, **values, legislated_rate=legislated, periods=periods, per=per)

    return read


# ---------------------------------------------------------------------------- dump


def dump_stream(stream: StreamInput) -> dict[str, Any]:
    """The plain form of ``stream`` (optional fields only when given)."""
    out: dict[str, Any] = {"kind": stream.kind, "name": stream.name}
    if stream.estimated is not None:
        out["estimated"] = dump_estimate(stream.estimated)
    if stream.actual_reported is not None:
        out["actual_reported"] = stream.actual_reported
    if stream.sources:
        out["sources"] = list(stream.sources)
    if stream.note:
        out["note"] = stream.note
    if stream.categories:
        out["categories"] = [_dump_item(c) for c in stream.categories]
    if stream.charges:
        out["charges"] = [_dump_item(c) for c in stream.charges]
    return out


def _dump_item(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"name": item.name}
    for f in dataclasses.fields(item):
        name, value = f.name, getattr(item, f.name)
        if name == "per":
            out["per"] = value
        elif name != "name" and value is not None:
            out[name] = dump_estimate(value)
    return out
