"""``urbanagenda serve``: the web platform and API on http://HOST:PORT.

uvicorn runs with uvloop and httptools (``uvicorn[standard]``); ``--workers N`` starts N
processes sharing the port (one per core is usual; each keeps its own caches), and
``--no-access-log`` drops the per-request log line, which costs more than a cached answer.
"""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from urbanagenda.cli.common import DatabaseOpt, console, err

__all__ = ["serve_command"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, max=64, help="Server processes (one per core is usual)."),
    ] = 1,
    database: DatabaseOpt = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help=f"uvicorn log level: {', '.join(LOG_LEVELS)}.")
    ] = "info",
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log one line per request (off under heavy load: it costs more than a "
            "cached answer).",
        ),
    ] = True,
) -> None:
    """Serve the web platform (pages in six languages) and the API (/api/v1, /docs)."""
    import os

    import uvicorn

    if log_level.lower() not in LOG_LEVELS:
        err.print(
            f"[red]error:[/] unknown --log-level {log_level!r}; use one of {', '.join(LOG_LEVELS)}"
        )
        raise typer.Exit(2)
    if database:
        os.environ["URBANAGENDA_DATABASE_URL"] = database
    # uvloop and httptools come with uvicorn[standard]; fall back to the pure-Python ones
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    plural = "es" if workers > 1 else ""
    console.print(
        f"urbanagenda on [bold]http://{host}:{port}/[/] (API: /api/v1, /docs; "
        f"{workers} process{plural}, {loop} + {http})"
    )
    uvicorn.run(
        "urbanagenda.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=loop,
        http=http,
        log_level=log_level.lower(),
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
        # a worker re-imports the command line (pandas included) before it answers the
        # supervisor's first ping: on a busy machine that takes longer than uvicorn's 5 s,
        # and the supervisor would kill and respawn it forever
        timeout_worker_healthcheck=120,
    )
