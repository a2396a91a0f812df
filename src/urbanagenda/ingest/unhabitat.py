"""Readers for the UN-Habitat Urban Indicators Database workbooks.

Three layouts, as downloaded from the UN-Habitat Urban Indicators Database (bundled in
``urbanagenda/data/unhabitat/``):

* :class:`OpenSpacesReader` (``unhabitat-open-spaces``): SDG 11.7.1 by city, one row per city
  and reference year.  Column [a], the average share of the built-up area that is open space
  for public use, becomes ``EN_URB_OPENSP``; column [b], the share of the urban population with
  convenient access to open public spaces, becomes ``UH_OPENSP_ACCESS`` (CL_SERIES of
  IAEG-SDGs:SDG(1.14) has no code for it).  Unit ``PT`` where the workbook says ``PERCENT``.
* :class:`GreenAreasReader` (``unhabitat-green-areas``): share of green area in the city
  (``UH_GREEN_AREA_SHARE``, ``PT``) and green area per person (``UH_GREEN_AREA_PC``,
  ``SQ_M_PER_CAPITA``; CL_UNIT_MEASURE has no square metres per person) for the years named in
  the headers.  ``source`` is the suggested citation of the Metadata sheet.
* :class:`SlumEstimatesReader` (``unhabitat-slums``): a two-row header (indicator, then year)
  with ``…`` for missing cells.  The proportion of the urban population living in slums becomes
  ``EN_LND_SLUM`` (``PT``) and the urban population living in slum households
  ``EN_LND_SLUMN`` (the DSD's "Urban population living in slums (number)"), converted from the
  workbook's thousands to persons with unit ``NUMBER``; both with location ``U``.  The
  workbook has no code column, so countries are resolved from their names to M49 codes;
  a name that cannot be resolved is reported as ``unknown-area``.

City codes are the workbooks' City Codes lower-cased (``AE_DUBAYY`` -> ``ae_dubayy``), the
ids of the SDG Global Database's ``cities`` dimension.  The open-space workbook's national rows
(City Code ``NOCITI_<COUNTRY>``, City Name "National") get the country's M49 code.

Rows of regional and global aggregates (no City Code; or a region name in the slum workbook)
are skipped unless the reader is made with ``aggregates=True``: the platform computes
aggregates itself, and the open-space workbook's UN regional commission rows (ECA, ECE, ...)
have codes (98100, ...) that are not M49 areas.

Values come out as read: numbers stay numbers, text other than the missing markers
(an empty cell, ``…`` or ``...``) stays text so that the validator reports it.  ``_row`` is the
Excel row of the source cell and ``_sheet`` its worksheet.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.report import Issue
from urbanagenda.model.observations import COLUMNS

__all__ = [
    "MISSING_MARKERS",
    "UNHABITAT_READERS",
    "GreenAreasReader",
    "OpenSpacesReader",
    "SlumEstimatesReader",
    "resolve_area_name",
]

#: Cell texts that mean "no value" in the UN-Habitat workbooks; such cells give no row.
MISSING_MARKERS: frozenset[str] = frozenset({"", "…", "..."})

FRAME_COLUMNS: tuple[str, ...] = (*COLUMNS, "_row", "_sheet")

_XLSX_SUFFIXES = (".xlsx", ".xlsm")


# --------------------------------------------------------------------------- workbook access


@contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    # openpyxl warns about features it drops (data validation, conditional formats, default
    # styles); they do not change cell values.  Only openpyxl's own UserWarnings are ignored.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        yield


def _open_problem(path: Path) -> Issue | None:
    """The issue that stops ``path`` from being opened as an XLSX workbook, if any."""
    file = str(path)
    if not path.is_file():
        return Issue(
            "file-not-found",
            "The file does not exist.",
            file=file,
            fix="Check the path; give the path of an .xlsx file.",
        )
    if path.stat().st_size == 0:
        return Issue(
            "empty-file",
            "The file has no bytes.",
            file=file,
            fix="Download or export the workbook again.",
        )
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            head = fh.read(8)
        found = "a truncated ZIP archive" if head.startswith(b"PK") else f"first bytes {head!r}"
        return Issue(
            "not-a-zip",
            "The file is not an XLSX workbook: an XLSX file is a ZIP archive and this one is "
            "not (it may be truncated, or another format such as CSV renamed to .xlsx).",
            file=file,
            found=found,
            expected="an Excel .xlsx workbook (ZIP archive)",
            fix="Download the workbook again, or open it in Excel or LibreOffice and save it "
            "as 'Excel Workbook (.xlsx)'. If it is a CSV file, give it the .csv suffix.",
        )
    return None


def _load_workbook(path: Path) -> tuple[Any, Issue | None]:
    """Open ``path`` read-only; return ``(workbook, None)`` or ``(None, issue)``."""
    problem = _open_problem(path)
    if problem is not None:
        return None, problem
    import openpyxl

    try:
        with _quiet_openpyxl():
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged package
        return None, Issue(
            "parse-error",
            f"The workbook could not be opened: {type(exc).__name__}: {exc}.",
            file=str(path),
            expected="a readable .xlsx workbook",
            fix="Open the file in Excel or LibreOffice and save it again as .xlsx.",
        )
    return wb, None


def _sheet_rows(ws: Any, *, min_row: int = 1, max_row: int | None = None) -> list[tuple[Any, ...]]:
    with _quiet_openpyxl():
        return list(ws.iter_rows(min_row=min_row, max_row=max_row, values_only=True))


def _sheet_names(path: Path) -> list[str]:
    """The sheet names of an .xlsx, read from ``xl/workbook.xml`` without opening the cells."""
    import html

    try:
        with zipfile.ZipFile(path) as archive:
            text = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return []
    return [
        html.unescape(n) for n in re.findall(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"", text)
    ]


def _looks_like_xlsx(path: Path) -> bool:
    try:
        return path.suffix.lower() in _XLSX_SUFFIXES and zipfile.is_zipfile(path)
    except OSError:
        return False


# --------------------------------------------------------------------------- frames


@dataclass(slots=True)
class _Record:
    series_code: str
    area_code: Any
    year: Any
    value: Any
    unit: str
    row: int
    sheet: str
    location: str = "_T"
    source: str = ""
    footnote: str = ""


def _frame(records: Sequence[_Record]) -> pd.DataFrame:
    data: dict[str, list[Any]] = {c: [] for c in FRAME_COLUMNS}
    for r in records:
        data["series_code"].append(r.series_code)
        data["area_code"].append(r.area_code)
        data["year"].append(r.year)
        data["sex"].append("_T")
        data["age"].append("_T")
        data["location"].append(r.location)
        data["breakdown"].append("")
        data["value"].append(r.value)
        data["unit"].append(r.unit)
        data["nature"].append("")
        data["source"].append(r.source)
        data["footnote"].append(r.footnote)
        data["_row"].append(r.row)
        data["_sheet"].append(r.sheet)
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()})
    frame["_row"] = frame["_row"].astype("int64")
    frame["year"] = frame["year"].infer_objects()  # int64 when every year is a whole number
    return frame


def _chunks(records: list[_Record], issues: list[Issue], chunk_rows: int) -> Iterator[Chunk]:
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    if not records:
        yield Chunk(_frame([]), issues)
        return
    for start in range(0, len(records), chunk_rows):
        # issues go with the first chunk: they are few and concern the file as a whole
        yield Chunk(_frame(records[start : start + chunk_rows]), issues if start == 0 else [])


def _is_missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() in MISSING_MARKERS)


def _is_number(cell: Any) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _norm_header(cell: Any) -> str:
    return " ".join(_text(cell).lower().replace("\xa0", " ").split())


def _city_code(cell: Any) -> Any:
    return cell.strip().lower() if isinstance(cell, str) else cell


def _unit_code(cell: Any) -> str:
    text = _text(cell)
    return "PT" if text.upper() in {"PERCENT", "%", "PT"} else text


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --------------------------------------------------------------------------- area names


def _norm_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


# Spellings used by UN-Habitat workbooks that no bundled code list has (typos included, as
# published).  "Oceania" in UN-Habitat's SDG regional tables is Oceania excluding Australia and
# New Zealand (543): the tables list "Australia and New Zealand" (53) beside it.
_AREA_ALIASES: dict[str, str] = {
    "central africa republic": "140",
    "central asia and southern asia": "62",
    "democratic republic of congo": "180",
    "global average": "1",
    "latin america and the carbbean": "419",
    "northern america and europe": "513",
    "oceania": "543",
    "oceania excluding australia and new zealand": "543",
    "republic moldova": "498",
    "turkey": "792",
    "vietnam": "704",
    "western asia and northern africa": "747",
}


def _data_file(*parts: str) -> Any:
    return resources.files("urbanagenda").joinpath("data", *parts)


_TAXONOMY_NAME_COLUMNS = (
    "Preferred Term",
    "ISO Alt Term",
    "DGACM Alt Term",
    "HPC Tools Alt Term",
    "RW Short Name",
    "RW API Alt Term",
    "English Short",
    "English Formal",
    "M49 English",
)


@cache
def _area_index() -> tuple[dict[str, str], frozenset[str]]:
    """Normalised area name -> M49 code, and the set of M49 codes of countries/territories."""
    index: dict[str, str] = {}
    countries: set[str] = set()
    with _data_file("m49", "unsd_m49_overview.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            code = str(int(row["M49 Code"]))
            countries.add(code)
            index.setdefault(_norm_name(row["Country or Area"]), code)
    with _data_file("sdmx", "CL_AREA_1.14_from_DSD.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            index.setdefault(_norm_name(row["name_en"]), row["code"])
    with _data_file("m49", "hdx_countries_territories_taxonomy.csv").open(
        encoding="utf-8-sig"
    ) as fh:
        for row in csv.DictReader(fh):
            code = row["m49 numerical code"].strip()
            if not code.isdigit():
                continue
            for column in _TAXONOMY_NAME_COLUMNS:
                if row.get(column):
                    index.setdefault(_norm_name(row[column]), str(int(code)))
    return index, frozenset(countries)


def resolve_area_name(name: str) -> str | None:
    """The M49 code (as text, no leading zeros) of a country or region name, or ``None``.

    Names are compared after removing accents, case and punctuation, against the UNSD M49
    overview, CL_AREA of the SDG DSD, the OCHA country taxonomy and a few spellings of the
    UN-Habitat workbooks.

    >>> resolve_area_name("Cote d'Ivoire"), resolve_area_name("Sub Saharan Africa")
    ('384', '202')
    """
    key = _norm_name(name)
    if key in _AREA_ALIASES:
        return _AREA_ALIASES[key]
    return _area_index()[0].get(key)


def _is_country(m49_code: str) -> bool:
    return m49_code in _area_index()[1]


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True, slots=True)
class _ColumnSpec:
    key: str
    label: str  # the header as UN-Habitat writes it, for messages
    matches: Callable[[str], bool]  # on the normalised header text


def _starts(prefix: str) -> Callable[[str], bool]:
    prefix = _norm_header(prefix)
    return lambda header: header.startswith(prefix)


def _locate(
    header: Sequence[Any], specs: Sequence[_ColumnSpec]
) -> tuple[dict[str, int], list[_ColumnSpec]]:
    normalised = [_norm_header(c) for c in header]
    found: dict[str, int] = {}
    missing: list[_ColumnSpec] = []
    for spec in specs:
        index = next((i for i, h in enumerate(normalised) if h and spec.matches(h)), None)
        if index is None:
            missing.append(spec)
        else:
            found[spec.key] = index
    return found, missing


def _missing_column_issues(
    path: Path, sheet: str, row: int, header: Sequence[Any], missing: Sequence[_ColumnSpec]
) -> list[Issue]:
    present = [_text(c) for c in header if _text(c)]
    return [
        Issue(
            "missing-column",
            f"The header row has no column {spec.label!r}.",
            file=str(path),
            sheet=sheet,
            row=row,
            column=spec.label,
            found="; ".join(present)[:500] or "(an empty header row)",
            expected=f"a column headed {spec.label!r} in row {row}",
            fix="Use the workbook as downloaded from the UN-Habitat Urban Indicators Database; "
            "restore the header text if it was edited.",
        )
        for spec in missing
    ]


def _missing_sheet_issue(path: Path, expected: str, sheetnames: Sequence[str]) -> Issue:
    return Issue(
        "missing-sheet",
        f"The workbook has no sheet {expected}.",
        file=str(path),
        found=", ".join(repr(s) for s in sheetnames),
        expected=f"a sheet {expected}",
        fix="Give the workbook as downloaded from the UN-Habitat Urban Indicators Database, "
        "or rename the data sheet.",
    )


def _empty_issue(path: Path, sheet: str) -> Issue:
    return Issue(
        "empty-file",
        "The sheet has a header but no data rows.",
        file=str(path),
        sheet=sheet,
        fix="Check that the right workbook was given.",
    )


class _UnHabitatReader(ABC):
    """What the three workbook readers share; each names its sheet and reads its layout."""

    format_name: str = ""

    def __init__(self, *, aggregates: bool = False) -> None:
        #: emit the workbook's regional and global aggregate rows too
        self.aggregates = aggregates

    @abstractmethod
    def _sheet_name(self, wb: Any) -> str | None: ...

    def _recognises(self, wb: Any) -> bool:
        return self._sheet_name(wb) is not None

    def _named(self, sheetnames: list[str]) -> bool | None:
        """True/False when the sheet names alone decide, else ``None`` (look at headers)."""
        return None

    def sniff(self, path: Path) -> bool:
        """True for an .xlsx workbook with this layout's data sheet (opened read-only)."""
        path = Path(path)
        if not _looks_like_xlsx(path):
            return False
        named = self._named(_sheet_names(path))
        if named is not None:
            return named
        wb, problem = _load_workbook(path)
        if problem is not None:
            return False
        try:
            return self._recognises(wb)
        except Exception:
            return False
        finally:
            wb.close()

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        path = Path(path)
        wb, problem = _load_workbook(path)
        if problem is not None:
            yield Chunk(_frame([]), [problem])
            return
        try:
            records, issues = self._read_workbook(path, wb)
        finally:
            wb.close()
        yield from _chunks(records, issues, chunk_rows)

    @abstractmethod
    def _read_workbook(self, path: Path, wb: Any) -> tuple[list[_Record], list[Issue]]: ...


