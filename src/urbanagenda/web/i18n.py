"""Interface languages: the six UN languages, gettext catalogues compiled with Babel.

Messages live in ``locale/<lang>/LC_MESSAGES/messages.po`` (extracted from the templates and
the code with ``pybabel extract -F babel.cfg``); they are compiled in memory when the
application starts, so there is no build step and no stale ``.mo`` file.  The names of the
SDG targets and indicators in each language are kept beside them in
``locale/<lang>/catalogue.yaml`` (sections ``goal``, ``target``, ``indicator``, ``series``,
``status`` keyed ``<method>.<status code>``, ``reason``, and ``area``: the world, SDG and M49
regions and country groups, which the store's OCHA taxonomy names in English only, and
``unit``); the other area names come from the store (OCHA taxonomy).  ``scripts/i18n.sh``
updates the catalogues; docs/translating.md says how to translate.

The language of a request is the first path segment (``/fr/indicator/11.1.1``); templates
call ``_()``/``gettext()``, which read it from a context variable.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "RTL",
    "Language",
    "catalogue_names",
    "current",
    "gettext",
    "ngettext",
    "reason_label",
    "status_label",
    "translations",
    "use",
]


@dataclass(frozen=True)
class Language:
    code: str
    native: str  # the language's name in itself, for the switcher
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("ar", "العربية", rtl=True),
        Language("zh", "中文"),
        Language("en", "English"),
        Language("fr", "Français"),
        Language("ru", "Русский"),
        Language("es", "Español"),
    )
}
DEFAULT = "en"
RTL = frozenset(code for code, lang in LANGUAGES.items() if lang.rtl)

_current: ContextVar[str] = ContextVar("urbanagenda_language", default=DEFAULT)


def _locale_dir() -> Any:
    return resources.files("urbanagenda.web").joinpath("locale")


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled message catalogue of a language (English: the messages themselves)."""
    po = _locale_dir().joinpath(lang, "LC_MESSAGES", "messages.po")
    if lang == DEFAULT or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def catalogue_names(lang: str) -> dict[str, dict[str, str]]:
    """Names of goals, targets and indicators in a language: ``{"target": {"11.1": ...}}``.

    Missing entries fall back to English in the callers."""
    from urbanagenda.model.catalogue import translated_names

    return translated_names(lang)


def use(lang: str) -> None:
    """Make ``lang`` the language of the current request."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def gettext(message: str, **variables: Any) -> str:
    text = translations(_current.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(_current.get()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def template_gettext(message: str) -> str:
    """For Jinja's new-style gettext, which fills in the variables itself."""
    return translations(_current.get()).ugettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    """For Jinja's new-style ngettext: the form for ``n``, unformatted (Jinja formats it
    with ``num`` and every other variable of the call)."""
    return translations(_current.get()).ungettext(singular, plural, n)


def _name(lang: str, section: str, key: str) -> str | None:
    """``key`` of ``section`` in ``lang``, else in English, else None."""
    for code in (lang, DEFAULT):
        name = catalogue_names(code).get(section, {}).get(key)
        if name:
            return name
    return None


def status_label(method: str, code: str | None, lang: str, *, no_target: bool = False) -> str:
    """The label of an assessment status in ``lang``: ``status_label("unsd-2024", "met", "fr")``.

    Labels depend on the method (``met`` is "Target met or almost met" in unsd-2024 but "Target
    met or on track" in unsd-2023); ``no_target`` picks the method's label for a series without
    a numeric target where it has one.  Falls back to English, then to the code itself."""
    if not code:
        return ""
    keys = [f"{method}.{code}.no_target"] if no_target else []
    keys += [f"{method}.{code}", code]
    for key in keys:
        name = _name(lang, "status", key)
        if name:
            return name
    return code.replace("_", " ")


def reason_label(code: str | None, lang: str) -> str:
    """Why a status could not be given (``reason`` code of the assessment), in ``lang``."""
    if not code:
        return ""
    return _name(lang, "reason", code) or code.replace("_", " ")
