"""Reading records files (YAML, CSV) into raw rows, with every problem in the report.

Private to :mod:`urbanagenda.synthesis.records`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from urbanagenda.ingest.report import Issue, Report
from urbanagenda.synthesis._records_format import LANGS, SECTIONS, SPEC, TOP_LEVEL

#: libyaml's safe loader where it is built in (ten times faster), else the pure-Python one
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# -- reading files into raw rows ------------------------------------------------------------


@dataclass
class Row:
    section: str
    file: str
    row: int  # 1-based position in the YAML section, or the CSV line number
    data: dict[str, Any]


def issue(
    report: Report,
    code: str,
    message: str,
    *,
    file: str | None = None,
    section: str | None = None,
    row: int | None = None,
    column: str | None = None,
    found: Any = None,
    expected: str | None = None,
    fix: str | None = None,
) -> None:
    report.add(
        Issue(
            code,
            message,
            file=file,
            sheet=section,
            row=row,
            column=column,
            found=None if found is None else _show(found),
            expected=expected,
            fix=fix,
        )
    )


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _read_text(path: Path, report: Report) -> str | None:
    name = str(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        issue(
            report,
            "file-not-found",
            f"the path {what}.",
            file=name,
            fix="give the path of a .yaml or .csv records file",
        )
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        issue(
            report,
            "file-not-found",
            f"the file cannot be read: {exc.strerror or exc}.",
            file=name,
            fix="check the file's permissions",
        )
        return None
    if not raw.strip():
        issue(
            report,
            "empty-file",
            "the file is empty.",
            file=name,
            fix="give a file with records (see data/records/README.md)",
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issue(
            report,
            "encoding-error",
            f"the file is not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r}).",
            file=name,
            expected="UTF-8",
            fix="save the file as UTF-8 (in Excel: CSV UTF-8)",
        )
        return None


def _read_yaml(path: Path, text: str, report: Report) -> list[Row]:
    name = str(path)
    try:
        doc = yaml.load(text, Loader=_LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        issue(
            report,
            "parse-error",
            f"the file is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.",
            file=name,
            fix="correct the YAML syntax (indentation, quotes, colons)",
        )
        return []
    if doc is None:
        issue(
            report,
            "empty-file",
            "the file has no records.",
            file=name,
            fix="give at least one section (see data/records/README.md)",
        )
        return []
    if not isinstance(doc, dict):
        issue(
            report,
            "parse-error",
            "the file's top level is not a mapping of sections.",
            file=name,
            found=type(doc).__name__,
            expected=f"sections: {', '.join(SECTIONS)}",
            fix="start the file with 'version:' and section names such as 'sessions:'",
        )
        return []
    rows: list[Row] = []
    for key, value in doc.items():
        if key not in TOP_LEVEL:
            issue(
                report,
                "unknown-field",
                "unknown section.",
                file=name,
                section=str(key),
                found=key,
                expected=", ".join(sorted(TOP_LEVEL)),
                fix="rename or remove the section",
            )
            continue
        if key == "version":
            if not isinstance(value, str | int | float):
                issue(
                    report,
                    "invalid-value",
                    "the version is not a text.",
                    file=name,
                    column="version",
                    found=value,
                    expected='a text such as "2024.1"',
                )
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            issue(
                report,
                "parse-error",
                "a section is not a list of rows.",
                file=name,
                section=key,
                found=type(value).__name__,
                expected="a list ('- field: value')",
                fix="write each row as a list item starting with '- '",
            )
            continue
        for i, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                issue(
                    report,
                    "parse-error",
                    "a row is not a mapping of fields.",
                    file=name,
                    section=key,
                    row=i,
                    found=item,
                    expected="field: value pairs",
                )
                continue
            rows.append(Row(key, name, i, {str(k): v for k, v in item.items()}))
    if not rows and report.valid:
        issue(
            report,
            "empty-file",
            "the file has no records (every section is empty).",
            file=name,
            fix="add rows to at least one section",
        )
    return rows


def _csv_columns(section: str) -> dict[str, tuple[str, str | None]]:
    """CSV column -> (field, part): ``name_en`` -> ("name", "en"), ``source_doc`` ->
    ("source", "doc"), ``code`` -> ("code", None)."""
    spec = SPEC[section]
    out: dict[str, tuple[str, str | None]] = {}
    for f in spec.fields:
        if f.kind == "i18n":
            for lang in LANGS:
                out[f"{f.name}_{lang}"] = (f.name, lang)
        elif f.kind == "source":
            out["source_doc"] = ("source", "doc")
            out["source_para"] = ("source", "para")
        else:
            out[f.name] = (f.name, None)
    return out


def _read_csv(path: Path, text: str, report: Report) -> list[Row]:
    name = str(path)
    stem = path.stem.lower()
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        issue(
            report,
            "parse-error",
            f"the file is not valid CSV: {exc}.",
            file=name,
            fix="check the quotes of the file",
        )
        return []
    header = [h.strip() for h in table[0]] if table else []
    has_section = "section" in header
    if not has_section and stem not in SPEC:
        issue(
            report,
            "unknown-format",
            "cannot tell which section the rows belong to.",
            file=name,
            found=path.name,
            expected=f"a file named {', '.join(f'{x}.csv' for x in SECTIONS)} "
            "or a 'section' column",
            fix="rename the file or add a 'section' column",
        )
        return []
    known = {c for sec in SECTIONS for c in _csv_columns(sec)} | {"section"}
    for col in header:
        if col not in known:
            issue(
                report,
                "unknown-field",
                "unknown column.",
                file=name,
                column=col,
                found=col,
                fix="rename or remove the column (see data/records/README.md)",
            )
    rows: list[Row] = []
    for line, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            issue(
                report,
                "parse-error",
                f"the row has {len(values)} cells, the header {len(header)}.",
                file=name,
                row=line,
                fix="check the commas and quotes",
            )
            continue
        cells = {h: v.strip() for h, v in zip(header, values, strict=True)}
        section = cells.pop("section", "") or (stem if stem in SPEC else "")
        if section not in SPEC:
            issue(
                report,
                "unknown-field",
                "unknown section.",
                file=name,
                row=line,
                column="section",
                found=section,
                expected=", ".join(SECTIONS),
            )
            continue
        columns = _csv_columns(section)
        data: dict[str, Any] = {}
        for col, value in cells.items():
            if value == "":
                continue
            if col not in columns:
                if col in known:
                    issue(
                        report,
                        "unknown-field",
                        f"this column is not a field of {section}.",
                        file=name,
                        section=section,
                        row=line,
                        column=col,
                        found=value,
                        fix=f"leave it empty in rows of {section}",
                    )
                continue
            fname, part = columns[col]
            if part is None:
                data[fname] = value
            else:
                data.setdefault(fname, {})[part] = value
        rows.append(Row(section, name, line, data))
    if not rows and report.valid:
        issue(
            report,
            "empty-file",
            "the file has no data rows.",
            file=name,
            fix="add rows under the header",
        )
    return rows


def read_paths(
    paths: Sequence[Path], report: Report, progress: Callable[[str, int], None] | None
) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        text = _read_text(path, report)
        if text is None:
            continue
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            found = _read_yaml(path, text, report)
        elif suffix == ".csv":
            found = _read_csv(path, text, report)
        else:
            issue(
                report,
                "unknown-format",
                "records are read from .yaml/.yml or .csv files.",
                file=str(path),
                found=path.suffix or "(no extension)",
                expected=".yaml, .yml or .csv",
                fix="rename the file",
            )
            continue
        rows.extend(found)
        report.rows_read += len(found)
        if progress:
            progress(str(path), len(found))
    return rows
