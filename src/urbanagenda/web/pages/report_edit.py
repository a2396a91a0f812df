"""Changing a national report in pages: the section editor, the reviewer's screen and its
comments, version diffs, and the workflow's steps (submit, review, return, publish,
withdraw).  The list and the view are :mod:`.reports`; the shared helpers
:mod:`._reporting`.

Every form posts with the session's CSRF token and is answered by a redirect (303); a
form that cannot be saved comes back with what the user typed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, permissions
from urbanagenda.reporting.model import EDITABLE_STATUSES, Document, Section, Version

# ``api`` before ``auth``: see :mod:`._reporting`
from urbanagenda.web import api, auth  # noqa: F401
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._reporting import (
    WORKFLOW,
    Labels,
    base_context,
    check_visible,
    engine_of,
    form_of,
    int_or_none,
    load_report,
    readable,
    safe_local,
    see_other,
    signed_in,
    template_section,
    text_field,
    user_of,
    workflow_steps,
    written,
)
from urbanagenda.web.pages.common import check_lang, render

__all__ = ["router"]

router = APIRouter()


# --------------------------------------------------------------------------- workflow


@router.post(
    "/{lang}/reports/{doc_id}/transition",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def transition_post(request: Request, lang: str, doc_id: int) -> Response:
    check_lang(lang)
    user = signed_in(request)
    form = await form_of(request)
    action = text_field(form, "action", 20)
    if action not in WORKFLOW:
        raise ApiError(
            422,
            gettext(
                "Unknown step %(action)s; the steps are %(steps)s.",
                action=action[:20],
                steps=", ".join(WORKFLOW),
            ),
            where="form.action",
        )
    note = text_field(form, "note", 10_000).strip() or None
    doc = await run_in_threadpool(load_report, request, doc_id)
    if doc.kind == "vlr":
        from urbanagenda.reporting import vlrs

        if action != "withdraw":
            raise documents.Conflict(gettext("A local review can only be withdrawn."))
        await run_in_threadpool(
            lambda: vlrs.withdraw_vlr(engine_of(request), user, doc_id, note=note)
        )
    else:
        await run_in_threadpool(
            documents.transition, engine_of(request), user, doc_id, action, note=note
        )
    written(request)
    back = safe_local(text_field(form, "next", 2000), f"/{lang}/reports/{doc_id}")
    return see_other(back)


# --------------------------------------------------------------------------- section editor


def _section_of(version: Version, key: str) -> Section:
    section = version.section(key)
    if section is None:
        raise documents.NotFound(gettext("The report has no section %(key)s.", key=key[:64]))
    return section


def _editor(
    request: Request,
    doc: Document,
    version: Version,
    section: Section,
    *,
    status: int = 200,
    narrative: str | None = None,
    series: list[str] | None = None,
    practices: list[dict[str, Any]] | None = None,
    note: str = "",
    error: str | None = None,
    conflict: dict[str, Any] | None = None,
) -> HTMLResponse:
    guide = template_section(doc, section.key)
    linked = [str(i.get("series")) for i in section.indicators if i.get("series")]
    suggested = list(dict.fromkeys([*(guide.series if guide else ()), *linked]))
    chosen = series if series is not None else linked
    comments = [
        c for c in documents.comments(engine_of(request), doc.id) if c.section_key == section.key
    ]
    return render(
        request,
        "section_edit.html",
        status=status,
        cache_seconds=0,
        doc=doc,
        version=version,
        section=section,
        guide=guide,
        narrative=section.narrative if narrative is None else narrative,
        suggested=[s for s in suggested if s],
        chosen=set(chosen),
        practices=list(section.good_practices) if practices is None else practices,
        note=note,
        error=error,
        conflict=conflict,
        section_comments=comments,
        **base_context(),
    )


@router.get(
    "/{lang}/reports/{doc_id}/sections/{key}/edit",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def section_edit_page(request: Request, lang: str, doc_id: int, key: str) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    doc = load_report(request, doc_id)
    permissions.require(user, "report.edit", doc)
    if doc.status not in EDITABLE_STATUSES:
        raise documents.Conflict(
            gettext(
                "The report is %(status)s: its sections can be edited in draft or when "
                "returned by the reviewer.",
                status=Labels.status(doc.status),
            )
        )
    version = documents.get_version(engine_of(request), doc.id)
    return _editor(request, doc, version, _section_of(version, key))


def _practices(form: FormData) -> list[dict[str, str]]:
    titles, texts = form.getlist("gp_title"), form.getlist("gp_text")
    out = []
    for title, text in zip(titles, texts, strict=False):
        t = title.strip() if isinstance(title, str) else ""
        x = text.strip() if isinstance(text, str) else ""
        if t or x:
            out.append({"title": t[:500], "text": x[:20_000]})
    return out


@router.post(
    "/{lang}/reports/{doc_id}/sections/{key}/edit",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def section_edit_post(request: Request, lang: str, doc_id: int, key: str) -> Response:
    check_lang(lang)
    user = signed_in(request)
    engine = engine_of(request)
    doc = await run_in_threadpool(load_report, request, doc_id)
    permissions.require(user, "report.edit", doc)
    form = await form_of(request)
    narrative = text_field(form, "narrative").replace("\r\n", "\n")
    series = [s[:64] for s in form.getlist("series") if isinstance(s, str) and s][:50]
    practices = _practices(form)
    note = text_field(form, "note", 2000).strip()
    base = int_or_none(text_field(form, "base_version", 9))
    try:
        if base is None:
            raise DataError(gettext("The form lost its version number; open the editor again."))
        await run_in_threadpool(
            lambda: documents.save_section(
                engine,
                user,
                doc.id,
                key,
                base_version=base,
                narrative=narrative,
                good_practices=practices,
                indicator_series=series,
                note=note or None,
            )
        )
    except documents.Conflict as exc:
        current = await run_in_threadpool(documents.get_version, engine, doc.id)
        doc = await run_in_threadpool(load_report, request, doc_id)
        section = _section_of(current, key)
        return _editor(
            request,
            doc,
            current,
            section,
            status=409,
            narrative=narrative,
            series=series,
            practices=practices,
            note=note,
            error=str(exc),
            conflict={"version": current.number, "narrative": section.narrative, "base": base},
        )
    except DataError as exc:
        current = await run_in_threadpool(documents.get_version, engine, doc.id, base)
        return _editor(
            request,
            doc,
            current,
            _section_of(current, key),
            status=422,
            narrative=narrative,
            series=series,
            practices=practices,
            note=note,
            error=str(exc),
        )
    written(request)
    return see_other(f"/{lang}/reports/{doc.id}#section-{key}")


# --------------------------------------------------------------------------- review


@router.get("/{lang}/reports/{doc_id}/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, lang: str, doc_id: int) -> HTMLResponse:
    check_lang(lang)
    user = signed_in(request)
    engine = engine_of(request)
    doc = load_report(request, doc_id)
    permissions.require(user, "report.review", doc)
    version = documents.get_version(engine, doc.id)
    by_section: dict[str | None, list[Any]] = {}
    for note in documents.comments(engine, doc.id):
        by_section.setdefault(note.section_key, []).append(note)
    return render(
        request,
        "review.html",
        cache_seconds=0,
        doc=doc,
        version=version,
        comments=by_section,
        steps=workflow_steps(user, doc),
        may_comment=doc.status == "in_review",
        **base_context(),
    )


@router.post(
    "/{lang}/reports/{doc_id}/comments",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def comment_post(request: Request, lang: str, doc_id: int) -> Response:
    check_lang(lang)
    user = signed_in(request)
    form = await form_of(request)
    body = text_field(form, "body", 20_000).strip()
    key = text_field(form, "section_key", 64) or None
    if not body:
        raise ApiError(
            422,
            gettext("The comment is empty: write it in the box, then send it."),
            where="form.body",
        )
    await run_in_threadpool(
        lambda: documents.add_comment(engine_of(request), user, doc_id, body, section_key=key)
    )
    written(request)
    anchor = f"#review-{key}" if key else ""
    return see_other(f"/{lang}/reports/{doc_id}/review{anchor}")


# --------------------------------------------------------------------------- diff


@router.get("/{lang}/reports/{doc_id}/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(
    request: Request,
    lang: str,
    doc_id: int,
    from_: Annotated[str | None, Query(alias="from", max_length=9)] = None,
    to: Annotated[str | None, Query(max_length=9)] = None,
    against: Annotated[str | None, Query(max_length=9)] = None,
) -> HTMLResponse:
    """Version ``from`` → ``to`` of the report, or version ``from`` of the report
    ``against`` (the previous report, for an update) → version ``to`` of this one."""
    check_lang(lang)
    engine = engine_of(request)
    user = user_of(request)
    doc = load_report(request, doc_id)
    other_id = int_or_none(against)
    other = documents.get_document(engine, other_id) if other_id is not None else None
    b = check_visible(user, doc, int_or_none(to))
    source = other or doc
    default_a = (
        (other.published_version or other.current_version) if other is not None else max(b - 1, 1)
    )
    a = check_visible(user, source, int_or_none(from_) or default_a)
    sections = documents.diff_versions(engine, doc.id, a, b, other_document_id=other_id)
    return render(
        request,
        "diff.html",
        doc=doc,
        other=other,
        a=a,
        b=b,
        sections=sections,
        versions=documents.list_versions(engine, doc.id) if readable(user, doc) else [],
        query=None,
        link=lambda **params: f"/{lang}/reports/{doc.id}/diff?{urlencode(params)}",
        **base_context(),
    )
