"""The Voluntary Local Review registry: metadata, files (PDF/DOCX, checked and their text
extracted), links to the city's data and to the national report the VLR feeds.  A VLR is
public when registered (it is already a published document of its government); it can be
edited (new version of its metadata) and withdrawn.  OWNER: uploads helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from urbanagenda.reporting.model import Attachment, Document, User

__all__ = ["add_attachment", "attachment_content", "list_attachments", "register_vlr"]


def register_vlr(
    engine: Engine,
    actor: User,
    *,
    title: str,
    government: str,
    level: str,  # local | regional
    country_code: str,
    area_code: str | None,
    year: int,
    languages: Sequence[str],
    sdgs: Sequence[int],
    linked_vnr: str | None = None,
    source_url: str | None = None,
    feeds_report_id: int | None = None,
    summary: str | None = None,
    file: tuple[str, bytes] | None = None,
    is_example: bool = False,
    now: datetime | None = None,
) -> Document:
    raise NotImplementedError


def add_attachment(
    engine: Engine,
    actor: User,
    document_id: int,
    filename: str,
    data: bytes,
    *,
    section_key: str | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Check (``uploads.check_upload``), extract the text, store; for a public document
    also index the text's passages for search."""
    raise NotImplementedError


def list_attachments(engine: Engine, document_id: int) -> list[Attachment]:
    raise NotImplementedError


def attachment_content(engine: Engine, attachment_id: int) -> tuple[Attachment, bytes]:
    raise NotImplementedError
