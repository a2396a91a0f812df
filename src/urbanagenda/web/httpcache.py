"""A shared HTTP cache in front of the application (a plain ASGI middleware).

It does in-process what a caching reverse proxy would do with the responses the application
already declares shareable, and nothing more:

* only ``GET`` requests without ``Authorization``, ``Cookie`` or ``Origin`` (CORS answers
  depend on the origin) are looked up or stored; a request with ``Cache-Control: no-cache``
  or ``no-store`` (a browser's reload) goes to the application;
* only complete ``200`` responses whose ``Cache-Control`` is ``public`` with a positive
  ``max-age`` (and neither ``private``, ``no-store`` nor ``no-cache``), without
  ``Set-Cookie`` and without ``Vary: *`` are stored, for at most ``max-age`` seconds;
* the key is the ``Host`` header (API answers hold absolute links), the path and the query
  string, plus the data version: an answer is never older than the data (a load, an
  assessment run or an aggregate changes the version and so every key); request headers
  named by the response's ``Vary`` must match too;
* a stored answer with an ``ETag`` answers ``If-None-Match`` with ``304``; an ``Age``
  header tells browsers how long it has been stored.

Hits skip routing, parameter validation and rendering: the hot path of the benchmark
(``benchmarks/bench_web.py``) is a dictionary look-up.  ``URBANAGENDA_RESPONSE_CACHE=0``
turns it off together with the API's own cache.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ResponseCache"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_BYPASS = (b"authorization", b"cookie", b"origin")
# headers a 304 does not repeat (it has no body)
_NOT_IN_304 = frozenset((b"content-length", b"content-type", b"content-disposition"))


@dataclass(frozen=True, slots=True)
class _Entry:
    version: str
    vary: tuple[tuple[bytes, bytes | None], ...]
    stored: float
    expires: float
    headers: list[tuple[bytes, bytes]]
    headers_304: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


def _max_age(cache_control: bytes) -> int:
    """Seconds a shared cache may keep the response (0: not at all)."""
    directives = [d.strip() for d in cache_control.lower().split(b",")]
    if b"public" not in directives:
        return 0
    age = 0
    for d in directives:
        if d in (b"private", b"no-store", b"no-cache"):
            return 0
        if d.startswith((b"s-maxage=", b"max-age=")):
            try:
                value = int(d.split(b"=", 1)[1].strip(b'"'))
            except ValueError:
                return 0
            if d.startswith(b"s-maxage=") or not age:
                age = value  # s-maxage wins for a shared cache
    return max(age, 0)


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    if if_none_match.strip() == b"*":
        return True
    tags = [t.strip() for t in if_none_match.split(b",")]
    weak = b"W/" + etag
    return etag in tags or weak in tags


class ResponseCache:
    """Keep at most ``size`` responses (and ``max_bytes`` of bodies) per process."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: Callable[[], str],
        size: int = 512,
        max_bytes: int = 64 * 2**20,
        max_entry: int = 4 * 2**20,
    ) -> None:
        self.app = app
        self.version = version
        self.size = size
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._entries: OrderedDict[tuple[bytes, str, bytes], _Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.size <= 0:
            await self.app(scope, receive, send)
            return
        request = dict(scope["headers"])
        if any(name in request for name in _BYPASS):
            await self.app(scope, receive, send)
            return
        key = (request.get(b"host", b""), scope["path"], scope["query_string"])
        version = self.version()
        directives = request.get(b"cache-control", b"") + request.get(b"pragma", b"")
        revalidate = b"no-cache" in directives or b"no-store" in directives
        if not revalidate:
            entry = self._entries.get(key)
            now = time.monotonic()
            if (
                entry is not None
                and entry.version == version
                and entry.expires > now
                and all(request.get(name) == value for name, value in entry.vary)
            ):
                self._entries.move_to_end(key)
                self.hits += 1
                await self._replay(entry, request.get(b"if-none-match"), now, send)
                return
        self.misses += 1
        await self._forward(scope, receive, send, key, version, request)

    async def _replay(
        self, entry: _Entry, if_none_match: bytes | None, now: float, send: Send
    ) -> None:
        age = (b"age", str(int(now - entry.stored)).encode())
        if if_none_match is not None and entry.etag and _etag_matches(if_none_match, entry.etag):
            headers = [*entry.headers_304, age]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*entry.headers, age]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[bytes, str, bytes],
        version: str,
        request: dict[bytes, bytes],
    ) -> None:
        state: dict[str, Any] = {"keep": False, "chunks": [], "size": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["start"] = message
                state["keep"] = self._storable(message)
            elif message["type"] == "http.response.body" and state["keep"]:
                body = message.get("body", b"")
                state["size"] += len(body)
                if state["size"] > self.max_entry:
                    state["keep"] = False
                    state["chunks"] = []
                else:
                    state["chunks"].append(body)
                    if not message.get("more_body", False):
                        self._store(key, version, request, state["start"], state["chunks"])
                        state["keep"] = False
            await send(message)

        await self.app(scope, receive, capture)

    @staticmethod
    def _storable(start: Message) -> bool:
        if start.get("status") != 200:
            return False
        for name, value in start.get("headers", []):
            name = name.lower()
            if name == b"set-cookie" or (name == b"vary" and b"*" in value):
                return False
        return True

    def _store(
        self,
        key: tuple[bytes, str, bytes],
        version: str,
        request: dict[bytes, bytes],
        start: Message,
        chunks: list[bytes],
    ) -> None:
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        max_age = 0
        etag = None
        vary_names: list[bytes] = []
        for name, value in headers:
            if name == b"cache-control":
                max_age = _max_age(value)
            elif name == b"etag":
                etag = value
            elif name == b"vary":
                vary_names.extend(v.strip().lower() for v in value.split(b",") if v.strip())
        if max_age <= 0:
            return
        body = b"".join(chunks)
        now = time.monotonic()
        entry = _Entry(
            version=version,
            vary=tuple((name, request.get(name)) for name in vary_names),
            stored=now,
            expires=now + max_age,
            headers=headers,
            headers_304=[h for h in headers if h[0] not in _NOT_IN_304],
            body=body,
            etag=etag,
        )
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(body)
        while self._entries and (len(self._entries) > self.size or self._bytes > self.max_bytes):
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)
