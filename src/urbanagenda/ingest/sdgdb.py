"""Reader for the UN SDG Global Database export layout (CSV and XLSX).

The export (https://unstats.un.org/sdgs/dataportal, and the SDG API's CSV) has one row per
observation with the columns Goal, Target, Indicator, SeriesCode, SeriesDescription,
GeoAreaCode, GeoAreaName, TimePeriod, Value, Time_Detail, Source, FootNote, Nature, Units and
one column per dimension, written in square brackets (``[Sex]``, ``[Location]``) or plain
(``Cities``, ``Reporting Type``).  Rows become observations of
:mod:`urbanagenda.model.observations`:

* ``series_code`` <- SeriesCode; ``year`` <- TimePeriod; ``value`` <- Value (as read; a CSV
  cell that is a plain number becomes a float, other text stays text);
* ``area_code`` <- GeoAreaCode (M49, no leading zeros) or, when ``Cities`` names a city, the
  city id of the SDG Global Database's ``cities`` dimension (``af_kabul``).  Exports write the
  city's readable name ("Kābul (Kabul)"); the id is ``<ISO 3166 alpha-2 of the country>_<name>``
  with accents removed, apostrophes dropped, other punctuation and spaces as ``_``, tried first
  without and then with the part in parentheses, and accepted only when it is a known city id
  (bundled ``ddf--entities--cities.csv`` and the UN-Habitat city workbooks, whose city names
  are also matched).  A city that cannot be mapped keeps its name as ``area_code`` and is
  reported as ``unknown-area``.
* ``sex``, ``age``, ``location``: SDG DB codes to CL_SEX / CL_AGE / CL_URBANISATION
  (``BOTHSEX`` -> ``_T``, ``FEMALE`` -> ``F``, ``ALLAGE`` -> ``_T``, ``15-24`` -> ``Y15T24``,
  ``URBAN`` -> ``U``, ``ALLAREA`` -> ``_T``); other values are kept for the validator to check.
* ``breakdown``: every other dimension as ``DIM=CODE`` (see
  :func:`~urbanagenda.model.observations.breakdown_key`), with the SDMX dimension id where the
  DSD has one (``Custom Breakdown`` -> ``CUST_BREAKDOWN``, ``Level_of_government`` ->
  ``COMPOSITE_BREAKDOWN=LG_<code>``, ``Reporting Type`` -> ``REPORTING_TYPE``) and the
  upper-cased column name otherwise.  ``Reporting Type`` ``G`` (global data, what the Global
  Database holds by default) is treated as no breakdown so that the same data read from other
  mirrors of the database (DDF, SDMX without the dimension) have the same key.
* ``nature`` upper-cased; ``unit`` as given (the validator normalises units); ``source`` and
  ``footnote`` as given.

CSV files must be UTF-8 (a byte order mark is allowed); the delimiter is taken from the header
line (comma, semicolon or tab).  ``_row`` is the line of the record's first line (header = 1),
or the Excel row; ``_sheet`` is the worksheet name or ``""``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.report import Issue
from urbanagenda.model.observations import COLUMNS, TOTAL, breakdown_key

__all__ = ["SdgDbReader", "city_id"]

FRAME_COLUMNS: tuple[str, ...] = (*COLUMNS, "_row", "_sheet")

REQUIRED = ("SeriesCode", "GeoAreaCode", "TimePeriod", "Value")

# Columns that are not dimensions (compared without brackets, case, spaces and underscores).
_ATTRIBUTES = {
    "goal": "Goal",
    "target": "Target",
    "indicator": "Indicator",
    "seriescode": "SeriesCode",
    "seriesdescription": "SeriesDescription",
    "geoareacode": "GeoAreaCode",
    "geoareaname": "GeoAreaName",
    "timeperiod": "TimePeriod",
    "value": "Value",
    "valuetype": "ValueType",
    "timedetail": "Time_Detail",
    "timecoverage": "TimeCoverage",
    "upperbound": "UpperBound",
    "lowerbound": "LowerBound",
    "baseperiod": "BasePeriod",
    "source": "Source",
    "geoinfourl": "GeoInfoUrl",
    "geoinfotype": "GeoInfoType",
    "footnote": "FootNote",
    "nature": "Nature",
    "units": "Units",
    "unitmultiplier": "UnitMultiplier",
    "observationstatus": "ObservationStatus",
    "type": "Type",
}

# Dimensions with a column of their own in the observation frame, and SDMX dimension ids.
_OWN = {"sex": "sex", "age": "age", "location": "location", "cities": "cities"}
_SDMX_DIMENSIONS = {
    "reportingtype": "REPORTING_TYPE",
    "custombreakdown": "CUST_BREAKDOWN",
    "levelofgovernment": "COMPOSITE_BREAKDOWN",
    "quantile": "INCOME_WEALTH_QUANTILE",
    "incomewealthquantile": "INCOME_WEALTH_QUANTILE",
    "educationlevel": "EDUCATION_LEV",
    "disabilitystatus": "DISABILITY_STATUS",
    "activity": "ACTIVITY",
    "productcode": "PRODUCT",
    "product": "PRODUCT",
    "occupation": "OCCUPATION",
}

_SEX = {"BOTHSEX": TOTAL, "BOTHSEXES": TOTAL, "FEMALE": "F", "MALE": "M", "F": "F", "M": "M"}
_LOCATION = {
    "URBAN": "U",
    "RURAL": "R",
    "ALLAREA": TOTAL,
    "CITY": "CITY",
    "TSUB": "TSUB",
    "U": "U",
    "R": "R",
}
_TOTALS = {"", TOTAL, "NOTSPEC"}


def _key(header: str) -> str:
    return re.sub(r"[\s_\[\]]+", "", header).lower()


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# --------------------------------------------------------------------------- code mapping


def _sex(cell: Any) -> Any:
    text = _text(cell)
    if text.upper() in _TOTALS:
        return TOTAL
    return _SEX.get(re.sub(r"\s+", "", text.upper()), cell)


def _location(cell: Any) -> Any:
    text = _text(cell).upper()
    if text in _TOTALS:
        return TOTAL
    return _LOCATION.get(text, cell)


def _age(cell: Any) -> Any:
    text = _text(cell).upper().replace(" ", "")
    if text in _TOTALS or text == "ALLAGE":
        return TOTAL
    if m := re.fullmatch(r"Y?(\d+)-(\d+)(Y)?", text):
        return f"Y{int(m[1])}T{int(m[2])}"
    if m := re.fullmatch(r"Y?(\d+)\+(Y)?", text):
        return f"Y_GE{int(m[1])}"
    if m := re.fullmatch(r"<(\d+)(Y)?", text):
        return f"Y0T{int(m[1]) - 1}"
    return cell


def _breakdown_code(dimension: str, cell: Any) -> str:
    text = _text(cell)
    if text.upper() in _TOTALS:
        return ""
    if dimension == "REPORTING_TYPE" and text.upper() == "G":
        return ""
    if dimension == "COMPOSITE_BREAKDOWN" and not text.upper().startswith("LG_"):
        return f"LG_{text.upper()}"
    return text


def _area(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    text = _text(cell)
    return str(int(text)) if text.isdigit() else cell


def _year(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        text = cell.strip()
        if re.fullmatch(r"\d{4}(\.0+)?", text):
            return int(float(text))
    return cell


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _csv_value(text: str) -> Any:
    stripped = text.strip()
    if not stripped:
        return None
    return float(stripped) if _NUMBER.fullmatch(stripped) else text


# --------------------------------------------------------------------------- city ids


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’ʻʼ`´]", "", text)
    return "_".join(re.findall(r"[A-Za-z0-9]+", text)).lower()


def _name_variants(name: str) -> list[str]:
    outside = re.sub(r"\([^)]*\)", " ", name)
    inside = re.findall(r"\(([^)]*)\)", name)
    variants = [_slug(outside), *(_slug(v) for v in inside), _slug(name)]
    return [v for i, v in enumerate(variants) if v and v not in variants[:i]]


def _data_file(*parts: str) -> Any:
    return resources.files("urbanagenda").joinpath("data", *parts)


@cache
def _iso2_by_m49() -> dict[str, str]:
    with _data_file("m49", "unsd_m49_overview.csv").open(encoding="utf-8-sig") as fh:
        return {
            str(int(r["M49 Code"])): r["ISO-alpha2 Code"].lower()
            for r in csv.DictReader(fh)
            if r["ISO-alpha2 Code"]
        }


@cache
def _sdg_city_ids() -> frozenset[str]:
    path = _data_file("un_sdg_goal11_ddf", "ddf--entities--cities.csv")
    with path.open(encoding="utf-8") as fh:
        return frozenset(r["cities"].strip().lower() for r in csv.DictReader(fh))


@cache
def _unhabitat_cities() -> tuple[frozenset[str], dict[tuple[str, str], str]]:
    """City ids of the bundled UN-Habitat city workbooks, and (iso2, name slug) -> id."""
    from urbanagenda.ingest.unhabitat import _load_workbook, _sheet_rows

    ids: set[str] = set()
    by_name: dict[tuple[str, str], str] = {}
    for name, sheet in (
        ("unhabitat_sdg11-7-1_open_spaces_by_city_2024.xlsx", "SDG 11-7-1 2024"),
        ("unhabitat_green_areas_by_city_1990-2020_2024.xlsx", "Data"),
    ):
        with resources.as_file(_data_file("unhabitat", name)) as path:
            wb, problem = _load_workbook(Path(path))
            if problem is not None:
                continue
            try:
                rows = _sheet_rows(wb[sheet])
            finally:
                wb.close()
        header = [_text(c) for c in rows[0]]
        code_col, name_col = header.index("City Code"), header.index("City Name")
        for cells in rows[1:]:
            code, city = cells[code_col], cells[name_col]
            if not isinstance(code, str) or not code.strip():
                continue
            code = code.strip().lower()
            ids.add(code)
            if isinstance(city, str):
                for variant in _name_variants(city):
                    by_name.setdefault((code.split("_", 1)[0], variant), code)
    return frozenset(ids), by_name


def city_id(name: str, m49_code: str) -> str | None:
    """The SDG Global Database city id of a city name (or id) in a country, or ``None``.

    >>> city_id("Kābul (Kabul)", "4"), city_id("El Djazaïr (Algiers)", "12")
    ('af_kabul', 'dz_el_djazair')
    """
    text = name.strip()
    if text.lower() in _sdg_city_ids():
        return text.lower()
    iso2 = _iso2_by_m49().get(m49_code)
    if iso2 is None:
        return None
    variants = _name_variants(text)
    for variant in variants:
        if f"{iso2}_{variant}" in _sdg_city_ids():
            return f"{iso2}_{variant}"
    ids, by_name = _unhabitat_cities()
    if text.lower() in ids:
        return text.lower()
    for variant in variants:
        if f"{iso2}_{variant}" in ids:
            return f"{iso2}_{variant}"
        if (iso2, variant) in by_name:
            return by_name[(iso2, variant)]
    return None


# --------------------------------------------------------------------------- layout


@dataclass
class _Layout:
    """Where each column of an export is, found from its header row."""

    columns: dict[str, int] = field(default_factory=dict)  # attribute -> index
    own: dict[str, int] = field(default_factory=dict)  # sex/age/location/cities -> index
    breakdown: list[tuple[str, int]] = field(default_factory=list)  # (DIM id, index)
    missing: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, header: Sequence[Any]) -> _Layout:
        layout = cls()
        for index, cell in enumerate(header):
            raw = _text(cell)
            if not raw:
                continue
            key = _key(raw)
            if key in _ATTRIBUTES:
                layout.columns.setdefault(_ATTRIBUTES[key], index)
            elif key in _OWN:
                layout.own.setdefault(_OWN[key], index)
            else:
                dim = _SDMX_DIMENSIONS.get(key) or re.sub(
                    r"[^A-Z0-9]+", "_", raw.strip("[] ").upper()
                ).strip("_")
                layout.breakdown.append((dim, index))
        layout.missing = [c for c in REQUIRED if c not in layout.columns]
        return layout


def _recognised(header: Sequence[Any]) -> bool:
    return not _Layout.of(header).missing


def _observation(
    cells: Sequence[Any], layout: _Layout, *, csv_text: bool
) -> tuple[dict[str, Any], tuple[str, Any] | None]:
    """One observation row, and (city name, GeoAreaCode) if the city has no known id."""

    def cell(name: str) -> Any:
        index = layout.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def own(name: str) -> Any:
        index = layout.own.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    area = _area(cell("GeoAreaCode"))
    unmapped = None
    city = own("cities")
    # NOCITI ("no city") marks a national value in the cities dimension
    if not _is_blank(city) and _text(city).upper() not in {*_TOTALS, "NOCITI"}:
        mapped = city_id(_text(city), area if isinstance(area, str) else "")
        if mapped is None:
            unmapped = (_text(city), area)
            area = _text(city)
        else:
            area = mapped
    pairs = {}
    for dim, index in layout.breakdown:
        code = _breakdown_code(dim, cells[index] if index < len(cells) else None)
        if code:
            pairs[dim] = code
    value = cell("Value")
    if csv_text and isinstance(value, str):
        value = _csv_value(value)
    row = {
        "series_code": _text(cell("SeriesCode")),
        "area_code": area,
        "year": _year(cell("TimePeriod")),
        "sex": _sex(own("sex")),
        "age": _age(own("age")),
        "location": _location(own("location")),
        "breakdown": breakdown_key(pairs),
        "value": value,
        "unit": _text(cell("Units")),
        "nature": _text(cell("Nature")).upper(),
        "source": _text(cell("Source")),
        "footnote": _text(cell("FootNote")),
    }
    return row, unmapped


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in FRAME_COLUMNS})
    frame["_row"] = frame["_row"].astype("int64")
    frame["year"] = frame["year"].infer_objects()  # int64 when every year is a whole number
    return frame


def _missing_columns(
    path: Path, sheet: str | None, header: Sequence[Any], layout: _Layout
) -> list[Issue]:
    present = [_text(c) for c in header if _text(c)]
    single = len(present) == 1 and any(d in present[0] for d in (";", "\t", "|"))
    return [
        Issue(
            "missing-column",
            f"The header row has no column {name!r}.",
            file=str(path),
            sheet=sheet,
            row=1,
            column=name,
            found="; ".join(present)[:500] or "(an empty header row)",
            expected="the SDG Global Database export columns "
            + ", ".join(REQUIRED)
            + " (plus Units, Nature, Source, FootNote and dimension columns)",
            fix=(
                "Save the CSV with commas, semicolons or tabs between the columns."
                if single
                else "Give the file as exported from the UN SDG Global Database, with its "
                "header row in row 1; restore the header text if it was edited."
            ),
        )
        for name in layout.missing
    ]


def _unknown_city(
    path: Path, sheet: str | None, row: int, column: str, unmapped: tuple[str, Any]
) -> Issue:
    name, area = unmapped
    return Issue(
        "unknown-area",
        f"The city {name!r} (GeoAreaCode {area}) could not be mapped to a city id of the SDG "
        "Global Database.",
        file=str(path),
        sheet=sheet,
        row=row,
        column=column,
        found=name,
        expected="a city of the SDG Global Database 'cities' list (for example 'af_kabul' "
        "for 'Kābul (Kabul)' in GeoAreaCode 4)",
        fix="Write the city's id (such as AF_KABUL) in the Cities column, or check the "
        "GeoAreaCode of the row.",
    )


# --------------------------------------------------------------------------- the reader


class SdgDbReader:
    """Reads UN SDG Global Database exports, ``.csv`` and ``.xlsx``."""

    format_name = "sdgdb"

    def sniff(self, path: Path) -> bool:
        """True when the header row has SeriesCode, GeoAreaCode, TimePeriod and Value."""
        path = Path(path)
        try:
            suffix = path.suffix.lower()
            if suffix in (".xlsx", ".xlsm"):
                if not zipfile.is_zipfile(path):
                    return False
                from urbanagenda.ingest.unhabitat import _load_workbook, _sheet_rows

                wb, problem = _load_workbook(path)
                if problem is not None:
                    return False
                try:
                    return any(
                        _recognised(next(iter(_sheet_rows(wb[name], max_row=1)), ()))
                        for name in wb.sheetnames[:5]
                    )
                finally:
                    wb.close()
            if suffix in (".csv", ".txt", ".tsv"):
                with path.open("rb") as fh:
                    head = fh.read(65536)
                line = head.decode("utf-8-sig", errors="replace").splitlines()[0:1]
                if not line:
                    return False
                return _recognised(next(csv.reader(line, delimiter=_delimiter(line[0]))))
        except (OSError, StopIteration, csv.Error):
            return False
        return False

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
        path = Path(path)
        if not path.is_file():
            missing = Issue(
                "file-not-found", "The file does not exist.", file=str(path), fix="Check the path."
            )
            yield Chunk(_frame([]), [missing])
            return
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            yield from self._read_xlsx(path, chunk_rows)
        else:
            yield from self._read_csv(path, chunk_rows)

    # -- CSV

    def _read_csv(self, path: Path, chunk_rows: int) -> Iterator[Chunk]:
        data = path.read_bytes()
        if not data.strip(b"\xef\xbb\xbf \t\r\n"):
            empty = Issue(
                "empty-file", "The file has no text.", file=str(path), fix="Export the data again."
            )
            yield Chunk(_frame([]), [empty])
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Chunk(_frame([]), [_encoding_issue(path, data, exc)])
            return
        lines = io.StringIO(text, newline="")
        first = text.split("\n", 1)[0]
        reader = csv.reader(lines, delimiter=_delimiter(first), strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            yield Chunk(_frame([]), [_parse_issue(path, 1, exc)])
            return
        layout = _Layout.of(header)
        if layout.missing:
            yield Chunk(_frame([]), _missing_columns(path, None, header, layout))
            return
        rows: list[dict[str, Any]] = []
        issues: list[Issue] = []
        total = 0
        start = reader.line_num + 1
        try:
            for cells in reader:
                row, start = start, reader.line_num + 1
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                    issues.append(
                        Issue(
                            "parse-error",
                            f"The line has {len(cells)} fields but the header has "
                            f"{len(header)}; the extra fields were ignored.",
                            file=str(path),
                            row=row,
                            found=", ".join(cells[len(header) :])[:200],
                            expected=f"{len(header)} fields",
                            fix="Quote fields that contain the delimiter.",
                        )
                    )
                obs, unmapped = _observation(cells, layout, csv_text=True)
                if unmapped is not None:
                    column = _header_of(header, layout, "cities")
                    issues.append(_unknown_city(path, None, row, column, unmapped))
                obs["_row"], obs["_sheet"] = row, ""
                rows.append(obs)
                total += 1
                if len(rows) >= chunk_rows:
                    yield Chunk(_frame(rows), issues)
                    rows, issues = [], []
        except csv.Error as exc:
            issues.append(_parse_issue(path, start, exc))  # the line the record starts on
            yield Chunk(_frame(rows), issues)
            return
        if total == 0:
            issues.append(_no_rows(path, None))
        if rows or issues:
            yield Chunk(_frame(rows), issues)

    # -- XLSX

    def _read_xlsx(self, path: Path, chunk_rows: int) -> Iterator[Chunk]:
        from urbanagenda.ingest.unhabitat import _load_workbook, _quiet_openpyxl, _sheet_rows

        wb, problem = _load_workbook(path)
        if problem is not None:
            yield Chunk(_frame([]), [problem])
            return
        try:
            sheet, header = None, ()
            for name in wb.sheetnames:
                first = next(iter(_sheet_rows(wb[name], max_row=1)), ())
                if _recognised(first):
                    sheet, header = name, first
                    break
            if sheet is None:
                name = wb.sheetnames[0]
                first = next(iter(_sheet_rows(wb[name], max_row=1)), ())
                yield Chunk(_frame([]), _missing_columns(path, name, first, _Layout.of(first)))
                return
            layout = _Layout.of(header)
            rows: list[dict[str, Any]] = []
            issues: list[Issue] = []
            total = 0
            cells_iter = wb[sheet].iter_rows(min_row=2, values_only=True)
            row = 1
            while True:
                with _quiet_openpyxl():
                    batch = [c for _, c in zip(range(5000), cells_iter, strict=False)]
                if not batch:
                    break
                for cells in batch:
                    row += 1
                    if all(_is_blank(c) for c in cells):
                        continue
                    obs, unmapped = _observation(cells, layout, csv_text=False)
                    if unmapped is not None:
                        column = _header_of(header, layout, "cities")
                        issues.append(_unknown_city(path, sheet, row, column, unmapped))
                    obs["_row"], obs["_sheet"] = row, sheet
                    rows.append(obs)
                    total += 1
                    if len(rows) >= chunk_rows:
                        yield Chunk(_frame(rows), issues)
                        rows, issues = [], []
            if total == 0:
                issues.append(_no_rows(path, sheet))
            if rows or issues:
                yield Chunk(_frame(rows), issues)
        finally:
            wb.close()


def _no_rows(path: Path, sheet: str | None) -> Issue:
    return Issue(
        "empty-file",
        "The file has a header row but no data rows.",
        file=str(path),
        sheet=sheet,
        row=1,
        fix="Export the data again; check that the export's filters selected some data.",
    )


def _header_of(header: Sequence[Any], layout: _Layout, own: str) -> str:
    return _text(header[layout.own[own]])


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_issue(path: Path, line: int, exc: Exception) -> Issue:
    return Issue(
        "parse-error",
        f"The CSV could not be parsed: {exc}.",
        file=str(path),
        row=line,
        expected="a CSV file with one header line",
        fix="Check the quoting on this line (an unclosed quote swallows the lines after it).",
    )


def _encoding_issue(path: Path, data: bytes, exc: UnicodeDecodeError) -> Issue:
    # the utf-8-sig codec counts from after the byte order mark
    offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    around = data[max(line_start, offset - 40) : offset + 20].split(b"\n", 1)[0]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = "; it looks like UTF-16 (Excel's 'Unicode Text')"
    elif _decodes(data, "cp1252"):
        guess = "; it looks like Windows-1252 or Latin-1 (ISO-8859-1)"
    else:
        guess = ""
    return Issue(
        "encoding-error",
        f"The file is not UTF-8: byte 0x{data[offset]:02X} at byte offset {offset} "
        f"(line {line}, byte {offset - line_start + 1} of the line) is not valid UTF-8{guess}.",
        file=str(path),
        row=line,
        found=around.decode("utf-8", errors="replace"),
        expected="UTF-8 text (with or without a byte order mark)",
        fix="Re-save the file as UTF-8: in Excel choose 'CSV UTF-8 (Comma delimited)'; in "
        "LibreOffice tick 'Edit filter settings' and choose 'Unicode (UTF-8)'; or convert it "
        "with `iconv -f WINDOWS-1252 -t UTF-8` (naming the file's encoding).",
    )


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
