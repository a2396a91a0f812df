"""Text out of PDF (pypdf) and DOCX (python-docx) files, as paragraphs, and paragraphs cut
into passages for the search index.

A PDF holds lines placed on a page, not paragraphs.  The lines come from pypdf's text
extraction (which follows the content stream, so columns are not interleaved); where each
line sits and how large its type is come from pypdf's ``visitor_text`` callback.  A new
paragraph starts where the space between two lines is clearly larger than the page's usual
line spacing, where the type size changes (a heading), where a line starts with a
paragraph number or a bullet, or where a line ends a sentence well short of the margin.
Lines are joined with a space, except between Chinese, Japanese or Korean characters, and a
word hyphenated at a line end is joined again.  OWNER: uploads helper.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import struct
import time
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf.errors import PyPdfError

from urbanagenda.reporting.uploads import (
    DOCX_MEDIA_TYPE,
    PDF_MAX_SECONDS,
    PDF_MEDIA_TYPE,
    CheckedUpload,
    UploadRejected,
    open_pdf,
    pdf_limits,
)

__all__ = ["ExtractedText", "extract_text", "split_passages"]

#: More characters than this from one file is not a report but a data dump.
MAX_EXTRACTED_CHARS = 20_000_000


@dataclass(frozen=True, slots=True)
class ExtractedText:
    paragraphs: tuple[str, ...]
    pages: int | None

    @property
    def text(self) -> str:
        """The paragraphs separated by blank lines (what :func:`split_passages` reads)."""
        return "\n\n".join(self.paragraphs)


def extract_text(upload: CheckedUpload) -> ExtractedText:
    """The paragraphs of a checked upload (``uploads.check_upload``), in reading order."""
    if upload.media_type == PDF_MEDIA_TYPE:
        return _pdf_text(upload)
    if upload.media_type == DOCX_MEDIA_TYPE:
        return _docx_text(upload)
    raise UploadRejected(
        f"{upload.filename!r}: no text extraction for {upload.media_type}; upload a PDF or DOCX",
        where=upload.filename,
    )


# -- characters ------------------------------------------------------------------------------

_LIGATURES = dict.fromkeys(map(ord, "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _clean(text: str) -> str:
    """One line of text: no control characters (PostgreSQL refuses NUL), no soft hyphens
    or ligature characters (search would miss "ﬁnance"), single spaces."""
    if any(ord(ch) in _LIGATURES for ch in text):
        text = "".join(
            unicodedata.normalize("NFKC", ch) if ord(ch) in _LIGATURES else ch for ch in text
        )
    text = "".join(
        " " if ch == "\t" else ch
        for ch in text
        if ch == "\t" or (unicodedata.category(ch) not in ("Cc", "Cs") and ch != "\u00ad")
    )
    return _SPACES.sub(" ", text).strip()


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, kana, CJK symbols and unified ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms (，。！？)
        or 0x20000 <= code <= 0x2FA1F
    )


def _join_lines(lines: Iterable[str]) -> str:
    text = ""
    for line in lines:
        if not line:
            continue
        if not text:
            text = line
        elif text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[0].islower():
            text = text[:-1] + line  # "develop-" + "ment"
        elif _is_cjk(text[-1]) and _is_cjk(line[0]):
            text += line
        else:
            text += " " + line
    return text


# -- PDF -------------------------------------------------------------------------------------

_MARKER = re.compile(r"^(?:\d{1,3}[.)](?:\s|$)|\(?[a-z]\)\s|[•▪◦●■\-–—*]\s)")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\W*$", re.I)
_TERMINAL = ".!?:。！？؟…"


@dataclass(slots=True)
class _Line:
    text: str
    x: float | None
    y: float | None
    size: float


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’»)]）」』 ")[-1:] in tuple(_TERMINAL)


class _LineCollector:
    """Builds lines with their position from pypdf's visitor callbacks."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self._parts: list[str] = []
        self._where: tuple[float | None, float | None, float] = (None, None, 0.0)

    def visit(
        self,
        text: str,
        cm: Sequence[float],
        tm: Sequence[float],
        font_dict: Any = None,
        font_size: float | None = None,
    ) -> None:
        if not text:
            return
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = float(font_size or 0.0) * math.sqrt(abs(a * d - b * c))
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.finish()
            if piece:
                if not self._parts:
                    self._where = (x, y, size)
                self._parts.append(piece)

    def finish(self) -> None:
        if self._parts:
            x, y, size = self._where
            self.lines.append(_Line("".join(self._parts), x, y, size))
        self._parts = []


