"""``urbanagenda report``: generate the SDG 11 synthesis, the Secretary-General's report or
a national report draft from the store, as HTML, PDF or DOCX.

    urbanagenda report sg-report --lang zh --format pdf --out sg-report-zh.pdf
    urbanagenda report national --area 566 --format docx --out nigeria.docx

The three steps (building the document from the store, rendering it, writing the file) show
as they run; the file is written atomically (a ``.part`` file renamed at the end), so a
failed run leaves nothing behind.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, err
from urbanagenda.errors import DataError, UrbanAgendaError

__all__ = ["default_filename", "report_command"]


def _fail(exc: UrbanAgendaError | str) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def default_filename(kind: str, area: str | None, lang: str, fmt: str) -> str:
    """``sg-report-zh.pdf``, ``national-566-en.docx``."""
    parts = [kind, *([area] if area else []), lang]
    return "-".join(parts) + f".{fmt}"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


def check_request(
    kind: str, area: str | None, lang: str, fmt: str, method: str
) -> tuple[str, str | None, str, str, str]:
    """The request normalised (kind, canonical area, language, format, method), or
    ``DataError`` naming the wrong value and the right ones."""
    from urbanagenda.assess.methods import METHODS
    from urbanagenda.model.areas import load_areas
    from urbanagenda.synthesis.generate import FORMATS, KINDS
    from urbanagenda.synthesis.text import UN_LANGUAGES

    kind = kind.strip().lower()
    if kind not in KINDS:
        raise DataError(f"unknown report {kind!r}: one of {', '.join(KINDS)}")
    fmt = fmt.strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise DataError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    lang = lang.strip().lower()
    if lang not in UN_LANGUAGES:
        raise DataError(
            f"unknown language {lang!r}: one of {', '.join(UN_LANGUAGES)} (reports are written "
            "in English and Chinese; the others get the English text with a notice)"
        )
    if method not in METHODS:
        raise DataError(f"unknown progress method {method!r}: one of {', '.join(METHODS)}")
    if kind != "national":
        if area:
            raise DataError(
                f"--area is for national report drafts; the {kind} report covers the world "
                "(leave --area out)"
            )
        return kind, None, lang, fmt, method
    if not area:
        raise DataError("a national report draft needs a country: pass --area with its M49 "
                        "or ISO3 code (566 or NGA)")  # fmt: skip
    areas = load_areas()
    code = areas.resolve(area)
    if code is None:
        raise DataError(
            f"unknown area {area!r}: give a country's M49 or ISO3 code (566 or NGA); "
            "`urbanagenda areas --kind country` lists them"
        )
    if areas.get(code).kind != "country":
        raise DataError(
            f"{area!r} is a {areas.get(code).kind.replace('_', ' ')}, not a country: national "
            "report drafts are written for countries (e.g. 566 or NGA)"
        )
    return kind, code, lang, fmt, method


def _target(out: Path | None, name: str) -> Path:
    path = Path(name) if out is None else out
    if path.is_dir():
        path = path / name
    if not path.parent.exists():
        raise DataError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not "
                        "exist (create it first)")  # fmt: skip
    return path


def report_command(
    kind: Annotated[
        str, typer.Argument(help="synthesis (SDG 11), sg-report (Secretary-General) or national.")
    ],
    area: Annotated[
        str | None,
        typer.Option("--area", help="The country of a national draft (M49 or ISO3: 566, NGA)."),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="en or zh; fr, es, ru and ar give the English text with a notice.",
        ),
    ] = "en",
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or docx.")] = "html",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File (or folder) to write; default: e.g. national-566-en.pdf here.",
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Progress method (unsd-2024, unsd-2023, …).")
    ] = "unsd-2024",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate a report from the store: build it, render it, write the file."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from urbanagenda.store.engine import open_engine
    from urbanagenda.synthesis.generate import build_report, render

    started = time.perf_counter()
    try:
        kind, code, lang, fmt, method = check_request(kind, area, lang, fmt, method)
        path = _target(out, default_filename(kind, code, lang, fmt))
        engine = open_engine(database)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err,
            transient=as_json,
            disable=as_json,
        ) as bar:

            def step(name: str) -> Any:
                return bar.add_task(name, total=1)

            task = step(f"building the {kind} report ({lang}) from the store")
            doc = build_report(engine, kind, area=code, lang=lang, method=method)
            bar.update(task, completed=1)
            task = step(f"rendering {fmt.upper()}")
            data = render(doc, fmt)
            bar.update(task, completed=1)
            task = step(f"writing {path}")
            tmp = path.with_name(path.name + ".part")
            try:
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise DataError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from exc
            bar.update(task, completed=1)
    except UrbanAgendaError as exc:
        _fail(exc)
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        result = {"path": str(path.resolve()), "kind": kind, "lang": lang, "format": fmt,
                  "bytes": len(data), "seconds": seconds}  # fmt: skip
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    console.print(
        f"written: {path} ({_size(len(data))}, {fmt.upper()}) in {seconds:.1f} s", highlight=False
    )
