"""Value objects of the reporting platform (frozen dataclasses; no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "DOCUMENT_KINDS",
    "EDITABLE_STATUSES",
    "MODALITIES",
    "ROLES",
    "STATUSES",
    "Attachment",
    "Comment",
    "Document",
    "Event",
    "Hit",
    "PassageIn",
    "SearchFilters",
    "SearchResults",
    "Section",
    "Tag",
    "User",
    "Version",
]

Role = Literal["administrator", "reviewer", "national_focal_point", "local_focal_point"]
#: The roles of signed-in users; a visitor without an account is "public" (``user is None``).
ROLES: tuple[str, ...] = (
    "administrator",
    "reviewer",
    "national_focal_point",
    "local_focal_point",
)

DocumentKind = Literal["national_report", "vlr", "reference"]
DOCUMENT_KINDS: tuple[str, ...] = ("national_report", "vlr", "reference")

Status = Literal["draft", "submitted", "in_review", "returned", "published", "withdrawn"]
STATUSES: tuple[str, ...] = (
    "draft",
    "submitted",
    "in_review",
    "returned",
    "published",
    "withdrawn",
)
#: Statuses in which the focal point may edit sections.
EDITABLE_STATUSES: tuple[str, ...] = ("draft", "returned")

#: The 2024 modalities of national reporting on the New Urban Agenda.
MODALITIES: tuple[str, ...] = ("new", "update", "national_urban_forum", "vnr", "vlrs")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: str  # one of ROLES
    area_code: str | None  # country (national focal point) or city (local focal point)
    active: bool = True
    email: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a report version (the keys come from the template).

    ``indicators`` are frozen when saved: ``{"series": code, "area": code, "year": int,
    "value": float, "unit": str, "source": str, "label": str}`` so a published report keeps
    the values it was published with.  ``good_practices`` are ``{"title", "text"}``;
    ``attachments`` are attachment ids; ``sources`` say where pre-filled text came from
    (``{"document_id", "passage", "title"}``).
    """

    key: str
    title: str
    narrative: str = ""  # Markdown
    indicators: tuple[dict[str, Any], ...] = ()
    good_practices: tuple[dict[str, Any], ...] = ()
    attachments: tuple[int, ...] = ()
    sources: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "narrative": self.narrative,
            "indicators": [dict(i) for i in self.indicators],
            "good_practices": [dict(g) for g in self.good_practices],
            "attachments": list(self.attachments),
            "sources": [dict(s) for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(
            key=str(data["key"]),
            title=str(data.get("title", data["key"])),
            narrative=str(data.get("narrative") or ""),
            indicators=tuple(dict(i) for i in data.get("indicators") or ()),
            good_practices=tuple(dict(g) for g in data.get("good_practices") or ()),
            attachments=tuple(int(a) for a in data.get("attachments") or ()),
            sources=tuple(dict(s) for s in data.get("sources") or ()),
        )


@dataclass(frozen=True, slots=True)
class Version:
    document_id: int
    number: int
    sections: tuple[Section, ...]
    created_at: datetime
    created_by: int | None
    note: str | None = None
    content_sha256: str = ""

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True, slots=True)
class Document:
    """A national report, a VLR or a reference document (``metadata`` holds what is
    particular to the kind: for a VLR ``government``, ``level``, ``languages``, ``sdgs``,
    ``linked_vnr``, ``source_url``, ``feeds_report_id``; for a reference document
    ``symbol`` and ``source``)."""

    id: int
    kind: str
    title: str
    country_code: str | None
    area_code: str | None
    year: int | None
    language: str
    status: str
    modality: str | None
    template_version: str | None
    previous_document_id: int | None
    current_version: int
    published_version: int | None
    metadata: dict[str, Any] = field(default_factory=dict)
    is_example: bool = False
    created_by: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a document's audit log."""

    id: int
    document_id: int
    version: int | None
    actor_id: int | None
    actor: str | None  # username, for display
    action: str
    from_status: str | None
    to_status: str | None
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    document_id: int
    version: int
    section_key: str | None
    author_id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    document_id: int
    section_key: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    pages: int | None
    created_at: datetime
    has_text: bool = False


@dataclass(frozen=True, slots=True)
class Tag:
    """A passage's link to an SDG 11 target (``kind="target"``, code ``"11.1"``) or a New
    Urban Agenda commitment (``kind="commitment"``, code from ``catalogue/nua.yaml``), with
    the words that made the tagger say so."""

    kind: str
    code: str
    evidence: tuple[str, ...]
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class PassageIn:
    """A passage handed to the search index."""

    text: str
    language: str
    section_key: str | None = None
    attachment_id: int | None = None


@dataclass(frozen=True, slots=True)
class SearchFilters:
    country: str | None = None
    area: str | None = None  # city / local government
    year: int | None = None
    kind: str | None = None  # national_report | vlr | reference
    target: str | None = None  # "11.1"
    commitment: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: int
    document_title: str
    kind: str
    passage_id: int
    section_key: str | None
    language: str
    snippet_html: str  # escaped text with <mark>…</mark> around the matched words
    score: float
    country_code: str | None
    area_code: str | None
    year: int | None
    targets: tuple[str, ...] = ()
    commitments: tuple[str, ...] = ()
    is_example: bool = False


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    total: int
    hits: tuple[Hit, ...]
    #: the query's terms as indexed (for transparency: "贫民窟" → ("贫民", "民窟"))
    terms: tuple[str, ...] = ()
    #: targets the query words point to through the tagger's lexicon ("贫民窟" → 11.1)
    related_targets: tuple[str, ...] = ()
