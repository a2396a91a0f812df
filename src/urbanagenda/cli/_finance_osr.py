"""``urbanagenda osr``: the own-source revenue (OSR) rapid analysis of a local government —
analyse a file (and store it), the Excel template, validation, the stored analyses, peers
and the catalogue of reforms."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from urbanagenda.cli._finance_common import (
    fixed,
    money,
    opened,
    share,
    stored,
    table,
    with_data,
    write_template,
)
from urbanagenda.cli._finance_views import print_osr, print_trends, print_year
from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, fail, rejected, write_json
from urbanagenda.errors import UrbanAgendaError, ValidationFailed

__all__ = ["osr_app"]

osr_app = typer.Typer(
    help="Own-source revenue (OSR) rapid analysis: the gap between the revenue a local "
    "government collects and what it could, by stream and cause, with the reforms to close it.",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path,
    typer.Argument(
        help="An OSR analysis: YAML, JSON, CSV or the Excel template (`urbanagenda osr template`)."
    ),
]


@osr_app.command("analyse")
def analyse_command(
    path: FileArg,
    save: Annotated[
        bool, typer.Option("--save", help="Store the analysis (one row per year, versioned).")
    ] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Analyse a local government's own-source revenue: per year the actual and potential
    revenue, the gap by part (coverage, compliance, valuation, rate), fiscal indicators,
    recommendations and sensitivity.  Populations missing from the file come from the store."""
    from urbanagenda.finance import store
    from urbanagenda.finance.analysis import analyse
    from urbanagenda.finance.files import read_osr_file

    try:
        inp = read_osr_file(path)
        with opened(database, save=save) as engine:
            lookup = store.population_lookup(engine) if engine else None
            result = analyse(inp, population=lookup)
            ids = []
            if engine is not None and save:
                ids = store.save_analysis(engine, result, source_file=path.name)
    except ValidationFailed as exc:
        rejected(exc, as_json)
    except UrbanAgendaError as exc:
        fail(exc)
    if as_json:
        write_json({**result.to_dict(), **({"saved_ids": ids} if save else {})})
        return
    print_osr(result.to_dict())
    if save:
        console.print(
            "saved: analysis "
            + ", ".join(f"{i} ({y.year})" for i, y in zip(ids, result.years, strict=True))
            + " (an unchanged year keeps its stored id)",
            highlight=False,
        )


