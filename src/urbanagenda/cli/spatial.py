"""``urbanagenda compute …`` (indicators from raw data) and ``urbanagenda compute-batch``.

Thin commands over :mod:`urbanagenda.spatial`.  More ``compute`` subcommands are added by
``urbanagenda.cli.spatial_more`` (imported at the end of this module when present).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, date, datetime
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, err
from urbanagenda.errors import MethodError, UrbanAgendaError, ValidationFailed

__all__ = ["compute_app", "compute_batch_command"]

compute_app = typer.Typer(
    name="compute",
    help="Compute SDG 11 indicators from raw data (GTFS, OpenStreetMap, population grids, …).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(exc: UrbanAgendaError) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _route_type_overrides(items: list[str] | None) -> dict[int, Any]:
    overrides: dict[int, Any] = {}
    for item in items or []:
        code, _, capacity = item.partition("=")
        if not code.strip().isdigit() or capacity.strip() not in ("low", "high"):
            raise MethodError(
                f"--route-type-capacity {item!r}: give CODE=low or CODE=high, e.g. 3=low."
            )
        overrides[int(code)] = capacity.strip()
    return overrides


def _stop_options(
    route_type_capacity: list[str] | None,
    brt_route: list[str] | None,
    service_date: str | None,
    window: str,
    min_departures: float,
) -> Any:
    from urbanagenda.spatial.gtfs import FrequencyFilter, StopOptions

    frequency = None
    if service_date:
        start, _, end = window.partition("-")
        try:
            day = date.fromisoformat(service_date)
        except ValueError as exc:
            raise MethodError(
                f"--service-date {service_date!r} is not a date; give YYYY-MM-DD."
            ) from exc
        frequency = FrequencyFilter(day, start.strip(), end.strip(), min_departures)
    return StopOptions(
        route_type_capacity=_route_type_overrides(route_type_capacity),
        high_capacity_routes=tuple(brt_route or ()),
        frequency=frequency,
    )


def _print_result(result: Any, area: str | None, as_json: bool) -> None:
    data = result.to_dict()
    if area:
        data["area_code"] = area
    if as_json:
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return
    c = data["components"]
    table = Table(title=f"SDG {data['indicator']} {area or ''}".strip(), show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("value", f"{data['value']:.2f} % of the population")
    table.add_row(
        "population served / total", f"{c['population_served']:,.0f} / {c['population_total']:,.0f}"
    )
    for cap, part in c["by_capacity"].items():
        table.add_row(
            f"{cap} capacity (≤ {part['distance_m']:.0f} m)",
            f"{part['stops']:,} stops, {100 * part['share']:.2f} % served",
        )
    net = c["network"]
    table.add_row(
        "walking network", f"{net['nodes']:,} nodes, {net['length_km']:,.1f} km, {net['crs']}"
    )
    for group, part in c["disaggregation"].items():
        share = part["share"]
        table.add_row(f"  {group}", "-" if share is None else f"{100 * share:.2f} %")
    if c.get("disaggregation_note"):
        table.add_row("disaggregation", c["disaggregation_note"])
    for warning in c.get("warnings", []):
        table.add_row("warning", warning)
    table.add_row("method", f"{data['method']} v{data['method_version']}")
    console.print(table)


@compute_app.command("11.2.1")
def transport_access_command(
    gtfs: Annotated[
        list[Path], typer.Option("--gtfs", help="GTFS feed (.zip or folder); repeat for more.")
    ],
    osm: Annotated[Path, typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf).")],
    population: Annotated[
        Path,
        typer.Option(
            "--population",
            help="Population: a raster (.tif), a polygon/point grid (.gpkg, .geojson) or a "
            "CSV of points with lon, lat, population.",
        ),
    ],
    area: Annotated[str | None, typer.Option("--area", help="Area code of the city.")] = None,
    population_column: Annotated[
        str | None, typer.Option("--population-column", help="Count column (default: population).")
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="Metric working CRS (default: UTM zone of the network)."),
    ] = None,
    low_distance: Annotated[
        float, typer.Option("--low-distance", help="Walk to a low-capacity stop, metres.")
    ] = 500.0,
    high_distance: Annotated[
        float, typer.Option("--high-distance", help="Walk to a high-capacity stop, metres.")
    ] = 1000.0,
    snap_distances: Annotated[
        bool,
        typer.Option(
            "--snap-distances/--no-snap-distances",
            help="Count the straight walk from a stop or a population point to the street.",
        ),
    ] = True,
    route_type_capacity: Annotated[
        list[str] | None,
        typer.Option("--route-type-capacity", help="Override a route type: CODE=low|high."),
    ] = None,
    brt_route: Annotated[
        list[str] | None,
        typer.Option("--brt-route", help="route_id or short name of a BRT route (high)."),
    ] = None,
    service_date: Annotated[
        str | None,
        typer.Option(
            "--service-date",
            help="Turn on the frequency filter for this service date (YYYY-MM-DD).",
        ),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Frequency filter window HH:MM-HH:MM.")
    ] = "07:00-09:00",
    min_departures: Annotated[
        float, typer.Option("--min-departures", help="Departures per hour a stop needs.")
    ] = 2.0,
    as_json: JsonOpt = False,
) -> None:
    """SDG 11.2.1: share of the population within a 500 m (bus, tram) or 1 km (rail, metro,
    ferry, BRT) walk of a public transport stop, along the street network."""
    from urbanagenda.spatial.transport_access import (
        TransportAccessParameters,
        compute_transport_access,
    )

    try:
        options = _stop_options(
            route_type_capacity, brt_route, service_date, window, min_departures
        )
        result = compute_transport_access(
            [str(g) for g in gtfs],
            osm,
            population,
            TransportAccessParameters(low_distance, high_distance, snap_distances),
            options,
            crs=crs,
            population_column=population_column,
        )
    except UrbanAgendaError as exc:
        _fail(exc)
        return
    _print_result(result, area, as_json)


def _store_outcomes(database: str | None, outcomes: list[Any]) -> dict[str, Any]:
    """Observations via load_files on a tidy CSV, and one computation_run row per city."""
    from sqlalchemy import insert

    from urbanagenda.spatial.batch import tidy_observations
    from urbanagenda.spatial.transport_access import METHOD, METHOD_VERSION
    from urbanagenda.store import schema as s
    from urbanagenda.store.bootstrap import initialise
    from urbanagenda.store.engine import open_engine
    from urbanagenda.store.load import load_files

    engine = open_engine(database)
    initialise(engine)
    frame = tidy_observations([o for o in outcomes if o.status in ("done", "skipped")])
    load_id = None
    loaded = 0
    if len(frame):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sdg_11_2_1_computed.csv"
            frame.to_csv(path, index=False)
            loaded_result = load_files(engine, [path])
            load_id = loaded_result.load_id
            loaded = loaded_result.rows_read
    now = datetime.now(UTC)
    runs = [
        {
            "method": METHOD,
            "method_version": o.result.method_version if o.result else METHOD_VERSION,
            "area_code": o.area_code or None,
            "parameters": dict(o.result.parameters) if o.result else {},
            "inputs": dict(o.result.inputs) if o.result else {},
            "result": (
                {"value": o.result.value, "unit": o.result.unit, **o.result.to_dict()["components"]}
                if o.result
                else None
            ),
            "status": o.status,
            "error": o.error,
            "created_at": now,
            "load_id": load_id if o.status == "done" else None,
        }
        for o in outcomes
        if o.status in ("done", "failed")
    ]
    if runs:
        with engine.begin() as conn:
            conn.execute(insert(s.computation_run), runs)
    return {"observations": loaded, "computation_runs": len(runs), "load_id": load_id}


def compute_batch_command(
    manifest: Annotated[
        Path,
        typer.Argument(
            help="CSV with city_id, area_code, gtfs (';'-separated), osm, population[, year, …]."
        ),
    ],
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler", help="'local' (a LocalCluster) or a Dask scheduler tcp://host:port."
        ),
    ] = "local",
    workers: Annotated[
        int | None, typer.Option("--workers", help="LocalCluster worker processes.")
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results", help="Folder for one JSON per city (default: beside the manifest)."
        ),
    ] = None,
    store: Annotated[
        bool,
        typer.Option(
            "--store", help="Write values as SP_TRN_PUBL observations and computation runs."
        ),
    ] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """SDG 11.2.1 for many cities, one Dask task per city; resumable (finished cities with
    unchanged inputs are skipped) and isolated (a failing city is reported, the others go on)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from urbanagenda.spatial.batch import read_manifest, run_batch

    try:
        tasks = read_manifest(manifest)
    except UrbanAgendaError as exc:
        _fail(exc)
        return
    out_dir = results or manifest.parent / f"{manifest.stem}_results"
    progress = Progress(
        TextColumn("11.2.1"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        disable=as_json,
    )
    with progress:
        bar = progress.add_task("", total=len(tasks))

        def advance(outcome: Any) -> None:
            progress.update(bar, advance=1, description=f"{outcome.city_id}: {outcome.status}")

        try:
            summary = run_batch(
                tasks, out_dir, scheduler=scheduler, n_workers=workers, progress=advance
            )
        except UrbanAgendaError as exc:
            _fail(exc)
            return
    report = summary.to_dict()
    report["results"] = str(out_dir)
    if store:
        try:
            report["store"] = _store_outcomes(database, summary.outcomes)
        except ValidationFailed as exc:
            report["store"] = {"error": str(exc)}
        except UrbanAgendaError as exc:
            report["store"] = {"error": str(exc)}
    if as_json:
        report["outcomes"] = [
            {
                "city_id": o.city_id,
                "status": o.status,
                "value": o.result.value if o.result else None,
                "error": o.error,
            }
            for o in summary.outcomes
        ]
        sys.stdout.write(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    else:
        table = Table(
            title=f"11.2.1 batch: {report['done']} done, {report['skipped']} skipped, "
            f"{report['failed']} failed in {report['seconds']:.1f} s"
        )
        for column in ("city", "area", "status", "value (%)", "error"):
            table.add_column(column, overflow="fold")
        for o in summary.outcomes:
            value = o.result.value if o.result else None
            table.add_row(
                o.city_id,
                o.area_code,
                o.status,
                "" if value is None else f"{value:.2f}",
                (o.error or "")[:300],
            )
        console.print(table)
        if "store" in report:
            console.print(f"store: {report['store']}")
    if report["failed"] or (store and "error" in report.get("store", {})):
        raise typer.Exit(code=1)


try:  # more compute commands (11.3.1, 11.6.2, …) register themselves on compute_app
    import_module("urbanagenda.cli.spatial_more")
except ModuleNotFoundError as exc:
    if exc.name != "urbanagenda.cli.spatial_more":
        raise
