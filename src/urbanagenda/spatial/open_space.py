"""SDG 11.7.1 — share of the built-up area that is streets and open public space.

Follows the SDG 11.7.1 metadata (UN-Habitat, 2018/2021): ``(public open space area + street
area) ÷ built-up area of the urban centre``, and as a second part the share of the population
within 400 m walking distance of an open public space.

* Street area: each OSM street centre line is buffered (flat ends) by half the assumed width of
  its ``highway`` class (:data:`DEFAULT_STREET_WIDTHS_M`, configurable); the buffers are
  dissolved so that crossings count once.  Streets of classes without a width are left out and
  counted in the components.
* Open public space: OSM areas tagged as parks, gardens, playgrounds, squares, … (see
  :data:`DEFAULT_OPEN_SPACE_TAGS`) that the public may enter free: areas with an ``access``
  that keeps the public out (:data:`NOT_PUBLIC_ACCESS`: private, no, customers, members,
  permit) are left out, and so are the gardens of houses (``garden:type=residential`` or
  ``private``); sports pitches count only when nothing restricts them (a school's or a club's
  pitch is tagged ``access=private`` or ``members`` in OSM).
* Both are cut to the built-up area and unioned (a square that is also a pedestrian street is
  counted once).
* Access: population (points, or polygon cells by centroid) within ``walk_m`` along the street
  network of any open space edge (one multi-source Dijkstra from points every
  ``edge_spacing_m`` along the open spaces' outlines), or, without a network, within that
  straight-line distance (``access="euclidean"``, recorded in the parameters).

All layers must share one projected CRS in metres; a mismatch is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

from urbanagenda.errors import MethodError
from urbanagenda.spatial.results import IndicatorResult
from urbanagenda.spatial.zonal import check_same_crs

__all__ = [
    "DEFAULT_OPEN_SPACE_TAGS",
    "DEFAULT_STREET_WIDTHS_M",
    "open_space_share",
    "read_osm_streets_and_open_spaces",
]

METHOD = "unhabitat_2021_open_space_share"
METHOD_VERSION = "1.0"

#: Assumed total street width (carriageway and sidewalks), metres, by OSM ``highway`` class.
#: Assumptions to configure per city; classes not listed are left out of the street area.
DEFAULT_STREET_WIDTHS_M: Mapping[str, float] = {
    "motorway": 30.0,
    "trunk": 25.0,
    "primary": 20.0,
    "secondary": 16.0,
    "tertiary": 12.0,
    "unclassified": 8.0,
    "residential": 8.0,
    "living_street": 6.0,
    "pedestrian": 6.0,
    "service": 5.0,
    "road": 8.0,
    "motorway_link": 8.0,
    "trunk_link": 8.0,
    "primary_link": 8.0,
    "secondary_link": 8.0,
    "tertiary_link": 8.0,
    "footway": 2.0,
    "cycleway": 2.0,
    "steps": 2.0,
    "path": 1.5,
    "track": 4.0,
}

#: OSM tags (key → values) that mark an open public space.
DEFAULT_OPEN_SPACE_TAGS: Mapping[str, frozenset[str]] = {
    "leisure": frozenset(
        {"park", "garden", "playground", "common", "recreation_ground", "dog_park", "pitch"}
    ),
    "landuse": frozenset({"recreation_ground", "village_green"}),
    "place": frozenset({"square"}),
    "highway": frozenset({"pedestrian"}),  # pedestrian areas (closed ways with area=yes)
    "natural": frozenset({"beach"}),
}


#: ``access`` values that keep the public out of an open space (UN-Habitat's open public
#: space is accessible to all, free of charge).
NOT_PUBLIC_ACCESS: frozenset[str] = frozenset({"private", "no", "customers", "members", "permit"})
#: ``garden:type`` values of gardens that belong to homes, not to the public.
PRIVATE_GARDENS: frozenset[str] = frozenset({"residential", "private"})


def _not_public(tags: Any) -> bool:
    """Whether OSM tags mark an area the public may not enter free."""
    if tags.get("access") in NOT_PUBLIC_ACCESS:
        return True
    return tags.get("leisure") == "garden" and tags.get("garden:type") in PRIVATE_GARDENS


def _projected(crs: Any, what: str) -> None:
    from pyproj import CRS

    if crs is None:
        raise MethodError(f"11.7.1: {what} has no CRS; set it before computing.")
    parsed = CRS.from_user_input(crs)
    if not parsed.is_projected or parsed.axis_info[0].unit_name not in ("metre", "meter"):
        raise MethodError(
            f"11.7.1: {what} is in {parsed.to_string()}, not a projected CRS in metres; "
            "reproject all layers explicitly (e.g. to the UTM zone, utm_crs_for(lon, lat))."
        )


def _area_polygon(built_up: Any) -> shapely.Geometry:
    geoms = np.asarray(getattr(built_up, "geometry", built_up), dtype=object)
    if len(geoms) == 0 or shapely.is_empty(geoms).all():
        raise MethodError("11.7.1: the built-up area is empty; give the urban centre polygon.")
    if not set(shapely.get_type_id(geoms[~shapely.is_empty(geoms)]).tolist()) <= {3, 6}:
        raise MethodError("11.7.1: the built-up area must be Polygon or MultiPolygon geometry.")
    return shapely.union_all(shapely.make_valid(geoms))


def street_area(
    streets: Any, widths: Mapping[str, float], within: shapely.Geometry
) -> tuple[shapely.Geometry, dict[str, Any]]:
    """Dissolved street surface inside ``within`` and a summary by highway class."""
    if "highway" not in streets.columns:
        raise MethodError("11.7.1: the streets layer needs a 'highway' column (OSM class).")
    classes = streets["highway"].astype(str)
    width = classes.map(lambda c: widths.get(c, np.nan)).to_numpy(np.float64)
    known = np.isfinite(width) & (width > 0)
    lines = np.asarray(streets.geometry, dtype=object)
    lengths = shapely.length(shapely.intersection(lines, within))
    buffers = shapely.buffer(lines[known], width[known] / 2.0, cap_style="flat", quad_segs=4)
    surface = shapely.intersection(shapely.union_all(buffers), within)
    by_class = (
        pd.DataFrame({"highway": classes, "length_m": lengths, "known": known})
        .groupby("highway")
        .agg(length_m=("length_m", "sum"), counted=("known", "any"))
    )
    summary = {
        "street_length_m_by_class": {k: float(v) for k, v in by_class["length_m"].items()},
        "classes_without_width": sorted(by_class.index[~by_class["counted"]].tolist()),
        "street_length_m_without_width": float(lengths[~known].sum()),
    }
    return surface, summary


def open_space_share(
    built_up: Any,
    streets: Any,
    open_spaces: Any,
    *,
    street_widths_m: Mapping[str, float] = DEFAULT_STREET_WIDTHS_M,
    population: Any = None,
    network: Any = None,
    walk_m: float = 400.0,
    access: Literal["network", "euclidean"] | None = None,
    edge_spacing_m: float = 25.0,
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """11.7.1: percentage of the built-up area that is streets and open public space.

    ``built_up`` (polygons), ``streets`` (lines with ``highway``) and ``open_spaces``
    (polygons) are GeoDataFrames in one projected CRS.  With ``population`` (points or
    polygons with a ``population`` column) the components also hold the share of population
    within ``walk_m`` of an open space — along ``network`` (a
    :class:`~urbanagenda.spatial.network.WalkNetwork`) when given, else straight-line.
    """
    layers = [("the built-up area", built_up), ("the streets", streets)]
    layers.append(("the open spaces", open_spaces))
    if population is not None:
        layers.append(("the population", population))
    for what, layer in layers:
        _projected(getattr(layer, "crs", None), what)
        check_same_crs(layer.crs, built_up.crs, what, "the built-up area")
    area = _area_polygon(built_up)
    area_m2 = float(shapely.area(area))
    if area_m2 <= 0:
        raise MethodError("11.7.1: the built-up area has zero area.")
    streets_surface, street_summary = street_area(streets, street_widths_m, area)
    spaces = np.asarray(open_spaces.geometry, dtype=object)
    spaces = shapely.make_valid(spaces[~shapely.is_empty(spaces)])
    spaces = spaces[np.isin(shapely.get_type_id(spaces), [3, 6, 7])]
    open_surface = shapely.intersection(shapely.union_all(spaces), area)
    both = shapely.union(streets_surface, open_surface)
    street_m2 = float(shapely.area(streets_surface))
    open_m2 = float(shapely.area(open_surface))
    total_m2 = float(shapely.area(both))
    components: dict[str, Any] = {
        "built_up_area_m2": area_m2,
        "street_area_m2": street_m2,
        "open_space_area_m2": open_m2,
        "street_and_open_space_area_m2": total_m2,
        "overlap_m2": street_m2 + open_m2 - total_m2,
        "street_share_percent": 100.0 * street_m2 / area_m2,
        "open_space_share_percent": 100.0 * open_m2 / area_m2,
        "open_spaces": len(spaces),
        **street_summary,
    }
    parameters: dict[str, Any] = {
        "street_widths_m": dict(street_widths_m),
        "walk_m": walk_m,
    }
    if population is not None:
        mode = access or ("network" if network is not None else "euclidean")
        parameters["access"] = mode
        components["access"] = _access(
            population, spaces, area, network, walk_m, mode, edge_spacing_m
        )
    return IndicatorResult(
        indicator="11.7.1",
        value=100.0 * total_m2 / area_m2,
        unit="percent",
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters=parameters,
        inputs=dict(inputs or {}),
    )


def _access(
    population: Any,
    spaces: np.ndarray,
    area: shapely.Geometry,
    network: Any,
    walk_m: float,
    mode: str,
    spacing: float,
) -> dict[str, Any]:
    if "population" not in population.columns:
        raise MethodError("11.7.1: the population layer needs a 'population' column.")
    pop = pd.to_numeric(population["population"], errors="coerce").to_numpy(np.float64)
    if np.any(~np.isfinite(pop)) or np.any(pop < 0):
        raise MethodError("11.7.1: the population column has missing or negative values.")
    points = np.asarray(population.geometry, dtype=object)
    points = np.where(shapely.get_type_id(points) == 0, points, shapely.centroid(points))
    inside_area = shapely.contains_xy(area, shapely.get_x(points), shapely.get_y(points))
    pop = np.where(inside_area, pop, 0.0)
    total = float(pop.sum())
    if total <= 0:
        return {"share_percent": None, "reason": "no population inside the built-up area"}
    xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    if len(spaces) == 0:
        served = np.zeros(len(pop), dtype=bool)
    elif mode == "euclidean":
        union = shapely.union_all(spaces)
        served = shapely.dwithin(union, points, walk_m)
    elif mode == "network":
        if network is None:
            raise MethodError(
                "11.7.1: access='network' needs a walking network (read_walk_network)."
            )
        check_same_crs(network.crs, population.crs, "the walking network", "the population")
        served = _network_served(network, spaces, xy, walk_m, spacing)
    else:
        raise MethodError(f"11.7.1: access must be 'network' or 'euclidean', not {mode!r}.")
    # a person inside an open space is served whatever the network says
    union = shapely.union_all(spaces) if len(spaces) else None
    if union is not None:
        served |= shapely.contains_xy(union, xy[:, 0], xy[:, 1])
    served &= inside_area
    return {
        "share_percent": 100.0 * float(pop[served].sum()) / total,
        "population": total,
        "population_served": float(pop[served].sum()),
        "population_points": int(inside_area.sum()),
        "method": mode,
    }


def _network_served(
    network: Any, spaces: np.ndarray, xy: np.ndarray, walk_m: float, spacing: float
) -> np.ndarray:
    from scipy.spatial import cKDTree

    from urbanagenda.spatial.transport_access import distance_to_nearest_stop

    outlines = shapely.segmentize(shapely.boundary(spaces), spacing)
    sources = shapely.get_coordinates(outlines)
    node_distance, _ = distance_to_nearest_stop(network, sources, walk_m, True)
    snap, node = cKDTree(network.xy).query(xy)
    return np.asarray(node_distance[node] + snap <= walk_m)


# --------------------------------------------------------------------------- OSM edge


def read_osm_streets_and_open_spaces(
    path: str | Path,
    crs: str,
    *,
    open_space_tags: Mapping[str, frozenset[str]] = DEFAULT_OPEN_SPACE_TAGS,
) -> tuple[Any, Any]:
    """Street centre lines (with ``highway``) and open public space areas from an OSM PBF.

    Returns two GeoDataFrames in ``crs`` (projected metres).  Streets with ``access=private``
    or ``no`` and open spaces the public may not enter free (``_not_public``) are left out.
    This is the I/O edge of 11.7.1 (pyosmium).
    """
    import geopandas as gpd
    import osmium

    path = Path(path)
    if not path.is_file():
        raise MethodError(f"11.7.1: OSM file {str(path)!r} does not exist.")
    wkb = osmium.geom.WKBFactory()
    street_rows: list[tuple[str, str]] = []  # WKBFactory gives hex WKB
    space_rows: list[tuple[str, str, str]] = []
    keys = set(open_space_tags) | {"highway"}
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter(*sorted(keys)))
            .with_filter(osmium.filter.KeyFilter(*sorted(keys)))
        )
        for obj in processor:
            tags = obj.tags
            if isinstance(obj, osmium.osm.Way):
                if tags.get("access") in ("private", "no"):  # a street the public may not use
                    continue
                highway = tags.get("highway")
                if highway and tags.get("area") != "yes":
                    try:
                        street_rows.append((highway, wkb.create_linestring(obj)))
                    except (osmium.InvalidLocationError, RuntimeError):
                        continue
            elif isinstance(obj, osmium.osm.Area):
                if _not_public(tags):
                    continue
                kind = next(
                    (
                        f"{k}={tags.get(k)}"
                        for k in open_space_tags
                        if tags.get(k) in open_space_tags[k]
                    ),
                    None,
                )
                if kind is None or (kind.startswith("highway=") and tags.get("area") != "yes"):
                    continue
                try:
                    space_rows.append((kind, str(obj.orig_id()), wkb.create_multipolygon(obj)))
                except (osmium.InvalidLocationError, RuntimeError):
                    continue
    except RuntimeError as exc:
        raise MethodError(f"11.7.1: cannot read OSM file {str(path)!r}: {exc}") from exc
    streets = gpd.GeoDataFrame(
        {"highway": [r[0] for r in street_rows]},
        geometry=shapely.from_wkb([r[1] for r in street_rows]),
        crs="EPSG:4326",
    ).to_crs(crs)
    spaces = gpd.GeoDataFrame(
        {"kind": [r[0] for r in space_rows], "osm_id": [r[1] for r in space_rows]},
        geometry=shapely.from_wkb([r[2] for r in space_rows]),
        crs="EPSG:4326",
    ).to_crs(crs)
    return streets, spaces
