"""Readers of SDMX data for the global SDG DSD IAEG-SDGs:SDG(1.14): SDMX-ML 2.1 and SDMX-CSV.

* :class:`SdmxMlReader` (``sdmx-ml``) reads generic and structure-specific SDMX-ML 2.1
  data messages with sdmx1 (``sdmx.read_sdmx``), giving it the bundled DSD.  A cheap
  lxml pass first checks that the file is well-formed XML, is a data message and refers
  to the SDG DSD, so that those problems become issues with a line number rather than
  sdmx1 tracebacks.  ``_row`` is the 1-based index of the observation in the message.
* :class:`SdmxCsvReader` (``sdmx-csv``) reads SDMX-CSV 1.0 (first column ``DATAFLOW``)
  and 2.0.0 (``STRUCTURE``, ``STRUCTURE_ID``, optional ``ACTION``) with pandas: sdmx1
  2.28 reads only SDMX-CSV 2.x, needs the whole file in memory and does not keep line
  numbers.  ``_row`` is the line in the file (the header is line 1).  Column headers of
  the form ``ID: Name`` (``labels=both``) are accepted.

Mapping to the observation frame (:mod:`urbanagenda.model.observations`): ``SERIES`` →
``series_code``, ``REF_AREA`` → ``area_code`` (as given, so city codes pass), the year of
``TIME_PERIOD`` → ``year``, ``SEX``/``AGE``/``URBANISATION`` → ``sex``/``age``/``location``,
the other dimensions except ``FREQ`` and ``REPORTING_TYPE`` → ``breakdown``;
``OBS_VALUE`` → ``value`` (text, as read), ``UNIT_MEASURE`` → ``unit``, ``NATURE`` →
``nature``, ``SOURCE_DETAIL`` → ``source``, ``COMMENT_OBS`` → ``footnote``.

Issues the readers report themselves: ``empty-file``, ``parse-error``, ``encoding-error``,
``missing-column``, ``sdmx-error`` (not a data message, another DSD, sdmx1 failed),
``impossible-year`` for a ``TIME_PERIOD`` that is not a calendar year (the row is
dropped: the frame holds annual data) and ``wrong-unit`` for ``UNIT_MULT`` other than
``0`` (the value is kept unscaled; scaling silently would change its unit).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import sdmx
from lxml import etree
from sdmx.model import common, v21

from urbanagenda.errors import ConfigError
from urbanagenda.ingest.base import Chunk
from urbanagenda.ingest.report import Issue
from urbanagenda.model.observations import TOTAL, breakdown_key

__all__ = [
    "BREAKDOWN_DIMENSIONS",
    "SDG_DSD_REF",
    "SdmxCsvReader",
    "SdmxMlReader",
    "sdg_dsd",
]

SDG_DSD_AGENCY = "IAEG-SDGs"
SDG_DSD_ID = "SDG"
#: The bundled DSD as an SDMX reference ``AGENCY:ID(VERSION)``.
SDG_DSD_REF = "IAEG-SDGs:SDG(1.14)"
_DSD_RESOURCE = ("data", "sdmx", "IAEG-SDGs_SDG_DSD.xml")

#: Dimensions with their own frame column.
_DIMENSION_COLUMNS: Mapping[str, str] = {
    "SERIES": "series_code",
    "REF_AREA": "area_code",
    "SEX": "sex",
    "AGE": "age",
    "URBANISATION": "location",
}
#: Dimensions that go to ``breakdown`` (all but the above, FREQ, REPORTING_TYPE and time).
BREAKDOWN_DIMENSIONS: tuple[str, ...] = (
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
)
_ATTRIBUTE_COLUMNS: Mapping[str, str] = {
    "UNIT_MEASURE": "unit",
    "NATURE": "nature",
    "SOURCE_DETAIL": "source",
    "COMMENT_OBS": "footnote",
}
_OUT_COLUMNS = (
    "series_code",
    "area_code",
    "year",
    "sex",
    "age",
    "location",
    "breakdown",
    "value",
    "unit",
    "nature",
    "source",
    "footnote",
    "_row",
    "_sheet",
)
_YEAR_RE = re.compile(r"(\d{4})(?:-A1)?")
_NS_MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
_NS_COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
_DATA_ROOTS = {f"{{{_NS_MES}}}GenericData", f"{{{_NS_MES}}}StructureSpecificData"}
_DSD_URN_RE = re.compile(r"DataStructure=([^:]+):([^(]+)\(([^)]*)\)")


@cache
def sdg_dsd() -> v21.DataStructureDefinition:
    """The bundled global SDG DSD IAEG-SDGs:SDG(1.14), read once per process (about 1 s)."""
    resource = resources.files("urbanagenda").joinpath(*_DSD_RESOURCE)
    try:
        with resource.open("rb") as f:
            msg = sdmx.read_sdmx(f)  # type: ignore[arg-type]
        return msg.structure[SDG_DSD_ID]  # type: ignore[attr-defined,no-any-return]
    except (OSError, KeyError, AttributeError) as exc:
        raise ConfigError(
            f"The bundled SDG DSD {'/'.join(_DSD_RESOURCE)} could not be read ({exc!r}); "
            f"expected an SDMX-ML 2.1 structure message with {SDG_DSD_REF}. Reinstall "
            "urbanagenda."
        ) from exc


class _Rows:
    """Accumulates frame rows column by column and cuts them into chunks."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {c: [] for c in _OUT_COLUMNS}

    def __len__(self) -> int:
        return len(self.columns["_row"])

    def add(
        self, dims: Mapping[str, str], attrs: Mapping[str, str], value: str, year: int, row: int
    ) -> None:
        c = self.columns
        c["series_code"].append(dims.get("SERIES", ""))
        c["area_code"].append(dims.get("REF_AREA", ""))
        c["year"].append(year)
        c["sex"].append(dims.get("SEX") or TOTAL)
        c["age"].append(dims.get("AGE") or TOTAL)
        c["location"].append(dims.get("URBANISATION") or TOTAL)
        c["breakdown"].append(breakdown_key({d: dims.get(d, "") for d in BREAKDOWN_DIMENSIONS}))
        c["value"].append(value)
        c["unit"].append(attrs.get("UNIT_MEASURE", ""))
        c["nature"].append(attrs.get("NATURE", ""))
        c["source"].append(attrs.get("SOURCE_DETAIL", ""))
        c["footnote"].append(attrs.get("COMMENT_OBS", ""))
        c["_row"].append(row)
        c["_sheet"].append("")

    def take(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.columns, columns=list(_OUT_COLUMNS))
        frame = frame.astype({"year": "int64", "_row": "int64", "value": object})
        self.columns = {c: [] for c in _OUT_COLUMNS}
        return frame


