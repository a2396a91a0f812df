"""The walking street network: read from an OSM PBF, projected to metres, as a sparse graph.

:func:`read_walk_network` is the I/O edge (pyosmium); :func:`walk_network_from_ways` and
:class:`WalkNetwork` are pure.  Edge lengths are straight-line distances between consecutive
way nodes in an explicit projected CRS (by default the UTM zone of the data's centre, see
:func:`utm_crs_for`), so lengths are metres on the ground to well under 0.1 % in a city.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import CRS, Transformer
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from urbanagenda.errors import MethodError

__all__ = [
    "DEFAULT_WALKABLE_HIGHWAYS",
    "WalkNetwork",
    "is_walkable",
    "read_walk_network",
    "utm_crs_for",
    "walk_network_from_ways",
]

#: OSM ``highway`` values a pedestrian may use (configuration; motorways and cycleways out).
DEFAULT_WALKABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "pedestrian",
        "footway",
        "path",
        "steps",
        "track",
        "corridor",
        "road",
        "bridleway",
    }
)
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official"})
_NO_ACCESS = frozenset({"no", "private"})


def is_walkable(
    highway: str | None,
    foot: str | None = None,
    access: str | None = None,
    walkable: frozenset[str] = DEFAULT_WALKABLE_HIGHWAYS,
) -> bool:
    """Whether a way with these tags is part of the walking network.

    >>> is_walkable("residential"), is_walkable("residential", foot="no")
    (True, False)
    >>> is_walkable("service", access="private"), is_walkable("motorway")
    (False, False)
    """
    if highway not in walkable:
        return False
    if foot in _NO_ACCESS:
        return False
    return not (access in _NO_ACCESS and foot not in _FOOT_YES)


def utm_crs_for(lon: float, lat: float) -> str:
    """The WGS 84 / UTM zone CRS (``EPSG:326zz`` north, ``EPSG:327zz`` south) of a point."""
    if not (-180 <= lon <= 180 and -80 <= lat <= 84):
        raise MethodError(
            f"Cannot pick a UTM zone for lon {lon}, lat {lat}: the data are not in WGS84 "
            "degrees within UTM's range (80°S–84°N). Give a projected CRS explicitly (--crs)."
        )
    zone = min(int((lon + 180) // 6) + 1, 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected street graph: node coordinates in ``crs`` (metres) and unique edges.

    ``u < v`` for every edge and each pair appears once (the shortest of parallel segments).
    """

    crs: str
    xy: np.ndarray  # (n, 2) float64, projected metres
    u: np.ndarray  # (m,) int64
    v: np.ndarray  # (m,) int64
    length: np.ndarray  # (m,) float64, metres

    def __post_init__(self) -> None:
        crs = CRS.from_user_input(self.crs)
        if not crs.is_projected:
            raise MethodError(
                f"The walking network must be in a projected CRS in metres; got {self.crs}. "
                "Use utm_crs_for(lon, lat) or a local equal-distance projection."
            )
        if len(self.xy) == 0 or len(self.u) == 0:
            raise MethodError(
                "The walking network is empty (no walkable street segments). Check that the "
                "PBF covers the area and that the walkable highway classes match its tags."
            )

    @cached_property
    def kdtree(self) -> cKDTree:
        """A spatial index of the nodes (built once per network)."""
        return cKDTree(self.xy)

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def total_length_km(self) -> float:
        return float(self.length.sum() / 1000.0)

    def csr(self, extra_nodes: int = 0) -> sp.csr_array:
        """Symmetric adjacency (explicit zeros kept: zero-length edges are edges)."""
        n = self.n_nodes + extra_nodes
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        data = np.concatenate([self.length, self.length])
        return sp.csr_array((data, (rows, cols)), shape=(n, n))

    @classmethod
    def from_edges(
        cls, crs: str, xy: np.ndarray, u: Sequence[int], v: Sequence[int]
    ) -> WalkNetwork:
        """A network from node coordinates and node-index pairs; lengths are Euclidean."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        a, b = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        lengths = np.hypot(*(xy[a] - xy[b]).T)
        return cls(crs, xy, *_unique_edges(a, b, lengths))


def _unique_edges(
    a: np.ndarray, b: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop self-loops, orient u < v, keep the shortest of parallel edges."""
    keep = a != b
    a, b, lengths = a[keep], b[keep], lengths[keep]
    u, v = np.minimum(a, b), np.maximum(a, b)
    edges = pd.DataFrame({"u": u, "v": v, "length": lengths})
    shortest = edges.groupby(["u", "v"], sort=True, as_index=False)["length"].min()
    return (
        shortest["u"].to_numpy(np.int64),
        shortest["v"].to_numpy(np.int64),
        shortest["length"].to_numpy(np.float64),
    )


