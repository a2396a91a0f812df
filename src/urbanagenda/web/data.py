"""What the web platform reads from the store, with caches keyed on the data version.

The *data version* changes whenever a load, an assessment run or an aggregate is written
(it is built from the highest ids of ``load_run`` and ``assessment_run`` and the number of
``aggregate_value`` rows); every cache entry and every ETag carries it, so an answer is
never older than the data it was computed from (the version itself is re-read at most once
a second).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import StoreError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.model.catalogue import Catalogue, load_catalogue
from urbanagenda.store import schema as s

__all__ = ["LRU", "OBSERVATION_FIELDS", "UNAVAILABLE", "ObservationQuery", "WebStore"]

T = TypeVar("T")
log = logging.getLogger("urbanagenda.web")
#: The data version while the database cannot be read.
UNAVAILABLE = "unavailable"

OBSERVATION_FIELDS = (
    "series_code",
    "area_code",
    "area_name",
    "area_kind",
    "year",
    "sex",
    "age",
    "location",
    "breakdown",
    "value",
    "unit",
    "nature",
    "source",
    "footnote",
)


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        if self.size <= 0:
            return None
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True)
class ObservationQuery:
    """A filter on observations; every field is optional.  Area codes are canonical."""

    series: tuple[str, ...] = ()
    indicator: str | None = None
    areas: tuple[str, ...] = ()
    area_level: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    sex: str | None = None
    age: str | None = None
    location: str | None = None
    breakdown: str | None = None
    limit: int | None = 1000
    offset: int = 0


class WebStore:
    def __init__(self, engine: Engine, cache_size: int = 512) -> None:
        self.engine = engine
        self.cache = LRU(cache_size)
        self._computed = LRU(256)  # expensive results (assessments, aggregates, pages' data)
        self._building: dict[tuple[Any, ...], threading.Lock] = {}
        self._version: tuple[float, str] = (0.0, "")  # (when read, data + reporting version)
        self._data_version = ""
        self._lock = threading.Lock()

    # -- reference data (from the package, the same the store was initialised with) ---------

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue()

    @cached_property
    def areas(self) -> Areas:
        return load_areas()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection; a database that cannot be reached or read raises ``StoreError``
        (the API answers 503 and logs the cause, the client never sees it)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot read from the database {self.engine.url!r}: {exc}. Has it been "
                "created? Run `urbanagenda init` or `urbanagenda demo`."
            ) from exc

    # -- data version -------------------------------------------------------------------------

    def version(self, strict: bool = False) -> str:
        """The data version.  A database that cannot be read gives ``"unavailable"`` (so that
        a cache in front of the application never fails), or ``StoreError`` with ``strict``
        (what the API and the pages' computations use: they answer 503)."""
        now = time.monotonic()
        stamp, value = self._version
        if value and now - stamp < 1.0:
            return self._data_version
        try:
            with self.connect() as conn:
                loads = conn.execute(select(func.coalesce(func.max(s.load_run.c.id), 0))).scalar()
                runs = conn.execute(
                    select(func.coalesce(func.max(s.assessment_run.c.id), 0))
                ).scalar()
                aggs = conn.execute(select(func.count()).select_from(s.aggregate_value)).scalar()
                # every change to a report, a VLR or the library is an audit-log event
                events = conn.execute(
                    select(func.coalesce(func.max(s.document_event.c.id), 0))
                ).scalar()
                # institutional records (a records load changes the records pages and API)
                records = conn.execute(
                    select(func.coalesce(func.max(s.record_load.c.id), 0))
                ).scalar()
                # saved finance analyses and plans (versions are added, never changed)
                finance = [
                    conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
                    for table in (s.finance_analysis, s.finance_plan)
                ]
        except StoreError:
            if strict:
                raise
            log.warning("the data version cannot be read: the database is not available")
            return UNAVAILABLE
        value = f"{loads}.{runs}.{aggs}"
        self._version = (now, f"{value}.{events}.{records}.{finance[0]}.{finance[1]}")
        self._data_version = value
        return value

    def invalidate(self) -> None:
        """Forget the memoised versions (after a write: the next read sees the change at
        once instead of up to a second later)."""
        self._version = (0.0, "")

    def cache_version(self) -> str:
        """What the shared response cache keys on: the data version and the reporting
        platform's changes, the records loads and the saved finance analyses and plans (a
        published report, a new record or a saved analysis shows at once; the computed
        progress and aggregates, keyed on :meth:`version`, stay)."""
        data = self.version()
        if data == UNAVAILABLE:
            return data
        return self._version[1]

    def computed(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """``build()`` once per data version and key."""
        full = (self.version(strict=True), *key)
        hit = self._computed.get(full)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        # one computation per key: a second request (or the start-up warm-up) for the same
        # result waits for the first instead of doing the same work beside it
        with self._lock:
            key_lock = self._building.setdefault(full, threading.Lock())
        with key_lock:
            hit = self._computed.get(full)
            if hit is None:
                hit = build()
                self._computed.put(full, hit)
        with self._lock:
            self._building.pop(full, None)
        return hit  # type: ignore[no-any-return]

    # -- observations --------------------------------------------------------------------------

    def _where(self, q: ObservationQuery) -> list[Any]:
        o, a = s.observation, s.area
        cond: list[Any] = []
        if q.series:
            cond.append(o.c.series_code.in_(list(q.series)))
        if q.indicator:
            codes = [x.code for x in self.catalogue.series_of_indicator(q.indicator)]
            cond.append(o.c.series_code.in_(codes))
        if q.areas:
            cond.append(o.c.area_code.in_(list(q.areas)))
        if q.area_level:
            cond.append(o.c.area_code.in_(select(a.c.code).where(a.c.kind == q.area_level)))
        if q.year_from is not None:
            cond.append(o.c.year >= q.year_from)
        if q.year_to is not None:
            cond.append(o.c.year <= q.year_to)
        for name in ("sex", "age", "location", "breakdown"):
            value = getattr(q, name)
            if value is not None:
                cond.append(o.c[name] == value)
        return cond

    def count_observations(self, q: ObservationQuery) -> int:
        stmt = select(func.count()).select_from(s.observation).where(*self._where(q))
        with self.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def observations(self, q: ObservationQuery) -> list[dict[str, Any]]:
        """Matching observations, sorted by their key, with the area's English name."""
        o = s.observation
        cols = [o.c[c] for c in OBSERVATION_FIELDS if c not in ("area_name", "area_kind")]
        stmt = select(*cols).where(*self._where(q))
        stmt = stmt.order_by(
            o.c.series_code, o.c.area_code, o.c.year, o.c.sex, o.c.age, o.c.location,
            o.c.breakdown,
        )  # fmt: skip
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        if q.offset:
            stmt = stmt.offset(q.offset)
        with self.connect() as conn:
            rows = conn.execute(stmt).all()
        names = self.area_names("en")
        kinds = self.area_kinds()
        out = []
        for r in rows:
            (series_code, area_code, year, sex, age, location, breakdown, value, unit, nature,
             source, footnote) = r  # fmt: skip
            out.append(
                {
                    "series_code": series_code,
                    "area_code": area_code,
                    "area_name": names.get(area_code, area_code),
                    "area_kind": kinds.get(area_code, ""),
                    "year": year,
                    "sex": sex,
                    "age": age,
                    "location": location,
                    "breakdown": breakdown,
                    "value": value,
                    "unit": unit,
                    "nature": nature,
                    "source": source,
                    "footnote": footnote,
                }
            )
        return out

    def observation_frame(
        self,
        series: Sequence[str] | None = None,
        areas: Sequence[str] | None = None,
        years: tuple[int | None, int | None] | None = None,
    ) -> pd.DataFrame:
        from urbanagenda.store.query import read_observations

        return read_observations(self.engine, series=series, areas=areas, years=years)

    # -- names and counts ------------------------------------------------------------------------

    def area_names(self, lang: str) -> dict[str, str]:
        """Every area's name in a language (English where the OCHA taxonomy has none)."""
        key = ("area_names", lang)
        hit = self._computed.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        frame = self.areas.frame
        names = dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
        if lang != "en":
            local = self.areas.names
            local = local[local["lang"] == lang]
            names.update(zip(local["code"].astype(str), local["name"].astype(str), strict=True))
            # regions and groups: the OCHA taxonomy names countries only; their names in the
            # other languages are kept with the catalogue's (locale/<lang>/catalogue.yaml)
            if lang == "zh":
                from urbanagenda.assess.progress import load_progress_config

                extra = load_progress_config().get("area_names_zh", {})
                names.update({str(k): str(v) for k, v in extra.items()})
            from urbanagenda.web.i18n import catalogue_names

            names.update(catalogue_names(lang).get("area", {}))
        self._computed.put(key, names)
        return names

    def area_kinds(self) -> dict[str, str]:
        key = ("area_kinds",)
        hit = self._computed.get(key)
        if hit is None:
            frame = self.areas.frame
            hit = dict(zip(frame["code"].astype(str), frame["kind"].astype(str), strict=True))
            self._computed.put(key, hit)
        return hit  # type: ignore[no-any-return]

    def series_counts(self) -> dict[str, int]:
        """Observations per series in the store."""

        def build() -> dict[str, int]:
            o = s.observation
            stmt = select(o.c.series_code, func.count()).group_by(o.c.series_code)
            with self.connect() as conn:
                return {str(c): int(n) for c, n in conn.execute(stmt).all()}

        return self.computed(("series_counts",), build)

    def areas_with_data(self) -> frozenset[str]:
        def build() -> frozenset[str]:
            stmt = select(s.observation.c.area_code).distinct()
            with self.connect() as conn:
                return frozenset(str(r[0]) for r in conn.execute(stmt).all())

        return self.computed(("areas_with_data",), build)

    def series_by_area(self) -> dict[str, dict[str, tuple[int, int, int]]]:
        """``{area: {series: (observations, first year, last year)}}`` for every area with data."""

        def build() -> dict[str, dict[str, tuple[int, int, int]]]:
            o = s.observation
            stmt = select(
                o.c.area_code, o.c.series_code, func.count(), func.min(o.c.year),
                func.max(o.c.year),
            ).group_by(o.c.area_code, o.c.series_code)  # fmt: skip
            out: dict[str, dict[str, tuple[int, int, int]]] = {}
            with self.connect() as conn:
                for area, series, n, first, last in conn.execute(stmt).all():
                    out.setdefault(str(area), {})[str(series)] = (int(n), int(first), int(last))
            return out

        return self.computed(("series_by_area",), build)

    def headline_frame(self, locations: Sequence[str]) -> pd.DataFrame:
        """The headline observations of every series (sex, age and breakdown totals, the
        ``locations`` given), the input of progress assessment, read once per data version."""

        def build() -> pd.DataFrame:
            o = s.observation
            cols = ("series_code", "area_code", "year", "sex", "age", "location", "breakdown",
                    "value")  # fmt: skip
            stmt = (
                select(*[o.c[c] for c in cols])
                .where(o.c.sex == "_T", o.c.age == "_T", o.c.breakdown == "")
                .where(o.c.location.in_(list(locations)))
                .order_by(o.c.series_code, o.c.area_code, o.c.year, o.c.location)
            )
            with self.connect() as conn:
                rows = conn.execute(stmt).all()
            frame = pd.DataFrame(rows, columns=list(cols))
            frame["year"] = frame["year"].astype("int64")
            frame["value"] = frame["value"].astype("float64")
            return frame

        return self.computed(("headline_frame", tuple(locations)), build)
