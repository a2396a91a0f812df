"""The demo library: the Secretary-General's report of the seed as a reference document,
and example national reports and VLRs written for the demo (marked as examples), loaded by
``urbanagenda demo``.

Everything goes through the platform's own functions, so the demo shows what users would
see: reports are created, edited section by section, submitted, reviewed and published
(their versions and audit log are real); VLRs are registered with real DOCX and PDF files
whose text is extracted on upload.  The files are generated from the example prose when the
library is loaded, byte for byte the same every time.

The work is done by a system account, ``demo-loader`` (an administrator with a random
password nobody sees), disabled again when the loading ends.  Loading is idempotent: every
demo document carries a stable ``demo_key`` in its metadata, and what exists is skipped.

Demo accounts for trying the platform by hand (one per role) are a separate step,
:func:`create_demo_accounts`, with random passwords written to a private file.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import secrets
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, insert, select

from urbanagenda.errors import ConfigError
from urbanagenda.reporting import accounts, documents, permissions, records, search, vlrs
from urbanagenda.reporting.extract import split_passages
from urbanagenda.reporting.model import Document, PassageIn, Section, User
from urbanagenda.reporting.template import load_template
from urbanagenda.store import schema as s

__all__ = [
    "DEMO_ACCOUNTS",
    "LOADER",
    "REFERENCE_KEY",
    "DemoAccount",
    "ExampleReport",
    "ExampleSection",
    "ExampleVlr",
    "create_demo_accounts",
    "load_demo_library",
    "read_examples",
    "reference_sections",
    "vlr_file",
]

#: The system account the loader acts as (disabled whenever it is not loading).
LOADER = "demo-loader"
#: The ``demo_key`` of the reference document.
REFERENCE_KEY = "reference-sg-report-a79-nua-zh"
REFERENCE_FILE = "reference/sg-report-a79-nua-zh.txt"

Progress = Callable[[str, int], None]

_EXAMPLE_NOTE = (
    "Example written for the urbanagenda demo; not an official document of the government "
    "it is about. Figures are values of the demo database."
)
_WORKFLOW = {  # the steps that bring a new draft to the status an example asks for
    "draft": (),
    "submitted": ("submit",),
    "in_review": ("submit", "start_review"),
    "published": ("submit", "start_review", "publish"),
}
_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
#: Fixed time stamp of the generated files' ZIP entries (DOCX), so the bytes never change.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def _data(rel: str) -> Any:
    return resources.files("urbanagenda.data").joinpath("reporting").joinpath(rel)


# ------------------------------------------------------------------------------ content


@dataclass(frozen=True, slots=True)
class ExampleSection:
    key: str
    narrative: str
    indicators: tuple[str, ...] = ()
    good_practices: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ExampleReport:
    demo_key: str
    title: str
    country: str
    year: int
    language: str
    modality: str
    status: str
    sections: tuple[ExampleSection, ...]
    source: str  # the YAML file, for messages


@dataclass(frozen=True, slots=True)
class ExampleVlr:
    demo_key: str
    title: str
    government: str
    level: str
    country: str
    area: str | None
    year: int
    languages: tuple[str, ...]
    sdgs: tuple[int, ...]
    linked_vnr: str | None
    source_url: str | None
    feeds_report: str | None  # demo_key of the national report it feeds
    summary: str
    attachment: str | None  # docx | pdf | None: a file generated from ``chapters``
    chapters: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)
    source: str


def _need(item: Mapping[str, Any], name: str, where: str) -> Any:
    value = item.get(name)
    if value is None or value == "" or value == []:
        raise ConfigError(f"{where}: `{name}` is missing; every example needs it.")
    return value


def _example_title(title: str, where: str) -> str:
    if not title.startswith("Example — "):
        raise ConfigError(
            f"{where}: the title {title!r} must start with 'Example — ' so that nobody takes "
            "the example for an official document."
        )
    return title


def _language(value: Any, where: str) -> str:
    if value not in _LANGUAGES:
        raise ConfigError(f"{where}: language {value!r}; expected one of {', '.join(_LANGUAGES)}.")
    return str(value)


def _read_report(path: Any, section_keys: Sequence[str]) -> ExampleReport:
    where = f"data/reporting/examples/reports/{path.name}"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    status = str(_need(raw, "status", where))
    if status not in _WORKFLOW:
        raise ConfigError(f"{where}: status {status!r}; expected one of {', '.join(_WORKFLOW)}.")
    sections = []
    for key, body in (_need(raw, "sections", where) or {}).items():
        if key not in section_keys:
            raise ConfigError(
                f"{where}: section {key!r} is not in the reporting template; its sections are "
                f"{', '.join(section_keys)}."
            )
        sections.append(
            ExampleSection(
                key=key,
                narrative=str(_need(body, "narrative", f"{where}, section {key}")).strip(),
                indicators=tuple(str(c) for c in body.get("indicators") or ()),
                good_practices=tuple(
                    {"title": str(g["title"]), "text": str(g["text"])}
                    for g in body.get("good_practices") or ()
                ),
            )
        )
    order = {k: i for i, k in enumerate(section_keys)}
    return ExampleReport(
        demo_key=str(_need(raw, "demo_key", where)),
        title=_example_title(str(_need(raw, "title", where)), where),
        country=str(_need(raw, "country", where)),
        year=int(_need(raw, "year", where)),
        language=_language(_need(raw, "language", where), where),
        modality=str(raw.get("modality") or "new"),
        status=status,
        sections=tuple(sorted(sections, key=lambda sec: order[sec.key])),
        source=where,
    )


def _read_vlr(path: Any) -> ExampleVlr:
    where = f"data/reporting/examples/vlrs/{path.name}"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    attachment = raw.get("attachment")
    if attachment not in (None, "docx", "pdf"):
        raise ConfigError(f"{where}: attachment {attachment!r}; expected docx, pdf or null.")
    chapters = tuple(
        (str(c["heading"]), tuple(str(p).strip() for p in c["paragraphs"]))
        for c in raw.get("document") or ()
    )
    if attachment and not chapters:
        raise ConfigError(f"{where}: an attachment needs the `document` chapters to fill it.")
    languages = tuple(_language(x, where) for x in _need(raw, "languages", where))
    return ExampleVlr(
        demo_key=str(_need(raw, "demo_key", where)),
        title=_example_title(str(_need(raw, "title", where)), where),
        government=str(_need(raw, "government", where)),
        level=str(_need(raw, "level", where)),
        country=str(_need(raw, "country", where)),
        area=raw.get("area"),
        year=int(_need(raw, "year", where)),
        languages=languages,
        sdgs=tuple(int(x) for x in _need(raw, "sdgs", where)),
        linked_vnr=raw.get("linked_vnr"),
        source_url=raw.get("source_url"),
        feeds_report=raw.get("feeds_report"),
        summary=str(_need(raw, "summary", where)).strip(),
        attachment=attachment,
        chapters=chapters,
        source=where,
    )


def read_examples() -> tuple[tuple[ExampleReport, ...], tuple[ExampleVlr, ...]]:
    """The example reports and VLRs bundled in ``data/reporting/examples`` (checked: titles
    marked as examples, section keys of the current template, unique keys)."""
    keys = [sec.key for sec in load_template().sections]
    folder = _data("examples")
    reports = tuple(
        _read_report(p, keys)
        for p in sorted(folder.joinpath("reports").iterdir(), key=lambda p: p.name)
        if p.name.endswith(".yaml")
    )
    vlr_list = tuple(
        _read_vlr(p)
        for p in sorted(folder.joinpath("vlrs").iterdir(), key=lambda p: p.name)
        if p.name.endswith(".yaml")
    )
    seen: set[str] = set()
    for key, source in [(r.demo_key, r.source) for r in reports] + [
        (v.demo_key, v.source) for v in vlr_list
    ]:
        if key in seen:
            raise ConfigError(f"{source}: demo_key {key!r} is used twice.")
        seen.add(key)
    for vlr in vlr_list:
        if vlr.feeds_report and vlr.feeds_report not in {r.demo_key for r in reports}:
            raise ConfigError(
                f"{vlr.source}: feeds_report {vlr.feeds_report!r} is not an example report."
            )
    return reports, vlr_list


# ---------------------------------------------------------------------- reference text

_CHAPTER = re.compile(r"^([一二三四五六七八九十]+)\.\s*(\S.*)$")
_SUBHEADING = re.compile(r"^[A-Z]\.\s*\S")
_TITLE_PERIOD = "2022 年 7 月至 2024 年 6 月"


@dataclass(frozen=True, slots=True)
class _Chapter:
    key: str
    title: str
    text: str  # the chapter's text as in the file, paragraphs separated by blank lines


def reference_sections(text: str) -> tuple[str, tuple[_Chapter, ...]]:
    """The report's title and its parts: the summary (摘要) and the seven chapters (一 … 七),
    each with its text unchanged."""
    lines = text.replace("\r\n", "\n").split("\n")
    title_line = next((x.strip() for x in lines if _TITLE_PERIOD in x), None)
    if title_line is None:
        raise ConfigError(
            f"{REFERENCE_FILE}: no title line with {_TITLE_PERIOD!r}; is it the seed report?"
        )
    chapters: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        chapter = _CHAPTER.match(stripped)
        if stripped == "摘要" and not chapters:
            chapters.append(("summary", "摘要", []))
            current = chapters[-1][2]
        elif chapter:
            chapters.append((f"chapter_{len(chapters)}", stripped, []))
            current = chapters[-1][2]
        elif current is not None:
            current.append(line)
    if len(chapters) < 2 or chapters[0][0] != "summary":
        raise ConfigError(f"{REFERENCE_FILE}: expected a summary (摘要) and numbered chapters.")
    return (
        f"秘书长的报告：{title_line}",
        tuple(_Chapter(k, t, "\n".join(body).strip()) for k, t, body in chapters),
    )


_MD_START = re.compile(r"^(\d{1,3})([.)])(\s)|^([#>*+\-])")


def _markdown_line(line: str) -> str:
    """A line of the plain text as Markdown that shows it unchanged (paragraph numbers are not
    list items, a leading ``*`` is a footnote mark, not a bullet)."""
    return _MD_START.sub(lambda m: (m[1] + "\\" + m[2] + m[3]) if m[1] else "\\" + m[4], line)


_NUMBERED = re.compile(r"^\d{1,3}\.\s")


def _chapter_markdown(text: str) -> str:
    """A chapter as Markdown: a paragraph per block or numbered paragraph (as the search
    passages are cut), sub-headings (``A. …``) as headings."""
    paragraphs: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in (x.strip() for x in block.split("\n")):
            if not line:
                continue
            if current and _NUMBERED.match(line):
                paragraphs.append(current)
                current = []
            current.append(line)
        if current:
            paragraphs.append(current)
    out = []
    for lines in paragraphs:
        if len(lines) == 1 and _SUBHEADING.match(lines[0]):
            out.append(f"### {lines[0]}")
        else:
            out.append("\n".join(_markdown_line(x) for x in lines))
    return "\n\n".join(out)


# ----------------------------------------------------------------------- generated files


def _slug(vlr: ExampleVlr) -> str:
    return vlr.demo_key.removeprefix("example-vlr-")


def _docx(vlr: ExampleVlr) -> bytes:
    import docx  # python-docx: only needed while loading

    doc = docx.Document()
    props = doc.core_properties
    props.title = vlr.title
    props.author = vlr.government
    props.comments = _EXAMPLE_NOTE
    props.language = vlr.languages[0]
    doc.add_heading(vlr.title, level=0)
    doc.add_paragraph(_EXAMPLE_NOTE).runs[0].italic = True
    for heading, paragraphs in vlr.chapters:
        doc.add_heading(heading, level=1)
        for para in paragraphs:
            doc.add_paragraph(para)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same ZIP with every entry's time stamp fixed (python-docx writes the clock's)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _pdf(vlr: ExampleVlr) -> bytes:
    import weasyprint  # only needed while loading

    e = html.escape
    body = [f"<h1>{e(vlr.title)}</h1>", f'<p class="note">{e(_EXAMPLE_NOTE)}</p>']
    for heading, paragraphs in vlr.chapters:
        body.append(f"<h2>{e(heading)}</h2>")
        body.extend(f"<p>{e(p)}</p>" for p in paragraphs)
    page = (
        f'<!DOCTYPE html><html lang="{e(vlr.languages[0])}"><head><meta charset="utf-8">'
        f"<title>{e(vlr.title)}</title>"
        f'<meta name="author" content="{e(vlr.government)}">'
        "<style>@page{size:A4;margin:2cm}body{font-family:sans-serif;font-size:11pt;"
        "line-height:1.4}h1{font-size:18pt}h2{font-size:13pt;margin-top:1.2em}"
        ".note{font-style:italic}</style></head><body>" + "".join(body) + "</body></html>"
    )
    # No creation date is written unless the HTML names one: the bytes stay the same.
    return bytes(weasyprint.HTML(string=page).write_pdf())


def vlr_file(vlr: ExampleVlr) -> tuple[str, bytes] | None:
    """The DOCX or PDF of an example VLR, generated from its chapters (same bytes each time)."""
    if vlr.attachment == "docx":
        return f"example-vlr-{_slug(vlr)}.docx", _docx(vlr)
    if vlr.attachment == "pdf":
        return f"example-vlr-{_slug(vlr)}.pdf", _pdf(vlr)
    return None


# ------------------------------------------------------------------------------ loading


def _demo_documents(engine: Engine) -> dict[str, Document]:
    """The demo documents already in the database, by ``demo_key`` (and VLRs also by title,
    for VLRs registered before their metadata could carry the key)."""
    found: dict[str, Document] = {}
    d = s.document.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(d.id).where((d.is_example.is_(True)) | (d.kind == "reference"))
        ).all()
    for (doc_id,) in rows:
        doc = documents.get_document(engine, int(doc_id))
        key = (doc.metadata or {}).get("demo_key")
        if key:
            found[str(key)] = doc
        if doc.kind == "vlr":
            found.setdefault(f"title:{doc.title}", doc)
    return found


def _loader(engine: Engine) -> User:
    """The system account that writes the demo library, created or re-enabled for the load."""
    try:
        user = accounts.get_user(engine, LOADER)
    except accounts.UnknownUser:
        return accounts.add_user(
            engine,
            LOADER,
            secrets.token_urlsafe(32),  # never shown, never stored in clear: nobody signs in
            "administrator",
            display_name="Demo library loader (system account)",
        )
    if user.active:
        return user
    return accounts.enable_user(engine, LOADER)  # disabled after the previous load


def _load_reference(engine: Engine, actor: User, now: datetime | None) -> Document:
    raw = _data(REFERENCE_FILE).read_bytes()
    text = raw.decode("utf-8")
    title, chapters = reference_sections(text)
    sections = [
        Section(key=c.key, title=c.title, narrative=_chapter_markdown(c.text)) for c in chapters
    ]
    passages = [
        PassageIn(text=p, language="zh", section_key=c.key)
        for c in chapters
        for p in split_passages(c.text)
    ]
    metadata = {
        "demo_key": REFERENCE_KEY,
        "symbol": None,
        "symbol_note": "The text does not print its document symbol (A/79/…).",
        "body": "General Assembly, seventy-ninth session, agenda item 19",
        "author": "Secretary-General of the United Nations",
        "period": "July 2022 – June 2024",
        "source": (
            "United Nations, General Assembly document (Chinese version), as given to the "
            "urbanagenda project as its seed document; bundled as "
            f"urbanagenda/data/{REFERENCE_FILE}"
        ),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "attribution": "© United Nations. Reproduced for non-commercial reference.",
    }
    at = now or datetime.now(UTC)
    permissions.require(actor, "reference.create")
    with engine.begin() as conn:
        values: dict[str, Any] = {
            "kind": "reference",
            "title": title,
            "country_code": None,
            "area_code": None,
            "year": 2024,
            "language": "zh",
            "status": "published",
            "modality": None,
            "template_version": None,
            "previous_document_id": None,
            "current_version": 1,
            "published_version": 1,
            "metadata": metadata,
            "is_example": False,
            "created_by": actor.id,
            "created_at": at,
            "updated_at": at,
        }
        inserted = conn.execute(insert(s.document).values(**values)).inserted_primary_key
        doc = Document(id=int(inserted[0]), **values)  # type: ignore[index]
        note = "The report's text as published, one section per chapter."
        records._write_version(conn, doc.id, 1, sections, actor=actor, note=note, at=at)
        details = {"demo_key": REFERENCE_KEY, "file": REFERENCE_FILE}
        records._log(conn, doc, actor, "register", at=at, version=1,
                     to_status="published", details=details)  # fmt: skip
        search.replace_passages(conn, doc, passages, version=1)
    return documents.get_document(engine, doc.id)


def _example_metadata(key: str) -> dict[str, Any]:
    return {"demo_key": key, "example": True, "example_note": _EXAMPLE_NOTE}


def _load_report(
    engine: Engine, actor: User, report: ExampleReport, now: datetime | None
) -> Document:
    doc = documents.create_report(
        engine,
        actor,
        country_code=report.country,
        year=report.year,
        title=report.title,
        modality=report.modality,
        language=report.language,
        metadata=_example_metadata(report.demo_key),
        is_example=True,
        now=now,
    )
    version = doc.current_version
    with engine.connect() as conn:  # freeze only what the store has (none in an empty store)
        o = s.observation.c
        available = set(
            conn.execute(select(o.series_code).where(o.area_code == doc.country_code).distinct())
            .scalars()
            .all()
        )
    for sec in report.sections:
        version = documents.save_section(
            engine,
            actor,
            doc.id,
            sec.key,
            base_version=version,
            narrative=sec.narrative,
            good_practices=list(sec.good_practices) or None,
            indicator_series=[c for c in sec.indicators if c in available] or None,
            note=f"Example content: {sec.key.replace('_', ' ')}",
            now=now,
        ).number
    for step in _WORKFLOW[report.status]:
        doc = documents.transition(engine, actor, doc.id, step, now=now)
    return doc


def _load_vlr(
    engine: Engine,
    actor: User,
    vlr: ExampleVlr,
    feeds_report_id: int | None,
    now: datetime | None,
) -> Document:
    return vlrs.register_vlr(
        engine,
        actor,
        title=vlr.title,
        government=vlr.government,
        level=vlr.level,
        country_code=vlr.country,
        area_code=vlr.area,
        year=vlr.year,
        languages=vlr.languages,
        sdgs=vlr.sdgs,
        linked_vnr=vlr.linked_vnr,
        source_url=vlr.source_url,
        feeds_report_id=feeds_report_id,
        summary=vlr.summary,
        file=vlr_file(vlr),
        is_example=True,
        metadata=_example_metadata(vlr.demo_key),
        now=now,
    )


def _counts(engine: Engine, found: Mapping[str, Document], added: int) -> dict[str, int]:
    docs = {d.id: d for d in found.values()}
    counts = {"reference": 0, "national_report": 0, "vlr": 0}
    for d in docs.values():
        counts[d.kind] = counts.get(d.kind, 0) + 1
    with engine.connect() as conn:
        ids = list(docs)
        counts["attachments"] = len(
            conn.execute(select(s.attachment.c.id).where(s.attachment.c.document_id.in_(ids))).all()
        )
        counts["passages"] = len(
            conn.execute(
                select(s.search_passage.c.id).where(s.search_passage.c.document_id.in_(ids))
            ).all()
        )
    counts["added"] = added
    return counts


def load_demo_library(
    engine: Engine, *, progress: Progress | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Load (once) the reference document, example reports and VLRs; counts by kind (and of
    attachments, indexed passages, and documents ``added`` by this call)."""
    reports, vlr_list = read_examples()
    found = _demo_documents(engine)
    todo = (
        (REFERENCE_KEY not in found)
        + sum(r.demo_key not in found for r in reports)
        + sum(v.demo_key not in found and f"title:{v.title}" not in found for v in vlr_list)
    )
    if not todo:
        return _counts(engine, found, 0)
    actor = _loader(engine)
    added = 0
    step = "demo library (reference, reports, VLRs)"
    try:
        if REFERENCE_KEY not in found:
            found[REFERENCE_KEY] = _load_reference(engine, actor, now)
            added += 1
            if progress:
                progress(step, added)
        for report in reports:
            if report.demo_key not in found:
                found[report.demo_key] = _load_report(engine, actor, report, now)
                added += 1
                if progress:
                    progress(step, added)
        for vlr in vlr_list:
            if vlr.demo_key in found or f"title:{vlr.title}" in found:
                continue
            feeds = found[vlr.feeds_report].id if vlr.feeds_report else None
            found[vlr.demo_key] = _load_vlr(engine, actor, vlr, feeds, now)
            added += 1
            if progress:
                progress(step, added)
    finally:
        accounts.disable_user(engine, LOADER)
    return _counts(engine, _demo_documents(engine), added)