def _year_issue(file: str, row: int, period: str) -> Issue:
    return Issue(
        "impossible-year",
        "TIME_PERIOD is not a calendar year; the observation frame holds annual data, so "
        "the observation was left out.",
        file=file,
        row=row,
        column="TIME_PERIOD",
        found=period,
        expected="a year such as 2015 (FREQ A)",
        fix="Aggregate sub-annual observations to years, or export an annual extract.",
    )


def _unit_mult_issue(file: str, row: int, mult: str) -> Issue:
    return Issue(
        "wrong-unit",
        "UNIT_MULT scales the value by a power of ten, which the observation frame does not "
        "record; the value was kept as written.",
        file=file,
        row=row,
        column="UNIT_MULT",
        found=mult,
        expected="0 (values in the unit itself)",
        fix="Multiply the values by 10^UNIT_MULT and set UNIT_MULT to 0, or use a unit "
        "code that carries the multiplier (for example CU_USD_M).",
    )


def _empty_issue(file: str, what: str) -> Issue:
    return Issue(
        "empty-file",
        f"The file has {what}.",
        file=file,
        found=what,
        expected="an SDMX data message with at least one observation",
        fix="Check that the export finished and selected some data.",
    )


def _parse_year(period: str) -> int | None:
    match = _YEAR_RE.fullmatch(period.strip())
    return int(match.group(1)) if match else None


# --- SDMX-ML --------------------------------------------------------------------------


class SdmxMlReader:
    """Reader of SDMX-ML 2.1 data messages (generic and structure-specific)."""

    format_name = "sdmx-ml"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() != ".xml":
            return False
        try:
            with path.open("rb") as f:
                head = f.read(4096)
        except OSError:
            return False
        return b"GenericData" in head or b"StructureSpecificData" in head

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        file = str(path)
        issue = _precheck_file(path)
        if issue is None:
            issue = _precheck_xml(path)
        if issue is not None:
            yield Chunk(pd.DataFrame(columns=list(_OUT_COLUMNS)), [issue])
            return
        try:
            # sdmx1 prints a dump of its parser state when it fails; keep it off stdout.
            with path.open("rb") as f, contextlib.redirect_stdout(io.StringIO()):
                msg = sdmx.read_sdmx(f, structure=sdg_dsd())
        except Exception as exc:  # sdmx1 raises many types; every one is reported
            cause = exc.__cause__ or exc
            yield Chunk(
                pd.DataFrame(columns=list(_OUT_COLUMNS)),
                [
                    Issue(
                        "sdmx-error",
                        "sdmx1 could not read the data message against the SDG DSD.",
                        file=file,
                        found=f"{type(cause).__name__}: {cause}"[:300],
                        expected=f"an SDMX-ML 2.1 data message for {SDG_DSD_REF}",
                        fix="Check that every dimension and attribute of the message is "
                        "one of the DSD's, or re-export it from the source system.",
                    )
                ],
            )
            return
        yield from _chunks_from_message(msg, file, chunk_rows)


