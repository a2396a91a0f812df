"""11.2.1 golden values on the real Porto Alegre and São Paulo bundles, cross-checked against
an independent straightforward computation (plain-Python Dijkstra, brute-force snapping)."""

from __future__ import annotations

import heapq
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from urbanagenda.spatial.gtfs import FrequencyFilter, StopOptions, read_gtfs, stop_table
from urbanagenda.spatial.network import read_walk_network
from urbanagenda.spatial.population import population_to_crs, read_population
from urbanagenda.spatial.transport_access import (
    compute_transport_access,
    stop_points,
    transport_access,
)

BUNDLES = Path(__file__).parents[1] / "specimens" / "city_bundles"
POA = BUNDLES / "porto_alegre"


@pytest.fixture(scope="module")
def poa():
    network, _ = read_walk_network(POA / "poa_osm.pbf")
    feeds = [read_gtfs(POA / "poa_eptc.zip"), read_gtfs(POA / "poa_trensurb.zip")]
    stops = stop_points(stop_table(feeds), network.crs)
    population = population_to_crs(read_population(POA / "poa_hexgrid.csv"), network.crs)
    return network, stops, population


def test_porto_alegre_golden(poa) -> None:
    network, stops, population = poa
    result = transport_access(network, stops, population)
    c = result.components
    assert c["population_total"] == 812_935
    assert c["population_served"] == 731_677
    assert result.value == pytest.approx(100 * 731_677 / 812_935)  # 90.0044 %
    assert c["by_capacity"]["low"]["stops"] == 3986
    assert c["by_capacity"]["high"]["stops"] == 24  # Trensurb, route_type 2
    assert c["by_capacity"]["high"]["population_served"] == 18_306
    assert network.crs == "EPSG:32722"


def _nearest_brute_force(xy: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node by computing every squared distance (in chunks), no spatial index."""
    centre = nodes.mean(axis=0)  # keep the squares small so the expansion stays exact enough
    n, p = nodes - centre, xy - centre
    n2 = (n**2).sum(axis=1)
    index = np.concatenate(
        [np.argmin(n2[None, :] - 2 * p[i : i + 512] @ n.T, axis=1) for i in range(0, len(p), 512)]
    )
    return index, np.hypot(*(xy - nodes[index]).T)


def _plain_dijkstra(adjacency, sources: dict[int, float], limit: float) -> dict[int, float]:
    best: dict[int, float] = {}
    heap = [(d, s) for s, d in sources.items() if d <= limit]
    heapq.heapify(heap)
    while heap:
        d, node = heapq.heappop(heap)
        if node in best:
            continue
        best[node] = d
        for other, length in adjacency[node]:
            nd = d + length
            if other not in best and nd <= limit:
                heapq.heappush(heap, (nd, other))
    return best


def test_porto_alegre_agrees_with_a_straightforward_computation(poa) -> None:
    network, stops, population = poa
    result = transport_access(network, stops, population)
    adjacency: list[list[tuple[int, float]]] = [[] for _ in range(network.n_nodes)]
    for a, b, length in zip(network.u, network.v, network.length, strict=True):
        adjacency[a].append((int(b), float(length)))
        adjacency[b].append((int(a), float(length)))
    pop_xy = np.column_stack([population.geometry.x, population.geometry.y])
    pop_node, pop_snap = _nearest_brute_force(pop_xy, network.xy)
    served = np.zeros(len(pop_xy), dtype=bool)
    for capacity, limit in (("low", 500.0), ("high", 1000.0)):
        chosen = stops[stops["capacity"] == capacity]
        sxy = np.column_stack([chosen.geometry.x, chosen.geometry.y])
        s_node, s_snap = _nearest_brute_force(sxy, network.xy)
        sources: dict[int, float] = {}
        for node, snap in zip(s_node, s_snap, strict=True):
            sources[int(node)] = min(sources.get(int(node), np.inf), float(snap))
        reach = _plain_dijkstra(adjacency, sources, limit)
        dist = np.array([reach.get(int(n), np.inf) for n in pop_node])
        served |= dist + pop_snap <= limit
    pop = population["population"].to_numpy()
    assert served.sum() == result.components["population_points_served"]
    assert pop[served].sum() == result.components["population_served"]


def test_sao_paulo_frequencies_filter() -> None:
    feed = read_gtfs(BUNDLES / "sao_paulo" / "spo.zip")
    table = stop_table([feed])
    assert table["capacity"].value_counts().to_dict() == {"low": 466, "high": 188}
    rule = FrequencyFilter(date(2019, 10, 2), "07:00", "09:00", min_departures_per_hour=6)
    filtered = stop_table([feed], StopOptions(frequency=rule))
    assert len(filtered) < len(table)
    # CPTM L07-0 runs 05:00–05:59 every 360 s, so in 07:00–09:00 its first stop (18940) has
    # frequency-expanded departures; every kept stop meets the threshold
    assert (filtered["departures_per_hour"] >= 6).all()
    assert filtered.set_index("stop_id").loc["18940", "departures_per_hour"] > 0


def test_whole_pipeline_from_files_porto_alegre() -> None:
    result = compute_transport_access(
        [POA / "poa_eptc.zip", POA / "poa_trensurb.zip"],
        POA / "poa_osm.pbf",
        POA / "poa_hexgrid.csv",
    )
    assert result.components["population_served"] == 731_677
    assert set(result.inputs) == {
        "gtfs:poa_eptc.zip",
        "gtfs:poa_trensurb.zip",
        "osm:poa_osm.pbf",
        "population:poa_hexgrid.csv",
    }
    assert result.parameters["working_crs"] == "EPSG:32722"
    assert result.components["stops_by_feed"] == {
        "poa_eptc": {"low": 3986},
        "poa_trensurb": {"high": 24},
    }
