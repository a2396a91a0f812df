"""What every page shares: the Jinja environment, the language of the request, names of
catalogue items and areas in that language, and small renderers (sparklines, numbers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any
from urllib.parse import urlencode

import orjson
from babel.numbers import format_decimal
from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

__all__ = [
    "STATUS_COLOURS",
    "area_name",
    "check_lang",
    "env",
    "fmt",
    "indicator_name",
    "render",
    "sparkline",
    "store_of",
    "target_title",
]

# Status colours (unsd-2024 codes and the other methods' codes mapped onto five bands),
# chosen to keep WCAG AA contrast with the text drawn on them.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "target_met": ("#1a7f37", "#ffffff"),
    "substantial_progress": ("#1a7f37", "#ffffff"),
    "on_track": ("#1a7f37", "#ffffff"),
    "fair_progress": ("#9be9a8", "#0b2e13"),
    "moderate_progress": ("#9be9a8", "#0b2e13"),
    "marginal_progress": ("#f4d35e", "#3a2c00"),
    "limited_progress": ("#f4d35e", "#3a2c00"),
    "stagnation": ("#f08c00", "#1f1300"),
    "regression": ("#c92a2a", "#ffffff"),
    "deterioration": ("#c92a2a", "#ffffff"),
    "insufficient_data": ("#e9ecef", "#212529"),
}


def status_style(code: str | None) -> str:
    bg, fg = STATUS_COLOURS.get(code or "", ("#e9ecef", "#212529"))
    return f"background:{bg};color:{fg}"


def fmt(value: Any, digits: int = 1) -> str:
    """A number in the request's language ('48.98', '48,98'), or an en dash."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    lang = i18n.current()
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(number, format=pattern, locale=lang)


def sparkline(values: Sequence[tuple[int, float]], label: str, width: int = 96) -> Markup:
    """A small inline SVG line of (year, value) pairs with a text alternative."""
    pts = [(int(y), float(v)) for y, v in values if v is not None and not math.isnan(float(v))]
    title = escape(label)
    if len(pts) < 2:
        return Markup(f'<span class="spark-none">{title}</span>')
    height, pad = 24, 2
    x0, x1 = pts[0][0], pts[-1][0]
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    span_x = (x1 - x0) or 1
    span_y = (hi - lo) or 1.0

    def xy(year: int, value: float) -> str:
        x = pad + (year - x0) / span_x * (width - 2 * pad)
        y = height - pad - (value - lo) / span_y * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    path = " ".join(xy(y, v) for y, v in pts)
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{path}"/></svg>'
    )


def to_json(value: Any) -> Markup:
    """JSON safe to put inside a ``<script type="application/json">`` element."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@cache
def env() -> Environment:
    environment = Environment(
        loader=PackageLoader("urbanagenda.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.template_gettext, i18n.template_ngettext, newstyle=True
    )
    environment.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        fmt=fmt,
        sparkline=sparkline,
        status_style=status_style,
        to_json=to_json,
        urlencode=urlencode,
    )
    return environment


def check_lang(lang: str) -> str:
    if lang not in i18n.LANGUAGES:
        raise ApiError(
            404,
            f"no pages in language {lang!r}; the languages are {', '.join(i18n.LANGUAGES)}",
        )
    i18n.use(lang)
    return lang


def store_of(request: Request) -> WebStore:
    return request.app.state.store  # type: ignore[no-any-return]


def indicator_name(store: WebStore, code: str, lang: str) -> str:
    names = i18n.catalogue_names(lang).get("indicator", {})
    ind = store.catalogue.indicators.get(code)
    return names.get(code) or (ind.name if ind else code)


def target_title(store: WebStore, code: str, lang: str) -> str:
    names = i18n.catalogue_names(lang).get("target", {})
    target = store.catalogue.targets.get(code)
    return names.get(code) or (target.title if target else code)


def series_name(store: WebStore, code: str, lang: str) -> str:
    names = i18n.catalogue_names(lang).get("series", {})
    series = store.catalogue.series.get(code)
    return names.get(code) or (series.name if series else code)


def area_name(store: WebStore, code: str, lang: str) -> str:
    return store.area_names(lang).get(code, code)


def render(
    request: Request, template: str, *, status: int = 200, cache_seconds: int = 60, **context: Any
) -> HTMLResponse:
    lang = i18n.current()
    path = request.url.path
    # the same page in the other languages, for the switcher
    rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
    query = f"?{request.url.query}" if request.url.query else ""
    switch = {code: f"/{code}/{rest}{query}" for code in i18n.LANGUAGES}
    store = store_of(request)
    user, csrf = None, None
    if request.cookies or request.headers.get("authorization"):
        from urbanagenda.web import auth

        user, csrf = auth.current_user(request), auth.csrf_token(request)
    html = (
        env()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            rtl=lang in i18n.RTL,
            switch=switch,
            store=store,
            area_name=lambda code: area_name(store, code, lang),
            indicator_name=lambda code: indicator_name(store, code, lang),
            target_title=lambda code: target_title(store, code, lang),
            series_name=lambda code: series_name(store, code, lang),
            user=user,
            csrf_token=csrf,
            **context,
        )
    )
    headers = {"Cache-Control": f"public, max-age={cache_seconds}", "Content-Language": lang}
    if user is not None:
        # a page drawn for a signed-in user (their name, their drafts) is theirs alone
        headers["Cache-Control"] = "private, no-store"
    headers["Vary"] = "Cookie"
    return HTMLResponse(html, status_code=status, headers=headers)
