"""Checking an upload before anything is stored: size, content type from the bytes (never
from the name), safe file names, and the decompression bombs of PDF and ZIP (DOCX).

Only two kinds of file are accepted, because only two are needed for reports and Voluntary
Local Reviews and both can be checked thoroughly:

* **PDF** -- starts with ``%PDF-``, opens with pypdf, is not locked by a password, has at
  most :data:`MAX_PDF_PAGES` pages, and every page's content stream decompresses within
  :data:`PDF_MAX_STREAM_BYTES` (one stream) and :data:`PDF_MAX_CONTENT_BYTES` (all pages);
* **DOCX** -- a ZIP holding ``[Content_Types].xml`` and ``word/document.xml``, without macros
  (``word/vbaProject.bin``: that is a DOCM), whose every member is inflated here with a byte
  budget (a member that inflates beyond the size its header declares is caught while
  reading, not trusted), with no path-traversal names and no ZIP inside.

OWNER: uploads helper.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pypdf
from pypdf.errors import PyPdfError

from urbanagenda.errors import DataError

__all__ = [
    "DOCX_MEDIA_TYPE",
    "MAX_UPLOAD_BYTES",
    "PDF_MEDIA_TYPE",
    "CheckedUpload",
    "UploadRejected",
    "check_upload",
    "pdf_limits",
    "safe_filename",
]

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_FILENAME_CHARS = 200

PDF_MEDIA_TYPE = "application/pdf"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Limits for PDF files: pages, decompressed bytes of one stream and of all page contents,
#: objects in the cross-reference table, and seconds spent reading.
MAX_PDF_PAGES = 2_000
PDF_MAX_STREAM_BYTES = 50 * 1024 * 1024
PDF_MAX_CONTENT_BYTES = 200 * 1024 * 1024
PDF_MAX_OBJECTS = 1_000_000
PDF_MAX_SECONDS = 30.0

#: Limits for ZIP containers (DOCX): total declared size, members, and the compression
#: ratio of one member (members smaller than RATIO_FLOOR_BYTES are not held to the ratio:
#: a tiny XML part may compress 200:1 and is harmless).
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR_BYTES = 64 * 1024

_ACCEPTED = "a PDF file or a Word document saved as .docx"
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_INFLATE_STEP = 256 * 1024


class UploadRejected(DataError):
    """The file is refused; the message says what, where and how to fix it (HTTP 422, or
    413 when ``too_large``).  ``where`` is the (cleaned) file name, ``problem`` and ``fix``
    the two halves of the message, for structured error bodies."""

    too_large: bool = False

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        problem: str | None = None,
        fix: str | None = None,
        too_large: bool = False,
    ) -> None:
        super().__init__(message)
        self.where = where
        self.problem = problem or message
        self.fix = fix
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    filename: str  # safe: no folders, no control characters
    media_type: str  # application/pdf | application/vnd.openxmlformats-officedocument...
    data: bytes = field(repr=False)
    sha256: str


def _reject(where: str, problem: str, fix: str, *, too_large: bool = False) -> UploadRejected:
    return UploadRejected(
        f"{where!r}: {problem}; {fix}", where=where, problem=problem, fix=fix, too_large=too_large
    )


# -- file names -------------------------------------------------------------------------------

#: Bidirectional controls can make "report\u202efdp.exe" display as "report.exe.pdf".
_BIDI = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def safe_filename(name: str, *, extension: str | None = None) -> str:
    """The name to store and show for an uploaded file.

    Control characters, NUL and bidirectional controls are dropped; folders are dropped
    (only the base name is kept, whether the client sent ``/`` or ``\\``); a name that
    climbs out of its folder (``..``) is refused; at most :data:`MAX_FILENAME_CHARS`
    characters, the extension kept; letters of every script stay (``报告.pdf`` is fine).
    With ``extension`` (``".pdf"``) the name is made to end with it, so a download is
    opened by the right program whatever the uploader called the file.
    """
    original = name
    name = unicodedata.normalize("NFC", name).translate(_BIDI)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    parts = re.split(r"[/\\]+", name)
    if any(part.strip() == ".." for part in parts):
        cleaned = next((p for p in reversed(parts) if p.strip(" .")), "")
        hint = f" such as {cleaned!r}" if cleaned else ""
        raise _reject(
            original,
            "the file name climbs out of its folder ('..'), as path-traversal attacks do",
            f"rename the file to a plain name{hint} and upload it again",
        )
    base = parts[-1].strip().lstrip(".").strip()
    base = re.sub(r"\s+", " ", base)
    if extension is not None and not base.lower().endswith(extension):
        base = f"{base}{extension}" if base else f"document{extension}"
    if not base:
        base = "document"
    if len(base) > MAX_FILENAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            base = base[:MAX_FILENAME_CHARS]
    return base


# -- what the bytes are -----------------------------------------------------------------------

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program (EXE/DLL)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc/.xls/.ppt)"),
    (b"{\\rtf", "a Rich Text Format (RTF) file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%!PS", "a PostScript file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def describe_bytes(data: bytes) -> str:
    """What the first bytes say the file is (for messages)."""
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            return what
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "an HTML page"
    if head.startswith(b"<svg") or b"<svg" in head[:256]:
        return "an SVG image"
    if head.startswith(b"<?xml"):
        return "an XML file"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "a ZIP archive"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "a binary file of unknown type"
    return "a plain text file"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:g} MB ({n:,} bytes)"
    return f"{n:,} bytes"


def check_upload(filename: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Check ``data`` (the file's bytes) and return it with a safe name, its media type and
    SHA-256; raise :class:`UploadRejected` with what is wrong, in which file, and what to
    do.  The type is decided by the bytes; the name's extension is ignored and corrected."""
    where = safe_filename(filename)
    if not data:
        raise _reject(where, "the file is empty (0 bytes)", f"upload {_ACCEPTED} with content")
    if len(data) > max_bytes:
        raise _reject(
            where,
            f"the file has {len(data):,} bytes, more than the limit of {_size(max_bytes)}",
            "reduce it (for a PDF: export with compressed images) or split it into parts",
            too_large=True,
        )
    if data.startswith(b"%PDF-"):
        _check_pdf(where, data)
        media_type, extension = PDF_MEDIA_TYPE, ".pdf"
    elif data.startswith(b"PK\x03\x04"):
        _check_docx(where, data)
        media_type, extension = DOCX_MEDIA_TYPE, ".docx"
    else:
        raise _reject(
            where,
            f"the file is {describe_bytes(data)} (judged by its content, not its name)",
            f"only {_ACCEPTED} can be uploaded: save or export it in one of these formats",
        )
    return CheckedUpload(
        filename=safe_filename(filename, extension=extension),
        media_type=media_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# -- PDF --------------------------------------------------------------------------------------


@contextmanager
def pdf_limits() -> Iterator[None]:
    """pypdf's decompression limits set to ours while reading an uploaded PDF (pypdf
    raises ``LimitReachedError`` when a stream inflates beyond them)."""
    with pypdf.apply_configuration(
        zlib_maximum_output_length=PDF_MAX_STREAM_BYTES,
        lzw_maximum_output_length=PDF_MAX_STREAM_BYTES,
        run_length_maximum_output_length=PDF_MAX_STREAM_BYTES,
        brotli_maximum_output_length=PDF_MAX_STREAM_BYTES,
        jbig2_maximum_output_length=PDF_MAX_STREAM_BYTES,
        maximum_declared_stream_length=PDF_MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=PDF_MAX_STREAM_BYTES,
        image_maximum_buffer_size=PDF_MAX_STREAM_BYTES,
    ):
        yield


def open_pdf(where: str, data: bytes) -> pypdf.PdfReader:
    """A reader for a PDF upload (already checked or being checked), decrypted when it is
    protected by an owner password only; call inside :func:`pdf_limits`."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False, root_object_recovery_limit=10_000)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _reject(
                where,
                "the PDF is locked with a password, so its text cannot be read",
                "save a copy without a password (or 'print to PDF') and upload that",
            )
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RecursionError, struct.error, zlib.error) as exc:  # fmt: skip
        raise _damaged_pdf(where, exc) from exc
    except ImportError as exc:  # an encryption method needing an optional library
        raise _reject(
            where,
            f"the PDF is encrypted with a method this platform cannot open ({exc})",
            "save a copy without encryption (or 'print to PDF') and upload that",
        ) from exc
    return reader


def _damaged_pdf(where: str, exc: BaseException) -> UploadRejected:
    if type(exc).__name__ == "LimitReachedError":
        return _reject(
            where,
            f"the PDF holds data that decompresses beyond the limit of {PDF_MAX_STREAM_BYTES:,} "
            "bytes per stream, as a decompression bomb does",
            "export the document again from its original program (PDF/A if possible)",
        )
    return _reject(
        where,
        f"the file starts like a PDF but cannot be read as one ({type(exc).__name__}: {exc})",
        "export the document again from its original program and upload the new PDF",
    )


def _check_pdf(where: str, data: bytes) -> None:
    started = time.monotonic()
    with pdf_limits():
        reader = open_pdf(where, data)
        try:
            objects = sum(len(generation) for generation in reader.xref.values())
            objects += len(reader.xref_objStm)
            if objects > PDF_MAX_OBJECTS:
                raise _reject(
                    where,
                    f"the PDF has {objects:,} objects, more than the limit of {PDF_MAX_OBJECTS:,}",
                    "export it again from its original program or split it into parts",
                )
            pages = len(reader.pages)
            if pages == 0:
                raise _reject(where, "the PDF has no pages", "upload the complete document")
            if pages > MAX_PDF_PAGES:
                raise _reject(
                    where,
                    f"the PDF has {pages:,} pages, more than the limit of {MAX_PDF_PAGES:,}",
                    "split it into parts and upload each",
                )
            total = 0
            for number, page in enumerate(reader.pages, start=1):
                contents = page.get_contents()
                if contents is not None:
                    total += len(contents.get_data())
                if total > PDF_MAX_CONTENT_BYTES:
                    raise _reject(
                        where,
                        f"the page contents decompress to more than {PDF_MAX_CONTENT_BYTES:,} "
                        f"bytes (reached on page {number}), as a decompression bomb does",
                        "export the document again from its original program",
                    )
                if time.monotonic() - started > PDF_MAX_SECONDS:
                    raise _reject(
                        where,
                        f"reading the PDF took more than {PDF_MAX_SECONDS:.0f} seconds "
                        f"(stopped at page {number} of {pages})",
                        "export it again from its original program or split it into parts",
                    )
        except UploadRejected:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                RecursionError, struct.error, zlib.error) as exc:  # fmt: skip
            raise _damaged_pdf(where, exc) from exc


# -- DOCX (a ZIP container) -------------------------------------------------------------------


def _check_docx(where: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error) as exc:
        raise _reject(
            where,
            f"the file starts like a ZIP archive (as DOCX files do) but is damaged ({exc})",
            "save the document again from Word or LibreOffice as .docx",
        ) from exc
    with archive:
        members = archive.infolist()
        _check_zip_directory(where, members)
        names = {info.filename for info in members}
        if "word/vbaProject.bin" in names:
            raise _reject(
                where,
                "the file is a Word document with macros (DOCM: word/vbaProject.bin); macros "
                "are not accepted",
                "save it as 'Word Document (.docx)' without macros, or as PDF",
            )
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            kind = _describe_zip(names)
            raise _reject(
                where,
                f"the file is {kind}, not a Word document (no [Content_Types].xml and "
                "word/document.xml)",
                f"only {_ACCEPTED} can be uploaded",
            )
        content_types = b""
        for info in members:
            keep = info.filename == "[Content_Types].xml"
            body = _inflate_member(where, data, info, keep=keep)
            if keep:
                content_types = body
        if b"macroEnabled" in content_types:
            raise _reject(
                where,
                "the file is a macro-enabled Word document (its content types say "
                "macroEnabled); macros are not accepted",
                "save it as 'Word Document (.docx)' without macros, or as PDF",
            )
        if _DOCX_MAIN not in content_types:
            raise _reject(
                where,
                "the file is an Office package but not a Word document (a template, or "
                "another Office format)",
                "save it in Word or LibreOffice as 'Word Document (.docx)'",
            )
    _check_docx_opens(where, data)


def _describe_zip(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "an Excel workbook (XLSX)"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation (PPTX)"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file (ODT/ODS)"
    return "a ZIP archive"


def _check_zip_directory(where: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > ZIP_MAX_MEMBERS:
        raise _reject(
            where,
            f"the archive has {len(members):,} members, more than the limit of {ZIP_MAX_MEMBERS:,}",
            "save the document again from Word or LibreOffice as .docx",
        )
    declared = 0
    seen: set[str] = set()
    for info in members:
        name = info.orig_filename  # zipfile cuts ``filename`` at a NUL
        if name in seen:
            raise _reject(
                where,
                f"the archive has two members named {name!r} (programs disagree on which one "
                "counts)",
                "save the document again from Word or LibreOffice as .docx",
            )
        seen.add(name)
        if (
            "\\" in name
            or "\x00" in name
            or name.startswith("/")
            or re.match(r"^[A-Za-z]:", name)
            or ".." in name.split("/")
        ):
            raise _reject(
                where,
                f"the archive has a member named {name!r} that points outside the archive "
                "(zip-slip)",
                "save the document again from Word or LibreOffice as .docx",
            )
        if name.lower().endswith((".zip", ".docx", ".xlsx", ".pptx", ".jar", ".docm")):
            raise _nested(where, name)
        if info.flag_bits & 0x1:
            raise _reject(
                where,
                f"the archive member {name!r} is encrypted",
                "save the document without a password as .docx",
            )
        declared += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR_BYTES and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _reject(
                where,
                f"the archive member {name!r} would expand {ratio:,.0f} times "
                f"({info.compress_size:,} to {info.file_size:,} bytes; the limit is "
                f"{ZIP_MAX_RATIO} times), as a ZIP bomb does",
                "save the document again from Word or LibreOffice as .docx",
            )
    if declared > ZIP_MAX_TOTAL_BYTES:
        raise _reject(
            where,
            f"the archive would expand to {declared:,} bytes, more than the limit of "
            f"{ZIP_MAX_TOTAL_BYTES:,}",
            "reduce the images in the document or split it into parts",
        )


def _nested(where: str, name: str) -> UploadRejected:
    return _reject(
        where,
        f"the archive holds another archive ({name!r}), for instance an embedded "
        "spreadsheet; archives inside archives are not accepted",
        "remove embedded objects (paste charts as pictures) or upload the document as PDF",
    )


def _raw_member(where: str, data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, located through its local header (whose name
    must agree with the central directory's: two names for one member is a trick)."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _damaged_zip(where, info.filename, "its local header is missing")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    local_name = data[offset + 30 : offset + 30 + name_len]
    expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    if local_name != expected:
        raise _damaged_zip(where, info.filename, "its local header names another file")
    start = offset + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise _damaged_zip(where, info.filename, "it is cut short")
    return raw


def _damaged_zip(where: str, name: str, why: str) -> UploadRejected:
    return _reject(
        where,
        f"the archive member {name!r} is damaged: {why}",
        "save the document again from Word or LibreOffice as .docx",
    )


def _inflate_member(where: str, data: bytes, info: zipfile.ZipInfo, *, keep: bool) -> bytes:
    """Inflate one member in steps, stopping as soon as it produces more bytes than its
    header declares (a member that lies about its size is a bomb); check its CRC-32.
    Returns the bytes when ``keep`` (small parts only), else ``b""``."""
    raw = _raw_member(where, data, info)
    limit = info.file_size
    kept: list[bytes] = []
    produced = 0
    crc = 0
    head = b""
    if info.compress_type == zipfile.ZIP_STORED:
        chunks: Iterator[bytes] = iter([raw])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _inflate_steps(where, info.filename, raw)
    else:
        raise _reject(
            where,
            f"the archive member {info.filename!r} uses compression method "
            f"{info.compress_type}, which Word does not write",
            "save the document again from Word or LibreOffice as .docx",
        )
    for chunk in chunks:
        produced += len(chunk)
        if produced > limit:
            raise _reject(
                where,
                f"the archive member {info.filename!r} declares {limit:,} bytes but inflates "
                "to more (stopped reading), as a ZIP bomb does",
                "save the document again from Word or LibreOffice as .docx",
            )
        if len(head) < 4:
            head += chunk[: 4 - len(head)]
        crc = zlib.crc32(chunk, crc)
        if keep:
            kept.append(chunk)
    if head.startswith(b"PK\x03\x04"):
        raise _nested(where, info.filename)
    if produced != limit or crc != info.CRC:
        raise _damaged_zip(where, info.filename, "its size or checksum does not match")
    return b"".join(kept)


def _inflate_steps(where: str, name: str, raw: bytes) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = raw
    try:
        while True:
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            if chunk:
                yield chunk
            pending = inflater.unconsumed_tail
            # output still held by zlib comes out on the next call, even without input
            if inflater.eof or (not pending and not chunk):
                break
    except zlib.error as exc:
        raise _damaged_zip(where, name, f"it cannot be inflated ({exc})") from exc


def _check_docx_opens(where: str, data: bytes) -> None:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise _reject(
            where,
            f"the Word document cannot be opened ({type(exc).__name__}: {exc})",
            "save the document again from Word or LibreOffice as .docx",
        ) from exc
    except Exception as exc:  # lxml's XMLSyntaxError and relatives; nothing was stored
        if type(exc).__module__.startswith("lxml"):
            raise _reject(
                where,
                f"the Word document holds malformed XML ({exc})",
                "save the document again from Word or LibreOffice as .docx",
            ) from exc
        raise