@osr_app.command("validate")
def validate_command(path: FileArg, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Check an OSR file without analysing it: every problem at once; with a store, also that
    its area and country codes are known."""
    from urbanagenda.finance import store
    from urbanagenda.finance.files import read_osr_file
    from urbanagenda.ingest.report import Report

    try:
        inp = read_osr_file(path)
        with with_data(database) as engine:
            if engine is not None and (inp.area_code or inp.country_code):
                store.check_area(engine, inp.area_code, inp.country_code, file=path.name)
    except ValidationFailed as exc:
        rejected(exc, as_json, done="the file is not valid")
    except UrbanAgendaError as exc:
        fail(exc)
    years = [y.year for y in inp.years]
    streams = sum(len(y.streams) for y in inp.years)
    if as_json:
        report = Report(files=[str(path)], rows_read=streams).to_dict()
        write_json({**report, "local_government": inp.name, "years": years, "streams": streams})
        return
    console.print(
        f"valid: {inp.name}, {len(years)} year(s) ({', '.join(map(str, years))}), "
        f"{streams} stream(s), in {inp.currency}" + (" (an example)" if inp.example else ""),
        highlight=False,
    )


@osr_app.command("template")
def template_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the .xlsx.")] = Path(
        "urbanagenda-osr.xlsx"
    ),
    example: Annotated[
        bool, typer.Option("--example", help="Filled with the bundled example analysis.")
    ] = False,
) -> None:
    """Write the Excel template of an OSR analysis (instructions, drop-down lists), empty or
    filled with the bundled example."""
    write_template("osr", out, example=example)


_LIST_HEADERS = [
    "id",
    "local government",
    "area",
    "year",
    "version",
    "currency",
    "actual",
    "potential",
    "gap",
    "efficiency",
    "OSR/capita USD",
    "share of GDP",
    "example",
]


def _list_row(a: Mapping[str, Any]) -> list[str]:
    return [
        str(a["id"]),
        a["lg_name"],
        a["area_code"] or "",
        str(a["year"]),
        str(a["version"]),
        a["currency"],
        money(a["actual"]),
        money(a["potential"]),
        money(a["gap"]),
        share(a["efficiency"]),
        fixed(a["osr_per_capita_usd"]),
        share(a["osr_share_gdp"], 2),
        "example" if a["example"] else "",
    ]


@osr_app.command("list")
def list_command(
    area: Annotated[str | None, typer.Option("--area", help="A city or country code.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="An M49 code.")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Also the versions a change replaced.")
    ] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the stored analyses (the latest version of each local government and year)."""
    from urbanagenda.finance import store

    found = stored(
        database,
        lambda engine: store.list_analyses(
            engine, area=area, country=country, year=year, latest_only=not all_versions
        ),
    )
    if as_json:
        write_json(found)
        return
    right = [
        "id",
        "year",
        "version",
        "actual",
        "potential",
        "gap",
        "efficiency",
        "OSR/capita USD",
        "share of GDP",
    ]
    table(
        f"Stored OSR analyses ({len(found)})",
        _LIST_HEADERS,
        [_list_row(a) for a in found],
        right=right,
    )


@osr_app.command("show")
def show_command(
    analysis_id: Annotated[int, typer.Argument(help="A stored analysis id (`osr list`).")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a stored analysis year, its versions and the trends across the stored years."""
    from urbanagenda.finance import store

    found = stored(database, lambda engine: store.get_analysis(engine, analysis_id))
    if as_json:
        write_json(found)
        return
    versions = ", ".join(
        f"{v['version']} (id {v['id']}, {v['created_at'][:10]})" for v in found["versions"]
    )
    console.print(
        f"[bold]{found['lg_name']}[/], {found['year']}: analysis {found['id']}, version "
        f"{found['version']} of {len(found['versions'])} [{versions}]"
        + (f", from {found['source_file']}" if found["source_file"] else ""),
        highlight=False,
    )
    if found["example"]:
        console.print("[yellow]EXAMPLE: an illustration, not an official analysis.[/]")
    print_year(found["result"], found["currency"])
    print_trends(found["trends"])


@osr_app.command("peers")
def peers_command(
    year: Annotated[int | None, typer.Option("--year", help="Latest year up to this one.")] = None,
    around: Annotated[
        int | None, typer.Option("--around", help="An analysis id: where it would rank.")
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare the stored local governments: OSR per capita (USD), share of GDP, efficiency."""
    from urbanagenda.finance import store

    found = stored(database, lambda engine: store.peers(engine, year=year, around=around))
    if as_json:
        write_json(found)
        return
    headers = [
        "",
        "local government",
        "year",
        "OSR/capita USD",
        "rank",
        "percentile",
        "share of GDP",
        "rank ",
        "efficiency",
        "id",
    ]
    rows = [
        [
            "→" if p["highlight"] else "",
            p["lg_name"] + (" (example)" if p["example"] else ""),
            str(p["year"]),
            fixed(p["osr_per_capita_usd"]),
            str(p["rank_per_capita"] or ""),
            "" if p["percentile_per_capita"] is None else f"{p['percentile_per_capita']:.0f}",
            share(p["osr_share_gdp"], 2),
            str(p["rank_share_gdp"] or ""),
            share(p["efficiency"]),
            str(p["id"]),
        ]
        for p in found
    ]
    table(f"Peers ({len(found)})", headers, rows, right=headers[2:])


@osr_app.command("reforms")
def reforms_command(as_json: JsonOpt = False) -> None:
    """The catalogue of causes of revenue gaps and the reforms that close them."""
    from urbanagenda.finance.reforms import catalogue

    try:
        entries = catalogue()
    except UrbanAgendaError as exc:
        fail(exc)
    if as_json:
        write_json([e.to_dict() for e in entries])
        return
    rows = [
        [
            e.id,
            ", ".join(e.parts),
            ", ".join(k.replace("_", " ") for k in e.kinds),
            e.cause,
            e.reform,
            e.horizon,
        ]
        for e in entries
    ]
    table(
        f"Reforms ({len(entries)})", ["id", "parts", "streams", "cause", "reform", "horizon"], rows
    )