# --------------------------------------------------------------------------- 11.7.1


_OPEN_SPACE_COLUMNS = (
    _ColumnSpec("country_code", "Country or Territory Code", _starts("Country or Territory Code")),
    _ColumnSpec("city_code", "City Code", _starts("City Code")),
    _ColumnSpec(
        "open_space",
        "Average share of the built-up area of cities that is open space for public use for "
        "all (%) [a]",
        _starts("Average share of the built-up area"),
    ),
    _ColumnSpec(
        "access",
        "Average share of urban population with convenient access to open public spaces (%) [b]",
        _starts("Average share of urban population with convenient access"),
    ),
    _ColumnSpec("unit", "Data Units", _starts("Data Units")),
    _ColumnSpec("year", "Data Reference Year", _starts("Data Reference Year")),
    _ColumnSpec("source", "Data Source", _starts("Data Source")),
    _ColumnSpec("footnote", "FootNote", _starts("FootNote")),
)


_OPEN_SPACE_SHEET = re.compile(r"\s*sdg\s*11[-.]7[-.]1\b", re.IGNORECASE)


class OpenSpacesReader(_UnHabitatReader):
    """SDG 11.7.1 by city (sheet ``SDG 11-7-1 <edition>``).

    Series ``EN_URB_OPENSP`` (column [a]) and ``UH_OPENSP_ACCESS`` (column [b]).
    """

    format_name = "unhabitat-open-spaces"
    series: ClassVar[dict[str, str]] = {
        "open_space": "EN_URB_OPENSP",
        "access": "UH_OPENSP_ACCESS",
    }

    def _named(self, sheetnames: list[str]) -> bool | None:
        return True if any(_OPEN_SPACE_SHEET.match(n) for n in sheetnames) else None

    def _sheet_name(self, wb: Any) -> str | None:
        for name in wb.sheetnames:
            if _OPEN_SPACE_SHEET.match(name):
                return str(name)
        for name in wb.sheetnames:  # renamed sheet: recognise by its header
            header = _sheet_rows(wb[name], max_row=1)
            _, missing = _locate(header[0] if header else (), _OPEN_SPACE_COLUMNS)
            if not missing:
                return str(name)
        return None

    def _read_workbook(self, path: Path, wb: Any) -> tuple[list[_Record], list[Issue]]:
        sheet = self._sheet_name(wb)
        if sheet is None:
            return [], [_missing_sheet_issue(path, "named like 'SDG 11-7-1 2024'", wb.sheetnames)]
        rows = _sheet_rows(wb[sheet])
        header = rows[0] if rows else ()
        cols, missing = _locate(header, _OPEN_SPACE_COLUMNS)
        if missing:
            return [], _missing_column_issues(path, sheet, 1, header, missing)
        records: list[_Record] = []
        for offset, cells in enumerate(rows[1:]):
            row = offset + 2
            cells = tuple(cells) + (None,) * (len(header) - len(cells))
            if all(_is_missing(c) for c in cells):
                continue
            city = cells[cols["city_code"]]
            national = isinstance(city, str) and city.strip().upper().startswith("NOCITI")
            if _is_missing(city) or national:
                # no city: a national value ("NOCITI_NORWAY", City Name "National") or,
                # without a City Code, a regional or global aggregate
                if not (national or self.aggregates):
                    continue
                area = _text(cells[cols["country_code"]])
                area = str(int(float(area))) if re.fullmatch(r"\d+(\.0+)?", area) else area
            else:
                area = _city_code(city)
            for key, series in self.series.items():
                value = cells[cols[key]]
                if _is_missing(value):
                    continue
                records.append(
                    _Record(
                        series_code=series,
                        area_code=area,
                        year=cells[cols["year"]],
                        value=value,
                        unit=_unit_code(cells[cols["unit"]]),
                        row=row,
                        sheet=sheet,
                        source=_text(cells[cols["source"]]),
                        footnote=_text(cells[cols["footnote"]]),
                    )
                )
        if not records:
            return [], [_empty_issue(path, sheet)]
        return records, []


