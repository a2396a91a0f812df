"""Recording an assessment run and its results in the store (``assessment_run`` and
``assessment_result``, migration 0002), with SQLAlchemy Core inserts in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError
from urbanagenda.model.observations import TOTAL
from urbanagenda.store import schema as s

__all__ = ["record_run"]

_NUMBERS = (
    "score",
    "cagr_actual",
    "cagr_required",
    "ratio",
    "base_value",
    "latest_value",
    "target_value",
)
_YEARS = ("base_year", "latest_year")


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _series_rows(results: pd.DataFrame, run_id: int) -> list[dict[str, Any]]:
    rows = []
    for rec in results.to_dict("records"):
        row = {
            "run_id": run_id,
            "level": "series",
            "code": rec["series_code"],
            "area_code": rec["area_code"],
            "sex": rec.get("sex", TOTAL),
            "age": rec.get("age", TOTAL),
            "location": rec.get("location", TOTAL),
            "breakdown": rec.get("breakdown", ""),
            "aggregated": False,
            "status": rec["status"],
            "label": rec["label"],
            "reason": _clean(rec.get("reason")),
        }
        row.update({c: _clean(rec.get(c)) for c in _NUMBERS})
        row.update({c: _clean(rec.get(c)) for c in _YEARS})
        rows.append(row)
    return rows


def _rollup_rows(rollup: pd.DataFrame, run_id: int) -> list[dict[str, Any]]:
    rows = []
    for rec in rollup[rollup["level"] != "series"].to_dict("records"):
        rows.append(
            {
                "run_id": run_id,
                "level": rec["level"],
                "code": rec["code"],
                "area_code": rec["area_code"],
                "sex": TOTAL,
                "age": TOTAL,
                "location": TOTAL,
                "breakdown": "",
                "aggregated": True,
                "status": rec["status"],
                "label": rec["label"],
                "reason": _clean(rec.get("reason")),
                **{c: _clean(rec.get(c)) for c in _NUMBERS},
                **{c: None for c in _YEARS},
            }
        )
    return rows


def record_run(
    engine: Engine,
    results: pd.DataFrame,
    method: str,
    edition: str,
    parameters: Mapping[str, Any],
    scope: Mapping[str, Any],
    *,
    rollup: pd.DataFrame | None = None,
    as_of: int | None = None,
    note: str | None = None,
) -> int:
    """Write a run and its results; return the run id.

    ``results`` are series-level rows of :func:`urbanagenda.assess.methods.assess`;
    ``rollup`` (optional) the output of :func:`urbanagenda.assess.rollup.roll_up`, whose
    indicator/target/goal rows are stored with ``aggregated = true``.  The run records the
    newest load the data come from, so that a verdict can be reproduced.
    """
    try:
        with engine.begin() as conn:
            newest_load = conn.execute(select(func.max(s.load_run.c.id))).scalar()
            inserted = conn.execute(
                insert(s.assessment_run).values(
                    method=method,
                    edition=str(edition),
                    created_at=datetime.now(UTC),
                    data_as_of_load=newest_load,
                    as_of_year=as_of,
                    parameters=dict(parameters),
                    scope=dict(scope),
                    n_results=len(results),
                    note=note,
                )
            ).inserted_primary_key
            assert inserted is not None
            run_id = int(inserted[0])
            rows = _series_rows(results, run_id)
            if rollup is not None:
                rows += _rollup_rows(rollup, run_id)
            if rows:
                conn.execute(insert(s.assessment_result), rows)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot record the assessment run in {engine.url!r}: {str(exc)[:400]}. Is the "
            "database migrated to revision 0002? Run `urbanagenda init`."
        ) from exc
    return run_id
