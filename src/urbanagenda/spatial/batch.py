"""Many cities at once: 11.2.1 per city as one Dask task each, resumable and isolated.

A manifest (CSV) lists one city per row::

    city_id,area_code,year,gtfs,osm,population
    poa,br_porto_alegre,2019,poa_eptc.zip;poa_trensurb.zip,poa_osm.pbf,poa_hexgrid.csv

``gtfs`` holds one or more feeds separated by ``;``.  Relative paths are relative to the
manifest's folder.  Optional columns: ``population_column``, ``crs``, and a frequency filter
(``service_date`` YYYY-MM-DD, ``window_start``, ``window_end``, ``min_departures_per_hour``).

Each city writes ``<results>/<city_id>.json`` (status, result or error).  A rerun skips a city
whose result file says ``done`` with the same input checksums and parameters; failed cities
are retried.  One city's failure never stops the others.  Writing to the store is a separate
step (:func:`store_batch_results` in the I/O layer of the CLI) so the tasks stay pure of
database connections.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from urbanagenda.errors import MethodError, UrbanAgendaError
from urbanagenda.spatial.gtfs import FrequencyFilter, StopOptions
from urbanagenda.spatial.results import IndicatorResult, file_sha256
from urbanagenda.spatial.transport_access import (
    METHOD_VERSION,
    TransportAccessParameters,
    compute_transport_access,
)

__all__ = [
    "BatchSummary",
    "CityOutcome",
    "CityTask",
    "read_manifest",
    "run_batch",
    "run_city",
    "tidy_observations",
]

_SEX_CODES = {"female": "F", "women": "F", "male": "M", "men": "M"}
_REQUIRED = ("city_id", "area_code", "gtfs", "osm", "population")


@dataclass(frozen=True)
class CityTask:
    """One city of a manifest, with absolute paths."""

    city_id: str
    area_code: str
    gtfs: tuple[str, ...]
    osm: str
    population: str
    year: int | None = None
    population_column: str | None = None
    crs: str | None = None
    frequency: FrequencyFilter | None = None

    def input_paths(self) -> dict[str, str]:
        paths = {f"gtfs:{Path(p).name}": p for p in self.gtfs}
        paths[f"osm:{Path(self.osm).name}"] = self.osm
        paths[f"population:{Path(self.population).name}"] = self.population
        return paths


@dataclass(frozen=True)
class CityOutcome:
    """What happened to one city: ``done``, ``skipped`` (already done) or ``failed``."""

    city_id: str
    area_code: str
    status: str
    year: int | None = None
    result: IndicatorResult | None = None
    error: str | None = None
    seconds: float = 0.0
    rss_mb: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "city_id": self.city_id,
            "area_code": self.area_code,
            "year": self.year,
            "status": self.status,
            "result": self.result.to_dict() if self.result else None,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "rss_mb": self.rss_mb,
        }


@dataclass
class BatchSummary:
    outcomes: list[CityOutcome] = field(default_factory=list)
    seconds: float = 0.0
    scheduler: str = ""

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cities": len(self.outcomes),
            "done": self.count("done"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "seconds": round(self.seconds, 3),
            "scheduler": self.scheduler,
            "failures": {o.city_id: o.error for o in self.outcomes if o.status == "failed"},
        }


def _text(row: pd.Series, column: str) -> str | None:
    if column not in row.index:
        return None
    value = str(row[column]).strip()
    return value or None


def read_manifest(path: str | Path) -> list[CityTask]:
    """Read a batch manifest (see the module docstring); paths become absolute."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise MethodError(f"Cannot read batch manifest {str(path)!r}: {exc}.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise MethodError(
            f"Batch manifest {str(path)!r} lacks column(s) {missing}; it needs "
            f"{list(_REQUIRED)} (gtfs may list several feeds separated by ';')."
        )
    base = path.parent

    def resolve(text: str) -> str:
        p = Path(text.strip())
        return str(p if p.is_absolute() else (base / p).resolve())

    tasks = []
    seen: set[str] = set()
    for i, row in frame.iterrows():
        line = int(str(i)) + 2
        city = _text(row, "city_id")
        if not city or city in seen:
            raise MethodError(
                f"Batch manifest {str(path)!r} line {line}: city_id {city!r} is empty or "
                "repeated; every row needs its own city_id (it names the result file)."
            )
        seen.add(city)
        year_text = _text(row, "year")
        frequency = None
        if _text(row, "service_date"):
            try:
                frequency = FrequencyFilter(
                    service_date=date.fromisoformat(str(_text(row, "service_date"))),
                    start=_text(row, "window_start") or "07:00:00",
                    end=_text(row, "window_end") or "09:00:00",
                    min_departures_per_hour=float(_text(row, "min_departures_per_hour") or 2),
                )
            except ValueError as exc:
                raise MethodError(
                    f"Batch manifest line {line} ({city}): bad frequency filter ({exc}); give "
                    "service_date as YYYY-MM-DD and min_departures_per_hour as a number."
                ) from exc
        tasks.append(
            CityTask(
                city_id=city,
                area_code=_text(row, "area_code") or "",
                gtfs=tuple(resolve(g) for g in str(row["gtfs"]).split(";") if g.strip()),
                osm=resolve(str(row["osm"])),
                population=resolve(str(row["population"])),
                year=int(year_text) if year_text and year_text.isdigit() else None,
                population_column=_text(row, "population_column"),
                crs=_text(row, "crs"),
                frequency=frequency,
            )
        )
    return tasks


