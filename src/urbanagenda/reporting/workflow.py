"""The review workflow of national reports, the reviewers' comments and the audit log.

Workflow (``transition`` actions):

    draft --submit--> submitted --start_review--> in_review --return--> returned
    returned --submit--> submitted;  in_review --publish--> published
    draft|returned|published --withdraw--> withdrawn

Publishing indexes the published version's passages for search (:func:`passages_of`,
:func:`urbanagenda.reporting.search.replace_passages`); withdrawing removes them.  Steps
are guarded with a compare-and-set on ``status``: of two simultaneous steps one wins and
the other gets :class:`~urbanagenda.reporting.records.Conflict`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Row

from urbanagenda.errors import DataError
from urbanagenda.reporting import permissions, search
from urbanagenda.reporting.model import Comment, Document, Event, PassageIn, User, Version
from urbanagenda.reporting.records import (
    MAX_NOTE_CHARS,
    Conflict,
    NotFound,
    _at,
    _load,
    _load_version,
    _log,
    _now,
    _text,
)
from urbanagenda.store import schema as s

__all__ = ["add_comment", "audit_log", "comments", "passages_of", "transition"]

MAX_COMMENT_CHARS = 20_000

# -- workflow: action -> (statuses it starts from, status it leads to, permission) ---------
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": (("draft", "returned"), "submitted", "report.submit"),
    "start_review": (("submitted",), "in_review", "report.review"),
    "return": (("in_review",), "returned", "report.review"),
    "publish": (("in_review",), "published", "report.review"),
    "withdraw": (("draft", "returned", "published"), "withdrawn", "report.withdraw"),
}


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
    if action not in _TRANSITIONS:
        raise DataError(
            f"unknown workflow step {action!r}; the steps are {', '.join(_TRANSITIONS)}."
        )
    note = _text(note, "the note", MAX_NOTE_CHARS)
    if note is not None and not note.strip():
        note = None
    sources, target, permission = _TRANSITIONS[action]
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
        permissions.require(actor, permission, doc)
        if doc.kind != "national_report":
            raise Conflict(
                f"document {doc.id} is a {doc.kind}; the review workflow is for national reports."
            )
        if doc.status not in sources:
            allowed = [a for a, (src, _t, _p) in _TRANSITIONS.items() if doc.status in src]
            raise Conflict(
                f"cannot {action.replace('_', ' ')} report {doc.id}: it is {doc.status}, and "
                f"{action} is possible only from {' or '.join(sources)}. From {doc.status} the "
                f"possible steps are: {', '.join(allowed) or 'none (a final state)'}."
            )
        if action == "return" and note is None:
            n_comments = conn.execute(
                select(func.count())
                .select_from(s.review_comment)
                .where(
                    s.review_comment.c.document_id == doc.id,
                    s.review_comment.c.version == doc.current_version,
                )
            ).scalar_one()
            if not n_comments:
                raise DataError(
                    f"returning report {doc.id} needs a reason: add a note, or comment on the "
                    "sections to change, then return it."
                )
        at = _now(now)
        values: dict[str, Any] = {"status": target, "updated_at": at}
        if action == "publish":
            values["published_version"] = doc.current_version
        moved = conn.execute(
            update(s.document)
            .where(s.document.c.id == doc.id, s.document.c.status == doc.status)
            .values(**values)
        ).rowcount
        if moved != 1:
            raise Conflict(f"report {doc.id} changed status meanwhile; reload it and try again.")
        _log(
            conn,
            doc,
            actor,
            action,
            at=at,
            version=doc.current_version,
            from_status=doc.status,
            to_status=target,
            details={"note": note} if note else {},
        )
        changed = _load(conn, doc.id)
        if action == "publish":
            version = _load_version(conn, doc.id, doc.current_version)
            search.replace_passages(
                conn, changed, passages_of(changed, version), version=version.number
            )
        elif action == "withdraw":
            search.remove_document(conn, doc.id)
        return changed


_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)")


def _plain_text(markdown: str) -> str:
    """Markdown paragraph → the words a reader sees (markers, link targets dropped)."""
    lines = [_MD_LINE.sub("", line) for line in markdown.split("\n")]
    text = _MD_EMPH.sub("", _MD_LINK.sub(r"\1", " ".join(lines)))
    return " ".join(text.split())


def passages_of(doc: Document, version: Version) -> list[PassageIn]:
    """The passages a published version contributes to search: one per paragraph of each
    section's narrative, and one per good practice, in the document's language."""
    out = []
    for sec in version.sections:
        for para in re.split(r"\n\s*\n", sec.narrative):
            text = _plain_text(para)
            if text:
                out.append(PassageIn(text=text, language=doc.language, section_key=sec.key))
        for gp in sec.good_practices:
            text = _plain_text(f"{gp.get('title', '')}. {gp.get('text', '')}".strip())
            if text:
                out.append(PassageIn(text=text, language=doc.language, section_key=sec.key))
    return out


# ---------------------------------------------------------------------------- comments


def add_comment(
    engine: Engine,
    actor: User,
    document_id: int,
    body: str,
    *,
    section_key: str | None = None,
    now: datetime | None = None,
) -> Comment:
    """A reviewer's comment on the current version (a section, or the whole report when
    ``section_key`` is None), while the report is in review."""
    clean = (_text(body, "the comment", MAX_COMMENT_CHARS, required=True) or "").strip()
    with engine.begin() as conn:
        doc = _load(conn, document_id, lock=True)
        permissions.require(actor, "report.review", doc)
        if doc.status != "in_review":
            raise Conflict(
                f"report {doc.id} is {doc.status}; comments are written while it is in review "
                "(start the review first)."
            )
        if section_key is not None:
            current = _load_version(conn, doc.id, doc.current_version)
            if current.section(section_key) is None:
                raise NotFound(
                    f"report {doc.id} has no section {section_key!r}; its sections are "
                    f"{', '.join(sec.key for sec in current.sections)}."
                )
        at = _now(now)
        comment_id = conn.execute(
            insert(s.review_comment).values(
                document_id=doc.id,
                version=doc.current_version,
                section_key=section_key,
                author_id=actor.id,
                body=clean,
                created_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        _log(
            conn,
            doc,
            actor,
            "comment",
            at=at,
            version=doc.current_version,
            details={"comment_id": int(comment_id), "section": section_key},
        )
        return Comment(
            int(comment_id),
            doc.id,
            doc.current_version,
            section_key,
            actor.id,
            actor.username,
            clean,
            at,
        )


def comments(engine: Engine, document_id: int) -> list[Comment]:
    """Every review comment of the document, oldest first, with its author's username."""
    c = s.review_comment.c
    with engine.connect() as conn:
        _load(conn, document_id)
        rows = conn.execute(
            select(s.review_comment, s.app_user.c.username)
            .join(s.app_user, s.app_user.c.id == c.author_id)
            .where(c.document_id == document_id)
            .order_by(c.id)
        )
        return [_comment(r) for r in rows]


def _comment(r: Row[Any]) -> Comment:
    return Comment(
        id=r.id,
        document_id=r.document_id,
        version=r.version,
        section_key=r.section_key,
        author_id=r.author_id,
        author=r.username,
        body=r.body,
        created_at=_at(r.created_at),
    )


def audit_log(engine: Engine, document_id: int) -> list[Event]:
    """Who did what when, oldest first."""
    e = s.document_event.c
    with engine.connect() as conn:
        _load(conn, document_id)
        rows = conn.execute(
            select(s.document_event, s.app_user.c.username)
            .outerjoin(s.app_user, s.app_user.c.id == e.actor_id)
            .where(e.document_id == document_id)
            .order_by(e.id)
        )
        return [
            Event(
                r.id,
                r.document_id,
                r.version,
                r.actor_id,
                r.username,
                r.action,
                r.from_status,
                r.to_status,
                _at(r.at),
                dict(r.details or {}),
            )
            for r in rows
        ]
