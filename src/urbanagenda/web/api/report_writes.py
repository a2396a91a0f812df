"""``/api/v1/reports``, the writes: start a national report (from nothing, the previous
report, the VLRs or an uploaded source document), save sections, the review workflow,
comments and attachments.  The reads are :mod:`.reports`.

Who may do what is :mod:`urbanagenda.reporting.permissions`: every route needs a signed-in
user (a session cookie with the CSRF header, or an API token) and asks the policy before
calling the reporting functions, which ask it again.  No write is ever cached.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.reporting import documents, modalities, permissions
from urbanagenda.reporting.model import MODALITIES, Document
from urbanagenda.web.api import reports
from urbanagenda.web.api._reporting import (
    UPLOAD_ERRORS,
    WRITE_ERRORS,
    AttachmentOut,
    DocumentOut,
    Writer,
    answer,
    attach,
    attach_form,
    country_code,
    data_model,
    document_json,
    document_url,
    engine_of,
    multipart_body,
    read_form,
    refuse_other_methods,
    written,
)
from urbanagenda.web.api.common import Lang
from urbanagenda.web.api.reports import (
    PAGE_LANGS,
    REPORT_ID,
    CommentOut,
    VersionOut,
    comment_json,
    national_report,
    version_json,
)
from urbanagenda.web.errors import ApiError

__all__ = ["TRANSITION_ACTIONS", "router"]

router = APIRouter(tags=["reports"])


# -- shapes (OpenAPI) ----------------------------------------------------------------------------


class ReportIn(BaseModel):
    """A new national report (a draft, pre-filled according to the modality)."""

    model_config = ConfigDict(extra="forbid")
    country: str = Field(pattern=r"^[A-Za-z0-9]{2,3}$", examples=["566", "NGA"])
    year: int = Field(ge=2016, le=2100, examples=[2026])
    title: str | None = Field(None, min_length=1, max_length=300)
    modality: Literal["new", "update", "national_urban_forum", "vnr", "vlrs"] = "new"
    language: Lang = "en"
    source_text: str | None = Field(
        None, max_length=2_000_000,
        description="for `national_urban_forum` and `vnr`: the source document's text",
    )  # fmt: skip


class GoodPractice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    text: str = Field("", max_length=20_000)


class SectionIn(BaseModel):
    """A section's new content; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")
    base_version: int = Field(ge=1, description="the version the edit starts from (409 if "
                              "someone saved a newer one meanwhile)")  # fmt: skip
    narrative: str | None = Field(None, max_length=200_000, description="Markdown")
    good_practices: list[GoodPractice] | None = Field(None, max_length=50)
    indicator_series: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,64}$")]] | None = Field(
        None, max_length=100, description="series codes; values are frozen from the store"
    )
    attachments: list[int] | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=2000)


Action = Literal["submit", "start_review", "return", "publish", "withdraw"]
#: The policy action each workflow step needs.
TRANSITION_ACTIONS: dict[str, str] = {
    "submit": "report.submit",
    "start_review": "report.review",
    "return": "report.review",
    "publish": "report.review",
    "withdraw": "report.withdraw",
}


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    note: str | None = Field(None, max_length=5000)


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)
    section_key: str | None = Field(None, pattern=r"^[a-z0-9_]{1,64}$")


# -- writes --------------------------------------------------------------------------------------


def _created(request: Request, doc: Document) -> Response:
    return written(request, {"data": document_json(doc)}, 201, location=document_url(doc))


@router.post(
    "/reports",
    summary="Start a national report",
    status_code=201,
    responses={**WRITE_ERRORS, **answer(data_model("ReportCreated", DocumentOut), "Created", 201)},
)
async def create_report(request: Request, user: Writer, body: ReportIn) -> Response:
    """A new draft for the country, in one of the 2024 modalities: ``new`` (the template's
    empty sections), ``update`` (pre-filled from the country's last published report),
    ``vlrs`` (from the country's Voluntary Local Reviews), ``national_urban_forum`` or
    ``vnr`` (from ``source_text``; to upload the PDF/DOCX use ``POST /reports/start``)."""
    engine = engine_of(request)
    code = country_code(request, body.country, "body.country")
    permissions.require(user, "report.create", country_code=code)
    doc = await run_in_threadpool(
        lambda: modalities.start_report(
            engine, user, country_code=code, year=body.year, modality=body.modality,
            title=body.title, language=body.language, source_text=body.source_text,
        )
    )  # fmt: skip
    return _created(request, doc)


_START_FIELDS = ("country", "year", "modality", "title", "language", "source_text")


