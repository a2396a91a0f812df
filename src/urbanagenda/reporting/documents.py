"""National reports: creation, immutable versions, the review workflow, comments, the audit
log and diffs.  Every change writes a new version and an event in one transaction; nothing
is ever updated in place or deleted (withdrawal is a status).

Workflow (``transition`` actions):

    draft --submit--> submitted --start_review--> in_review --return--> returned
    returned --submit--> submitted;  in_review --publish--> published
    draft|returned|published --withdraw--> withdrawn

Publishing indexes the published version's passages for search
(:func:`urbanagenda.reporting.search.replace_passages`); withdrawing removes them.
OWNER: documents helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from urbanagenda.errors import UrbanAgendaError
from urbanagenda.reporting.model import Comment, Document, Event, Section, User, Version

__all__ = [
    "Conflict",
    "NotFound",
    "SectionDiff",
    "add_comment",
    "audit_log",
    "comments",
    "create_report",
    "diff_versions",
    "get_document",
    "get_version",
    "list_documents",
    "list_versions",
    "save_section",
    "transition",
]


class NotFound(UrbanAgendaError):
    """No such document, version or section (HTTP 404)."""


class Conflict(UrbanAgendaError):
    """The change does not fit the document's state: a save based on an older version, or
    a workflow step not allowed from the current status (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class SectionDiff:
    key: str
    title: str
    changed: bool
    #: ``[(op, text)]`` with op in ``"equal" | "insert" | "delete"``, word-level
    narrative: tuple[tuple[str, str], ...]
    indicators_before: tuple[dict[str, Any], ...] = ()
    indicators_after: tuple[dict[str, Any], ...] = ()


def create_report(
    engine: Engine,
    actor: User,
    *,
    country_code: str,
    year: int,
    title: str,
    modality: str = "new",
    language: str = "en",
    sections: Sequence[Section] | None = None,
    previous_document_id: int | None = None,
    metadata: dict[str, Any] | None = None,
    is_example: bool = False,
    now: datetime | None = None,
) -> Document:
    """A new national report in draft, version 1 = ``sections`` or the template's empty
    sections.  (``reporting.modalities`` builds pre-filled ``sections``.)"""
    raise NotImplementedError


def get_document(engine: Engine, document_id: int) -> Document:
    raise NotImplementedError


def list_documents(
    engine: Engine,
    *,
    viewer: User | None = None,
    kind: str | None = None,
    status: str | None = None,
    country_code: str | None = None,
    area_code: str | None = None,
    year: int | None = None,
) -> list[Document]:
    """Documents ``viewer`` may see (public: published only; see ``permissions``)."""
    raise NotImplementedError


def get_version(engine: Engine, document_id: int, number: int | None = None) -> Version:
    """A version (default: the current one)."""
    raise NotImplementedError


def list_versions(engine: Engine, document_id: int) -> list[Version]:
    raise NotImplementedError


def save_section(
    engine: Engine,
    actor: User,
    document_id: int,
    section_key: str,
    *,
    base_version: int,
    narrative: str | None = None,
    good_practices: Sequence[dict[str, Any]] | None = None,
    indicator_series: Sequence[str] | None = None,
    attachments: Sequence[int] | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Version:
    """Write a new version with one section changed.  ``Conflict`` when ``base_version`` is
    not the current version (someone saved in between: nothing is overwritten).
    ``indicator_series`` are frozen from the store (latest value for the document's area)."""
    raise NotImplementedError


def transition(
    engine: Engine,
    actor: User,
    document_id: int,
    action: str,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> Document:
    """One workflow step (``submit``, ``start_review``, ``return``, ``publish``,
    ``withdraw``), checked against the actor's role and the current status."""
    raise NotImplementedError


def add_comment(
    engine: Engine,
    actor: User,
    document_id: int,
    body: str,
    *,
    section_key: str | None = None,
    now: datetime | None = None,
) -> Comment:
    raise NotImplementedError


def comments(engine: Engine, document_id: int) -> list[Comment]:
    raise NotImplementedError


def audit_log(engine: Engine, document_id: int) -> list[Event]:
    raise NotImplementedError


def diff_versions(
    engine: Engine, document_id: int, a: int, b: int, *, other_document_id: int | None = None
) -> list[SectionDiff]:
    """Section by section, version ``a`` → ``b`` of the document (or version ``a`` of
    ``other_document_id``, the previous report, → version ``b`` of this one)."""
    raise NotImplementedError