# ---------------------------------------------------------------------- demo accounts


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: str
    area_code: str | None
    display_name: str


#: One account per role (and per example country or city) for trying the platform by hand.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "administrator", None, "Demo administrator"),
    DemoAccount("reviewer", "reviewer", None, "Demo reviewer"),
    DemoAccount("nfp-nigeria", "national_focal_point", "566", "Demo focal point, Nigeria"),
    DemoAccount("nfp-colombia", "national_focal_point", "170", "Demo focal point, Colombia"),
    DemoAccount("nfp-senegal", "national_focal_point", "686", "Demo focal point, Senegal"),
    DemoAccount("nfp-china", "national_focal_point", "156", "Demo focal point, China"),
    DemoAccount("lfp-lagos", "local_focal_point", "ng_lagos", "Demo local focal point, Lagos"),
    DemoAccount("lfp-dakar", "local_focal_point", "sn_dakar", "Demo local focal point, Dakar"),
    DemoAccount(
        "lfp-helsinki", "local_focal_point", "fi_helsinki", "Demo local focal point, Helsinki"
    ),
    DemoAccount("lfp-amman", "local_focal_point", "jo_amman", "Demo local focal point, Amman"),
)

_ACCOUNTS_HEADER = """\
# urbanagenda demo accounts, made by `urbanagenda demo` for trying the platform by hand.
# The passwords are random and written only here: keep this file private (it is readable by
# you alone) and never use these accounts on a public server.
# username\trole\tarea\tpassword
"""