@router.post(
    "/reports/start",
    summary="Start a national report from an uploaded source document",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("ReportStarted", DocumentOut), "Created", 201)},
    openapi_extra=multipart_body(
        {
            "country": {"type": "string", "example": "566"},
            "year": {"type": "integer", "example": 2026},
            "modality": {"type": "string", "enum": list(MODALITIES)},
            "title": {"type": "string"},
            "language": {"type": "string", "enum": list(PAGE_LANGS)},
            "source_text": {"type": "string"},
            "file": {
                "type": "string",
                "format": "binary",
                "description": "the forum outcome or VNR, PDF or DOCX",
            },
        },
        ["country", "year", "modality"],
    ),
)
async def start_report_upload(request: Request, user: Writer) -> Response:
    """Like ``POST /reports``, as a form with the source document (a national urban forum
    outcome or a Voluntary National Review, PDF or DOCX) in ``file``."""
    engine = engine_of(request)
    values, file = await read_form(request, fields=_START_FIELDS)
    for name in ("country", "year", "modality"):
        if not values.get(name):
            raise ApiError(422, f"field {name!r} is missing", where=f"body.{name}",
                           fix=f"add -F {name}=…")  # fmt: skip
    try:
        body = ReportIn(**{k: v for k, v in values.items() if v != ""})
    except Exception as exc:  # pydantic's ValidationError: name the first field at fault
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        first = exc.errors()[0]
        where = "body." + ".".join(str(p) for p in first["loc"])
        raise ApiError(422, f"invalid {where}: {first['msg']}", where=where,
                       fix="see the form's fields at /docs") from exc  # fmt: skip
    code = country_code(request, body.country, "body.country")
    permissions.require(user, "report.create", country_code=code)
    doc = await run_in_threadpool(
        lambda: modalities.start_report(
            engine, user, country_code=code, year=body.year, modality=body.modality,
            title=body.title, language=body.language, source_file=file,
            source_text=body.source_text,
        )
    )  # fmt: skip
    return _created(request, doc)


@router.put(
    "/reports/{report_id}/sections/{key}",
    summary="Save a section (a new version)",
    responses={**WRITE_ERRORS, **answer(data_model("SectionSaved", VersionOut))},
)
async def save_section(
    request: Request,
    user: Writer,
    report_id: Annotated[int, REPORT_ID],
    key: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$", description="the section's key")],
    body: SectionIn,
) -> Response:
    """A new version with this section changed (the others as in ``base_version``);
    ``409`` when ``base_version`` is no longer the current version: someone saved meanwhile,
    and nothing is overwritten — reload, merge and save again."""
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, "report.edit", doc)
    version = await run_in_threadpool(
        lambda: documents.save_section(
            engine, user, doc.id, key, base_version=body.base_version,
            narrative=body.narrative,
            good_practices=(None if body.good_practices is None
                            else [g.model_dump() for g in body.good_practices]),
            indicator_series=body.indicator_series, attachments=body.attachments,
            note=body.note,
        )
    )  # fmt: skip
    return written(request, {"data": version_json(version)})


@router.post(
    "/reports/{report_id}/transitions",
    summary="A workflow step: submit, start_review, return, publish, withdraw",
    responses={**WRITE_ERRORS, **answer(data_model("Transitioned", DocumentOut))},
)
async def transition(
    request: Request, user: Writer, report_id: Annotated[int, REPORT_ID], body: TransitionIn
) -> Response:
    """``submit`` (the country's focal point), ``start_review``, ``return``, ``publish`` (a
    reviewer), ``withdraw`` (the focal point); ``409`` when the report's status does not
    allow the step."""
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, TRANSITION_ACTIONS[body.action], doc)
    doc = await run_in_threadpool(
        lambda: documents.transition(engine, user, doc.id, body.action, note=body.note)
    )
    return written(request, {"data": document_json(doc)})


@router.post(
    "/reports/{report_id}/comments",
    summary="A reviewer's comment on a report in review, or on one of its sections",
    status_code=201,
    responses={**WRITE_ERRORS, **answer(data_model("Commented", CommentOut), "Created", 201)},
)
async def add_comment(
    request: Request, user: Writer, report_id: Annotated[int, REPORT_ID], body: CommentIn
) -> Response:
    """A reviewer's comment on the version in review (``section_key`` for one section);
    the focal point reads it when the report comes back.  Reviewers and administrators."""
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, "report.review", doc)
    comment = await run_in_threadpool(
        lambda: documents.add_comment(engine, user, doc.id, body.body, section_key=body.section_key)
    )
    return written(request, {"data": comment_json(comment)}, 201)


@router.post(
    "/reports/{report_id}/attachments",
    summary="Attach a file (PDF or DOCX) to a report",
    status_code=201,
    responses={**UPLOAD_ERRORS, **answer(data_model("Attached", AttachmentOut), "Created", 201)},
    openapi_extra=attach_form(section=True),
)
async def add_report_attachment(
    request: Request, user: Writer, report_id: Annotated[int, REPORT_ID]
) -> Response:
    """The file is checked by its content (PDF or DOCX; no bombs, no path in its name) and
    its text extracted; at most 25 MiB (``413`` beyond, before the upload is read)."""
    engine = engine_of(request)
    doc = await run_in_threadpool(national_report, engine, report_id)
    permissions.require(user, "report.attach", doc)
    return await attach(request, user, doc, section=True)


# ``GET /reports`` and ``POST /reports`` (and the comments) are two routes in two modules
refuse_other_methods(router, among=reports.router)