def walk_network_from_ways(
    ways: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]],
    crs: str | None = None,
    largest_component_only: bool = True,
) -> tuple[WalkNetwork, dict[str, object]]:
    """Build the network from ways given as (OSM node ids, lon, lat) arrays.

    Consecutive nodes of a way become edges; ways meet where they share an OSM node.  With
    ``largest_component_only`` the network keeps its largest connected component, so that
    points do not snap to an isolated fragment (a footway inside a block, a closed courtyard).
    Returns the network and a dict of diagnostics.
    """
    ids_l, lon_l, lat_l, way_l = [], [], [], []
    for k, (ids, lon, lat) in enumerate(ways):
        ids_l.append(np.asarray(ids, dtype=np.int64))
        lon_l.append(np.asarray(lon, dtype=float))
        lat_l.append(np.asarray(lat, dtype=float))
        way_l.append(np.full(len(ids), k, dtype=np.int64))
    if not ids_l:
        raise MethodError(
            "The OSM data have no walkable ways (highway=footway, residential, …). Check that "
            "the PBF covers the city, or widen the walkable highway classes."
        )
    ids = np.concatenate(ids_l)
    lon, lat = np.concatenate(lon_l), np.concatenate(lat_l)
    way = np.concatenate(way_l)
    uniq, index = np.unique(ids, return_inverse=True)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[index[::-1]] = np.arange(len(ids))[::-1]
    node_lon, node_lat = lon[first], lat[first]
    if crs is None:
        crs = utm_crs_for(float(np.median(node_lon)), float(np.median(node_lat)))
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(node_lon, node_lat)
    xy = np.column_stack([x, y])
    same_way = way[1:] == way[:-1]
    a, b = index[:-1][same_way], index[1:][same_way]
    lengths = np.hypot(*(xy[a] - xy[b]).T)
    u, v, length = _unique_edges(a, b, lengths)
    diagnostics: dict[str, object] = {
        "ways": len(ids_l),
        "nodes_all": len(uniq),
        "edges_all": len(u),
    }
    if largest_component_only and len(u):
        n = len(uniq)
        graph = sp.csr_array((np.ones(len(u)), (u, v)), shape=(n, n))
        count, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels[np.unique(np.concatenate([u, v]))], minlength=count)
        keep_label = int(np.argmax(sizes))
        keep = labels == keep_label
        new_index = np.cumsum(keep) - 1
        edge_keep = keep[u]
        u, v, length = new_index[u[edge_keep]], new_index[v[edge_keep]], length[edge_keep]
        xy = xy[keep]
        diagnostics["components"] = int(count)
    else:
        used = np.unique(np.concatenate([u, v])) if len(u) else np.array([], dtype=np.int64)
        remap = np.full(len(uniq), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        u, v, xy = remap[u], remap[v], xy[used]
    network = WalkNetwork(crs, xy, u, v, length)
    diagnostics.update(
        nodes=network.n_nodes, edges=network.n_edges, length_km=network.total_length_km()
    )
    return network, diagnostics


def read_walk_network(
    path: str | Path,
    crs: str | None = None,
    walkable: frozenset[str] = DEFAULT_WALKABLE_HIGHWAYS,
    largest_component_only: bool = True,
) -> tuple[WalkNetwork, dict[str, object]]:
    """Read the walkable ways of an OSM PBF (or .osm/.osm.bz2) with pyosmium."""
    import osmium

    path = Path(path)
    if not path.is_file():
        raise MethodError(f"OSM file {str(path)!r} does not exist; give the city's .osm.pbf.")
    ways: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = obj.tags
            if not is_walkable(tags.get("highway"), tags.get("foot"), tags.get("access"), walkable):
                continue
            refs, lons, lats = [], [], []
            for node in obj.nodes:
                loc = node.location
                if not loc.valid():
                    continue  # node outside the extract
                refs.append(node.ref)
                lons.append(loc.lon)
                lats.append(loc.lat)
            if len(refs) >= 2:
                ways.append((np.array(refs), np.array(lons), np.array(lats)))
    except RuntimeError as exc:
        raise MethodError(
            f"Cannot read OSM file {str(path)!r}: {exc}. Give an OSM PBF (e.g. from "
            "Geofabrik or BBBike, or cut with osmium extract)."
        ) from exc
    if not ways:
        raise MethodError(
            f"OSM file {str(path)!r} has no walkable ways (highway in "
            f"{sorted(walkable)[:6]}…, not foot=no/access=private). Check that the extract "
            "covers the city's streets."
        )
    return walk_network_from_ways(ways, crs=crs, largest_component_only=largest_component_only)
