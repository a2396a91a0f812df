"""Checking an upload before anything is stored: size, content type from the bytes (never
from the name), safe file names, and the decompression bombs of PDF and ZIP (DOCX).
OWNER: uploads helper."""

from __future__ import annotations

from dataclasses import dataclass

from urbanagenda.errors import DataError

__all__ = ["MAX_UPLOAD_BYTES", "CheckedUpload", "UploadRejected", "check_upload"]

MAX_UPLOAD_BYTES = 25 * 1024 * 1024


class UploadRejected(DataError):
    """The file is refused; the message says what, where and how to fix it (HTTP 422 or 413)."""


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    filename: str  # safe: no folders, no control characters
    media_type: str  # application/pdf | application/vnd.openxmlformats-officedocument...
    data: bytes
    sha256: str


def check_upload(filename: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    raise NotImplementedError
