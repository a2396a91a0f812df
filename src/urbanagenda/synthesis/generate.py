"""Build a report from the store and render it: the one entry point the CLI and web use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from urbanagenda.errors import DataError
from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.text import Formatter, Phrases, resolve_language

__all__ = [
    "FORMATS",
    "KINDS",
    "MEDIA_TYPES",
    "BuildContext",
    "build_report",
    "generate",
    "render",
]

KINDS = ("synthesis", "sg-report", "national")
FORMATS = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DEFAULT_METHOD = "unsd-2024"


@dataclass
class BuildContext:
    """What every builder gets: the store, the language to write in (``lang``: en or zh),
    the language asked for, the fallback notice (or None), the country for national drafts,
    the progress method, and the time the report is stamped with."""

    engine: Engine
    lang: str
    requested_lang: str
    notice: str | None
    area: str | None = None
    method: str = DEFAULT_METHOD
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang)

    def phrases(self, *files: str) -> Phrases:
        return Phrases(self.lang, *files)


def _builder(kind: str) -> Callable[[BuildContext], Document]:
    if kind == "synthesis":
        from urbanagenda.synthesis.build.synthesis import build_synthesis

        return build_synthesis
    if kind == "sg-report":
        from urbanagenda.synthesis.build.sg_report import build_sg_report

        return build_sg_report
    if kind == "national":
        from urbanagenda.synthesis.build.national import build_national

        return build_national
    raise DataError(f"unknown report {kind!r}: one of {', '.join(KINDS)}")


def build_report(
    engine: Engine,
    kind: str,
    *,
    area: str | None = None,
    lang: str = "en",
    method: str = DEFAULT_METHOD,
    now: datetime | None = None,
) -> Document:
    """Build the document model of a report from the store (no rendering)."""
    build = _builder(kind)
    if kind == "national" and not area:
        raise DataError("a national report draft needs a country: pass --area with its M49 code")
    text_lang, notice = resolve_language(lang)
    ctx = BuildContext(engine, text_lang, lang, notice, area, method, now or datetime.now(UTC))
    return build(ctx)


def render(doc: Document, fmt: str) -> bytes:
    """The document in ``fmt`` (html, pdf or docx) as bytes."""
    if fmt == "html":
        from urbanagenda.synthesis.render.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from urbanagenda.synthesis.render.pdf import render_pdf

        return render_pdf(doc)
    if fmt == "docx":
        from urbanagenda.synthesis.render.docx import render_docx

        return render_docx(doc)
    raise DataError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def generate(
    engine: Engine,
    kind: str,
    fmt: str,
    *,
    area: str | None = None,
    lang: str = "en",
    method: str = DEFAULT_METHOD,
    out: Path | None = None,
) -> bytes:
    """Build and render; write to ``out`` (atomically) if given."""
    if fmt not in FORMATS:
        raise DataError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    data = render(build_report(engine, kind, area=area, lang=lang, method=method), fmt)
    if out is not None:
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
    return data
