"""``urbanagenda opensdg``: import and export Open SDG data repositories."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbanagenda.errors import UrbanAgendaError, ValidationFailed

__all__ = ["opensdg_app"]

opensdg_app = typer.Typer(
    help="Open SDG data repositories (data/indicator_G-T-I.csv, meta/G-T-I.md): import, export.",
    no_args_is_help=True,
)
_out = Console()
_err = Console(stderr=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        envvar="URBANAGENDA_DATABASE_URL",
        help="Database URL (default: sqlite:///var/urbanagenda.sqlite).",
    ),
]
AreaOpt = Annotated[
    str,
    typer.Option("--area", help="Area code: a country (840, USA) or a city (us_los_angeles_ca)."),
]


def _engine(database: str | None):  # type: ignore[no-untyped-def]
    from urbanagenda.store.bootstrap import initialise
    from urbanagenda.store.engine import open_engine

    engine = open_engine(database)
    initialise(engine)
    return engine


def _relations(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        key, sep, rel = v.partition("=")
        if not sep or not key.strip() or not rel.strip():
            raise typer.BadParameter(
                f"{v!r} is not INDICATOR=RELATION (e.g. 11.1.1=context or 11.6.2=same:EN_ATM_PM25)"
            )
        out[key.strip()] = rel.strip()
    return out


def _print_issues(report, limit: int = 200) -> None:  # type: ignore[no-untyped-def]
    for issue in report.issues[:limit]:
        _err.print(" - " + issue.describe(), markup=False, highlight=False, soft_wrap=True)
    hidden = len(report.issues) - limit + report.suppressed
    if hidden > 0:
        _err.print(f" ... and {hidden} more (counts: {report.counts()})", markup=False)


@opensdg_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="The repository: a folder or a .zip of it.")],
    area: AreaOpt,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    relation: Annotated[
        list[str] | None,
        typer.Option(
            "--relation",
            help="How a local series relates to the global indicator: INDICATOR=same|proxy|"
            "component|context, or LOCAL_SERIES_CODE=...; same may name the series "
            "(11.6.2=same:EN_ATM_PM25).  Repeatable.",
        ),
    ] = None,
    database: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import an Open SDG data repository for one area; all or nothing."""
    from urbanagenda.interop.opensdg import import_opensdg

    try:
        result = import_opensdg(
            _engine(database), path, area, relations=_relations(relation or []), dry_run=dry_run
        )
    except ValidationFailed as exc:
        if as_json:
            sys.stdout.write(exc.report.to_json() + "\n")
        else:
            n = len(exc.report.issues) + exc.report.suppressed
            _err.print(f"[bold red]rejected:[/] {n} problem(s); nothing was imported.")
            _print_issues(exc.report)
        raise typer.Exit(code=1) from None
    except UrbanAgendaError as exc:
        _err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if as_json:
        out = result.to_dict()
        out["issues"] = result.report.to_dict()["issues"]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    else:
        verb = "checked (dry run, nothing written)" if dry_run else "imported"
        _out.print(
            f"{verb}: {len(result.indicators)} indicators, {len(result.series)} series, "
            f"{result.observations} observations, {result.metadata_records} metadata records "
            f"for {result.area_code}",
            highlight=False,
        )
        for sr in result.series:
            _out.print(
                f"  {sr['indicator']:8} {sr['code']:64} {sr['relation']:9} {sr['unit']:14} "
                f"{sr['observations']}",
                highlight=False,
            )
        if result.non_statistical:
            _out.print(
                "non-statistical (files kept, no series): " + ", ".join(result.non_statistical),
                highlight=False,
            )
        if not result.report.valid:
            _err.print(f"[bold red]{len(result.report.issues)} problem(s):[/]")
            _print_issues(result.report)
    if not result.report.valid:
        raise typer.Exit(code=1)


@opensdg_app.command("export")
def export_command(
    area: AreaOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the repository to.")],
    with_global: Annotated[
        bool,
        typer.Option(
            "--with-global",
            help="For an imported site, also write indicators it did not report that have "
            "global series data for the area.",
        ),
    ] = False,
    database: DatabaseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write an area's data and metadata as an Open SDG data repository."""
    from urbanagenda.interop.opensdg import export_opensdg

    try:
        result = export_opensdg(_engine(database), area, out, with_global=with_global)
    except UrbanAgendaError as exc:
        _err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=1) + "\n")
        return
    _out.print(
        f"wrote {len(result.files)} files ({result.rows} data rows) for {result.area_code} "
        f"to {result.out}" + (f"; generated from global series: {', '.join(result.generated)}"
                              if result.generated else ""),
        highlight=False,
    )  # fmt: skip