# --------------------------------------------------------------------------- green areas


_GREEN_COLUMNS = (
    _ColumnSpec("country", "Country or Territory Name", _starts("Country or Territory Name")),
    _ColumnSpec("city_code", "City Code", _starts("City Code")),
    _ColumnSpec(
        "share",
        "Average share of green area in city/urban area <year> (%)",
        _starts("Average share of green area"),
    ),
    _ColumnSpec(
        "per_capita", "Green area per capita <year> (m2/person)", _starts("Green area per capita")
    ),
    _ColumnSpec("source", "Data Source", _starts("Data Source")),
    _ColumnSpec("footnote", "FootNote", _starts("FootNote")),
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


class GreenAreasReader(_UnHabitatReader):
    """Green area share and green area per person by city (sheets ``Data`` and ``Metadata``)."""

    format_name = "unhabitat-green-areas"
    series: ClassVar[dict[str, tuple[str, str]]] = {
        "share": ("UH_GREEN_AREA_SHARE", "PT"),
        "per_capita": ("UH_GREEN_AREA_PC", "SQ_M_PER_CAPITA"),
    }

    def _sheet_name(self, wb: Any) -> str | None:
        if "Data" not in wb.sheetnames:
            return None
        header = _sheet_rows(wb["Data"], max_row=1)
        texts = [_norm_header(c) for c in (header[0] if header else ())]
        if any("green area" in t for t in texts) or "Metadata" in wb.sheetnames:
            return "Data"
        return None

    def _named(self, sheetnames: list[str]) -> bool | None:
        return None if "Data" in sheetnames else False

    def _recognises(self, wb: Any) -> bool:
        if "Data" not in wb.sheetnames:
            return False
        header = _sheet_rows(wb["Data"], max_row=1)
        return any("green area" in _norm_header(c) for c in (header[0] if header else ()))

    @staticmethod
    def _citation(wb: Any) -> str:
        if "Metadata" not in wb.sheetnames:
            return ""
        for cells in _sheet_rows(wb["Metadata"]):
            texts = [_text(c) for c in cells if _text(c)]
            for i, text in enumerate(texts[:-1]):
                if text.lower().startswith("suggested citation"):
                    return texts[i + 1]
        return ""

    def _read_workbook(self, path: Path, wb: Any) -> tuple[list[_Record], list[Issue]]:
        sheet = self._sheet_name(wb)
        if sheet is None:
            expected = "'Data' (with a 'Metadata' sheet)"
            return [], [_missing_sheet_issue(path, expected, wb.sheetnames)]
        rows = _sheet_rows(wb[sheet])
        header = rows[0] if rows else ()
        cols, missing = _locate(header, _GREEN_COLUMNS)
        if missing:
            return [], _missing_column_issues(path, sheet, 1, header, missing)
        # every "share <year>" and "per capita <year>" column, with the year from its header
        value_columns: list[tuple[int, str, str, int]] = []
        issues: list[Issue] = []
        for index, cell in enumerate(header):
            text = _norm_header(cell)
            for key, (series, unit) in self.series.items():
                spec = next(s for s in _GREEN_COLUMNS if s.key == key)
                if not spec.matches(text):
                    continue
                found_year = _YEAR.search(text)
                if found_year is None:
                    issues.append(
                        Issue(
                            "parse-error",
                            "The column header names no year.",
                            file=str(path),
                            sheet=sheet,
                            row=1,
                            column=_text(cell),
                            expected=f"a header like {spec.label!r}",
                            fix="Restore the year in the header.",
                        )
                    )
                    continue
                value_columns.append((index, series, unit, int(found_year.group(1))))
        if issues:
            return [], issues
        citation = self._citation(wb)
        records: list[_Record] = []
        for offset, cells in enumerate(rows[1:]):
            row = offset + 2
            cells = tuple(cells) + (None,) * (len(header) - len(cells))
            if all(_is_missing(c) for c in cells):
                continue
            city = cells[cols["city_code"]]
            if _is_missing(city):
                if not self.aggregates:
                    continue
                name = _text(cells[cols["country"]])
                area: Any = resolve_area_name(name)
                if area is None:
                    column = "Country or Territory Name"
                    issues.append(_unknown_area_issue(path, sheet, row, column, name))
                    area = name
            else:
                area = _city_code(city)
            source = citation or _text(cells[cols["source"]])
            for index, series, unit, year in value_columns:
                value = cells[index]
                if _is_missing(value):
                    continue
                records.append(
                    _Record(
                        series_code=series,
                        area_code=area,
                        year=year,
                        value=value,
                        unit=unit,
                        row=row,
                        sheet=sheet,
                        source=source,
                        footnote=_text(cells[cols["footnote"]]),
                    )
                )
        if not records:
            return [], [*issues, _empty_issue(path, sheet)]
        return records, issues


def _unknown_area_issue(path: Path, sheet: str, row: int, column: str, name: str) -> Issue:
    return Issue(
        "unknown-area",
        f"The area name {name!r} could not be matched to an M49 code.",
        file=str(path),
        sheet=sheet,
        row=row,
        column=column,
        found=name,
        expected="a country, territory or SDG region name of the UNSD M49 standard",
        fix="Write the name as in the UNSD M49 overview (e.g. 'Viet Nam'), or report the "
        "spelling so that it can be added to urbanagenda's list of UN-Habitat spellings.",
    )


# --------------------------------------------------------------------------- slums


_SLUM_BLOCKS = (
    _ColumnSpec(
        "proportion",
        "Proportion of urban population living in slums (%)",
        lambda h: h.startswith("proportion of urban population living in slum"),
    ),
    _ColumnSpec(
        "population",
        "Urban Population living in Slum Households (thousands)",
        lambda h: h.startswith("urban population living in slum"),
    ),
)
_COUNTRY = _ColumnSpec("country", "Country", lambda h: h == "country")


class SlumEstimatesReader(_UnHabitatReader):
    """Slum proportion and slum population by country, every two years (sheet ``Slum estimates``).

    ``EN_LND_SLUM`` (``PT``) and ``EN_LND_SLUMN`` (``NUMBER``; the workbook's thousands are
    multiplied by 1,000), both with location ``U``.  Cells with ``…`` give no row.
    """

    format_name = "unhabitat-slums"
    series: ClassVar[dict[str, str]] = {
        "proportion": "EN_LND_SLUM",
        "population": "EN_LND_SLUMN",
    }

    def _named(self, sheetnames: list[str]) -> bool | None:
        return (
            True if any(_norm_header(n).startswith("slum estimates") for n in sheetnames) else None
        )

    def _sheet_name(self, wb: Any) -> str | None:
        for name in wb.sheetnames:
            if _norm_header(name).startswith("slum estimates"):
                return str(name)
        for name in wb.sheetnames:
            header = _sheet_rows(wb[name], max_row=1)
            _, missing = _locate(header[0] if header else (), (_COUNTRY, *_SLUM_BLOCKS))
            if not missing:
                return str(name)
        return None

    def _read_workbook(self, path: Path, wb: Any) -> tuple[list[_Record], list[Issue]]:
        sheet = self._sheet_name(wb)
        if sheet is None:
            return [], [_missing_sheet_issue(path, "'Slum estimates'", wb.sheetnames)]
        rows = _sheet_rows(wb[sheet])
        if len(rows) < 3:
            return [], [_empty_issue(path, sheet)]
        width = max(len(r) for r in rows)
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
        titles, years = rows[0], rows[1]
        cols, missing = _locate(titles, (_COUNTRY, *_SLUM_BLOCKS))
        if missing:
            return [], _missing_column_issues(path, sheet, 1, titles, missing)
        # a block runs from its title to the next title; its columns are those with a year
        starts = sorted(i for i, t in enumerate(titles) if _text(t))
        value_columns: list[tuple[int, str, str, float, str]] = []
        issues: list[Issue] = []
        for spec in _SLUM_BLOCKS:
            first = cols[spec.key]
            stop = next((s for s in starts if s > first), width)
            title = _norm_header(titles[first])
            unit, factor = ("PT", 1.0) if spec.key == "proportion" else _population_unit(title)
            note = "b" if spec.key == "population" else "a"
            block = 0
            for index in range(first, stop):
                year = years[index]
                if _is_missing(year):
                    continue
                if not (_is_number(year) or re.fullmatch(r"\d{4}", _text(year))):
                    issues.append(
                        Issue(
                            "parse-error",
                            "The second header row should hold the year of each column.",
                            file=str(path),
                            sheet=sheet,
                            row=2,
                            column=_column_letter(index),
                            found=_text(year),
                            expected="a year such as 2020",
                            fix="Restore the year in the second header row.",
                        )
                    )
                    continue
                value_columns.append((index, self.series[spec.key], unit, factor, note))
                block += 1
            if block == 0:
                issues.append(
                    Issue(
                        "missing-column",
                        f"The block {spec.label!r} has no year columns.",
                        file=str(path),
                        sheet=sheet,
                        row=2,
                        column=spec.label,
                        expected="years such as 2000, 2002, ... under the block title",
                        fix="Restore the second header row.",
                    )
                )
        if issues:
            return [], issues
        source, notes = _slum_notes(rows[2:])
        records: list[_Record] = []
        for offset, cells in enumerate(rows[2:]):
            row = offset + 3
            if all(_is_missing(cells[i]) for i, *_ in value_columns):
                continue  # blank separator rows and the notes under the table
            name = _text(cells[cols["country"]])
            area: Any = resolve_area_name(name) if name else None
            if area is None:
                issues.append(_unknown_area_issue(path, sheet, row, "Country", name))
                area = name
            elif not self.aggregates and not _is_country(area):
                continue
            for index, series, unit, factor, note in value_columns:
                value = cells[index]
                if _is_missing(value):
                    continue
                if factor != 1.0 and _is_number(value):
                    value = value * factor
                records.append(
                    _Record(
                        series_code=series,
                        area_code=area,
                        year=_year(years[index]),
                        value=value,
                        unit=unit,
                        row=row,
                        sheet=sheet,
                        location="U",
                        source=source,
                        footnote=" ".join(n for k, n in notes.items() if k in ("a", note)),
                    )
                )
        if not records:
            return [], [*issues, _empty_issue(path, sheet)]
        return records, issues


def _population_unit(title: str) -> tuple[str, float]:
    if "million" in title:
        return "NUMBER", 1_000_000.0
    if "thousand" in title:
        return "NUMBER", 1_000.0
    return "NUMBER", 1.0


def _year(cell: Any) -> Any:
    if _is_number(cell) and float(cell).is_integer():
        return int(cell)
    text = _text(cell)
    return int(text) if text.isdigit() else cell


def _slum_notes(rows: Sequence[tuple[Any, ...]]) -> tuple[str, dict[str, str]]:
    """The "Source: ..." line and the lettered notes ("(a) ...") written under the table."""
    source = ""
    notes: dict[str, str] = {}
    for cells in rows:
        text = _text(cells[0]) if cells else ""
        if text.lower().startswith("source:"):
            source = text.split(":", 1)[1].strip()
        elif match := re.match(r"\(([a-z])\)\s*(.*)", text, re.DOTALL):
            notes[match.group(1)] = match.group(2).strip()
    return source, notes


#: One reader of each UN-Habitat layout, with the defaults (aggregate rows skipped).
UNHABITAT_READERS: tuple[OpenSpacesReader, GreenAreasReader, SlumEstimatesReader] = (
    OpenSpacesReader(),
    GreenAreasReader(),
    SlumEstimatesReader(),
)
