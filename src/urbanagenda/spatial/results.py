"""The common result of every spatial indicator method (11.x.y from raw data).

A method is a pure function from typed inputs and parameters to an :class:`IndicatorResult`:
the value, the parts it was computed from, and everything needed to reproduce it (method name
and version, parameters, SHA-256 of every input file).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urbanagenda.errors import MethodError

__all__ = ["IndicatorResult", "file_sha256"]


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes (used for ``IndicatorResult.inputs``)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(chunk_size), b""):
                digest.update(chunk)
    except OSError as exc:
        raise MethodError(
            f"Cannot read input file {str(path)!r} to checksum it: {exc}. "
            "Check the path and that the file is readable."
        ) from exc
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    """Plain JSON types for dicts of numpy scalars, tuples, paths and nested mappings."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """The value of one indicator for one area, with its provenance.

    ``components`` holds the parts the value was computed from (numerators, denominators,
    disaggregations, diagnostics); ``parameters`` every setting that changes the value;
    ``inputs`` maps an input's name to the SHA-256 of its bytes.
    ``value`` is ``None`` when the method has no value to give (and says why in components).
    """

    indicator: str
    value: float | None
    unit: str
    components: Mapping[str, Any] = field(default_factory=dict)
    method: str = ""
    method_version: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.indicator:
            raise MethodError("IndicatorResult needs an indicator code such as '11.2.1'.")
        if self.value is not None:
            value = float(self.value)
            if not math.isfinite(value):
                raise MethodError(
                    f"Indicator {self.indicator}: value {self.value!r} is not a finite number; "
                    "return value=None and explain why in components instead."
                )
            object.__setattr__(self, "value", value)
        for name in ("components", "parameters", "inputs"):
            # Plain dict copies (not MappingProxyType) so results pickle across Dask workers.
            object.__setattr__(self, name, dict(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-serialisable dict (for the store and result files)."""
        return {
            "indicator": self.indicator,
            "value": self.value,
            "unit": self.unit,
            "components": _jsonable(self.components),
            "method": self.method,
            "method_version": self.method_version,
            "parameters": _jsonable(self.parameters),
            "inputs": _jsonable(self.inputs),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndicatorResult:
        """Rebuild a result from :meth:`to_dict` output."""
        try:
            return cls(
                indicator=str(data["indicator"]),
                value=data.get("value"),
                unit=str(data.get("unit", "")),
                components=dict(data.get("components") or {}),
                method=str(data.get("method", "")),
                method_version=str(data.get("method_version", "")),
                parameters=dict(data.get("parameters") or {}),
                inputs=dict(data.get("inputs") or {}),
            )
        except KeyError as exc:
            raise MethodError(
                f"A stored indicator result lacks the field {exc}; expected the keys written by "
                "IndicatorResult.to_dict(). Recompute the result."
            ) from exc
