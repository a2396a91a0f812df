"""Reading plain data into checked values, collecting every problem as an
:class:`~urbanagenda.ingest.report.Issue` (the machinery under :mod:`.parse`).

A :class:`Reader` walks a dict of the OSR format: each ``field``/``number``/``estimate`` call
returns the converted value, or ``None`` after recording what is wrong, where (the field path,
e.g. ``years[0].streams[1].categories[0].compliant``, in the issue's ``column``), what was
found and expected, and how to fix it.  Parsing then goes on, so one run reports everything.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Collection, Mapping
from typing import Any

from urbanagenda.finance._fields import IssueLog, join_path, read_float
from urbanagenda.finance.model import Estimate

__all__ = ["Reader", "dump_estimate", "fmt"]


def fmt(x: float) -> str:
    """A number as people read it: ``1,200,000``, ``0.012``, ``1.2e+10``."""
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


class Reader(IssueLog):
    """Reads the fields of an OSR analysis, collecting the issues of one input (``file``
    names it in every issue)."""

    # ------------------------------------------------------------------ structure

    def mapping(
        self,
        value: Any,
        path: str,
        *,
        allowed: Collection[str],
        required: Collection[str] = (),
        what: str = "an object",
    ) -> Mapping[str, Any] | None:
        """``value`` as a mapping whose keys are all ``allowed`` and hold the ``required``."""
        if not isinstance(value, Mapping):
            self.add(
                "parse-error",
                path,
                f"{path or 'the input'} must be {what} (key: value pairs).",
                found=type(value).__name__,
                expected=f"{what} with the fields {', '.join(sorted(allowed))}",
                fix="write it as `field: value` lines (YAML) or {...} (JSON)",
            )
            return None
        for key in value:
            if str(key) not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(
                    "unknown-field",
                    join_path(path, str(key)),
                    f"{join_path(path, str(key))} is not a field of {what}.",
                    found=key,
                    expected="one of " + ", ".join(sorted(allowed)),
                    fix=f"{hint}correct the name or remove the field",
                )
        for key in required:
            if value.get(key) is None:
                self.add(
                    "missing-value",
                    join_path(path, key),
                    f"{join_path(path, key)} is required.",
                    expected=f"a value for {key!r}",
                    fix=f"add {key}: …",
                )
        return value

    def items(self, value: Any, path: str, *, what: str, required: bool = True) -> list[Any]:
        """``value`` as a list, non-empty when ``required`` (a missing list is reported by
        ``mapping``)."""
        if value is None:
            return []
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            self.add(
                "parse-error",
                path,
                f"{path} must be a list of {what}.",
                found=type(value).__name__,
                expected=f"a list of {what}",
                fix="write one `- …` item per line (YAML) or [...] (JSON)",
            )
            return []
        if not value and required:
            self.add(
                "missing-value",
                path,
                f"{path} is empty.",
                expected=f"at least one of {what}",
                fix=f"give at least one of {what}",
            )
        return list(value)

    # ------------------------------------------------------------------ values

    def text(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(
                "parse-error",
                path,
                f"{path} must be text.",
                found=type(value).__name__,
                expected="text",
                fix="write the value as plain text",
            )
            return None
        return str(value).strip()

    def flag(self, value: Any, path: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.add(
            "parse-error",
            path,
            f"{path} must be true or false.",
            found=value,
            expected="true or false",
            fix="write true or false",
        )
        return None

    def number(
        self,
        value: Any,
        path: str,
        *,
        positive: bool = False,
        maximum: float | None = None,
        max_why: str = "",
    ) -> float | None:
        """A finite number ≥ 0 (``> 0`` when ``positive``; ``≤ maximum`` when given).

        Numbers written as text are read too (PyYAML reads ``1.2e10`` as text)."""
        if value is None:
            return None
        x = read_float(value)
        if x is None:
            self.add(
                "non-numeric-value",
                path,
                f"{path} is not a finite number.",
                found=value,
                expected="a number such as 1200 or 1.2e10",
                fix="write a plain number (no units, currency signs or thousands separators)",
            )
            return None
        bound = "> 0" if positive else "≥ 0"
        if x < 0 or (positive and x == 0):
            self.add(
                "out-of-range",
                path,
                f"{path} is {fmt(x)}; it must be {bound}.",
                found=fmt(x),
                expected=f"a number {bound}",
                fix="give the count or amount as a positive number",
            )
            return None
        if maximum is not None and x > maximum:
            self.add(
                "out-of-range",
                path,
                f"{path} is {fmt(x)}; it must be ≤ {fmt(maximum)}{max_why}.",
                found=fmt(x),
                expected=f"a number ≤ {fmt(maximum)}",
                fix=f"give a value ≤ {fmt(maximum)}",
            )
            return None
        return x

    def estimate(
        self,
        value: Any,
        path: str,
        *,
        positive: bool = False,
        maximum: float | None = None,
        max_why: str = "",
    ) -> Estimate | None:
        """A number, or ``{central, low?, high?}`` with ``low ≤ central ≤ high``."""
        if value is None:
            return None
        limits: dict[str, Any] = {"positive": positive, "maximum": maximum, "max_why": max_why}
        if not isinstance(value, Mapping):
            x = self.number(value, path, **limits)
            return None if x is None else Estimate(x)
        data = self.mapping(
            value,
            path,
            allowed=("central", "low", "high"),
            required=("central",),
            what="an estimate {central, low, high}",
        )
        if data is None:
            return None
        central = self.number(data.get("central"), join_path(path, "central"), **limits)
        low = self.number(data.get("low"), join_path(path, "low"), **limits)
        high = self.number(data.get("high"), join_path(path, "high"), **limits)
        ordered = (("low", low), ("central", central), ("high", high))
        known = [(n, v) for n, v in ordered if v is not None]
        for (n1, v1), (n2, v2) in itertools.pairwise(known):
            if v1 > v2:
                self.add(
                    "rule-broken",
                    join_path(path, n1),
                    f"{path}: {n1} ({fmt(v1)}) exceeds {n2} ({fmt(v2)}).",
                    found=f"{n1} {fmt(v1)}, {n2} {fmt(v2)}",
                    expected="low ≤ central ≤ high",
                    fix="check the range: the low value comes first, the high value last",
                )
                return None
        if central is None or (data.get("low") is not None and low is None):
            return None
        if data.get("high") is not None and high is None:
            return None
        return Estimate(central, low, high)

    def cite(self, value: Any, path: str, ids: Collection[str]) -> tuple[str, ...]:
        """Source ids cited at ``path`` (each must be in the analysis's ``sources``)."""
        if value is None:
            return ()
        cited: list[str] = []
        for k, item in enumerate(self.items(value, path, what="source ids", required=False)):
            sid = self.text(item, f"{path}[{k}]")
            if sid is None:
                continue
            if sid not in ids:
                self.add(
                    "unknown-code",
                    f"{path}[{k}]",
                    f"{path}[{k}] cites the source {sid!r}, which is not in sources.",
                    found=sid,
                    expected="one of " + (", ".join(sorted(ids)) or "the sources' ids (none)"),
                    fix="add the source to sources (id, citation, url) or correct the id",
                )
            cited.append(sid)
        return tuple(cited)


def dump_estimate(value: Estimate) -> float | dict[str, float]:
    """A number, or ``{central, low, high}`` (only the bounds given)."""
    if not value.is_range:
        return value.central
    out = {"central": value.central}
    if value.low is not None:
        out["low"] = value.low
    if value.high is not None:
        out["high"] = value.high
    return out
