"""Reading fields of plain data (parsed YAML or JSON, or what a spreadsheet reader built)
with every problem collected as an :class:`~urbanagenda.ingest.report.Issue` instead of
stopping at the first; ``column`` holds the field path (``projects[2].sector``).

Private to the project-list parser (:mod:`._invest_parse`); what it shares with the OSR
reader (:mod:`._osr_read`) is in :mod:`._fields`.  Numbers may be written as numbers or as
numeric text, with ``,`` or ``_`` between digit groups.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from urbanagenda.finance._fields import IssueLog, join_path, read_float

__all__ = ["FieldReader", "join_path", "num_text"]


class FieldReader(IssueLog):
    """Reads fields of plain data, adding an issue for every problem instead of stopping."""

    def show(self, found: Any) -> str:
        """Text as it is, anything else as JSON; at most 120 characters."""
        if isinstance(found, str):
            text = found
        else:
            text = json.dumps(found, ensure_ascii=False, default=str)
        return text if len(text) <= 120 else text[:117] + "..."

    def mapping(
        self, raw: Any, path: str, fields: Sequence[str], what: str
    ) -> dict[str, Any] | None:
        """``raw`` as a mapping; unknown keys reported (a misspelt name?)."""
        if not isinstance(raw, Mapping):
            self.add(
                "parse-error",
                path,
                f"{what} is not a mapping of fields.",
                found=type(raw).__name__,
                expected=f"fields {', '.join(fields)}",
                fix=f"write {what} as 'field: value' pairs",
            )
            return None
        for key in raw:
            if key not in fields:
                self.add(
                    "unknown-field",
                    join_path(path, str(key)),
                    f"{what} has no field {key!r}.",
                    found=key,
                    expected=", ".join(fields),
                    fix="correct the spelling or remove the field",
                )
        return {str(k): v for k, v in raw.items()}

    def required(self, data: Mapping[str, Any], key: str, path: str, what: str) -> bool:
        if data.get(key) is None or data.get(key) == "":
            self.add(
                "missing-value",
                join_path(path, key),
                f"{what} has no {key}.",
                fix=f"add '{key}:' to {what}",
            )
            return False
        return True

    def text(self, raw: Any, path: str, *, default: str = "") -> str:
        if raw is None:
            return default
        if isinstance(raw, str):
            return raw.strip()
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return num_text(raw)
        self.add(
            "parse-error", path, "is not a text.", found=raw, expected="a text", fix="quote it"
        )
        return default

    def number(
        self,
        raw: Any,
        path: str,
        *,
        low: float = 0.0,
        high: float = math.inf,
        above_low: bool = False,
        unit: str = "",
    ) -> float | None:
        """A finite number in ``[low, high]`` (``(low, high]`` when ``above_low``), else None."""
        value = read_float(raw, ignore=",_")
        if value is None:
            self.add(
                "non-numeric-value",
                path,
                "is not a finite number.",
                found=raw,
                expected=f"a number{unit}",
                fix="write a plain number such as 1200000 or 1.2e9",
            )
            return None
        too_low = value <= low if above_low else value < low
        if too_low or value > high:
            lo = f"> {num_text(low)}" if above_low else f"≥ {num_text(low)}"
            hi = "" if math.isinf(high) else f" and ≤ {num_text(high)}"
            self.add(
                "out-of-range",
                path,
                f"is outside the range the field allows ({lo}{hi}).",
                found=raw,
                expected=f"a number {lo}{hi}{unit}",
                fix="correct the value",
            )
            return None
        return value

    def integer(self, raw: Any, path: str, *, low: int, high: int, code: str = "") -> int | None:
        value = self.number(raw, path, low=-math.inf)
        if value is None:
            return None
        if value != int(value) or not low <= value <= high:
            self.add(
                code or "out-of-range",
                path,
                f"is not a whole number from {low} to {high}.",
                found=raw,
                expected=f"a whole number from {low} to {high}",
                fix="correct the value",
            )
            return None
        return int(value)

    def boolean(self, raw: Any, path: str) -> bool:
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
            return raw.strip().lower() in ("true", "yes", "1")
        self.add(
            "parse-error",
            path,
            "is not true or false.",
            found=raw,
            expected="true or false",
            fix="write true or false",
        )
        return False

    def choice(self, raw: Any, path: str, valid: Sequence[str], what: str) -> str | None:
        value = self.text(raw, path)
        if value in valid:
            return value
        self.add(
            "unknown-code",
            path,
            f"is not a known {what}.",
            found=raw,
            expected=", ".join(valid),
            fix=f"use one of the {what} codes listed",
        )
        return None

    def codes(self, raw: Any, path: str, valid: Sequence[str], what: str) -> tuple[str, ...]:
        """A list of codes, each among ``valid``, none twice."""
        if raw is None:
            return ()
        if not isinstance(raw, list | tuple):
            self.add(
                "parse-error",
                path,
                f"is not a list of {what} codes.",
                found=raw,
                expected=f"a list such as [{', '.join(repr(v) for v in valid[:2])}]",
                fix="write the codes in square brackets, separated by commas",
            )
            return ()
        out: list[str] = []
        for i, item in enumerate(raw):
            code = self.choice(item, f"{path}[{i}]", valid, what)
            if code is None:
                continue
            if code in out:
                self.add(
                    "duplicate-key",
                    f"{path}[{i}]",
                    f"{what} {code} is listed twice.",
                    found=code,
                    fix="list each code once",
                )
                continue
            out.append(code)
        return tuple(out)


def num_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)
