"""compute-batch and compute 11.2.1 end to end: Dask tasks per city, resume, isolation, store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from transport_city import grid_city
from typer.testing import CliRunner

from urbanagenda.cli.main import app
from urbanagenda.spatial.batch import read_manifest, run_batch
from urbanagenda.store import schema as s


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as local:
        yield local.scheduler_address


def manifest(tmp_path: Path) -> Path:
    a = grid_city(tmp_path / "a", n=8, seed=1)
    b = grid_city(tmp_path / "b", n=6, seed=2)
    broken = tmp_path / "broken_gtfs.zip"
    broken.write_bytes(b"not a zip")
    rows = [
        "city_id,area_code,year,gtfs,osm,population",
        f"a,br_porto_alegre,2024,a/{a['gtfs'].name},a/{a['osm'].name},a/{a['population'].name}",
        f"b,br_sao_paulo,2024,b/{b['gtfs'].name},b/{b['osm'].name},b/{b['population'].name}",
        f"bad,br_porto_alegre,2024,{broken.name},a/{a['osm'].name},a/{a['population'].name}",
    ]
    path = tmp_path / "cities.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_batch_isolates_failures_and_resumes(tmp_path: Path, cluster: str) -> None:
    from distributed import Client

    tasks = read_manifest(manifest(tmp_path))
    assert [t.city_id for t in tasks] == ["a", "b", "bad"]
    results = tmp_path / "out"
    seen: list[str] = []
    with Client(cluster) as client:
        first = run_batch(tasks, results, client=client, progress=lambda o: seen.append(o.city_id))
        assert sorted(seen) == ["a", "b", "bad"]
        assert [o.status for o in first.outcomes] == ["done", "done", "failed"]
        assert "Cannot read GTFS feed" in (first.outcomes[2].error or "")
        assert json.loads((results / "a.json").read_text())["status"] == "done"
        again = run_batch(tasks, results, client=client)
        assert [o.status for o in again.outcomes] == ["skipped", "skipped", "failed"]
        assert again.outcomes[0].result == first.outcomes[0].result
        # a changed input is computed again
        population = Path(tasks[1].population)
        first_point = population.read_text().splitlines()[1]
        population.write_text(population.read_text() + first_point + "\n")
        third = run_batch(tasks, results, client=client)
        assert [o.status for o in third.outcomes] == ["skipped", "done", "failed"]


def test_compute_batch_cli_stores_observations_and_runs(
    tmp_path: Path, cluster: str, sqlite_engine: Engine
) -> None:
    path = manifest(tmp_path)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["compute-batch", str(path), "--scheduler", cluster, "--store", "-d", url, "--json"],
    )
    assert out.exit_code == 1, out.output  # one city failed: reported, the others stored
    report = json.loads(out.stdout)
    assert (report["done"], report["failed"]) == (2, 1)
    assert report["store"]["observations"] == 2
    with sqlite_engine.connect() as conn:
        obs = conn.execute(
            select(s.observation.c.area_code, s.observation.c.value, s.observation.c.source).where(
                s.observation.c.series_code == "SP_TRN_PUBL",
                s.observation.c.source.like("urbanagenda computed%"),
            )
        ).all()
        runs = conn.execute(select(s.computation_run.c.area_code, s.computation_run.c.status)).all()
    assert {o.area_code for o in obs} == {"br_porto_alegre", "br_sao_paulo"}
    assert all(o.source == "urbanagenda computed (sdg-11.2.1 v1.0)" for o in obs)
    assert sorted(r.status for r in runs) == ["done", "done", "failed"]


def test_compute_transport_access_cli(tmp_path: Path) -> None:
    city = grid_city(tmp_path / "c", n=6)
    args = ["compute", "11.2.1", "--gtfs", str(city["gtfs"]), "--osm", str(city["osm"])]
    args += ["--population", str(city["population"]), "--area", "br_porto_alegre"]
    out = CliRunner().invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["indicator"] == "11.2.1" and data["area_code"] == "br_porto_alegre"
    assert 0 <= data["value"] <= 100
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0 and "11.2.1" in table.output
    bad = CliRunner().invoke(app, [*args[:4], "--osm", str(city["gtfs"]), *args[6:]])
    assert bad.exit_code == 2 and "Cannot read OSM file" in bad.output
