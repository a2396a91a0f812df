"""SDG 11.2.1: share of population with convenient access to public transport.

Follows the UN-Habitat metadata for 11.2.1 (2021 revision; METHODS.md §3): population within a
500 m walk along the street network of a low-capacity stop (bus, tram) or 1,000 m of a
high-capacity stop (rail, metro, ferry, BRT), divided by the total population; an optional
service-frequency filter (:class:`urbanagenda.spatial.gtfs.FrequencyFilter`).

How it is computed (one multi-source shortest-path pass per capacity class, no per-stop loop,
no isochrone polygons):

1. Every stop becomes a leaf node joined to its nearest street node by an edge as long as the
   straight line between them (the walk from the stop onto the street).
2. ``scipy.sparse.csgraph.dijkstra(indices=<stop leaves of the class>, min_only=True,
   limit=<class distance>)`` gives every street node its walking distance to the nearest stop
   of that class.
3. Each population point snaps to its nearest street node (``cKDTree``); it is served when the
   node's distance plus the point's own straight-line offset is within the class distance.

With ``add_snap_distances=False`` the two straight-line offsets count as zero (the common
"nearest node" simplification).  ``value`` is a percentage (unit ``PT``, like the SDG series
SP_TRN_PUBL); ``components["share"]`` is the same as a fraction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra

from urbanagenda.errors import MethodError
from urbanagenda.spatial.gtfs import CAPACITY_CLASSES, StopOptions, read_gtfs, stop_table
from urbanagenda.spatial.network import (
    DEFAULT_WALKABLE_HIGHWAYS,
    WalkNetwork,
    read_walk_network,
)
from urbanagenda.spatial.population import population_to_crs, read_population
from urbanagenda.spatial.results import IndicatorResult, file_sha256

__all__ = [
    "INDICATOR",
    "METHOD",
    "METHOD_VERSION",
    "TransportAccessParameters",
    "compute_transport_access",
    "distance_to_nearest_stop",
    "distances_to_stops",
    "stop_points",
    "transport_access",
]

INDICATOR = "11.2.1"
METHOD = "sdg-11.2.1"
METHOD_VERSION = "1.0"
UNIT = "PT"


@dataclass(frozen=True)
class TransportAccessParameters:
    """Walking distances per capacity class and how snapping offsets count."""

    low_capacity_distance_m: float = 500.0
    high_capacity_distance_m: float = 1000.0
    add_snap_distances: bool = True

    def __post_init__(self) -> None:
        for name in ("low_capacity_distance_m", "high_capacity_distance_m"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise MethodError(f"{name} is {value!r}; give a distance in metres ≥ 0.")

    def distance(self, capacity: str) -> float:
        return self.low_capacity_distance_m if capacity == "low" else self.high_capacity_distance_m

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _same_crs(a: object, b: object) -> bool:
    return bool(CRS.from_user_input(a) == CRS.from_user_input(b))


def _check_layer(layer: gpd.GeoDataFrame, network: WalkNetwork, what: str, fix: str) -> None:
    if layer.crs is None:
        raise MethodError(
            f"The {what} have no CRS; the network is in {network.crs}. {fix} "
            "(a CRS is never assumed)."
        )
    if not _same_crs(layer.crs, network.crs):
        raise MethodError(
            f"The {what} are in {CRS.from_user_input(layer.crs).to_string()} but the walking "
            f"network is in {network.crs}; mixing them is an error. Reproject first: "
            f"layer.to_crs({network.crs!r})."
        )
    geometry = layer.geometry
    empty = geometry.isna() | geometry.is_empty
    if empty.any():
        raise MethodError(
            f"The {what} have {int(empty.sum())} empty or missing geometries; remove them."
        )
    if len(layer) and not (set(layer.geom_type) <= {"Point"}):
        raise MethodError(f"The {what} must be points; got {sorted(set(layer.geom_type))}.")


def _overlaps(xy: np.ndarray, network: WalkNetwork, margin: float) -> bool:
    """Whether any point lies in the network's bounding box grown by ``margin`` metres."""
    lo, hi = network.xy.min(axis=0) - margin, network.xy.max(axis=0) + margin
    inside = np.all((xy >= lo) & (xy <= hi), axis=1)
    return bool(inside.any())


def stop_points(stops: Any, crs: str) -> gpd.GeoDataFrame:
    """Stops from :func:`urbanagenda.spatial.gtfs.stop_table` (WGS84) as points in ``crs``."""
    layer = gpd.GeoDataFrame(
        stops.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(stops["lon"], stops["lat"]),
        crs="EPSG:4326",
    )
    return layer.to_crs(crs)


