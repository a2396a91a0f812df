"""The 2024 reporting modalities as pre-filled drafts: an update of the previous report (its
last published version, differences shown against it), or a report built from a national
urban forum outcome, a Voluntary National Review, or the country's VLRs (their tagged
passages, and the cities' indicators, go to the matching sections for the focal point to
edit; every pre-filled passage cites its source).  OWNER: documents helper."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from urbanagenda.reporting.model import Document, User

__all__ = ["start_report"]


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
    now: datetime | None = None,
) -> Document:
    raise NotImplementedError
