"""Reading and writing the files of an Open SDG data repository (a folder or a ZIP archive).

The layout is sdg-build's default one: ``data/indicator_G-T-I.csv`` (tidy CSV: ``Year``,
disaggregation columns where a blank cell is the total, optional ``Units`` and ``Series``,
``Value``), ``meta/G-T-I.md`` (YAML front matter, then an optional Markdown body that
sdg-build keeps as ``page_content``), and ``config_data.yml`` at the root (or under its
``src_dir``).  Every other file (a LICENSE, a README, a stray file) is kept verbatim so that an
export gives the repository back.

This module only turns bytes into checked text and structures and back; what the rows mean
is :mod:`urbanagenda.interop._opensdg_mapping`'s business.
"""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from urbanagenda.ingest.report import Issue

__all__ = [
    "IndicatorFiles",
    "MetaFile",
    "Repository",
    "Table",
    "dump_front_matter",
    "read_repository",
    "read_table",
    "write_kept",
    "write_table",
]

_DATA = re.compile(r"^data/indicator_([0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+)\.csv$")
_META = re.compile(r"^meta/([0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+)\.(md|yml|yaml)$")
_SKIP_PARTS = {".git", "__MACOSX", ".DS_Store"}
#: files other than data and metadata are kept verbatim up to this size each
MAX_KEPT_FILE = 2 * 1024 * 1024


class _TextLoader(yaml.SafeLoader):
    """YAML as Open SDG writes it, but dates stay the text they were (JSON has no dates)."""


_TextLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Table:
    """One data CSV, as text cells, with what is needed to write it back byte for byte."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # 1-based line where each row starts
    newline: str = "\n"
    final_newline: bool = True
    bom: bool = False


@dataclass
class MetaFile:
    """One metadata file: front matter (in its order), Markdown body and the text as read."""

    meta: dict[str, Any]
    body: str
    text: str
    kind: str  # "md" (front matter + body) or "yml" (YAML only)


@dataclass
class IndicatorFiles:
    id: str  # Open SDG id, e.g. "11-1-1"
    data_path: str | None = None
    table: Table | None = None
    meta_path: str | None = None
    meta: MetaFile | None = None


@dataclass
class Repository:
    source: str
    src_dir: str = ""
    config: dict[str, Any] | None = None
    config_text: str | None = None
    indicators: dict[str, IndicatorFiles] = field(default_factory=dict)
    #: other files, kept verbatim: path -> {"text": ...} or {"base64": ...}
    kept: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _issue(code: str, message: str, file: str, **kw: Any) -> Issue:
    return Issue(code, message, file=file, **kw)


def _collect(path: Path, issues: list[Issue]) -> dict[str, bytes] | None:
    """Every file of the folder or archive, by its POSIX path below the repository root."""
    if not path.exists():
        issues.append(
            _issue(
                "file-not-found",
                "no such file or folder.",
                str(path),
                fix="give the folder of the Open SDG data repository, or a ZIP of it",
            )
        )
        return None
    files: dict[str, bytes] = {}
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path)
            if p.is_file() and not _SKIP_PARTS & set(rel.parts):
                files[rel.as_posix()] = p.read_bytes()
        return files
    if not zipfile.is_zipfile(path):
        issues.append(
            _issue(
                "not-a-zip",
                "this file is not a ZIP archive (truncated, or another format renamed).",
                str(path),
                expected="a folder, or a .zip of an Open SDG data repository",
                fix="download the repository again as a ZIP, or give its folder",
            )
        )
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                rel_path = PurePosixPath(info.filename)
                if info.is_dir() or _SKIP_PARTS & set(rel_path.parts):
                    continue
                files[rel_path.as_posix()] = zf.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        issues.append(
            _issue(
                "not-a-zip",
                f"the ZIP archive cannot be read: {exc}.",
                str(path),
                fix="download the repository again as a ZIP",
            )
        )
        return None
    # a ZIP of a GitHub repository has one top folder ("repo-main/"): the root is the
    # shallowest folder that holds data/ or meta/ or config_data.yml
    roots: set[str] = set()
    for name in files:
        parts = name.split("/")
        for i, part in enumerate(parts[:-1]):
            if part in ("data", "meta"):
                roots.add("/".join(parts[:i]))
        if parts[-1] == "config_data.yml":
            roots.add("/".join(parts[:-1]))
    top = min(roots, key=lambda r: (r.count("/") if r else -1, r)) if roots else ""
    root = f"{top}/" if top else ""
    return {n[len(root) :]: b for n, b in files.items() if n.startswith(root)}


def _text(raw: bytes, file: str, issues: list[Issue]) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        issues.append(
            _issue(
                "encoding-error",
                f"the file is not UTF-8 text (byte {exc.start}).",
                file,
                fix="save the file as UTF-8 (CSV UTF-8 in Excel)",
            )
        )
        return None


def read_table(text: str, file: str, issues: list[Issue]) -> Table | None:
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    if not body.strip():
        issues.append(
            _issue("empty-file", "the data file is empty.", file, fix="add a header and rows")
        )
        return None
    newline = "\r\n" if "\r\n" in body else ("\r" if "\r" in body and "\n" not in body else "\n")
    reader = csv.reader(io.StringIO(body, newline=""))
    try:
        header = next(reader)
        rows: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        for cells in reader:
            if cells:  # a blank line is no row (as pandas reads it)
                rows.append(cells)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        issues.append(
            _issue(
                "parse-error",
                f"the CSV cannot be parsed: {exc}.",
                file,
                row=reader.line_num,
                fix="check quotes: a cell with a comma must be in double quotes",
            )
        )
        return None
    header = [h.strip() for h in header]
    table = Table(header, rows, lines, newline, body.endswith(("\n", "\r")), bom)
    bad = False
    for needed in ("Year", "Value"):
        if needed not in header:
            bad = True
            issues.append(
                _issue(
                    "missing-column",
                    f"the Open SDG column {needed!r} is absent.",
                    file,
                    column=needed,
                    found=", ".join(header),
                    expected="Year, disaggregation columns, optional Units and Series, Value",
                    fix=f"add a {needed!r} column (names are case-sensitive)",
                )
            )
    dup = sorted({h for h in header if header.count(h) > 1})
    for name in dup:
        bad = True
        issues.append(
            _issue(
                "parse-error",
                f"the column {name!r} appears twice in the header.",
                file,
                row=1,
                column=name,
                fix="rename or remove one of the two columns",
            )
        )
    for cells, line in zip(rows, lines, strict=True):
        if len(cells) != len(header):
            bad = True
            issues.append(
                _issue(
                    "parse-error",
                    f"this row has {len(cells)} cells but the header has {len(header)}.",
                    file,
                    row=line,
                    fix="quote cells that contain commas, and give every row every column",
                )
            )
    return None if bad else table


def read_front_matter(text: str, file: str, issues: list[Issue], kind: str) -> MetaFile | None:
    """The YAML front matter of a ``.md`` metadata file (or a whole ``.yml`` one)."""
    offset = 0
    if kind == "md":
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].strip() != "---":
            issues.append(
                _issue(
                    "parse-error",
                    "the metadata file does not start with a YAML front matter line '---'.",
                    file,
                    row=1,
                    fix="start the file with '---', the YAML fields, then '---'",
                )
            )
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if end is None:
            issues.append(
                _issue(
                    "parse-error",
                    "the YAML front matter is not closed by a '---' line.",
                    file,
                    row=len(lines),
                    fix="end the front matter with a line '---'",
                )
            )
            return None
        front, body, offset = "".join(lines[1:end]), "".join(lines[end + 1 :]), 1
    else:
        front, body = text, ""
    try:
        meta = yaml.load(front, Loader=_TextLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        issues.append(
            _issue(
                "parse-error",
                f"the YAML metadata cannot be parsed: {getattr(exc, 'problem', exc)}.",
                file,
                row=mark.line + 1 + offset if mark is not None else None,
                fix="check indentation and quote values that contain ': ' or start with a "
                "special character",
            )
        )
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        issues.append(
            _issue(
                "parse-error",
                "the YAML metadata is not a set of 'field: value' lines.",
                file,
                row=1 + offset,
                found=type(meta).__name__,
                fix="write one 'field: value' per line",
            )
        )
        return None
    return MetaFile({str(k): v for k, v in meta.items()}, body, text, kind)


def dump_front_matter(meta: dict[str, Any], body: str, kind: str = "md") -> str:
    """Metadata as Open SDG writes it: front matter between '---' lines, then the body."""
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=80)
    if kind != "md":
        return front
    return f"---\n{front}---\n{body}"


def read_repository(path: Path) -> tuple[Repository | None, list[Issue]]:
    """Read and check every file of the repository; the issues say what is wrong and where."""
    issues: list[Issue] = []
    files = _collect(path, issues)
    if files is None:
        return None, issues
    repo = Repository(source=str(path))

    def where(rel: str) -> str:
        return f"{path}/{rel}" if path.is_dir() else f"{path}!{rel}"

    if "config_data.yml" in files:
        text = _text(files["config_data.yml"], where("config_data.yml"), issues)
        if text is not None:
            mf = read_front_matter(text, where("config_data.yml"), issues, "yml")
            if mf is not None:
                repo.config, repo.config_text = mf.meta, text
                src = str(mf.meta.get("src_dir") or "").strip("/")
                repo.src_dir = f"{src}/" if src else ""
    prefix = repo.src_dir
    if not any(n.startswith(prefix + "data/") for n in files):
        issues.append(
            _issue(
                "file-not-found",
                f"there is no {prefix}data/ folder: this is not an Open SDG data repository.",
                str(path),
                expected="data/indicator_G-T-I.csv files (and meta/G-T-I.md)",
                fix="give the root folder of the data repository (the one holding data/ and meta/)",
            )
        )
        return None, issues
    for name, raw in files.items():
        if name == "config_data.yml":
            continue
        rel = name[len(prefix) :] if name.startswith(prefix) else None
        m_data = _DATA.match(rel) if rel is not None else None
        m_meta = _META.match(rel) if rel is not None else None
        if m_data:
            ind = repo.indicators.setdefault(m_data.group(1), IndicatorFiles(m_data.group(1)))
            text = _text(raw, where(name), issues)
            ind.data_path = name
            if text is not None:
                ind.table = read_table(text, where(name), issues)
        elif m_meta:
            ind = repo.indicators.setdefault(m_meta.group(1), IndicatorFiles(m_meta.group(1)))
            if ind.meta_path is not None:  # both 11-1-1.md and 11-1-1.yml: keep the second
                repo.kept[ind.meta_path] = {"text": ind.meta.text if ind.meta else ""}
            text = _text(raw, where(name), issues)
            ind.meta_path = name
            if text is not None:
                kind = "md" if m_meta.group(2) == "md" else "yml"
                ind.meta = read_front_matter(text, where(name), issues, kind)
        elif len(raw) > MAX_KEPT_FILE:
            repo.skipped.append(name)
        else:
            try:
                repo.kept[name] = {"text": raw.decode("utf-8")}
            except UnicodeDecodeError:
                repo.kept[name] = {"base64": base64.b64encode(raw).decode("ascii")}
    return repo, issues


def write_table(table: Table) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=table.newline)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(row)
    text = buf.getvalue()
    if not table.final_newline:
        text = text[: -len(table.newline)] if text.endswith(table.newline) else text
    return ("\ufeff" if table.bom else "") + text


def write_kept(out: Path, rel: str, content: dict[str, str]) -> None:
    """Write back a file kept verbatim (``{"text": ...}`` or ``{"base64": ...}``)."""
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if "base64" in content:
        target.write_bytes(base64.b64decode(content["base64"]))
    else:
        target.write_bytes(content.get("text", "").encode("utf-8"))