def _page_paragraphs(lines: list[_Line]) -> list[str]:
    lines = [line for line in lines if line.text]
    for line in lines:
        line.text = _clean(line.text)
    lines = [line for line in lines if line.text]
    # running page numbers ("12", "Page 3 of 40") at the top or bottom
    while lines and _PAGE_NUMBER.match(lines[-1].text):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0].text):
        lines.pop(0)
    if not lines:
        return []
    spacings = [
        (prev.y - line.y) / prev.size
        for prev, line in itertools.pairwise(lines)
        if prev.y is not None and line.y is not None and prev.size > 0
        if 0.5 * prev.size < prev.y - line.y < 4 * prev.size
        and abs(prev.size - line.size) <= 0.2 * prev.size
    ]
    # line spacing inside paragraphs, in type sizes: most gaps on a page are that, the
    # rest (between paragraphs) are larger
    usual = sorted(spacings)[len(spacings) // 4] if spacings else None
    widest = max(len(line.text) for line in lines)
    paragraphs: list[list[str]] = [[lines[0].text]]
    for prev, line in itertools.pairwise(lines):
        if _starts_paragraph(prev, line, usual, widest):
            paragraphs.append([])
        paragraphs[-1].append(line.text)
    return [_join_lines(p) for p in paragraphs]


def _starts_paragraph(prev: _Line, line: _Line, usual: float | None, widest: int) -> bool:
    if _MARKER.match(line.text):
        return True
    if prev.y is not None and line.y is not None and prev.size > 0 and line.size > 0:
        gap = prev.y - line.y
        if gap < -0.5 * line.size:  # back up the page: another column or box
            return True
        if abs(prev.size - line.size) > 0.2 * max(prev.size, line.size):
            return True  # a heading begins or ends
        if usual is not None and gap > 1.35 * usual * line.size and gap > 0.9 * line.size:
            return True
    return _ends_sentence(prev.text) and len(prev.text) < 0.7 * widest


def _pdf_text(upload: CheckedUpload) -> ExtractedText:
    started = time.monotonic()
    paragraphs: list[str] = []
    chars = 0
    with pdf_limits():
        reader = open_pdf(upload.filename, upload.data)
        try:
            pages = len(reader.pages)
            for number, page in enumerate(reader.pages, start=1):
                collector = _LineCollector()
                page.extract_text(visitor_text=collector.visit)
                collector.finish()
                found = _page_paragraphs(collector.lines)
                if (
                    found
                    and paragraphs
                    and not _ends_sentence(paragraphs[-1])
                    and found[0][:1].islower()
                ):
                    paragraphs[-1] = _join_lines([paragraphs[-1], found.pop(0)])
                paragraphs.extend(found)
                chars += sum(len(p) for p in found)
                if chars > MAX_EXTRACTED_CHARS:
                    raise _too_much(upload, f"more than {MAX_EXTRACTED_CHARS:,} characters")
                if time.monotonic() - started > 2 * PDF_MAX_SECONDS:
                    raise _too_much(upload, f"more than {2 * PDF_MAX_SECONDS:.0f} seconds "
                                            f"(stopped at page {number} of {pages})")  # fmt: skip
        except UploadRejected:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                RecursionError, struct.error, zlib.error) as exc:  # fmt: skip
            raise UploadRejected(
                f"{upload.filename!r}: the text of the PDF cannot be read ({type(exc).__name__}: "
                f"{exc}); export the document again from its original program",
                where=upload.filename,
            ) from exc
    return ExtractedText(tuple(paragraphs), pages)


