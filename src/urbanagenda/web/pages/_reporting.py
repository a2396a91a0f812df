"""What the reporting pages share (:mod:`.reports`, :mod:`.report_edit`, :mod:`.vlrs`,
:mod:`.account`, :mod:`.search`): the platform's codes in the request language, the
workflow steps a user may take, and the helpers of forms, redirects and visibility.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse

from urbanagenda.reporting import documents, permissions
from urbanagenda.reporting.model import Document, Section, User

# the API package before web.auth, which imports web.api.common (whose package imports
# the API modules, which import web.auth): this order keeps the cycle harmless
from urbanagenda.web import api, auth  # noqa: F401
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import store_of

__all__ = [
    "MAX_FORM_FIELDS",
    "MAX_FORM_FILES",
    "TOPOJSON",
    "WORKFLOW",
    "Labels",
    "attachments_of",
    "base_context",
    "check_visible",
    "countries",
    "datetime_text",
    "engine_of",
    "file_field",
    "form_of",
    "int_or_none",
    "load_report",
    "readable",
    "safe_local",
    "section_title",
    "see_other",
    "signed_in",
    "step_label",
    "template_section",
    "text_field",
    "user_of",
    "workflow_steps",
    "written",
]

TOPOJSON = "/static/vendor/countries-110m.json"
MAX_FORM_FIELDS = 400
MAX_FORM_FILES = 4


# --------------------------------------------------------------------------- labels


class Labels:
    """The reporting platform's codes in the request language (gettext messages, so that
    ``scripts/i18n.sh`` extracts them)."""

    @staticmethod
    def status(code: str | None) -> str:
        names = {
            "draft": gettext("Draft"),
            "submitted": gettext("Submitted"),
            "in_review": gettext("In review"),
            "returned": gettext("Returned"),
            "published": gettext("Published"),
            "withdrawn": gettext("Withdrawn"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def modality(code: str | None) -> str:
        names = {
            "new": gettext("New report"),
            "update": gettext("Update of the previous report"),
            "national_urban_forum": gettext("From a national urban forum"),
            "vnr": gettext("From a Voluntary National Review"),
            "vlrs": gettext("From the country's Voluntary Local Reviews"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def modality_help(code: str) -> str:
        helps = {
            "new": gettext("Start from the empty template of the reporting guidelines (May 2024)."),
            "update": gettext(
                "Start from the last published report of the country: its text, good "
                "practices and indicators are copied for you to update, and the changes "
                "are shown against it."
            ),
            "national_urban_forum": gettext(
                "Paste or upload the outcome document of a national urban forum: its "
                "passages go to the sections they speak of, each citing its source."
            ),
            "vnr": gettext(
                "Paste or upload the country's Voluntary National Review: its passages on "
                "cities go to the matching sections, each citing its source."
            ),
            "vlrs": gettext(
                "Start from the Voluntary Local Reviews of the country's cities registered "
                "here: their passages and the cities' indicators pre-fill the sections."
            ),
        }
        return helps.get(code, "")

    @staticmethod
    def role(code: str | None) -> str:
        names = {
            "administrator": gettext("Administrator"),
            "reviewer": gettext("Reviewer"),
            "national_focal_point": gettext("National focal point"),
            "local_focal_point": gettext("Local focal point"),
        }
        return names.get(code or "", code or gettext("Public"))

    @staticmethod
    def kind(code: str | None) -> str:
        names = {
            "national_report": gettext("National report"),
            "vlr": gettext("Voluntary Local Review"),
            "reference": gettext("Reference document"),
        }
        return names.get(code or "", code or "")

    @staticmethod
    def action(code: str | None) -> str:
        names = {
            "create": gettext("created"),
            "edit": gettext("edited"),
            "submit": gettext("submitted"),
            "start_review": gettext("started the review"),
            "comment": gettext("commented"),
            "return": gettext("returned"),
            "publish": gettext("published"),
            "withdraw": gettext("withdrew"),
            "attach": gettext("attached a file"),
            "register": gettext("registered"),
        }
        return names.get(code or "", (code or "").replace("_", " "))

    @staticmethod
    def level(code: str | None) -> str:
        names = {"local": gettext("Local government"), "regional": gettext("Regional government")}
        return names.get(code or "", code or "")

    @staticmethod
    def section(section: Section | Any) -> str:
        return section_title(getattr(section, "key", ""), getattr(section, "title", ""))


def section_title(key: str, english: str) -> str:
    """A template section's title in the request language (English where none)."""
    titles = {
        "introduction": gettext("Introduction and reporting process"),
        "social_inclusion": gettext(
            "Sustainable urban development for social inclusion and ending poverty"
        ),
        "urban_prosperity": gettext(
            "Sustainable and inclusive urban prosperity and opportunities for all"
        ),
        "environmental_resilience": gettext(
            "Environmentally sustainable and resilient urban development"
        ),
        "urban_governance": gettext(
            "Building the urban governance structure: establishing a supportive framework"
        ),
        "spatial_development": gettext("Planning and managing urban spatial development"),
        "means_of_implementation": gettext("Means of implementation"),
        "follow_up_review": gettext("Follow-up and review"),
        "indicator_annex": gettext("Indicator annex"),
    }
    # a title the template changed is shown as the template writes it, not with an old
    # translation
    if key in titles and english and english != _ENGLISH_TITLES.get(key, english):
        return english
    return titles.get(key) or english or key


