"""The ``urbanagenda compute`` commands of 11.3.1, 11.1.1, 11.6.1 and urban centres."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from urbanagenda.cli.main import app

SPECIMENS = Path(__file__).parents[1] / "specimens" / "spatial"
UCDB = SPECIMENS / "ghs_ucdb2015_r2019a_v1_2_las_palmas.gpkg"
runner = CliRunner()


def test_compute_11_3_1_json_per_centre() -> None:
    args = ["compute", "11.3.1", "--ucdb", str(UCDB), "--from", "1990", "--to", "2015"]
    result = runner.invoke(app, [*args, "--lcr", "log", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["id"] == 1494 and rows[0]["country"] == "ESP"
    assert rows[0]["value"] == pytest.approx(rows[0]["components"]["ucdb_published_lue"], abs=1e-6)
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "Las" in table.stdout


def test_compute_11_3_1_bad_epoch_exits_2() -> None:
    result = runner.invoke(app, ["compute", "11.3.1", "--ucdb", str(UCDB), "--from", "1995"])
    assert result.exit_code == 2
    assert "no epoch 1995" in result.stderr


def test_compute_11_1_1_and_11_6_1(tmp_path: Path) -> None:
    households = tmp_path / "households.csv"
    pd.DataFrame(
        {
            "weight": [1, 1],
            "household_size": [2, 2],
            "improved_water": [1, 0],
            "improved_sanitation": [1, 1],
            "sufficient_living_space": [1, 1],
            "durable_housing": [1, 1],
            "secure_tenure": [1, 1],
        }
    ).to_csv(households, index=False)
    result = runner.invoke(app, ["compute", "11.1.1", "--households", str(households), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == pytest.approx(50.0)
    generation, facilities = tmp_path / "g.csv", tmp_path / "f.csv"
    generation.write_text("source,tonnes,unit\nhousehold,100,t/day\n")
    facilities.write_text(
        "facility,type,control_level,received_tonnes,unit\nlandfill,disposal,basic,60,t/day\n"
    )
    args = ["compute", "11.6.1", "--generation", str(generation), "--facilities", str(facilities)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == pytest.approx(60.0)


def test_compute_urban_centres_on_the_helsinki_grid() -> None:
    grid = SPECIMENS / "helsinki_population_grid_2020.gpkg"
    args = ["compute", "urban-centres", "--population", str(grid), "--crs", "EPSG:3067"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["centres"][0]["population"] == pytest.approx(71_039)


def _geotiff(path: Path, values: object) -> Path:
    import numpy as np
    import rasterio
    from affine import Affine

    data = np.asarray(values, dtype="float32")
    profile = {
        "driver": "GTiff", "height": data.shape[0], "width": data.shape[1], "count": 1,
        "dtype": "float32", "crs": "EPSG:3035", "transform": Affine(1000, 0, 0, 0, -1000, 8000),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def test_compute_urban_centres_with_a_built_up_raster(tmp_path: Path) -> None:
    import numpy as np

    # two blocks (36,000 and 24,000 people, each below 50,000) joined by a column of two
    # cells with 200 people each that are 60 % built up: one centre of 60,400 with --built-up
    pop, built = np.zeros((8, 10)), np.zeros((8, 10))
    pop[2:5, 1:4], pop[2:4, 4], pop[2:4, 5:8] = 4000, 200, 4000
    built[2:4, 4] = 600_000
    args = ["compute", "urban-centres", "--population", str(_geotiff(tmp_path / "p.tif", pop))]
    alone = runner.invoke(app, [*args, "--json"])
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.stdout)["centres"] == []
    result = runner.invoke(
        app, [*args, "--built-up", str(_geotiff(tmp_path / "b.tif", built)), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["population"] for c in data["centres"]] == [pytest.approx(60_400)]
    assert data["components"]["dense_by_built_up_only"] == 2
    wrong = runner.invoke(
        app, [*args, "--built-up", str(_geotiff(tmp_path / "w.tif", built[:5, :5]))]
    )
    assert wrong.exit_code == 2 and "not on the grid" in wrong.output