def _too_much(upload: CheckedUpload, what: str) -> UploadRejected:
    return UploadRejected(
        f"{upload.filename!r}: extracting the text took {what}; split the document into "
        "parts and upload each",
        where=upload.filename,
    )


# -- DOCX ------------------------------------------------------------------------------------


def _docx_text(upload: CheckedUpload) -> ExtractedText:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(upload.data))
    paragraphs: list[str] = []

    def walk(container: Any) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                text = _clean(block.text.replace("\n", " "))
                if text:
                    paragraphs.append(text)
            elif isinstance(block, Table):
                # a merged cell repeats in every row and column it spans; the set keeps
                # the XML elements alive, so lxml hands back the same proxy for each
                seen: set[Any] = set()
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        walk(cell)

    walk(document)
    return ExtractedText(tuple(paragraphs), None)


# -- passages --------------------------------------------------------------------------------

_BLANK = re.compile(r"\n[ \t\u3000]*\n")
_NUMBERED = re.compile(r"^\s*\d{1,3}\.(?:\s|$)")
#: Where a sentence ends: Latin terminators before a space and a word not in lower case
#: ("e.g. the" goes on); Chinese and Japanese full stops need no space; the Arabic question
#: mark and the Urdu full stop.
_SENTENCE_END = re.compile(
    r"[.!?…][\"'”’»)\]]*\s+(?=[^\sa-z])"
    r"|[。！？][”’」』）)]*\s*"
    r"|[؟۔][\"'”’»)]*\s*"
)
_CLAUSE_END = re.compile(r"[,;:،؛][\"'”’)]*\s+|[，；：、]")


def split_passages(text: str, *, max_chars: int = 1200) -> list[str]:
    """Paragraph-sized passages of a text (blank lines, numbered paragraphs), long ones cut
    at sentence ends.

    A blank line, or a line starting with a paragraph number (``12.``), starts a passage;
    lines within a passage are joined.  A passage longer than ``max_chars`` is cut after the
    last sentence that fits (``.!?`` before a space, ``。！？``, ``؟``); a sentence longer
    than ``max_chars`` at a clause end or a space, never inside a word (a single word longer
    than ``max_chars`` stays whole).
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    passages: list[str] = []
    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        for raw in block.split("\n"):
            line = _clean(raw)
            if not line:
                continue
            if current and _NUMBERED.match(line):
                passages.extend(_cut(_join_lines(current), max_chars))
                current = []
            current.append(line)
        if current:
            passages.extend(_cut(_join_lines(current), max_chars))
    return passages


def _cut(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        sentences.append(text[start:])
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        if len(sentence.rstrip()) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_cut_sentence(sentence, max_chars))
        elif len(current) + len(sentence.rstrip()) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current += sentence
    if current:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _splits_word(text: str, at: int) -> bool:
    left, right = text[at - 1], text[at]
    if _is_cjk(left) or _is_cjk(right):
        return False
    return not (left.isspace() or right.isspace()) and (left.isalnum() or right.isalnum())


def _cut_sentence(sentence: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    rest = sentence.strip()
    while len(rest) > max_chars:
        window = rest[: max_chars + 1]
        cut = 0
        clauses = [m.end() for m in _CLAUSE_END.finditer(window) if m.end() <= max_chars]
        if clauses and clauses[-1] > max_chars // 2:
            cut = clauses[-1]
        else:
            spaces = [m.start() for m in re.finditer(r"\s", window)]
            if spaces and spaces[-1] > 0:
                cut = spaces[-1]
            elif not _splits_word(rest, max_chars):
                cut = max_chars
            else:  # one word longer than max_chars: keep it whole
                following = re.search(r"\s", rest[max_chars:])
                cut = max_chars + following.start() if following else len(rest)
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces
