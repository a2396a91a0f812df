"""Security headers on every response (a plain ASGI middleware, cheap on the hot path).

Pages load scripts, styles, images and data from this origin only; charts run Vega's
CSP-compliant expression interpreter, so no ``unsafe-eval`` is needed.  ``style-src``
allows inline ``style`` attributes, which Vega's SVG output uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["CSP", "SecurityHeaders"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]
# The interactive API documentation needs its own scripts and inline bootstrap.
_DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


_DOCS_HEADERS = [
    (key, _DOCS_CSP if key == b"content-security-policy" else value) for key, value in _HEADERS
]
_NAMES = frozenset(key for key, _ in _HEADERS)


class SecurityHeaders:
    """Adds the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _DOCS_HEADERS if scope.get("path", "").startswith("/docs") else _HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if any(key.lower() in _NAMES for key, _ in headers):  # rare: set by the app
                    present = {key.lower() for key, _ in headers}
                    headers.extend(h for h in extra if h[0] not in present)
                else:
                    headers.extend(extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