def _read_accounts_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {x.split("\t", 1)[0]: x for x in lines if x and not x.startswith("#")}


def create_demo_accounts(engine: Engine, path: Path) -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet, each with a new random password, and
    write every demo account's line to ``path`` (mode 600).  Accounts made before keep their
    line; an account that exists without a line in the file keeps its unknown password.
    Returns the accounts created now."""
    known = _read_accounts_file(path)
    created: list[DemoAccount] = []
    lines: list[str] = []
    for acc in DEMO_ACCOUNTS:
        area = acc.area_code or "-"
        try:
            accounts.get_user(engine, acc.username)
        except accounts.UnknownUser:
            password = secrets.token_urlsafe(15)
            accounts.add_user(
                engine,
                acc.username,
                password,
                acc.role,
                area_code=acc.area_code,
                display_name=acc.display_name,
            )
            created.append(acc)
            lines.append(f"{acc.username}\t{acc.role}\t{area}\t{password}")
            continue
        lines.append(
            known.get(acc.username)
            or f"{acc.username}\t{acc.role}\t{area}\t(existed before this file; password unknown)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(_ACCOUNTS_HEADER + "\n".join(lines) + "\n")
    os.chmod(tmp, 0o600)  # also when the file existed with wider permissions
    os.replace(tmp, path)
    return created