def _result_path(results_dir: Path, city_id: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in city_id)
    return results_dir / f"{safe}.json"


def _rss_mb() -> float | None:
    try:
        import psutil

        return round(psutil.Process(os.getpid()).memory_info().rss / 2**20, 1)
    except Exception:  # pragma: no cover - psutil ships with distributed
        return None


def run_city(
    task: CityTask,
    results_dir: str,
    parameters: TransportAccessParameters | None = None,
    stop_options: StopOptions | None = None,
) -> CityOutcome:
    """Compute one city (the Dask task).  Never raises: failures become an outcome."""
    started = time.perf_counter()
    out = _result_path(Path(results_dir), task.city_id)
    base_options = stop_options or StopOptions()
    options = StopOptions(
        route_type_capacity=base_options.route_type_capacity,
        high_capacity_routes=base_options.high_capacity_routes,
        frequency=task.frequency or base_options.frequency,
    )
    try:
        checksums = {name: file_sha256(p) for name, p in task.input_paths().items()}
        if out.is_file():
            previous = _read_outcome(out)
            if (
                previous is not None
                and previous.status == "done"
                and previous.result is not None
                and dict(previous.result.inputs) == checksums
                and previous.result.method_version == METHOD_VERSION
                and _same_settings(previous.result, parameters, options)
            ):
                return CityOutcome(
                    task.city_id,
                    task.area_code,
                    "skipped",
                    year=task.year,
                    result=previous.result,
                    seconds=time.perf_counter() - started,
                )
        result = compute_transport_access(
            list(task.gtfs),
            task.osm,
            task.population,
            parameters,
            options,
            crs=task.crs,
            population_column=task.population_column,
        )
        outcome = CityOutcome(
            task.city_id,
            task.area_code,
            "done",
            year=task.year,
            result=result,
            seconds=time.perf_counter() - started,
            rss_mb=_rss_mb(),
        )
    except UrbanAgendaError as exc:
        outcome = _failed(task, str(exc), started)
    except Exception as exc:  # isolate the city whatever went wrong; keep the trace
        trace = traceback.format_exception_only(type(exc), exc)[-1].strip()
        outcome = _failed(task, f"unexpected {trace}", started)
    _write_outcome(out, outcome)
    return outcome


def _same_settings(
    result: IndicatorResult,
    parameters: TransportAccessParameters | None,
    options: StopOptions,
) -> bool:
    wanted = (parameters or TransportAccessParameters()).to_dict()
    wanted["frequency_filter"] = options.frequency.to_dict() if options.frequency else None
    wanted["high_capacity_routes"] = sorted(options.high_capacity_routes)
    wanted["route_type_capacity"] = {
        str(k): v for k, v in sorted(options.route_type_capacity.items())
    }
    return all(result.parameters.get(k) == v for k, v in wanted.items())


def _failed(task: CityTask, error: str, started: float) -> CityOutcome:
    return CityOutcome(
        task.city_id,
        task.area_code,
        "failed",
        year=task.year,
        error=error,
        seconds=time.perf_counter() - started,
        rss_mb=_rss_mb(),
    )


