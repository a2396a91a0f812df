"""More ``urbanagenda compute …`` commands: 11.3.1, 11.6.2, 11.7.1, 11.1.1, 11.6.1, urban centres.

Thin commands over :mod:`urbanagenda.spatial`: they read files, call a pure method and print
the result (a table, or JSON with ``--json``).  They register themselves on ``compute_app``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from urbanagenda.cli.spatial import compute_app
from urbanagenda.errors import MethodError, UrbanAgendaError

if TYPE_CHECKING:
    import pandas as pd

console = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(exc: UrbanAgendaError) -> None:
    err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _emit(data: Any, as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n")
        return
    table = Table(title=title, show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        if isinstance(value, dict):
            for k, v in value.items():
                table.add_row(f"{key}.{k}", _fmt(v))
        else:
            table.add_row(key, _fmt(value))
    console.print(table)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)[:400]
    return "" if value is None else str(value)


def _read_table(path: Path, what: str) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise MethodError(f"cannot read the {what} CSV {str(path)!r}: {exc}") from exc


def _read_vector(path: Path, what: str) -> Any:
    import geopandas as gpd

    try:
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types
        raise MethodError(f"cannot read the {what} file {str(path)!r}: {exc}") from exc


@compute_app.command("11.3.1")
def land_consumption_command(
    ucdb: Annotated[
        Path, typer.Option("--ucdb", help="GHS Urban Centre Database R2019A file (.gpkg).")
    ],
    year_from: Annotated[int, typer.Option("--from", help="First epoch: 1975/1990/2000.")] = 1990,
    year_to: Annotated[int, typer.Option("--to", help="Second epoch: 1990/2000/2015.")] = 2015,
    lcr: Annotated[
        str, typer.Option("--lcr", help="Land consumption rate: linear (2021) or log (GHSL).")
    ] = "linear",
    as_json: JsonOpt = False,
) -> None:
    """11.3.1 LCRPGR for every urban centre of a GHS-UCDB file."""
    from urbanagenda.spatial.land_consumption import lcrpgr_for_ucdb
    from urbanagenda.spatial.results import file_sha256

    try:
        table = _read_vector(ucdb, "urban centre database")
        frame = lcrpgr_for_ucdb(
            table.drop(columns="geometry", errors="ignore"),
            year_from,
            year_to,
            lcr=lcr,  # type: ignore[arg-type]
            inputs={ucdb.name: file_sha256(ucdb)},
        )
    except UrbanAgendaError as exc:
        _fail(exc)
    rows = [
        {
            "id": r["id"],
            "name": r["name"],
            "country": r["country"],
            "value": r["value"],
            "components": r["components"],
            "method": None if r["result"] is None else r["result"].method,
            "parameters": {"lcr": lcr, "from": year_from, "to": year_to},
        }
        for r in frame.to_dict("records")
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False, default=str) + "\n")
        return
    table_out = Table(title=f"SDG 11.3.1 LCRPGR {year_from}–{year_to} ({lcr})")
    for col in ("id", "name", "country", "LCRPGR", "LCR", "PGR", "m²/person", "UCDB LUE"):
        table_out.add_column(col)
    for r in rows:
        c = r["components"]
        table_out.add_row(
            str(r["id"]),
            str(r["name"]),
            str(r["country"]),
            "" if r["value"] is None else f"{r['value']:.6f}",
            _fmt(c.get("land_consumption_rate")),
            _fmt(c.get("population_growth_rate")),
            _fmt(c.get("built_up_m2_per_person_end")),
            _fmt(c.get("ucdb_published_lue", c.get("reason", ""))),
        )
    console.print(table_out)


@compute_app.command("11.6.2")
def air_quality_command(
    pm25: Annotated[Path, typer.Option("--pm25", help="PM2.5 raster (µg/m³).")],
    population: Annotated[
        Path,
        typer.Option("--population", help="Population raster on the PM2.5 grid, or polygons."),
    ],
    column: Annotated[
        str, typer.Option("--column", help="Population column of a polygon grid.")
    ] = "population",
    area: Annotated[
        Path | None, typer.Option("--area", help="Area polygons (raster population only).")
    ] = None,
    reproject: Annotated[
        bool, typer.Option("--reproject-polygons", help="Reproject polygons to the raster CRS.")
    ] = False,
    unit: Annotated[str, typer.Option("--unit", help="Unit of the PM2.5 raster.")] = "µg/m³",
    as_json: JsonOpt = False,
) -> None:
    """11.6.2 population-weighted mean PM2.5."""
    from urbanagenda.spatial.air_quality import population_weighted_pm25
    from urbanagenda.spatial.results import file_sha256
    from urbanagenda.spatial.zonal import read_raster

    try:
        conc = read_raster(pm25, unit=unit)
        inputs = {pm25.name: conc.checksum}
        pop: Any
        if population.suffix.lower() in (".tif", ".tiff", ".vrt", ".img"):
            pop = read_raster(population, unit="persons")
        else:
            pop = _read_vector(population, "population grid")
            inputs[population.name] = file_sha256(population)
        areas = None if area is None else _read_vector(area, "area")
        result = population_weighted_pm25(
            conc,
            pop,
            population_column=column,
            area=areas,
            reproject="polygons" if reproject else "none",
            inputs=inputs,
        )
    except UrbanAgendaError as exc:
        _fail(exc)
    _emit(result.to_dict(), as_json, "SDG 11.6.2 population-weighted PM2.5 (µg/m³)")


@compute_app.command("11.7.1")
def open_space_command(
    osm: Annotated[Path, typer.Option("--osm", help="OSM PBF of the city.")],
    area: Annotated[
        Path, typer.Option("--area", help="Built-up area / urban centre polygons (vector file).")
    ],
    crs: Annotated[str, typer.Option("--crs", help="Projected CRS in metres, e.g. EPSG:32628.")],
    population: Annotated[
        Path | None, typer.Option("--population", help="Population points or polygons.")
    ] = None,
    column: Annotated[str, typer.Option("--column", help="Population column.")] = "population",
    euclidean: Annotated[
        bool, typer.Option("--euclidean", help="Straight-line 400 m instead of the network.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """11.7.1 share of the built-up area that is streets and open public space."""
    from urbanagenda.spatial.network import read_walk_network
    from urbanagenda.spatial.open_space import open_space_share, read_osm_streets_and_open_spaces
    from urbanagenda.spatial.results import file_sha256

    try:
        built_up = _read_vector(area, "built-up area").to_crs(crs)
        streets, spaces = read_osm_streets_and_open_spaces(osm, crs)
        inputs = {osm.name: file_sha256(osm), area.name: file_sha256(area)}
        pop = network = None
        if population is not None:
            pop = _read_vector(population, "population").to_crs(crs)
            if column != "population":
                pop = pop.rename(columns={column: "population"})
            inputs[population.name] = file_sha256(population)
            if not euclidean:
                network, _ = read_walk_network(osm, crs=crs)
        result = open_space_share(
            built_up,
            streets,
            spaces,
            population=pop,
            network=network,
            access="euclidean" if euclidean else None,
            inputs=inputs,
        )
    except UrbanAgendaError as exc:
        _fail(exc)
    data = result.to_dict()
    if not as_json:
        data["parameters"].pop("street_widths_m", None)
    _emit(data, as_json, "SDG 11.7.1 streets and open public space (% of built-up area)")


@compute_app.command("11.1.1")
def slums_command(
    households: Annotated[Path, typer.Option("--households", help="Household survey CSV.")],
    crowding: Annotated[
        float, typer.Option("--crowding", help="Max persons per habitable room.")
    ] = 3.0,
    as_json: JsonOpt = False,
) -> None:
    """11.1.1 share of the urban population in slum households (survey microdata)."""
    from urbanagenda.spatial.results import file_sha256
    from urbanagenda.spatial.slums import slum_share

    try:
        frame = _read_table(households, "household")
        result = slum_share(
            frame, crowding_threshold=crowding, inputs={households.name: file_sha256(households)}
        )
    except UrbanAgendaError as exc:
        _fail(exc)
    _emit(result.to_dict(), as_json, "SDG 11.1.1 population in slum households (%)")


@compute_app.command("11.6.1")
def waste_command(
    generation: Annotated[Path, typer.Option("--generation", help="WaCT generation CSV.")],
    facilities: Annotated[Path, typer.Option("--facilities", help="WaCT facilities CSV.")],
    as_json: JsonOpt = False,
) -> None:
    """11.6.1 MSW managed in controlled facilities (Waste Wise Cities Tool tables)."""
    from urbanagenda.spatial.results import file_sha256
    from urbanagenda.spatial.waste import controlled_waste_share

    try:
        result = controlled_waste_share(
            _read_table(generation, "generation"),
            _read_table(facilities, "facility"),
            inputs={
                generation.name: file_sha256(generation),
                facilities.name: file_sha256(facilities),
            },
        )
    except UrbanAgendaError as exc:
        _fail(exc)
    _emit(result.to_dict(), as_json, "SDG 11.6.1 MSW managed in controlled facilities (%)")


@compute_app.command("urban-centres")
def urban_centres_command(
    population: Annotated[
        Path, typer.Option("--population", help="Population raster (1 km) or polygon grid.")
    ],
    column: Annotated[str, typer.Option("--column", help="Population column.")] = "population",
    crs: Annotated[
        str | None, typer.Option("--crs", help="Equal-area CRS in metres for a polygon grid.")
    ] = None,
    aggregate: Annotated[
        int, typer.Option("--aggregate", help="Sum N×N raster cells first (4: 250 m → 1 km).")
    ] = 1,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the centres as a GeoPackage.")
    ] = None,
    built_up: Annotated[
        Path | None,
        typer.Option(
            "--built-up",
            help="Built-up raster on the same 1 km grid (GHS-BUILT-S): cells at least half "
            "built up are dense too.",
        ),
    ] = None,
    built_up_unit: Annotated[
        str, typer.Option("--built-up-unit", help="m2 (surface per cell) or share (0–1).")
    ] = "m2",
    as_json: JsonOpt = False,
) -> None:
    """Urban centres by the Degree of Urbanisation (1 km cells, ≥ 1,500/km² — or at least
    half built up with --built-up —, ≥ 50,000 people)."""
    from urbanagenda.spatial.urban_centres import (
        aggregate_population,
        delineate_urban_centres,
        grid_to_raster,
    )
    from urbanagenda.spatial.zonal import read_raster

    try:
        if population.suffix.lower() in (".tif", ".tiff", ".vrt", ".img"):
            raster = read_raster(population, unit="persons")
            if aggregate > 1:
                raster = aggregate_population(raster, aggregate)
        else:
            if crs is None:
                raise MethodError(
                    "urban-centres: a polygon grid needs --crs, an equal-area CRS in metres "
                    "(e.g. EPSG:3035 in Europe, EPSG:54009 worldwide)."
                )
            raster = grid_to_raster(
                _read_vector(population, "population grid"), column, 1000.0, crs=crs
            )
        built = None
        if built_up is not None:
            built = read_raster(built_up, unit=built_up_unit)
            if aggregate > 1:  # m² add up; shares do not
                if built_up_unit != "m2":
                    raise MethodError(
                        "urban-centres: --aggregate sums cells, which only a built-up "
                        "surface in m² allows; give --built-up-unit m2 or a 1 km share raster."
                    )
                built = aggregate_population(built, aggregate)
        centres = delineate_urban_centres(raster, built_up=built, built_up_unit=built_up_unit)
        if output is not None:
            centres.polygons().to_file(output, driver="GPKG")
    except UrbanAgendaError as exc:
        _fail(exc)
    data = {
        "centres": json.loads(centres.table.to_json(orient="records")),
        "components": dict(centres.components),
        "parameters": dict(centres.parameters),
        "method": f"{centres.method} v{centres.method_version}",
    }
    if as_json:
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return
    _emit({**data["components"], "method": data["method"]}, False, "Urban centres")
    frame = centres.table
    if not frame.empty:
        table = Table(title="centres")
        for col in frame.columns:
            table.add_column(str(col))
        for row in frame.itertuples(index=False):
            table.add_row(*[_fmt(v) for v in row])
        console.print(table)
