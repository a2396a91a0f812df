"""Rows of a sheet or CSV as fields with the cells they came from (shared by the OSR and the
project-list readers): header names, estimate columns put together, key/value sheets."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from urbanagenda.finance._files_io import SheetRows
from urbanagenda.finance._files_layout import ESTIMATE_FIELDS, coerce
from urbanagenda.finance._files_locate import Cell, Locator
from urbanagenda.ingest.report import Issue

__all__ = ["Fields", "Record", "header_of", "key_values", "records", "sheet_key"]

#: A record's fields: name → (plain value, cells by sub-path: "" the field, ".low" its low …)
Fields = dict[str, tuple[Any, dict[str, Cell]]]


@dataclass
class Record:
    """One row: its fields and its own cell (the row, in the column that names it)."""

    cell: Cell
    fields: Fields = field(default_factory=dict)

    def pop(self, name: str) -> Any:
        """The plain value of ``name`` (None when blank), removed from the fields."""
        value = self.fields.pop(name, (None, {}))[0]
        return value

    def cell_of(self, column: str) -> Cell:
        return Cell(self.cell.sheet, self.cell.row, column)


def sheet_key(title: str) -> str:
    """Sheet titles compared without case, spaces or underscores ('property_tax' ≡ 'Property
    tax')."""
    return "".join(ch for ch in title.lower() if ch.isalnum())


def header_of(sheet: SheetRows) -> list[str]:
    """The first row's names, as field names (lower case, spaces as underscores)."""
    if not sheet.rows:
        return []
    return ["" if v is None else "_".join(str(v).strip().lower().split()) for v in sheet.rows[0][1]]


def records(
    sheet: SheetRows,
    header: list[str],
    *,
    allowed: Collection[str],
    file: str,
    issues: list[Issue],
    locator: Locator,
    name_column: str,
) -> list[Record]:
    """The data rows below the header, each as a :class:`Record`.

    Columns not in ``allowed`` are reported once (unknown-field) and not read; a value in a
    column without a header too."""
    locator.know_columns(sheet.title, allowed)  # a missing field: its column, even if absent
    for i, name in enumerate(header):
        if name and name not in allowed:
            close = difflib.get_close_matches(name, list(allowed), n=1)
            issues.append(
                Issue(
                    "unknown-field",
                    f"the column {name!r} is not one this sheet has; its values are not read.",
                    file=file,
                    sheet=sheet.title,
                    row=sheet.rows[0][0],
                    column=name,
                    found=name,
                    expected="columns " + ", ".join(allowed),
                    fix=(f"did you mean {close[0]!r}? " if close else "")
                    + "rename the column as in a fresh template, or remove it",
                )
            )
            header[i] = ""
    out = []
    for number, values in sheet.rows[1:]:
        record = Record(Cell(sheet.title, number, name_column))
        raw = {}
        for i, value in enumerate(values):
            blank = value is None or (isinstance(value, str) and not value.strip())
            if blank:
                continue
            name = header[i] if i < len(header) else ""
            if not name:
                if i >= len(header) or not sheet.rows[0][1][i]:
                    issues.append(
                        Issue(
                            "unknown-field",
                            "a value in a column without a header; it is not read.",
                            file=file,
                            sheet=sheet.title,
                            row=number,
                            column=f"column {i + 1}",
                            found=str(value),
                            fix="move the value into a named column, or give the column a name",
                        )
                    )
                continue
            raw[name] = value
        record.fields = group_fields(raw, sheet.title, number)
        out.append(record)
    return out


def group_fields(raw: dict[str, Any], sheet: str | None, row: int) -> Fields:
    """Cell values by column → fields; ``f``, ``f_low``, ``f_high`` become one estimate
    ``{central, low, high}`` (a plain number when no bound is given)."""
    fields: Fields = {}
    done: set[str] = set()
    for column in raw:
        base = column.removesuffix("_low").removesuffix("_high")
        name = base if base in ESTIMATE_FIELDS else column
        if name in done:
            continue
        done.add(name)
        if name not in ESTIMATE_FIELDS:
            fields[name] = (coerce(name, raw[column]), {"": Cell(sheet, row, column)})
            continue
        parts = {
            key: (coerce(name, raw[col]), Cell(sheet, row, col))
            for key, col in (("central", name), ("low", f"{name}_low"), ("high", f"{name}_high"))
            if col in raw
        }
        cells = {f".{key}": cell for key, (_, cell) in parts.items()}
        cells[".central"] = Cell(sheet, row, name)
        cells[""] = next(cell for _, cell in parts.values())
        if set(parts) == {"central"}:
            fields[name] = (parts["central"][0], cells)
        else:
            fields[name] = ({key: value for key, (value, _) in parts.items()}, cells)
    return fields


def key_values(
    sheet: SheetRows,
    *,
    keys: Iterable[str],
    file: str,
    issues: list[Issue],
    locator: Locator,
) -> dict[str, Any]:
    """A key/value sheet (field names in column A, values in column B) as a dict of dotted
    keys; every key row is located even when its value is blank."""
    known = tuple(keys)
    locator.know_columns(sheet.title, ("value",))
    out: dict[str, Any] = {}
    for number, values in sheet.rows[1:]:
        key = "" if not values or values[0] is None else str(values[0]).strip()
        value = coerce(key, values[1]) if len(values) > 1 else None
        if key not in known:
            if key or value is not None:
                close = difflib.get_close_matches(key, list(known), n=1)
                issues.append(
                    Issue(
                        "unknown-field",
                        f"{key!r} is not a field of this sheet; its value is not read."
                        if key
                        else "a value without a field name in column A; it is not read.",
                        file=file,
                        sheet=sheet.title,
                        row=number,
                        column="field",
                        found=key or str(values[1]),
                        expected="one of " + ", ".join(known),
                        fix=(f"did you mean {close[0]!r}? " if close else "")
                        + "keep column A as in a fresh template",
                    )
                )
            continue
        cell = Cell(sheet.title, number, "value")
        locator.put(key, cell)
        if value is None:
            continue
        if key in out:
            issues.append(
                Issue(
                    "duplicate-key",
                    f"{key!r} is given twice.",
                    file=file,
                    sheet=sheet.title,
                    row=number,
                    column="field",
                    found=key,
                    fix="keep one row per field",
                )
            )
            continue
        out[key] = value
    return out
