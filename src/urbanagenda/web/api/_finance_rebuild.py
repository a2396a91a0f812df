"""The finance value objects back from their ``to_dict()`` shape.

The store keeps an analysis's input and result, and a plan's result, as the JSON of
``to_dict()`` (:mod:`urbanagenda.finance.model`); a summary of a stored analysis or plan needs
the objects again (:mod:`urbanagenda.finance.summary` renders objects, not dicts).  The
contract has no reader of that shape, so this module rebuilds any of the model's dataclasses
from it by their type hints: nested dataclasses, tuples, optional fields, dicts whose keys
were years (JSON makes them strings) and the one union, property or licence categories
(told apart by the field only a licence category has, ``estimated``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, cast

from urbanagenda.errors import DataError
from urbanagenda.finance import model

__all__ = ["rebuild"]

T = TypeVar("T")


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _union_members(tp: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None


def _convert(tp: Any, value: Any, where: str) -> Any:
    members = _union_members(tp)
    if members is not None:
        if value is None:
            return None
        options = [m for m in members if m is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value, where)
        # PropertyCategoryInput | LicenceCategoryInput: only a licence category has `estimated`
        if isinstance(value, dict) and all(dataclasses.is_dataclass(o) for o in options):
            want = (
                model.LicenceCategoryInput if "estimated" in value else model.PropertyCategoryInput
            )
            if want in options:
                return _convert(want, value, where)
        for option in options:  # scalars: float | None and the like
            if isinstance(option, type) and isinstance(value, option):
                return value
        return value
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise DataError(f"{where}: expected an object for {tp.__name__}, found {value!r}")
        return _build(tp, value, where)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        return tuple(
            _convert(a, v, f"{where}[{i}]")
            for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        key_type, value_type = typing.get_args(tp)
        return {
            (int(k) if key_type is int else k): _convert(value_type, v, f"{where}.{k}")
            for k, v in value.items()
        }
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is float and value is None:  # NaN and infinities were written as null
        return float("nan")
    return value


def _build(cls: type[T], data: dict[str, Any], where: str) -> T:
    hints = _hints(cast(Any, cls))
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise DataError(f"{where}: cannot rebuild {cls.__name__}: {exc}") from exc


def rebuild(cls: type[T], data: dict[str, Any]) -> T:
    """An instance of the model dataclass ``cls`` from ``instance.to_dict()``.

    Raises :class:`~urbanagenda.errors.DataError` when ``data`` is not such a shape."""
    if not isinstance(data, dict):
        raise DataError(f"expected an object for {cls.__name__}, found {type(data).__name__}")
    return _build(cls, data, cls.__name__)