def _precheck_file(path: Path) -> Issue | None:
    file = str(path)
    if not path.is_file():
        return Issue(
            "file-not-found",
            "The path does not exist or is not a file.",
            file=file,
            fix="Check the path.",
        )
    if path.stat().st_size == 0 or not path.read_bytes()[:4096].strip():
        return _empty_issue(file, "no bytes")
    return None


def _precheck_xml(path: Path) -> Issue | None:
    """Check well-formedness, the root element and the DSD referenced by the header."""
    file = str(path)
    structures: list[tuple[str, int | None]] = []
    try:
        with path.open("rb") as f:
            result = _scan_xml(f, file, structures)
        if isinstance(result, Issue):
            return result
        n_obs = result
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        return Issue(
            "parse-error",
            "The file is not well-formed XML (malformed or truncated).",
            file=file,
            row=line,
            found=str(exc.msg)[:300],
            expected="a complete SDMX-ML 2.1 data message",
            fix="Download or export the file again; check that the transfer finished.",
        )
    for found, line in structures:
        if not _is_sdg_dsd(found):
            return Issue(
                "sdmx-error",
                "The message is structured by another data structure definition.",
                file=file,
                row=line,
                found=found,
                expected=f"the global SDG DSD {SDG_DSD_REF} (agency {SDG_DSD_AGENCY}, "
                f"id {SDG_DSD_ID})",
                fix="Load only SDG data messages, or convert the data to the SDG DSD.",
            )
    if n_obs == 0:
        return _empty_issue(file, "no observations")
    return None


def _scan_xml(f: Any, file: str, structures: list[tuple[str, int | None]]) -> Issue | int:
    """Check the root element, collect header structure references, count observations."""
    root_tag = None
    n_obs = 0
    for event, elem in etree.iterparse(f, events=("start", "end")):
        if root_tag is None:
            root_tag = elem.tag
            if root_tag not in _DATA_ROOTS:
                return Issue(
                    "sdmx-error",
                    "The XML file is not an SDMX-ML 2.1 data message.",
                    file=file,
                    row=elem.sourceline,
                    found=f"root element {etree.QName(root_tag).localname!r} "
                    f"in namespace {etree.QName(root_tag).namespace!r}",
                    expected=f"mes:GenericData or mes:StructureSpecificData (namespace {_NS_MES})",
                    fix="Export the data as an SDMX-ML 2.1 data message (not a "
                    "structure message, SDMX-ML 3.0 or another XML format).",
                )
            continue
        if event != "end":
            continue
        tag = etree.QName(elem.tag).localname
        if tag == "Obs":
            n_obs += 1
            elem.clear()
        elif tag == "Structure" and etree.QName(elem.tag).namespace == _NS_COM:
            structures.extend((ref, elem.sourceline) for ref in _structure_refs(elem))
    return n_obs


def _structure_refs(elem: etree._Element) -> list[str]:
    """``AGENCY:ID(VERSION)`` of each DSD referenced in a header's ``com:Structure``."""
    out = []
    for child in elem.iter():
        tag = etree.QName(child.tag).localname
        if tag == "URN" and child.text:
            match = _DSD_URN_RE.search(child.text)
            out.append(
                f"{match.group(1)}:{match.group(2)}({match.group(3)})" if match else child.text
            )
        elif tag == "Ref":
            a = child.attrib
            out.append(f"{a.get('agencyID', '')}:{a.get('id', '')}({a.get('version', '')})")
    return out


def _is_sdg_dsd(ref: str) -> bool:
    # Any version of IAEG-SDGs:SDG is accepted: versions add codes, not dimensions.
    return ref.startswith(f"{SDG_DSD_AGENCY}:{SDG_DSD_ID}(")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, common.AttributeValue | common.KeyValue):
        value = value.value
    return str(getattr(value, "id", value))


