"""Settings of the web platform, from arguments or the environment.

``URBANAGENDA_DATABASE_URL``   the store (default: the embedded SQLite file)
``URBANAGENDA_CORS_ORIGINS``   comma-separated origins allowed to call the API from a browser
                               (default: none; CORS is off)
``URBANAGENDA_DEBUG``          ``1`` shows tracebacks in the server log only, never to clients
``URBANAGENDA_RESPONSE_CACHE`` number of API responses kept in memory per data version
                               (default 512; 0 turns the cache off)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["WebSettings"]


def _origins(raw: str | None) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())


@dataclass(frozen=True)
class WebSettings:
    database: str | None = None
    cors_origins: tuple[str, ...] = ()
    debug: bool = False
    response_cache: int = 512
    cache_max_age: int = 300  # seconds browsers and proxies may reuse an API answer
    page_size_default: int = 1000
    page_size_max: int = 10000
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, database: str | None = None) -> WebSettings:
        return cls(
            database=database or os.environ.get("URBANAGENDA_DATABASE_URL") or None,
            cors_origins=_origins(os.environ.get("URBANAGENDA_CORS_ORIGINS")),
            debug=os.environ.get("URBANAGENDA_DEBUG", "") in ("1", "true", "yes"),
            response_cache=int(os.environ.get("URBANAGENDA_RESPONSE_CACHE", "512")),
        )
