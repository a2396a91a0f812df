"""Who may do what: the whole authorisation policy of the reporting platform in one place.

Roles (``model.ROLES``; a visitor without an account is *public*):

* **public** reads published reports, VLRs and reference documents, and searches them;
* a **national focal point** (bound to a country) creates, edits, submits and withdraws
  the national reports of that country, and reads their drafts;
* a **local focal point** (bound to a city or local government) registers, edits and
  withdraws the VLRs of that city and adds their attachments;
* a **reviewer** reads every report, takes submitted reports into review, comments,
  returns or publishes them; a reviewer never edits a report's text;
* an **administrator** may do everything, and manages accounts.

Saving an own-source revenue analysis or a capital investment plan (``finance.save``): a
national focal point those of its country and the cities in it, a local focal point those of
its own area.  Computing one stores nothing and needs no account.

The web layer asks :func:`require` before every mutating call and the document functions
ask it again (defence in depth); the authorisation matrix test walks every role × action.
"""

from __future__ import annotations

from urbanagenda.errors import AuthError
from urbanagenda.reporting.model import Document, User

__all__ = ["ACTIONS", "Forbidden", "Unauthenticated", "can", "require"]

#: Every action the policy knows, with what it means.
ACTIONS: dict[str, str] = {
    "report.create": "start a national report (any modality)",
    "report.edit": "edit a section of a report in draft or returned",
    "report.attach": "add an attachment to a report",
    "report.submit": "submit a report for review",
    "report.review": "take a submitted report into review, comment, return or publish it",
    "report.withdraw": "withdraw a report (nothing is deleted)",
    "report.read": "read a report that is not published (drafts, reviews, audit log)",
    "vlr.create": "register a Voluntary Local Review",
    "vlr.edit": "change a VLR's metadata or add its files",
    "vlr.withdraw": "withdraw a VLR",
    "reference.create": "add a reference document to the library",
    "users.manage": "add, list and disable accounts",
    "finance.save": "save an own-source revenue analysis or a capital investment plan",
}


class Forbidden(AuthError):
    """The user is known but may not do this (HTTP 403)."""


class Unauthenticated(AuthError):
    """The request carries no valid session or token (HTTP 401)."""


def _country_of(doc: Document | None, country_code: str | None) -> str | None:
    return doc.country_code if doc is not None else country_code


def _area_of(doc: Document | None, area_code: str | None) -> str | None:
    return doc.area_code if doc is not None else area_code


def can(
    user: User | None,
    action: str,
    document: Document | None = None,
    *,
    country_code: str | None = None,
    area_code: str | None = None,
) -> bool:
    """Whether ``user`` (``None``: a public visitor) may do ``action``.

    ``document`` is the document acted on; for a creation, pass the ``country_code`` (a
    national report) or ``area_code`` (a VLR) it would have.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; the actions are {', '.join(ACTIONS)}")
    if user is None or not user.active:
        return False
    role = user.role
    if role == "administrator":
        return True
    if action in ("users.manage", "reference.create"):
        return False
    if action == "finance.save":  # area_code: the city or country; country_code: its country
        if user.area_code is None:
            return False
        if role == "national_focal_point":
            return country_code == user.area_code
        return role == "local_focal_point" and area_code == user.area_code
    kind = document.kind if document is not None else None
    if role == "reviewer":
        if action == "report.review" or action == "report.read":
            return kind in (None, "national_report")
        return False
    if role == "national_focal_point":
        if not action.startswith("report.") or action == "report.review":
            return False
        if kind not in (None, "national_report"):
            return False
        return user.area_code is not None and _country_of(document, country_code) == user.area_code
    if role == "local_focal_point":
        if not action.startswith("vlr."):
            return False
        if kind not in (None, "vlr"):
            return False
        return user.area_code is not None and _area_of(document, area_code) == user.area_code
    return False


def require(
    user: User | None,
    action: str,
    document: Document | None = None,
    *,
    country_code: str | None = None,
    area_code: str | None = None,
) -> None:
    """Raise :class:`Unauthenticated` (no user) or :class:`Forbidden` unless :func:`can`."""
    if can(user, action, document, country_code=country_code, area_code=area_code):
        return
    if user is None:
        raise Unauthenticated(
            f"{ACTIONS.get(action, action)}: sign in first (a session or an API token)."
        )
    where = ""
    if document is not None:
        where = f" on {document.kind.replace('_', ' ')} {document.id} ({document.title!r})"
    bound = f" bound to {user.area_code}" if user.area_code else ""
    raise Forbidden(
        f"{user.username} ({user.role.replace('_', ' ')}{bound}) may not "
        f"{ACTIONS.get(action, action)}{where}. Ask an administrator if your role should allow it."
    )
