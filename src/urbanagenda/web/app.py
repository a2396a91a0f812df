"""The web platform: the API under ``/api/v1`` and the pages under ``/{lang}/``."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda import __version__
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import install_error_handlers
from urbanagenda.web.httpcache import ResponseCache
from urbanagenda.web.security import SecurityHeaders
from urbanagenda.web.settings import WebSettings

__all__ = ["create_app"]

log = logging.getLogger("urbanagenda.web")


def _render_page_error(request: Request, status: int, message: str) -> Response:
    from urbanagenda.web.pages.common import render

    parts = request.url.path.split("/")
    lang = parts[1] if len(parts) > 1 and parts[1] in i18n.LANGUAGES else i18n.DEFAULT
    i18n.use(lang)
    try:
        return render(request, "error.html", status=status, cache_seconds=0,
                      status_code=status, message=message)  # fmt: skip
    except Exception:  # the error page must not fail in turn
        log.exception("cannot render the error page")
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)


class _Static(StaticFiles):
    """Static files that browsers (and the response cache) may keep for a while."""

    max_age = 600  # the vendored bundles change only with a release; ETags revalidate after

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        if response.status_code in (200, 304):
            response.headers.setdefault("Cache-Control", f"public, max-age={self.max_age}")
        return response


def _preferred_language(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in i18n.LANGUAGES:
            return code
    return i18n.DEFAULT


def _warm(store: WebStore) -> None:
    """Compute the slow, method-free part of the home page before the first visitor."""
    from urbanagenda.web.pages.home import DEFAULT_METHOD, progress

    try:
        progress(store, DEFAULT_METHOD, "en")
    except Exception:  # a broken store shows on the pages; the server still starts
        log.exception("could not prepare the progress overview")
    # What start-up built (catalogue, areas, pandas, templates: ~150,000 objects) lives as
    # long as the server: out of the collector's sight, a full collection takes microseconds
    # instead of ~100 ms, a pause every request in flight would wait for (the p99 latency).
    gc.collect()
    gc.freeze()


def create_app(
    database: str | None = None, settings: WebSettings | None = None, *, warm: bool = True
) -> FastAPI:
    """The ASGI application on the store at ``database`` (default: the embedded SQLite file
    or ``URBANAGENDA_DATABASE_URL``)."""
    from urbanagenda.store.engine import open_engine
    from urbanagenda.web import api, auth, pages

    settings = settings or WebSettings.from_env(database)
    engine = open_engine(settings.database)
    store = WebStore(engine, cache_size=settings.response_cache)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm, args=(store,), daemon=True).start()
        yield
        engine.dispose()

    app = FastAPI(
        title="urbanagenda API",
        version=__version__,
        description="SDG 11 and New Urban Agenda data, progress assessments and aggregates. "
        'Every error has the shape `{"error": {status, code, message, details}}`.',
        debug=False,  # tracebacks go to the log, never to clients
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="urbanagenda API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
        # the documentation is in English: say so (WCAG 3.1.1, axe html-has-lang)
        html = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
        # accessibility fixes of Swagger UI's own markup (static/docs.css, static/docs.js)
        html = html.replace(
            b"</head>",
            b'<link rel="stylesheet" href="/static/docs.css">'
            b'<script src="/static/docs.js" defer></script></head>',
            1,
        )
        return HTMLResponse(html)

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/{_preferred_language(request)}/", status_code=307)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> Response:
        return Response(b"ok", media_type="text/plain", headers={"Cache-Control": "no-store"})

    static = resources.files("urbanagenda.web").joinpath("static")
    app.mount("/static", _Static(directory=str(static)), name="static")
    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    install_error_handlers(app, _render_page_error)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]
    if settings.response_cache > 0:
        # outermost: a hit replays the stored answer, security headers included
        app.add_middleware(
            ResponseCache,  # type: ignore[arg-type]
            version=store.cache_version,
            size=settings.response_cache,
        )
    return app
