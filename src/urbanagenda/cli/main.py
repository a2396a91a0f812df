"""The ``urbanagenda`` command: thin Typer commands over the public API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, err
from urbanagenda.errors import UrbanAgendaError, ValidationFailed

if TYPE_CHECKING:  # imported inside the commands: `urbanagenda --help` loads neither
    import pandas as pd

app = typer.Typer(
    name="urbanagenda",
    help="Follow-up and review of the New Urban Agenda and SDG 11: data, progress, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(exc: UrbanAgendaError) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _print_frame(
    frame: pd.DataFrame, as_json: bool, title: str | None = None, limit: int | None = None
) -> None:
    import pandas as pd

    if as_json:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=title, show_lines=False)
    for c in frame.columns:
        table.add_column(str(c), overflow="fold")
    shown = frame if limit is None else frame.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else str(v) for v in row])
    console.print(table)
    if limit is not None and len(frame) > limit:
        console.print(f"... {len(frame) - limit} more rows (use --json for all)")


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _file_progress(bar):  # type: ignore[no-untyped-def]
    """A load progress callback that shows one bar per file with its row count."""
    tasks: dict[str, int] = {}

    def progress(name: str, rows: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(Path(name).name[:60], total=None, rows=0)
        bar.update(tasks[name], rows=rows)

    return progress


def _report_failure(exc: ValidationFailed, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(exc.report.to_json() + "\n")
    else:
        n = len(exc.report.issues) + exc.report.suppressed
        err.print(f"[bold red]rejected:[/] {n} problem(s); nothing was loaded.", highlight=False)
        for issue in exc.report.issues:
            err.print(" - " + issue.describe(), markup=False, highlight=False, soft_wrap=True)
        if exc.report.suppressed:
            err.print(
                f" ... and {exc.report.suppressed} more of the same kinds "
                f"(counts: {exc.report.counts()})",
                markup=False,
            )
    raise typer.Exit(code=1)


@app.command()
def init(database: DatabaseOpt = None) -> None:
    """Create (or migrate) the database and write the catalogue and areas into it."""
    from urbanagenda import api

    try:
        counts = api.init(database)
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"database ready: {api.describe_database(database)}")
    console.print(", ".join(f"{k}: {v}" for k, v in counts.items()))


@app.command()
def demo(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Build the demo database from the bundled real data and print what is in it."""
    from urbanagenda import api

    try:
        with _progress() as bar:
            progress = _file_progress(bar)

            accounts_file = api.demo_accounts_path(database)
            result = api.build_demo(database, progress=progress, accounts_file=accounts_file)
    except ValidationFailed as exc:
        _report_failure(exc, as_json)
    except UrbanAgendaError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=1, default=str) + "\n")
        return
    summary = cast(dict[str, object], result["summary"])
    console.print(f"[bold]urbanagenda demo database[/] at {api.describe_database(database)}")
    table = Table(show_header=False)
    for k, v in summary.items():
        table.add_row(k.replace("_", " "), json.dumps(v) if isinstance(v, dict | list) else str(v))
    library = cast(dict[str, int], result["library"])
    table.add_row(
        "demo library",
        f"{library['reference']} reference document, {library['national_report']} example "
        f"national reports, {library['vlr']} example VLRs ({library['attachments']} files), "
        f"{library['passages']} passages indexed; {library['added']} added now",
    )
    table.add_row("built in", f"{cast(float, result['seconds']):.1f} s")
    console.print(table)
    _print_frame(
        api.series_table(database).query("observations > 0")[
            ["code", "indicators", "unit", "observations"]
        ],
        False,
        title="Series with observations",
    )
    created = cast(list[str], result["accounts_created"])
    console.print(
        f"Demo accounts (one per role) for trying the platform: [bold]{accounts_file}[/] "
        "(username, role, area, password; readable by you only)."
        + (f" Created now: {', '.join(created)}." if created else ""),
        highlight=False,
    )


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files (or DDF folders) to load.")],
    format_name: Annotated[
        str | None,
        typer.Option("--format", help="Input format; default: recognised from the file."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source text for rows without one.")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate and load observation files: all or nothing."""
    from urbanagenda import api

    try:
        with _progress() as bar:
            progress = _file_progress(bar)

            result = api.load(
                paths, database=database, format_name=format_name, source=source, progress=progress
            )
    except ValidationFailed as exc:
        _report_failure(exc, as_json)
    except UrbanAgendaError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=1) + "\n")
    else:
        console.print(
            f"loaded (load {result.load_id}): {result.rows_read} rows read, "
            f"{result.inserted} new, {result.updated} changed (old values kept as "
            f"revisions), {result.unchanged} unchanged"
        )


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Files to check.")],
    format_name: Annotated[str | None, typer.Option("--format")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check files against the catalogue and areas without loading them."""
    from urbanagenda import api

    try:
        result = api.validate(paths, database=database, format_name=format_name)
    except UrbanAgendaError as exc:
        _fail(exc)
    if not result.report.valid:
        _report_failure(ValidationFailed(result.report), as_json)
    if as_json:
        sys.stdout.write(result.report.to_json() + "\n")
    else:
        console.print(
            f"valid: {result.rows_read} rows in {len(result.formats)} file(s) "
            f"({', '.join(sorted(set(result.formats.values())))})"
        )


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the .xlsx.")] = Path(
        "urbanagenda-template.xlsx"
    ),
    series: Annotated[
        list[str] | None, typer.Option("--series", help="Limit the series list.")
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="Limit the area list (an area and its member areas)."),
    ] = None,
    database: DatabaseOpt = None,
) -> None:
    """Write the Excel data-entry template, with drop-down lists of valid codes."""
    from urbanagenda import api

    try:
        path = api.template(out, database=database, series=series, areas=area)
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"template written: {path}")


@app.command("series")
def series_cmd(
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    goal_only: Annotated[
        bool, typer.Option("--with-data", help="Only series with observations.")
    ] = False,
) -> None:
    """List the catalogue's series with their unit and number of observations."""
    from urbanagenda import api

    try:
        frame = api.series_table(database)
    except UrbanAgendaError as exc:
        _fail(exc)
    if goal_only:
        frame = frame[frame["observations"] > 0]
    _print_frame(frame, as_json, title="Series")


@app.command()
def areas(
    kind: Annotated[str | None, typer.Option(help="country, city, sdg_region, ...")] = None,
    parent: Annotated[str | None, typer.Option(help="Only direct members of this area.")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List areas (countries, regions, groups, cities)."""
    from urbanagenda import api

    try:
        frame = api.areas_table(database, kind=kind, parent=parent)
    except UrbanAgendaError as exc:
        _fail(exc)
    _print_frame(frame, as_json, title="Areas", limit=None if as_json else 200)


@app.command()
def export(
    series: Annotated[list[str], typer.Option("--series", help="Series code(s).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File (or folder for datapackage).")],
    format_name: Annotated[
        str, typer.Option("--format", help="csv, xlsx, parquet, sdmx-csv, sdmx-ml or datapackage")
    ] = "csv",
    area: Annotated[list[str] | None, typer.Option("--area", help="Area code(s).")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Export observations of some series (and areas) to a file."""
    from urbanagenda import api

    try:
        path, n = api.export(series, out, format_name=format_name, areas=area, database=database)
    except UrbanAgendaError as exc:
        _fail(exc)
    console.print(f"{n} observations written to {path}")


@app.command()
def show(
    series: Annotated[str, typer.Option("--series", help="Series code.")],
    area: Annotated[str, typer.Option("--area", help="Area code (M49, ISO3 or city).")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    history: Annotated[bool, typer.Option("--history", help="Also the replaced values.")] = False,
) -> None:
    """Print a series' observations for an area."""
    from urbanagenda import api

    try:
        frame = api.show(series, area, database=database)
        revs = api.history(series, area, database=database) if history else None
    except UrbanAgendaError as exc:
        _fail(exc)
    if frame.empty and not as_json:
        console.print(f"no observations of {series} for {area}")
    _print_frame(frame, as_json, title=f"{series} — {area}")
    if revs is not None and not as_json:
        _print_frame(revs, False, title="replaced values")


def _register_subcommands() -> None:
    """Commands that live in their own modules (each a small Typer app or function)."""
    import importlib

    for module, attr, name in (
        ("urbanagenda.cli.assess", "assess_command", "assess"),
        ("urbanagenda.cli.aggregate", "aggregate_command", "aggregate"),
        ("urbanagenda.cli.progress", "progress_command", "progress"),
        ("urbanagenda.cli.opensdg", "opensdg_app", "opensdg"),
        ("urbanagenda.cli.spatial", "compute_app", "compute"),
        ("urbanagenda.cli.spatial", "compute_batch_command", "compute-batch"),
        ("urbanagenda.cli.serve", "serve_command", "serve"),
        ("urbanagenda.cli.users", "users_app", "users"),
        ("urbanagenda.cli.records", "records_app", "records"),
        ("urbanagenda.cli.report", "report_command", "report"),
        ("urbanagenda.cli.finance", "osr_app", "osr"),
        ("urbanagenda.cli.finance", "invest_app", "invest"),
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # not written yet
                continue
            raise
        obj = getattr(mod, attr)
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=name)
        else:
            app.command(name)(obj)


_register_subcommands()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
