"""Text out of PDF (pypdf) and DOCX (python-docx) files, as paragraphs.
OWNER: uploads helper."""

from __future__ import annotations

from dataclasses import dataclass

from urbanagenda.reporting.uploads import CheckedUpload

__all__ = ["ExtractedText", "extract_text", "split_passages"]


@dataclass(frozen=True, slots=True)
class ExtractedText:
    paragraphs: tuple[str, ...]
    pages: int | None


def extract_text(upload: CheckedUpload) -> ExtractedText:
    raise NotImplementedError


def split_passages(text: str, *, max_chars: int = 1200) -> list[str]:
    """Paragraph-sized passages of a text (blank lines, numbered paragraphs), long ones cut
    at sentence ends."""
    raise NotImplementedError
