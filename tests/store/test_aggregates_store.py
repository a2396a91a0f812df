"""Computed aggregates stored and read back on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import data_path
from urbanagenda.store import schema as s
from urbanagenda.store.aggregates import aggregate_series, store_aggregates
from urbanagenda.store.load import load_files

TIDY = Path(__file__).parents[1] / "specimens" / "tidy"


def test_city_mean_for_nigeria_is_stored_once_and_upserted(engine: Engine) -> None:
    # Lagos 38.1 %, Ibadan 11.8 % (2020), and the population weights of the bundle
    load_files(
        engine,
        [TIDY / "nga_slum.csv", data_path("population/world_bank_population_by_country.csv")],
    )
    computed = aggregate_series(engine, "SP_TRN_PUBL", areas=["566"])
    row = computed[(computed["area_code"] == "566") & (computed["year"] == 2020)].iloc[0]
    assert row["value"] == pytest.approx((38.1 + 11.8) / 2)
    assert row["n_with_data"] == 2
    assert store_aggregates(engine, computed) >= 1
    assert store_aggregates(engine, computed) >= 1  # again: an upsert, not a second row
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(s.aggregate_value).where(
                    s.aggregate_value.c.series_code == "SP_TRN_PUBL",
                    s.aggregate_value.c.area_code == "566",
                )
            )
            .mappings()
            .all()
        )
    assert len(rows) == 1
    assert rows[0]["value"] == pytest.approx(24.95)
    assert rows[0]["member_kind"] == "city"
    assert "simple mean" in (rows[0]["weight_source"] or "")