def _chunks_from_message(msg: Any, file: str, chunk_rows: int) -> Iterator[Chunk]:
    rows = _Rows()
    issues: list[Issue] = []
    index = 0
    for ds in msg.data:
        ds_attrs = {k: _text(v) for k, v in ds.attrib.items()}
        series_cache: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
        for obs in ds.obs:
            index += 1
            sk = obs.series_key
            if sk is None:
                base_dims: dict[str, str] = {}
                base_attrs = ds_attrs
            else:
                cached = series_cache.get(id(sk))
                if cached is None:
                    sk_attrs = dict(ds_attrs)
                    for gk in obs.group_keys:
                        sk_attrs.update({k: _text(v) for k, v in gk.attrib.items()})
                    sk_attrs.update({k: _text(v) for k, v in sk.attrib.items()})
                    cached = series_cache[id(sk)] = (
                        {k: _text(v) for k, v in sk.values.items()},
                        sk_attrs,
                    )
                base_dims, base_attrs = cached
            dims = dict(base_dims)
            if obs.dimension is not None:
                dims.update({k: _text(v) for k, v in obs.dimension.values.items()})
            attrs = dict(base_attrs)
            attrs.update({k: _text(v) for k, v in obs.attached_attribute.items()})
            period = dims.get("TIME_PERIOD", "")
            year = _parse_year(period)
            if year is None:
                issues.append(_year_issue(file, index, period))
                continue
            mult = attrs.get("UNIT_MULT", "")
            if mult not in ("", "0"):
                issues.append(_unit_mult_issue(file, index, mult))
            rows.add(dims, attrs, _text(obs.value), year, index)
            if len(rows) >= chunk_rows:
                yield Chunk(rows.take(), issues)
                issues = []
    if len(rows) or issues:
        yield Chunk(rows.take(), issues)


# --- SDMX-CSV -------------------------------------------------------------------------


class SdmxCsvReader:
    """Reader of SDMX-CSV 1.0 and 2.0.0 files for the SDG DSD."""

    format_name = "sdmx-csv"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        try:
            with path.open("rb") as f:
                head = f.read(64).lstrip(b"\xef\xbb\xbf")
        except OSError:
            return False
        return head.startswith((b"DATAFLOW", b"STRUCTURE", b'"DATAFLOW"', b'"STRUCTURE"'))

    def read(self, path: Path, *, chunk_rows: int = 100_000) -> Iterator[Chunk]:
        file = str(path)
        empty = pd.DataFrame(columns=list(_OUT_COLUMNS))
        issue = _precheck_file(path)
        if issue is not None:
            yield Chunk(empty, [issue])
            return
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                header = next(csv.reader(f), [])
        except UnicodeDecodeError as exc:
            yield Chunk(empty, [_encoding_issue(file, exc)])
            return
        names = [h.partition(": ")[0].strip() for h in header]
        issue = _check_csv_header(file, names)
        if issue is not None:
            yield Chunk(empty, [issue])
            return
        try:
            reader = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                chunksize=chunk_rows,
                header=0,
                names=names,
            )
            start_line = 2
            any_rows = False
            with reader:
                for part in reader:
                    part = part.fillna("")
                    lines = range(start_line, start_line + len(part))
                    start_line += len(part)
                    chunk = _csv_chunk(file, part, lines)
                    if chunk is None:
                        continue
                    any_rows = any_rows or len(chunk.frame) > 0
                    yield chunk
                    if any(i.code == "sdmx-error" for i in chunk.issues):
                        return
        except UnicodeDecodeError as exc:
            yield Chunk(empty, [_encoding_issue(file, exc)])
            return
        except (pd.errors.ParserError, ValueError, csv.Error) as exc:
            line = re.search(r"line (\d+)", str(exc))
            yield Chunk(
                empty,
                [
                    Issue(
                        "parse-error",
                        "The SDMX-CSV file could not be parsed (malformed or truncated).",
                        file=file,
                        row=int(line.group(1)) if line else None,
                        found=str(exc)[:300],
                        expected="one header line and rows with the same number of fields",
                        fix="Check the quoting and the field count of that line, or export "
                        "the file again.",
                    )
                ],
            )
            return
        if not any_rows:
            yield Chunk(empty, [_empty_issue(file, "a header but no data rows")])


def _encoding_issue(file: str, exc: UnicodeDecodeError) -> Issue:
    return Issue(
        "encoding-error",
        "The file is not valid UTF-8 text.",
        file=file,
        found=str(exc)[:200],
        expected="UTF-8 (SDMX-CSV is UTF-8)",
        fix="Re-save the file as UTF-8.",
    )