def _write_outcome(path: Path, outcome: CityOutcome) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(outcome.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves half a result that would be skipped


def _read_outcome(path: Path) -> CityOutcome | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = IndicatorResult.from_dict(data["result"]) if data.get("result") else None
        return CityOutcome(
            data["city_id"],
            data.get("area_code", ""),
            data["status"],
            year=data.get("year"),
            result=result,
            error=data.get("error"),
        )
    except (OSError, ValueError, KeyError, TypeError, UrbanAgendaError):
        return None  # unreadable: compute again


def run_batch(
    tasks: Sequence[CityTask],
    results_dir: str | Path,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    memory_limit: str = "2GiB",
    parameters: TransportAccessParameters | None = None,
    stop_options: StopOptions | None = None,
    progress: Callable[[CityOutcome], None] | None = None,
    client: Any = None,
) -> BatchSummary:
    """Run every city as one Dask task on a LocalCluster (default) or the given scheduler.

    ``scheduler`` is ``None``/``"local"`` for a LocalCluster of ``n_workers`` single-threaded
    worker processes (``memory_limit`` each), or a Dask scheduler address
    (``tcp://host:port``) whose workers see the same paths.  ``progress`` is called in the
    client process as each city finishes.  An existing ``distributed.Client`` may be passed
    as ``client`` (it is left open).
    """
    from distributed import Client, LocalCluster, as_completed

    results = Path(results_dir).resolve()
    results.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = BatchSummary(scheduler=scheduler or "local")
    cluster = None
    own_client = client is None
    if client is not None:
        summary.scheduler = str(client.scheduler.address)
    elif scheduler in (None, "", "local"):
        cluster = LocalCluster(
            n_workers=n_workers or min(os.cpu_count() or 1, max(len(tasks), 1)),
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise MethodError(
                f"Cannot reach the Dask scheduler {scheduler!r}: {exc}. Start one "
                "(dask scheduler) or use --scheduler local."
            ) from exc
    run_token = uuid.uuid4().hex[:12]  # fresh keys: a rerun must not get the cached futures
    try:
        futures = {
            client.submit(
                run_city,
                task,
                str(results),
                parameters,
                stop_options,
                key=f"urbanagenda-11.2.1-{task.city_id}-{run_token}-{i}",
                pure=False,
            ): task
            for i, task in enumerate(tasks)
        }
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker died: isolate this city, go on
                outcome = CityOutcome(
                    task.city_id,
                    task.area_code,
                    "failed",
                    year=task.year,
                    error=f"the worker running this city failed: {exc!r}",
                )
                _write_outcome(_result_path(results, task.city_id), outcome)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
    order = {t.city_id: i for i, t in enumerate(tasks)}
    summary.outcomes.sort(key=lambda o: order.get(o.city_id, 0))
    summary.seconds = time.perf_counter() - started
    return summary


def tidy_observations(outcomes: Iterable[CityOutcome], series: str = "SP_TRN_PUBL") -> pd.DataFrame:
    """Tidy observation rows (series_code, area_code, year, value, unit, source, footnote)
    for every city with a value; the source names the method and its version."""
    rows = []
    for o in outcomes:
        if o.result is None or o.result.value is None or o.status == "failed":
            continue
        if o.year is None:
            raise MethodError(
                f"City {o.city_id}: no year in the manifest, so the value cannot be stored as "
                "an observation. Add a year column (the year the inputs describe)."
            )
        source = f"urbanagenda computed ({o.result.method} v{o.result.method_version})"
        frequency = o.result.parameters.get("frequency_filter")
        footnote = (
            f"Stops filtered by service frequency: {json.dumps(frequency, sort_keys=True)}."
            if frequency
            else ""
        )
        base = {
            "series_code": series,
            "area_code": o.area_code,
            "year": o.year,
            "unit": o.result.unit,
            "nature": "E",  # estimated from raw geodata, not reported by the country
            "source": source,
            "footnote": footnote,
        }
        rows.append({**base, "sex": "_T", "value": round(o.result.value, 6)})
        disaggregation = o.result.components.get("disaggregation") or {}
        for column, part in disaggregation.items():
            sex = _SEX_CODES.get(
                str(column).lower().removeprefix("pop_").removeprefix("population_")
            )
            if sex and part.get("share") is not None:
                rows.append({**base, "sex": sex, "value": round(100.0 * part["share"], 6)})
    return pd.DataFrame(
        rows,
        columns=[
            "series_code",
            "area_code",
            "year",
            "sex",
            "value",
            "unit",
            "nature",
            "source",
            "footnote",
        ],
    )
