"""The 2024 reporting modalities as pre-filled drafts: an update of the previous report (its
last published version, differences shown against it), or a report built from a national
urban forum outcome, a Voluntary National Review, or the country's VLRs (their tagged
passages, and the cities' indicators, go to the matching sections for the focal point to
edit; every pre-filled passage cites its source).

Routing a passage: each section of the template scores 2 for every NUA commitment and 1 for
every SDG 11 target it shares with the passage's tags (``reporting.tagging``); the passage
goes, quoted, to the best-scoring section (the first in report order on a tie).  Passages
of a forum outcome or VNR that match nothing go to the introduction, so nothing pasted is
lost; unmatched VLR passages stay in their VLR.  Every draft records in
``document.metadata["built_from"]`` what it was built from.  OWNER: documents helper."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from urbanagenda.errors import DataError
from urbanagenda.reporting import permissions, tagging
from urbanagenda.reporting.attachments import _store_attachment
from urbanagenda.reporting.documents import MAX_NARRATIVE_CHARS, create_report_in
from urbanagenda.reporting.extract import extract_text, split_passages
from urbanagenda.reporting.indicators import freeze_indicator
from urbanagenda.reporting.model import MODALITIES, Document, Section, User
from urbanagenda.reporting.records import _load, _load_version
from urbanagenda.reporting.template import ReportTemplate, TemplateSection, load_template
from urbanagenda.reporting.text import guess_language
from urbanagenda.reporting.uploads import check_upload
from urbanagenda.store import schema as s

__all__ = ["route", "start_report"]

#: What a forum outcome or VNR is called when it is pasted, not uploaded.
SOURCE_LABELS = {
    "national_urban_forum": "National urban forum outcome",
    "vnr": "Voluntary National Review",
}
#: The most passages one source may contribute (a longer file is cut, and says so).
MAX_PASSAGES = 2_000


def route(
    template: ReportTemplate, targets: Sequence[str], commitments: Sequence[str]
) -> TemplateSection | None:
    """The section a passage with these tags belongs to (``None``: no section matches).
    The annex holds indicators, not text, and takes no passages."""
    best: TemplateSection | None = None
    best_score = 0
    for sec in template.sections:
        if sec.part == "annex":
            continue
        score = 2 * len(set(sec.commitments) & set(commitments))
        score += len(set(sec.targets) & set(targets))
        if score > best_score:
            best, best_score = sec, score
    return best


def _quote(text: str, citation: str) -> str:
    lines = [f"> {line}".rstrip() for line in text.strip().split("\n")]
    return "\n".join([*lines, ">", f"> — {citation}"])


@dataclass
class _Draft:
    """Sections being filled: narrative paragraphs and sources per section key."""

    template: ReportTemplate
    parts: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    indicators: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    placed: dict[str, int] = field(default_factory=dict)
    overflow: int = 0

    def add(self, key: str, quote: str, source: dict[str, Any]) -> bool:
        parts = self.parts.setdefault(key, [])
        size = sum(len(p) + 2 for p in parts) + len(quote)
        if size > MAX_NARRATIVE_CHARS:
            self.overflow += 1
            return False
        parts.append(quote)
        self.sources.setdefault(key, []).append(source)
        self.placed[key] = self.placed.get(key, 0) + 1
        return True

    def sections(self) -> list[Section]:
        return [
            Section(
                key=t.key,
                title=t.title,
                narrative="\n\n".join(self.parts.get(t.key, [])),
                indicators=tuple(self.indicators.get(t.key, [])),
                sources=tuple(self.sources.get(t.key, [])),
            )
            for t in self.template.sections
        ]


def _tags(text: str, language: str) -> tuple[list[str], list[str]]:
    tags = tagging.tag(text, guess_language(text, default=language))
    return (
        [t.code for t in tags if t.kind == "target"],
        [t.code for t in tags if t.kind == "commitment"],
    )


def _country_name(conn: Connection, code: str) -> str:
    name = conn.execute(select(s.area.c.name).where(s.area.c.code == code)).scalar()
    return str(name) if name else code


def start_report(
    engine: Engine,
    actor: User,
    *,
    country_code: str,
    year: int,
    modality: str,
    title: str | None = None,
    language: str = "en",
    source_file: tuple[str, bytes] | None = None,  # forum outcome or VNR (PDF/DOCX)
    source_text: str | None = None,  # or pasted text
    source_title: str | None = None,
    now: datetime | None = None,
) -> Document:
    """A national report in draft, pre-filled as the modality says (``new``: the template's
    empty sections).  ``source_file`` or ``source_text`` is the forum outcome or VNR for
    those two modalities and must not be given for the others; ``source_title`` names it in
    the citations (default: the file name, or the kind of document)."""
    permissions.require(actor, "report.create", country_code=country_code)
    if modality not in MODALITIES:
        raise DataError(
            f"unknown modality {modality!r}; the modalities are {', '.join(MODALITIES)}."
        )
    has_source = source_file is not None or bool(source_text and source_text.strip())
    if modality in SOURCE_LABELS:
        if source_file is not None and source_text is not None and source_text.strip():
            raise DataError(
                "give the source either as a file or as pasted text, not both; keep the file "
                "(it is stored with the report) or clear the text."
            )
        if not has_source:
            raise DataError(
                f"the {modality.replace('_', ' ')} modality builds the report from the "
                f"{SOURCE_LABELS[modality]}: upload it (PDF or DOCX) or paste its text."
            )
    elif has_source:
        raise DataError(
            f"a source document is used only by the national_urban_forum and vnr modalities, "
            f"not {modality!r}; leave it out or choose one of those."
        )
    template = load_template()
    at = now if now is not None else datetime.now(UTC)
    upload = extracted = None
    if modality in SOURCE_LABELS and source_file is not None:
        # check and read the file before anything is written
        upload = check_upload(*source_file)
        extracted = extract_text(upload)
    with engine.begin() as conn:
        name = _country_name(conn, country_code)
        doc_title = title or f"{name}: New Urban Agenda national report {year}"
        common: dict[str, Any] = {
            "country_code": country_code,
            "year": year,
            "title": doc_title,
            "modality": modality,
            "language": language,
            "now": at,
        }
        if modality == "new":
            meta = {"built_from": {"modality": "new", "template": template.version}}
            return create_report_in(conn, actor, **common, metadata=meta)
        if modality == "update":
            return _update(conn, actor, template, common)
        if modality == "vlrs":
            return _from_vlrs(conn, actor, template, common)
        text = extracted.text if extracted is not None else str(source_text)
        label = source_title or (upload.filename if upload else SOURCE_LABELS[modality])
        draft, built = _from_source(template, text, label, modality, language)
        if upload is not None:
            built["file"] = {
                "filename": upload.filename,
                "media_type": upload.media_type,
                "size": len(upload.data),
                "sha256": upload.sha256,
            }
        else:
            built["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        doc = create_report_in(
            conn, actor, **common, sections=draft.sections(), metadata={"built_from": built}
        )
        if upload is not None and extracted is not None:
            # the VLR registry's own writer, inside this transaction: the file, its text
            # and its "attach" event are part of the report's creation
            attachment = _store_attachment(
                conn, doc, actor, upload, extracted, section_key=None, at=at
            )
            built["file"]["attachment_id"] = attachment.id
            conn.execute(
                update(s.document)
                .where(s.document.c.id == doc.id)
                .values(metadata={"built_from": built})
            )
            doc = _load(conn, doc.id)
        return doc


def _from_source(
    template: ReportTemplate, text: str, label: str, modality: str, language: str
) -> tuple[_Draft, dict[str, Any]]:
    passages = split_passages(text)
    if not passages:
        raise DataError(
            f"the {SOURCE_LABELS[modality]} has no text to build the report from (a scanned "
            "PDF without a text layer?); upload a file with text, or paste the text."
        )
    cut = max(0, len(passages) - MAX_PASSAGES)
    passages = passages[:MAX_PASSAGES]
    draft = _Draft(template)
    unplaced = 0
    for n, passage in enumerate(passages, start=1):
        targets, commitments = _tags(passage, language)
        sec = route(template, targets, commitments)
        if sec is None:
            unplaced += 1
        key = sec.key if sec is not None else template.sections[0].key
        source = {
            "document_id": None,
            "kind": modality,
            "title": label,
            "passage": n,
            "targets": targets,
            "commitments": commitments,
        }
        draft.add(key, _quote(passage, f"{label}, ¶{n}"), source)
    built = {
        "modality": modality,
        "template": template.version,
        "source_title": label,
        "passages": len(passages),
        "placed": draft.placed,
        "unmatched_in_introduction": unplaced,
        "not_placed_section_full": draft.overflow,
        "not_read_beyond_limit": cut,
        "tagger": tagging.lexicon_version(),
    }
    return draft, built


def _update(
    conn: Connection, actor: User, template: ReportTemplate, common: dict[str, Any]
) -> Document:
    d = s.document.c
    row = conn.execute(
        select(s.document)
        .where(
            d.kind == "national_report",
            d.country_code == common["country_code"],
            d.status == "published",
        )
        .order_by(d.year.desc(), d.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise DataError(
            f"{_country_name(conn, common['country_code'])} ({common['country_code']}) has no "
            "published national report to update; start with the modality 'new' instead."
        )
    prev_id, prev_title = int(row.id), str(row.title)
    published = _load_version(conn, prev_id, int(row.published_version))
    area = common["country_code"]
    refreshed = []
    sections = []
    keys = set(template.keys)
    old_sections = {sec.key: sec for sec in published.sections}
    ordered = [old_sections.get(t.key) or Section(t.key, t.title) for t in template.sections]
    ordered += [sec for sec in published.sections if sec.key not in keys]  # nothing dropped
    for sec in ordered:
        indicators = []
        for old in sec.indicators:
            new = freeze_indicator(conn, str(old["series"]), str(old.get("area") or area))
            if new is not None and new != old:
                refreshed.append(
                    {
                        "section": sec.key,
                        "series": old["series"],
                        "from_year": old.get("year"),
                        "to_year": new["year"],
                    }
                )
            indicators.append(new or old)
        sources = list(sec.sources)
        if sec.narrative.strip():
            sources.append(
                {
                    "document_id": prev_id,
                    "version": published.number,
                    "title": prev_title,
                    "kind": "previous_report",
                }
            )
        tmpl = template.section(sec.key)
        sections.append(
            Section(
                key=sec.key,
                title=tmpl.title if tmpl else sec.title,
                narrative=sec.narrative,
                indicators=tuple(indicators),
                good_practices=sec.good_practices,
                sources=tuple(sources),
            )
        )
    built = {
        "modality": "update",
        "template": template.version,
        "previous_document_id": prev_id,
        "previous_version": published.number,
        "previous_title": prev_title,
        "previous_year": row.year,
        "refreshed_indicators": refreshed,
    }
    return create_report_in(
        conn,
        actor,
        **common,
        sections=sections,
        previous_document_id=prev_id,
        metadata={"built_from": built},
    )


def _from_vlrs(
    conn: Connection, actor: User, template: ReportTemplate, common: dict[str, Any]
) -> Document:
    d = s.document.c
    country = common["country_code"]
    vlrs = conn.execute(
        select(d.id, d.title, d.area_code, d.year)
        .where(d.kind == "vlr", d.country_code == country, d.status == "published")
        .order_by(d.year.desc(), d.id)
    ).all()
    if not vlrs:
        raise DataError(
            f"{_country_name(conn, country)} ({country}) has no published Voluntary Local "
            "Review to build the report from; register the cities' VLRs first, or start with "
            "the modality 'new'."
        )
    cities = {v.area_code: _country_name(conn, v.area_code) for v in vlrs if v.area_code}
    by_id = {int(v.id): v for v in vlrs}
    p = s.search_passage.c
    rows = conn.execute(
        select(p.id, p.document_id, p.ordinal, p.text, p.targets, p.commitments)
        .where(p.kind == "vlr", p.country_code == country, p.document_id.in_(list(by_id)))
        .order_by(p.document_id, p.ordinal, p.id)
    ).all()
    draft = _Draft(template)
    unplaced = 0
    for r in rows:
        sec = route(template, r.targets.split(), r.commitments.split())
        if sec is None:
            unplaced += 1
            continue
        vlr = by_id[int(r.document_id)]
        city = cities.get(vlr.area_code, "") if vlr.area_code else ""
        citation = f"{vlr.title} ({city})" if city else str(vlr.title)
        source = {
            "document_id": int(r.document_id),
            "passage": int(r.id),
            "title": vlr.title,
            "city": city,
            "area_code": vlr.area_code,
            "kind": "vlr",
        }
        draft.add(sec.key, _quote(r.text, citation), source)
    annex = next((t for t in template.sections if t.part == "annex"), None)
    series = list(dict.fromkeys(c for t in template.sections for c in t.series))
    frozen = []
    for code in sorted(cities):
        for ser in series:
            record = freeze_indicator(conn, ser, code)
            if record is not None:
                frozen.append({**record, "area_name": cities[code]})
    if annex is not None:
        draft.indicators[annex.key] = frozen
    built = {
        "modality": "vlrs",
        "template": template.version,
        "vlrs": [
            {"id": int(v.id), "title": v.title, "area_code": v.area_code, "year": v.year}
            for v in vlrs
        ],
        "passages": len(rows),
        "placed": draft.placed,
        "unmatched": unplaced,
        "not_placed_section_full": draft.overflow,
        "city_indicators": len(frozen),
    }
    return create_report_in(
        conn, actor, **common, sections=draft.sections(), metadata={"built_from": built}
    )
