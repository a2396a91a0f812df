"""Summaries of an own-source revenue analysis and of a capital investment plan, as HTML, PDF
or DOCX, written with the generated reports' document model and renderers.

:func:`osr_document` and :func:`plan_document` build a
:class:`~urbanagenda.synthesis.document.Document` from a result (:mod:`.model`) — nothing is
read from the store, so a summary can be made of an analysis that was never saved — and
:func:`summary` renders it with :func:`urbanagenda.synthesis.generate.render`.  The words are
in ``synthesis/phrases/finance.yaml`` (English and Chinese); a summary asked for in French,
Spanish, Russian or Arabic is written in English with a notice, as the other reports are.
Charts are those of the web pages (:mod:`.charts`), drawn offline.

An example analysis (``example: true``) carries a warning notice under its title, so that a
printed copy is never taken for an official one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from urbanagenda.errors import DataError
from urbanagenda.finance._summary_osr import OsrSummary
from urbanagenda.finance._summary_plan import PlanSummary
from urbanagenda.finance.model import OsrResult, PlanResult
from urbanagenda.synthesis.document import Document
from urbanagenda.synthesis.generate import FORMATS, render

__all__ = ["osr_document", "plan_document", "summary"]


def osr_document(result: OsrResult, *, lang: str = "en", now: datetime | None = None) -> Document:
    """The summary of an OSR analysis: key figures, streams with the gap by part and its
    waterfall, trends, sensitivity, recommended reforms, method and sources.

    ``lang``: a UN language (en, zh written as such; the others fall back to English with a
    notice); ``now``: the time printed on the cover (default: the current time, UTC)."""
    return OsrSummary(result, lang, now or datetime.now(UTC)).build()


def plan_document(result: PlanResult, *, lang: str = "en", now: datetime | None = None) -> Document:
    """The summary of an investment plan: ranking with the criteria, the plan by year within
    the envelope, unfunded projects and why, weight sensitivity and the indicator needs used."""
    return PlanSummary(result, lang, now or datetime.now(UTC)).build()


def summary(
    result: OsrResult | PlanResult,
    *,
    fmt: str = "pdf",
    lang: str = "en",
    now: datetime | None = None,
) -> bytes:
    """The summary of ``result`` rendered as ``fmt`` (``pdf``, ``docx`` or ``html``)."""
    if fmt not in FORMATS:
        raise DataError(
            f"unknown summary format {fmt!r}: ask for one of {', '.join(FORMATS)} "
            "(e.g. ?format=pdf)"
        )
    if isinstance(result, OsrResult):
        doc = osr_document(result, lang=lang, now=now)
    elif isinstance(result, PlanResult):
        doc = plan_document(result, lang=lang, now=now)
    else:
        raise DataError(
            f"a summary is made of an OsrResult or a PlanResult, not {type(result).__name__}: "
            "pass the result of finance.analyse or finance.rank"
        )
    return render(doc, fmt)