_ENGLISH_TITLES = {
    "introduction": "Introduction and reporting process",
    "social_inclusion": "Sustainable urban development for social inclusion and ending poverty",
    "urban_prosperity": "Sustainable and inclusive urban prosperity and opportunities for all",
    "environmental_resilience": "Environmentally sustainable and resilient urban development",
    "urban_governance": (
        "Building the urban governance structure: establishing a supportive framework"
    ),
    "spatial_development": "Planning and managing urban spatial development",
    "means_of_implementation": "Means of implementation",
    "follow_up_review": "Follow-up and review",
    "indicator_annex": "Indicator annex",
}

#: The workflow steps a page offers, in the order of the buttons.
WORKFLOW = ("submit", "start_review", "return", "publish", "withdraw")
_FROM = {
    "submit": ("draft", "returned"),
    "start_review": ("submitted",),
    "return": ("in_review",),
    "publish": ("in_review",),
    "withdraw": ("draft", "returned", "published"),
}
_ACTION_RIGHT = {
    "submit": "report.submit",
    "start_review": "report.review",
    "return": "report.review",
    "publish": "report.review",
    "withdraw": "report.withdraw",
}


def step_label(action: str) -> str:
    names = {
        "submit": gettext("Submit for review"),
        "start_review": gettext("Start the review"),
        "return": gettext("Return to the focal point"),
        "publish": gettext("Publish"),
        "withdraw": gettext("Withdraw"),
    }
    return names[action]


def workflow_steps(user: User | None, doc: Document) -> list[str]:
    """The steps ``user`` may take on ``doc`` now."""
    right = {"national_report": "report", "vlr": "vlr"}.get(doc.kind)
    if right is None:
        return []
    return [
        a
        for a in WORKFLOW
        if doc.status in _FROM[a]
        and (
            permissions.can(user, _ACTION_RIGHT[a], doc)
            if right == "report"
            else a == "withdraw" and permissions.can(user, "vlr.withdraw", doc)
        )
    ]


# --------------------------------------------------------------------------- helpers


def engine_of(request: Request) -> Any:
    return store_of(request).engine


def user_of(request: Request) -> User | None:
    return auth.current_user(request)


def signed_in(request: Request) -> User:
    """The user, or the sign-in page (``Unauthenticated`` is a redirect for pages)."""
    user = user_of(request)
    if user is None:
        raise permissions.Unauthenticated(gettext("Sign in to use this page."))
    return user


async def form_of(request: Request) -> FormData:
    return await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS)


def text_field(form: FormData, name: str, limit: int = 200_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def file_field(form: FormData, name: str) -> tuple[str, bytes] | None:
    """The uploaded file ``name`` as (name, bytes), or None."""
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        data = await value.read()
        if data:
            return value.filename, data
    return None


def int_or_none(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def written(request: Request) -> None:
    """After a change: the next page (and the shared cache) sees it at once."""
    store_of(request).invalidate()


def safe_local(url: str | None, default: str) -> str:
    """``url`` when it is a path of this site (``/en/reports``), else ``default``: never
    an absolute (``https://evil``), protocol-relative (``//evil``) or backslashed address."""
    text = (url or "").strip()
    if (
        not text.startswith("/")
        or text.startswith(("//", "/\\"))
        or "\\" in text
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
        or len(text) > 2000
    ):
        return default
    return text


def countries(request: Request, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, by name in ``lang``."""
    store = store_of(request)
    names = store.area_names(lang)
    codes = [c for c, k in store.area_kinds().items() if k == "country"]
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda p: p[1])


def load_report(request: Request, doc_id: int) -> Document:
    doc = documents.get_document(engine_of(request), doc_id)
    return doc


def readable(user: User | None, doc: Document) -> bool:
    """Whether ``user`` reads every version of ``doc`` (drafts, reviews, audit log)."""
    if doc.kind == "vlr":
        return permissions.can(user, "vlr.edit", doc)
    return permissions.can(user, "report.read", doc)


def check_visible(user: User | None, doc: Document, number: int | None) -> int:
    """The version number ``user`` sees (``number`` or the default one), or 401/403."""
    if readable(user, doc):
        return number or doc.current_version
    if doc.published_version is not None and number in (None, doc.published_version):
        return doc.published_version
    if user is None:
        raise permissions.Unauthenticated(gettext("Sign in to read this version."))
    raise permissions.Forbidden(
        gettext("Only the published version of this report is open to you.")
    )


def template_section(doc: Document, key: str) -> Any:
    """The template's section ``key`` (guidance, targets, suggested series), or None."""
    from urbanagenda.reporting.template import CURRENT_TEMPLATE, load_template

    try:
        template = load_template(doc.template_version or CURRENT_TEMPLATE)
    except Exception:  # an unknown template version: the page still shows the report
        return None
    return next((s for s in template.sections if s.key == key), None)


def base_context() -> dict[str, Any]:
    from urbanagenda.reporting.markdown import render_markdown

    return {
        "labels": Labels,
        "markdown": render_markdown,
        "step_label": step_label,
        "datetime_text": datetime_text,
    }


def datetime_text(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def attachments_of(request: Request, doc: Document) -> list[Any]:
    from urbanagenda.reporting import vlrs

    try:
        return vlrs.list_attachments(engine_of(request), doc.id)
    except NotImplementedError:  # pragma: no cover - while the module is a stub
        return []