def _check_csv_header(file: str, names: list[str]) -> Issue | None:
    if not names or not any(names):
        return _empty_issue(file, "no header line")
    if names[0] == "DATAFLOW":
        pass
    elif names[0] == "STRUCTURE" or names[0].startswith("STRUCTURE["):
        if len(names) < 2 or names[1] != "STRUCTURE_ID":
            return Issue(
                "missing-column",
                "An SDMX-CSV 2.0 file needs STRUCTURE_ID as its second column.",
                file=file,
                row=1,
                column="STRUCTURE_ID",
                found=",".join(names[:3]),
                expected="STRUCTURE,STRUCTURE_ID,…",
                fix="Export the file as SDMX-CSV again.",
            )
    else:
        return Issue(
            "sdmx-error",
            "The file is not SDMX-CSV: its first column names no structure.",
            file=file,
            row=1,
            found=names[0],
            expected="DATAFLOW (SDMX-CSV 1.0) or STRUCTURE (SDMX-CSV 2.0)",
            fix="Use the reader of the file's actual format, or export it as SDMX-CSV.",
        )
    for required in ("SERIES", "REF_AREA", "TIME_PERIOD", "OBS_VALUE"):
        if required not in names:
            return Issue(
                "missing-column",
                f"The SDMX-CSV file has no {required} column.",
                file=file,
                row=1,
                column=required,
                found=",".join(names)[:300],
                expected=f"the dimensions of {SDG_DSD_REF}, TIME_PERIOD and OBS_VALUE",
                fix=f"Export the data with every column, including {required}.",
            )
    return None


def _csv_chunk(file: str, part: pd.DataFrame, lines: range) -> Chunk | None:
    part = part.assign(_row=list(lines))
    # Blank lines are read (to keep line numbers right) and dropped here.
    blank = (part.drop(columns="_row") == "").all(axis=1)
    part = part.loc[~blank]
    if part.empty:
        return None
    issues: list[Issue] = []
    structure_col = "STRUCTURE_ID" if "STRUCTURE_ID" in part else "DATAFLOW"
    for ref, first in part.groupby(structure_col, sort=False)["_row"].min().items():
        if not _is_sdg_structure_ref(str(ref)):
            return Chunk(
                pd.DataFrame(columns=list(_OUT_COLUMNS)),
                [
                    Issue(
                        "sdmx-error",
                        "The rows are for another dataflow or data structure.",
                        file=file,
                        row=int(first),
                        column=structure_col,
                        found=str(ref),
                        expected=f"{SDG_DSD_REF} or an IAEG-SDGs SDG dataflow such as "
                        "IAEG-SDGs:DF_SDG_GLH(1.14)",
                        fix="Load only SDG data, or convert the data to the SDG DSD.",
                    )
                ],
            )

    def column(name: str) -> pd.Series:
        if name in part:
            return part[name]
        return pd.Series("", index=part.index, dtype=object)

    years = column("TIME_PERIOD").map(_parse_year)
    bad = years.isna()
    for row, period in zip(part["_row"][bad], column("TIME_PERIOD")[bad], strict=True):
        issues.append(_year_issue(file, int(row), str(period)))
    mult = column("UNIT_MULT")
    for row, value in zip(part["_row"][~bad], mult[~bad], strict=True):
        if value not in ("", "0"):
            issues.append(_unit_mult_issue(file, int(row), str(value)))
    kept = part.loc[~bad]
    breakdown_frame = pd.DataFrame({d: column(d)[~bad] for d in BREAKDOWN_DIMENSIONS})
    frame = pd.DataFrame(
        {
            "series_code": column("SERIES")[~bad],
            "area_code": column("REF_AREA")[~bad],
            "year": years[~bad].astype("int64"),
            "sex": column("SEX")[~bad].replace("", TOTAL),
            "age": column("AGE")[~bad].replace("", TOTAL),
            "location": column("URBANISATION")[~bad].replace("", TOTAL),
            "breakdown": [
                breakdown_key(dict(zip(BREAKDOWN_DIMENSIONS, codes, strict=True)))
                for codes in breakdown_frame.itertuples(index=False, name=None)
            ],
            "value": column("OBS_VALUE")[~bad],
            "unit": column("UNIT_MEASURE")[~bad],
            "nature": column("NATURE")[~bad],
            "source": column("SOURCE_DETAIL")[~bad],
            "footnote": column("COMMENT_OBS")[~bad],
            "_row": kept["_row"].astype("int64"),
            "_sheet": "",
        },
        columns=list(_OUT_COLUMNS),
    ).reset_index(drop=True)
    return Chunk(frame, issues)


def _is_sdg_structure_ref(ref: str) -> bool:
    """An SDMX-CSV structure reference to the SDG DSD or an IAEG-SDGs SDG dataflow."""
    agency, _, rest = ref.partition(":")
    ident = rest.partition("(")[0]
    return agency == SDG_DSD_AGENCY and (ident == SDG_DSD_ID or ident.startswith("DF_SDG"))