def distances_to_stops(
    network: WalkNetwork,
    stop_xy: np.ndarray,
    groups: Mapping[str, tuple[np.ndarray, float]],
    add_snap_distances: bool = True,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Walking distance from every street node to the nearest stop of each group.

    ``groups`` maps a name (capacity class) to (boolean mask over the stops, limit in metres).
    The street graph is extended once by one leaf per stop; then one multi-source Dijkstra
    per group (``min_only=True``, ``limit``) starts from that group's leaves.  Distances
    beyond the limit are ``inf``.  Returns the distances per group and the stops' snap
    distances.
    """
    stop_xy = np.asarray(stop_xy, dtype=float).reshape(-1, 2)
    n, k = network.n_nodes, len(stop_xy)
    if k == 0:
        return {name: np.full(n, np.inf) for name in groups}, np.empty(0)
    snap, nearest = network.kdtree.query(stop_xy)
    offset = snap if add_snap_distances else np.zeros(k)
    leaves = n + np.arange(k)
    rows = np.concatenate([network.u, network.v, leaves, nearest])
    cols = np.concatenate([network.v, network.u, nearest, leaves])
    data = np.concatenate([network.length, network.length, offset, offset])
    graph = sp.csr_array((data, (rows, cols)), shape=(n + k, n + k))
    out = {}
    for name, (mask, limit) in groups.items():
        sources = leaves[np.asarray(mask, dtype=bool)]
        if len(sources) == 0:
            out[name] = np.full(n, np.inf)
            continue
        dist = dijkstra(graph, directed=True, indices=sources, min_only=True, limit=limit)
        out[name] = np.asarray(dist[:n])
    return out, np.asarray(snap)


def distance_to_nearest_stop(
    network: WalkNetwork,
    stop_xy: np.ndarray,
    limit: float,
    add_snap_distances: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Walking distance from every street node to its nearest stop (``inf`` beyond ``limit``);
    one multi-source Dijkstra.  Returns the distances and the stops' snap distances."""
    stop_xy = np.asarray(stop_xy, dtype=float).reshape(-1, 2)
    dist, snap = distances_to_stops(
        network, stop_xy, {"all": (np.ones(len(stop_xy), bool), limit)}, add_snap_distances
    )
    return dist["all"], snap


def transport_access(
    network: WalkNetwork,
    stops: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    parameters: TransportAccessParameters | None = None,
    *,
    stop_options: StopOptions | None = None,
    extra_parameters: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """11.2.1 from a walking network, classified stops and population points (one CRS).

    ``stops`` needs a ``capacity`` column (``low``/``high``); ``population`` a ``population``
    column and optionally disaggregation columns (female, male, age_…, disability…), each
    reported as its own served share.  ``stop_options`` and ``extra_parameters`` are only
    recorded in the result's parameters (they shaped the inputs).
    """
    parameters = parameters or TransportAccessParameters()
    _check_layer(stops, network, "stops", "Build them with stop_points(stop_table, crs)")
    _check_layer(population, network, "population points", "Set the layer's CRS")
    if "capacity" not in stops.columns:
        raise MethodError("The stops need a 'capacity' column with values 'low' or 'high'.")
    bad = set(stops["capacity"]) - set(CAPACITY_CLASSES)
    if bad:
        raise MethodError(f"Stop capacity {sorted(bad)} is not 'low' or 'high'.")
    if "population" not in population.columns:
        raise MethodError("The population points need a 'population' column.")
    if len(population) == 0:
        raise MethodError("There are no population points; give a populated grid.")
    pop = population["population"].to_numpy(float)
    total = float(pop.sum())
    if total <= 0:
        raise MethodError(
            "The population points sum to 0, so no share can be computed. Check the "
            "population column and that the grid covers the city."
        )
    pop_xy = np.column_stack([population.geometry.x, population.geometry.y])
    stop_xy = (
        np.column_stack([stops.geometry.x, stops.geometry.y]) if len(stops) else np.empty((0, 2))
    )
    margin = max(parameters.low_capacity_distance_m, parameters.high_capacity_distance_m)
    if not _overlaps(pop_xy, network, margin):
        raise MethodError(
            "No population point lies within the extent of the walking network. Are the "
            "population data in the declared CRS, and does the OSM extract cover the city?"
        )
    if len(stops) and not _overlaps(stop_xy, network, margin):
        raise MethodError(
            "No stop lies within the extent of the walking network. Do the GTFS feeds and the "
            "OSM extract cover the same city?"
        )

    pop_snap, pop_node = network.kdtree.query(pop_xy)
    pop_offset = pop_snap if parameters.add_snap_distances else np.zeros(len(pop_snap))
    capacity = stops["capacity"].to_numpy()
    by_class: dict[str, tuple[np.ndarray, float]] = {
        c: (capacity == c, parameters.distance(c)) for c in CAPACITY_CLASSES
    }
    node_dist, stop_snap = distances_to_stops(
        network, stop_xy, by_class, parameters.add_snap_distances
    )
    served_any = np.zeros(len(pop), dtype=bool)
    classes: dict[str, Any] = {}
    warnings: list[str] = []
    for c in CAPACITY_CLASSES:
        mask, limit = by_class[c]
        served = node_dist[c][pop_node] + pop_offset <= limit
        served_any |= served
        classes[c] = {
            "distance_m": limit,
            "stops": int(mask.sum()),
            # stops whose walk onto the street alone exceeds the distance (outside the extract)
            "stops_beyond_reach": (
                int((stop_snap[mask] > limit).sum()) if parameters.add_snap_distances else 0
            ),
            "population_served": float(pop[served].sum()),
            "share": float(pop[served].sum() / total),
        }
    if len(stops) == 0:
        warnings.append("no stop left (after the frequency filter, if any): value is 0")
    served_pop = float(pop[served_any].sum())
    share = served_pop / total

    groups = [c for c in population.columns if c not in ("population", population.geometry.name)]
    disaggregation: dict[str, Any] = {}
    for group in groups:
        values = population[group].to_numpy(float)
        group_total = float(values.sum())
        disaggregation[group] = {
            "population": group_total,
            "population_served": float(values[served_any].sum()),
            "share": float(values[served_any].sum() / group_total) if group_total else None,
        }
    components: dict[str, Any] = {
        "share": share,
        "population_total": total,
        "population_served": served_pop,
        "population_points": len(pop),
        "population_points_served": int(served_any.sum()),
        "by_capacity": classes,
        "stops": len(stops),
        "network": {
            "crs": network.crs,
            "nodes": network.n_nodes,
            "edges": network.n_edges,
            "length_km": round(network.total_length_km(), 3),
        },
        "snap_distance_m": {
            "stops": _summary(stop_snap),
            "population": _summary(pop_snap),
        },
        "disaggregation": disaggregation,
        "disaggregation_note": (
            ""
            if groups
            else "no sex, age or disability columns in the population input: total only"
        ),
        "warnings": warnings,
    }
    params: dict[str, Any] = parameters.to_dict()
    if stop_options is not None:
        params.update(_stop_options_dict(stop_options))
    params.update(extra_parameters or {})
    return IndicatorResult(
        indicator=INDICATOR,
        value=100.0 * share,
        unit=UNIT,
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters=params,
        inputs=dict(inputs or {}),
    )


def _summary(values: np.ndarray) -> dict[str, float | None]:
    if len(values) == 0:
        return {"median": None, "p95": None, "max": None}
    return {
        "median": round(float(np.median(values)), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "max": round(float(values.max()), 2),
    }


def _stop_options_dict(options: StopOptions) -> dict[str, Any]:
    return {
        "route_type_capacity": {str(k): v for k, v in sorted(options.route_type_capacity.items())},
        "high_capacity_routes": sorted(options.high_capacity_routes),
        "frequency_filter": options.frequency.to_dict() if options.frequency else None,
    }


# --- the edge: files → result ------------------------------------------------------------


def compute_transport_access(
    gtfs: Sequence[str | Path],
    osm: str | Path,
    population: str | Path,
    parameters: TransportAccessParameters | None = None,
    stop_options: StopOptions | None = None,
    *,
    crs: str | None = None,
    population_column: str | None = None,
    walkable: frozenset[str] = DEFAULT_WALKABLE_HIGHWAYS,
    largest_component_only: bool = True,
) -> IndicatorResult:
    """Read the files, reproject explicitly to one metric CRS and run :func:`transport_access`.

    The working CRS is ``crs`` or the UTM zone of the street network's centre; population
    and stops are reprojected to it (recorded in the parameters).
    """
    if not gtfs:
        raise MethodError("11.2.1 needs at least one GTFS feed (--gtfs FEED.zip).")
    stop_options = stop_options or StopOptions()
    inputs: dict[str, str] = {}
    names: dict[str, int] = {}
    feeds = []
    for path in gtfs:
        stem = Path(path).stem
        names[stem] = names.get(stem, 0) + 1
        name = stem if names[stem] == 1 else f"{stem}_{names[stem]}"
        feeds.append(read_gtfs(path, name=name))
        inputs[f"gtfs:{Path(path).name}"] = file_sha256(path)
    network, diagnostics = read_walk_network(
        osm, crs=crs, walkable=walkable, largest_component_only=largest_component_only
    )
    inputs[f"osm:{Path(osm).name}"] = file_sha256(osm)
    points = read_population(population, population_column=population_column)
    inputs[f"population:{Path(population).name}"] = file_sha256(population)
    source_crs = CRS.from_user_input(points.crs).to_string()
    points = population_to_crs(points, network.crs)
    table = stop_table(feeds, stop_options)
    stops = stop_points(table, network.crs)
    result = transport_access(
        network,
        stops,
        points,
        parameters,
        stop_options=stop_options,
        extra_parameters={
            "working_crs": network.crs,
            "population_source_crs": source_crs,
            "walkable_highways": sorted(walkable),
            "largest_component_only": largest_component_only,
        },
        inputs=inputs,
    )
    components = dict(result.components)
    components["network"] = {**components["network"], **diagnostics}
    components["stops_by_feed"] = {
        feed: {cap: int(n) for cap, n in grp["capacity"].value_counts().items()}
        for feed, grp in table.groupby("feed")
    }
    return IndicatorResult(
        indicator=result.indicator,
        value=result.value,
        unit=result.unit,
        components=components,
        method=result.method,
        method_version=result.method_version,
        parameters=result.parameters,
        inputs=result.inputs,
    )
