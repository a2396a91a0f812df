"""Opening a finance input file: which format it is (by suffix, and by its first bytes when
the suffix lies), and its content as a mapping (YAML, JSON) or as sheets of rows (CSV, XLSX).

A file that cannot be opened at all (missing, empty, not UTF-8, not a ZIP, malformed) stops
here with :class:`~urbanagenda.errors.ValidationFailed` and one issue saying how to fix it.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml
from openpyxl import load_workbook

from urbanagenda.errors import ValidationFailed
from urbanagenda.ingest.report import Issue, Report

__all__ = ["Opened", "SheetRows", "fail", "open_file"]

Format = Literal["yaml", "json", "csv", "xlsx"]
#: libyaml's safe loader where it is built in, else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SUFFIXES: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_EXPECTED = "a .yaml, .yml, .json, .csv or .xlsx file"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary Office format (.xls)


@dataclass
class SheetRows:
    """The non-blank rows of a sheet (or of a CSV): (1-based row number, cell values)."""

    title: str | None
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


@dataclass
class Opened:
    """A file's content: ``mapping`` for YAML/JSON, ``sheets`` for CSV (one, title None)
    and XLSX (by title), and the template marker of a workbook made by the platform."""

    format: Format
    mapping: Mapping[str, Any] | None = None
    sheets: dict[str, SheetRows] = field(default_factory=dict)
    marker: str | None = None


def fail(file: str, issue: Issue) -> NoReturn:
    """Stop with one issue (a file that cannot be read any further)."""
    raise ValidationFailed(Report(issues=[issue], files=[file]))


def open_file(path: Path) -> Opened:
    """The content of ``path`` in the format its suffix (or content) says."""
    name = str(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        fail(name, Issue("file-not-found", f"the path {what}.", file=name, fix=_fix_path()))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(name, Issue("file-not-found", f"the file cannot be read: {exc}.", file=name))
    if not raw.strip():
        fail(
            name,
            Issue(
                "empty-file",
                "the file is empty.",
                file=name,
                expected=_EXPECTED + " with an analysis or a project list",
                fix="save the file again; an upload or a copy may have been cut short",
            ),
        )
    fmt = _format(path, raw)
    if fmt == "xlsx":
        return _open_workbook(name, raw)
    text = _decode(name, raw)
    if fmt == "csv":
        return Opened("csv", sheets={"": _csv_rows(name, text)})
    return Opened(fmt, mapping=_load_mapping(name, text, fmt))


def _fix_path() -> str:
    return "check the path (a relative path starts from the current folder)"


def _format(path: Path, raw: bytes) -> Format:
    name, suffix = str(path), path.suffix.lower()
    if raw.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(raw)):
        return "xlsx"  # a workbook, whatever its name says
    if suffix in (".xlsx", ".xlsm"):
        truncated = raw.startswith(b"PK")
        fail(
            name,
            Issue(
                "not-a-zip",
                "the file is named .xlsx but is not an Excel workbook (a ZIP archive)"
                + ("; it looks truncated." if truncated else "."),
                file=name,
                found=repr(raw[:8]),
                expected="an .xlsx workbook saved by Excel, LibreOffice or this platform",
                fix="download or save the workbook again"
                if truncated
                else "if it is a CSV or YAML file, give it the matching suffix (.csv, .yaml)",
            ),
        )
    if suffix == ".xls" or raw.startswith(_OLE):
        fail(
            name,
            Issue(
                "unknown-format",
                "this is an old Excel 97–2003 workbook (.xls), which is not read.",
                file=name,
                expected=_EXPECTED,
                fix="open it in Excel or LibreOffice and save it as .xlsx",
            ),
        )
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    start = raw.lstrip()[:1]
    if start in (b"{", b"["):
        return "json"
    first = raw.lstrip().split(b"\n", 1)[0]
    if b":" in first and b"," not in first:
        return "yaml"
    if b"," in first or b";" in first:
        return "csv"
    fail(
        name,
        Issue(
            "unknown-format",
            f"the file's format is not recognised (suffix {suffix or 'none'!r}).",
            file=name,
            found=repr(raw[:20]),
            expected=_EXPECTED,
            fix="give the file the suffix of its format",
        ),
    )


def _decode(name: str, raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        fail(
            name,
            Issue(
                "unknown-format",
                "this is a binary file, not text.",
                file=name,
                expected=_EXPECTED,
                fix="give a YAML, JSON or CSV text file, or an .xlsx workbook named .xlsx",
            ),
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(
            name,
            Issue(
                "encoding-error",
                f"the file is not UTF-8 text (first bad byte at offset {exc.start}).",
                file=name,
                row=raw[: exc.start].count(b"\n") + 1,
                found=repr(raw[exc.start : exc.start + 8]),
                expected="UTF-8 text",
                fix="save the file as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: encoding UTF-8)",
            ),
        )


def _load_mapping(name: str, text: str, fmt: Format) -> Mapping[str, Any]:
    what = "JSON" if fmt == "json" else "YAML"
    try:
        doc = json.loads(text) if fmt == "json" else yaml.load(text, Loader=_LOADER)  # safe
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        fail(
            name,
            Issue(
                "parse-error",
                f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}): "
                f"{exc.msg}" + ("; the file ends too early (truncated?)." if cut else "."),
                file=name,
                row=exc.lineno,
                fix="correct the JSON syntax (commas, quotes, brackets) on that line",
            ),
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        fail(
            name,
            Issue(
                "parse-error",
                f"the file is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.",
                file=name,
                row=mark.line + 1 if mark else None,
                fix="correct the YAML syntax (indentation, quotes, colons) on that line",
            ),
        )
    if doc is None:
        fail(name, Issue("empty-file", f"the {what} file holds no data.", file=name))
    if not isinstance(doc, Mapping):
        fail(
            name,
            Issue(
                "parse-error",
                f"the {what} file's top level is not a mapping of fields.",
                file=name,
                found=type(doc).__name__,
                expected="fields such as `local_government:` or `name:` at the top level",
                fix="see the format in the documentation or download a template",
            ),
        )
    return doc


def _csv_rows(name: str, text: str) -> SheetRows:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = ";" if ";" in first and "," not in first else ","
    out = SheetRows(None)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    width = 0
    try:
        for values in reader:
            width = width or len(values)
            if len(values) > width:
                fail(
                    name,
                    Issue(
                        "parse-error",
                        f"the line has {len(values)} fields, the header {width}.",
                        file=name,
                        row=reader.line_num,
                        expected=f"{width} comma-separated fields",
                        fix="quote values that contain commas, or add the missing header",
                    ),
                )
            if any(v.strip() for v in values):
                out.rows.append((reader.line_num, tuple(values)))
    except csv.Error as exc:
        fail(
            name,
            Issue(
                "parse-error",
                f"the CSV is malformed: {exc} (the file may be truncated).",
                file=name,
                row=reader.line_num,
                fix="check the quotes on that line; save the file again",
            ),
        )
    if len(out.rows) < 2:
        fail(
            name,
            Issue(
                "empty-file",
                "the CSV has no data rows.",
                file=name,
                expected="a header line and one line per row",
                fix="fill in rows below the header",
            ),
        )
    return out


def _open_workbook(name: str, raw: bytes) -> Opened:
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            # from memory: openpyxl refuses a path whose suffix is not .xlsx
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken package
        fail(
            name,
            Issue(
                "parse-error",
                f"the workbook cannot be read ({type(exc).__name__}: {exc}).",
                file=name,
                expected="an .xlsx workbook saved by Excel, LibreOffice or this platform",
                fix="open it in a spreadsheet program and save it again as .xlsx",
            ),
        )
    opened = Opened("xlsx")
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # some writers record a wrong used range
            if ws.title == "_urbanagenda":
                first = next(ws.iter_rows(max_row=1, values_only=True), ())
                opened.marker = str(first[0]) if first and first[0] is not None else None
                continue
            rows = SheetRows(ws.title)
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if any(v is not None and str(v).strip() for v in values):
                    rows.rows.append((number, tuple(values)))
            opened.sheets[ws.title] = rows
    finally:
        wb.close()
    return opened
