"""``urbanagenda serve``: the web platform and API on http://HOST:PORT."""

from __future__ import annotations

from typing import Annotated

import typer

from urbanagenda.cli.common import DatabaseOpt, console

__all__ = ["serve_command"]


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Server processes (one per core is usual).")
    ] = 1,
    database: DatabaseOpt = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the web platform (pages in six languages) and the API (/api/v1, /docs)."""
    import os

    import uvicorn

    if database:
        os.environ["URBANAGENDA_DATABASE_URL"] = database
    console.print(f"urbanagenda on [bold]http://{host}:{port}/[/] (API: /api/v1, /docs)")
    uvicorn.run(
        "urbanagenda.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )
