"""GTFS feeds for SDG 11.2.1: read a feed, classify its stops by capacity, count departures.

Reading (:func:`read_gtfs`) is the I/O edge; everything else is pure and works on
:class:`GtfsFeed` frames.  Real-world quirks handled on purpose: byte-order marks, spaces around
header names and values (Trensurb's ``agency.txt`` has `` agency_name``), CRLF line ends,
empty ``arrival_time``/``departure_time`` at non-timepoint stops (interpolated along the trip),
times past 24:00:00, and ``frequencies.txt`` (headway-based trips).

Capacity classes follow the UN-Habitat 11.2.1 metadata: *low* (bus, tram, trolleybus, coach)
within 500 m, *high* (rail, metro, ferry, BRT) within 1,000 m.  The route-type table is
configuration (:data:`DEFAULT_ROUTE_TYPE_CAPACITY` plus overrides); BRT cannot be told from
``route_type`` (it is 3, bus) so BRT routes are named by id or short name.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from urbanagenda.errors import MethodError

__all__ = [
    "DEFAULT_ROUTE_TYPE_CAPACITY",
    "FrequencyFilter",
    "GtfsFeed",
    "StopOptions",
    "capacity_of_route_type",
    "departures_per_hour",
    "parse_gtfs_time",
    "read_gtfs",
    "stop_table",
]

Capacity = Literal["low", "high"]
CAPACITY_CLASSES: tuple[Capacity, ...] = ("low", "high")

#: GTFS basic route types and the extended (Google / HVT) ranges → capacity class.
#: Single codes win over ranges.  Aerial lifts and funiculars count as low capacity.
DEFAULT_ROUTE_TYPE_CAPACITY: Mapping[int, Capacity] = {
    0: "low",  # tram, streetcar, light rail
    1: "high",  # subway, metro
    2: "high",  # rail
    3: "low",  # bus
    4: "high",  # ferry
    5: "low",  # cable tram
    6: "low",  # aerial lift
    7: "low",  # funicular
    11: "low",  # trolleybus
    12: "high",  # monorail
}
_EXTENDED_RANGES: tuple[tuple[int, int, Capacity], ...] = (
    (100, 199, "high"),  # railway services
    (200, 299, "low"),  # coach
    (400, 499, "high"),  # urban railway, metro, underground
    (700, 799, "low"),  # bus
    (800, 899, "low"),  # trolleybus
    (900, 999, "low"),  # tram
    (1000, 1099, "high"),  # water transport
    (1200, 1299, "high"),  # ferry
    (1300, 1399, "low"),  # aerial lift
    (1400, 1499, "low"),  # funicular
)

_WANTED: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # file: (required columns, optional columns)
    "stops.txt": (("stop_id", "stop_lat", "stop_lon"), ("location_type", "parent_station")),
    "routes.txt": (("route_id", "route_type"), ("route_short_name",)),
    "trips.txt": (("route_id", "service_id", "trip_id"), ()),
    "stop_times.txt": (
        ("trip_id", "stop_id", "stop_sequence"),
        ("arrival_time", "departure_time"),
    ),
    "calendar.txt": (
        (
            "service_id",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "start_date",
            "end_date",
        ),
        (),
    ),
    "calendar_dates.txt": (("service_id", "date", "exception_type"), ()),
    "frequencies.txt": (("trip_id", "start_time", "end_time", "headway_secs"), ()),
}
_REQUIRED_FILES = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")


@dataclass(frozen=True)
class GtfsFeed:
    """The tables of one GTFS feed that 11.2.1 needs, as string-typed frames.

    ``calendar``, ``calendar_dates`` and ``frequencies`` are empty frames when the feed has
    no such file.  ``name`` identifies the feed (stop ids are only unique within a feed).
    """

    name: str
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame


@dataclass(frozen=True)
class FrequencyFilter:
    """Keep only stops with at least ``min_departures_per_hour`` in a window of a service day.

    Departures count every trip calling at the stop (all routes of the feed) whose service runs
    on ``service_date`` (calendar.txt and calendar_dates.txt), including trips expanded from
    frequencies.txt, with departure time in ``[start, end)``.  Trips of the previous service
    day running past midnight are not counted.
    """

    service_date: date
    start: str = "07:00:00"
    end: str = "09:00:00"
    min_departures_per_hour: float = 2.0

    def __post_init__(self) -> None:
        start, end = parse_gtfs_time(self.start), parse_gtfs_time(self.end)
        if start is None or end is None or end <= start:
            raise MethodError(
                f"Frequency filter window {self.start!r}–{self.end!r} is not a valid window; "
                "give start and end as HH:MM[:SS] with end after start, e.g. 07:00 and 09:00."
            )
        if self.min_departures_per_hour < 0:
            raise MethodError(
                f"min_departures_per_hour is {self.min_departures_per_hour}; give a number ≥ 0."
            )

    def to_dict(self) -> dict[str, object]:
        return {
            "service_date": self.service_date.isoformat(),
            "start": self.start,
            "end": self.end,
            "min_departures_per_hour": self.min_departures_per_hour,
        }


# --- reading ----------------------------------------------------------------------------


def _clean_name(name: object) -> str:
    return str(name).replace("\ufeff", "").strip()


def _read_table(raw: bytes, file: str, feed: str) -> pd.DataFrame:
    required, optional = _WANTED[file]
    wanted = set(required) | set(optional)
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            usecols=lambda c: _clean_name(c) in wanted,
        )
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise MethodError(
            f"GTFS feed {feed!r}: {file} cannot be read as UTF-8 CSV ({exc}). "
            "Re-export the feed as comma-separated UTF-8 text."
        ) from exc
    frame.columns = [_clean_name(c) for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MethodError(
            f"GTFS feed {feed!r}: {file} lacks the required column(s) {missing}; "
            f"found {list(frame.columns)}. Fix the header of {file} (GTFS reference names)."
        )
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    return frame[[*required, *optional]]


def read_gtfs(path: str | Path, name: str | None = None) -> GtfsFeed:
    """Read a GTFS feed from a ``.zip`` (files at its root or in one folder) or a folder."""
    path = Path(path)
    feed_name = name or path.stem
    raws: dict[str, bytes] = {}
    try:
        if path.is_dir():
            for file in _WANTED:
                if (path / file).is_file():
                    raws[file] = (path / file).read_bytes()
        else:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    base = info.filename.rsplit("/", 1)[-1]
                    if base in _WANTED and base not in raws:
                        raws[base] = archive.read(info)
    except (OSError, zipfile.BadZipFile) as exc:
        raise MethodError(
            f"Cannot read GTFS feed {str(path)!r}: {exc}. Give the path of a GTFS .zip "
            "(or an unzipped feed folder)."
        ) from exc
    missing = [f for f in _REQUIRED_FILES if f not in raws]
    if missing:
        raise MethodError(
            f"GTFS feed {feed_name!r} ({path}) has no {', '.join(missing)}; a feed needs "
            f"{', '.join(_REQUIRED_FILES)}. Check that this is a GTFS schedule feed."
        )
    tables = {}
    for file in _WANTED:
        if file in raws:
            tables[file] = _read_table(raws[file], file, feed_name)
        else:
            cols = [*_WANTED[file][0], *_WANTED[file][1]]
            tables[file] = pd.DataFrame({c: pd.Series(dtype=str) for c in cols})
    feed = GtfsFeed(
        name=feed_name,
        stops=tables["stops.txt"],
        routes=tables["routes.txt"],
        trips=tables["trips.txt"],
        stop_times=tables["stop_times.txt"],
        calendar=tables["calendar.txt"],
        calendar_dates=tables["calendar_dates.txt"],
        frequencies=tables["frequencies.txt"],
    )
    _check_feed(feed)
    return feed


def _check_feed(feed: GtfsFeed) -> None:
    if feed.stops.empty:
        raise MethodError(
            f"GTFS feed {feed.name!r} has no stops (stops.txt is empty); 11.2.1 needs stop "
            "locations. Use a complete feed or leave this one out."
        )
    if feed.stop_times.empty:
        raise MethodError(
            f"GTFS feed {feed.name!r} has no stop_times; without them no stop is served. "
            "Use a complete feed or leave this one out."
        )


# --- times ------------------------------------------------------------------------------


_TIME_RE = r"^(\d{1,3}):([0-5]\d)(?::([0-5]\d))?$"


def parse_gtfs_time(text: str) -> int | None:
    """Seconds since the start of the service day of ``H:MM:SS`` (or ``H:MM``); None if invalid.

    >>> parse_gtfs_time("25:10:05")
    90605
    """
    parsed = _parse_times(pd.Series([text]), what="time", feed="", file="")
    value = parsed.iloc[0]
    return None if pd.isna(value) else int(value)


def _parse_times(values: pd.Series, *, what: str, feed: str, file: str) -> pd.Series:
    """Seconds as float (NaN for empty); raises MethodError on malformed non-empty values."""
    text = values.astype(str).str.strip()
    parts = text.str.extract(_TIME_RE)
    seconds = (
        parts[0].astype(float) * 3600
        + parts[1].astype(float) * 60
        + parts[2].fillna("0").astype(float)
    )
    broken = (text != "") & seconds.isna()
    if broken.any() and file:
        rows = np.flatnonzero(broken.to_numpy())
        examples = ", ".join(f"row {r + 2}: {text.iloc[r]!r}" for r in rows[:5])
        raise MethodError(
            f"GTFS feed {feed!r}: {file} has {len(rows)} malformed {what} value(s) ({examples}). "
            "GTFS times are H:MM:SS (hours may exceed 24). Fix or remove those rows."
        )
    return seconds.where(~broken)


def _stop_times_seconds(feed: GtfsFeed) -> pd.DataFrame:
    """stop_times with ``t`` = departure (or arrival) seconds, interpolated along each trip."""
    st = feed.stop_times
    dep = _parse_times(
        st["departure_time"], what="departure_time", feed=feed.name, file="stop_times.txt"
    )
    arr = _parse_times(
        st["arrival_time"], what="arrival_time", feed=feed.name, file="stop_times.txt"
    )
    seq = pd.to_numeric(st["stop_sequence"], errors="coerce")
    if seq.isna().any():
        row = int(np.flatnonzero(seq.isna().to_numpy())[0])
        raise MethodError(
            f"GTFS feed {feed.name!r}: stop_times.txt row {row + 2} has stop_sequence "
            f"{st['stop_sequence'].iloc[row]!r}; it must be a non-negative integer."
        )
    frame = pd.DataFrame(
        {"trip_id": st["trip_id"], "stop_id": st["stop_id"], "seq": seq, "t": dep.fillna(arr)}
    ).sort_values(["trip_id", "seq"], kind="stable")
    frame["pos"] = frame.groupby("trip_id", sort=False).cumcount().astype(float)
    known_pos = frame["pos"].where(frame["t"].notna())
    grouped = frame.assign(kp=known_pos).groupby("trip_id", sort=False)
    prev_t, prev_p = grouped["t"].ffill(), grouped["kp"].ffill()
    next_t, next_p = grouped["t"].bfill(), grouped["kp"].bfill()
    span = (next_p - prev_p).replace(0, np.nan)
    interp = prev_t + (next_t - prev_t) * (frame["pos"] - prev_p) / span
    frame["t"] = frame["t"].fillna(interp)
    # times must not run backwards along a trip
    back = frame.groupby("trip_id", sort=False)["t"].diff() < 0
    if back.any():
        trips = frame.loc[back, "trip_id"].unique()
        raise MethodError(
            f"GTFS feed {feed.name!r}: stop_times.txt times run backwards along "
            f"{len(trips)} trip(s) (e.g. {', '.join(map(str, trips[:3]))}). "
            "Times must not decrease with stop_sequence; fix the feed's stop_times."
        )
    return frame


# --- capacity ---------------------------------------------------------------------------


def capacity_of_route_type(
    route_type: int, overrides: Mapping[int, Capacity] | None = None
) -> Capacity | None:
    """The capacity class of a GTFS route type, or None if unknown."""
    if overrides and route_type in overrides:
        return overrides[route_type]
    if route_type in DEFAULT_ROUTE_TYPE_CAPACITY:
        return DEFAULT_ROUTE_TYPE_CAPACITY[route_type]
    for low, high, capacity in _EXTENDED_RANGES:
        if low <= route_type <= high:
            return capacity
    return None


def _route_capacity(
    feed: GtfsFeed,
    overrides: Mapping[int, Capacity] | None,
    high_capacity_routes: Iterable[str],
) -> pd.DataFrame:
    routes = feed.routes
    types = pd.to_numeric(routes["route_type"], errors="coerce")
    if types.isna().any():
        bad = routes.loc[types.isna(), "route_type"].unique()[:5]
        raise MethodError(
            f"GTFS feed {feed.name!r}: routes.txt has non-numeric route_type {list(bad)}; "
            "route_type must be a GTFS route type code (e.g. 3 for bus)."
        )
    capacity = [capacity_of_route_type(int(t), overrides) for t in types]
    unknown = sorted({int(t) for t, c in zip(types, capacity, strict=True) if c is None})
    if unknown:
        raise MethodError(
            f"GTFS feed {feed.name!r}: route_type {unknown} has no capacity class. "
            "Map it with route_type_capacity (CLI: --route-type-capacity CODE=low|high)."
        )
    out = pd.DataFrame(
        {"route_id": routes["route_id"], "route_type": types.astype(int), "capacity": capacity}
    )
    named = set(high_capacity_routes)
    if named:
        brt = routes["route_id"].isin(named) | routes["route_short_name"].isin(named)
        out.loc[brt.to_numpy(), "capacity"] = "high"
    return out


# --- frequency --------------------------------------------------------------------------


def _active_services(feed: GtfsFeed, day: date) -> set[str]:
    active: set[str] = set()
    cal = feed.calendar
    if not cal.empty:
        weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
            day.weekday()
        ]
        stamp = day.strftime("%Y%m%d")
        runs = (cal[weekday] == "1") & (cal["start_date"] <= stamp) & (cal["end_date"] >= stamp)
        active |= set(cal.loc[runs, "service_id"])
    cd = feed.calendar_dates
    if not cd.empty:
        today = cd[cd["date"] == day.strftime("%Y%m%d")]
        active |= set(today.loc[today["exception_type"] == "1", "service_id"])
        active -= set(today.loc[today["exception_type"] == "2", "service_id"])
    return active


def departures_per_hour(feed: GtfsFeed, rule: FrequencyFilter) -> pd.Series:
    """Departures per hour at each stop (index stop_id) in the rule's window and day."""
    start = parse_gtfs_time(rule.start)
    end = parse_gtfs_time(rule.end)
    assert start is not None and end is not None  # checked by FrequencyFilter
    times = _stop_times_seconds(feed)
    services = _active_services(feed, rule.service_date)
    trips = feed.trips.loc[feed.trips["service_id"].isin(services), ["trip_id"]]
    times = times.merge(trips, on="trip_id", how="inner")
    freq = feed.frequencies
    deps: list[pd.DataFrame] = []
    if not freq.empty:
        headway_trips = set(freq["trip_id"])
        fixed = times[~times["trip_id"].isin(headway_trips)]
        templ = times[times["trip_id"].isin(headway_trips)].copy()
        templ["offset"] = templ["t"] - templ.groupby("trip_id")["t"].transform("min")
        f_start = _parse_times(
            freq["start_time"], what="start_time", feed=feed.name, file="frequencies.txt"
        )
        f_end = _parse_times(
            freq["end_time"], what="end_time", feed=feed.name, file="frequencies.txt"
        )
        headway = pd.to_numeric(freq["headway_secs"], errors="coerce")
        if (
            headway.isna().any()
            or (headway <= 0).any()
            or f_start.isna().any()
            or f_end.isna().any()
        ):
            raise MethodError(
                f"GTFS feed {feed.name!r}: frequencies.txt has rows with missing times or a "
                "headway_secs that is not a positive number; fix those rows."
            )
        # number of trip starts per frequency row: start, start+h, ... < end
        counts = np.maximum(np.ceil((f_end - f_start) / headway), 0).astype(int)
        rows = pd.DataFrame(
            {
                "trip_id": np.repeat(freq["trip_id"].to_numpy(), counts),
                "t0": np.repeat(f_start.to_numpy(), counts)
                + np.concatenate([np.arange(c) for c in counts])
                * np.repeat(headway.to_numpy(), counts)
                if counts.sum()
                else np.array([], dtype=float),
            }
        )
        expanded = rows.merge(templ[["trip_id", "stop_id", "offset"]], on="trip_id")
        deps.append(
            pd.DataFrame({"stop_id": expanded["stop_id"], "t": expanded["t0"] + expanded["offset"]})
        )
        deps.append(fixed[["stop_id", "t"]])
    else:
        deps.append(times[["stop_id", "t"]])
    allt = pd.concat(deps, ignore_index=True)
    inside = allt[(allt["t"] >= start) & (allt["t"] < end)]
    hours = (end - start) / 3600.0
    served = feed.stop_times["stop_id"].unique()
    counts_per_stop = inside.groupby("stop_id").size().reindex(served, fill_value=0)
    return (counts_per_stop / hours).rename("departures_per_hour")


# --- the stop table ---------------------------------------------------------------------


@dataclass(frozen=True)
class StopOptions:
    """How stops are classified and filtered (all part of the method's parameters)."""

    route_type_capacity: Mapping[int, Capacity] = field(default_factory=dict)
    high_capacity_routes: tuple[str, ...] = ()
    frequency: FrequencyFilter | None = None


def stop_table(feeds: Iterable[GtfsFeed], options: StopOptions | None = None) -> pd.DataFrame:
    """One row per served stop of all feeds: feed, stop_id, lon, lat, capacity, route_types.

    A stop's capacity is the highest of the routes calling at it.  Stops no trip calls at
    (parent stations, entrances, unused stops) are left out.  With a frequency filter the
    column ``departures_per_hour`` is added and stops below the threshold are left out.
    """
    options = options or StopOptions()
    frames = []
    names = set()
    for feed in feeds:
        if feed.name in names:
            raise MethodError(
                f"Two GTFS feeds are named {feed.name!r}; stop ids are only unique within a "
                "feed, so give each feed a distinct name (file name)."
            )
        names.add(feed.name)
        routes = _route_capacity(feed, options.route_type_capacity, options.high_capacity_routes)
        trip_route = feed.trips[["trip_id", "route_id"]].merge(routes, on="route_id", how="inner")
        calls = feed.stop_times[["trip_id", "stop_id"]].drop_duplicates()
        calls = calls.merge(trip_route, on="trip_id", how="inner")
        if calls.empty:
            raise MethodError(
                f"GTFS feed {feed.name!r}: no stop_times row belongs to a trip of a known "
                "route, so no stop is served. Check that trips.txt and routes.txt match."
            )
        calls["high"] = calls["capacity"] == "high"
        per_stop = calls.groupby("stop_id").agg(
            high=("high", "any"),
            route_types=("route_type", lambda s: ";".join(map(str, sorted(set(s))))),
        )
        stops = feed.stops.set_index("stop_id")
        lat = pd.to_numeric(stops["stop_lat"], errors="coerce")
        lon = pd.to_numeric(stops["stop_lon"], errors="coerce")
        per_stop = per_stop.join(pd.DataFrame({"lon": lon, "lat": lat}), how="left")
        unknown = per_stop["lon"].isna() | per_stop["lat"].isna()
        bad = (per_stop["lat"].abs() > 90) | (per_stop["lon"].abs() > 180)
        if unknown.any() or bad.any():
            ids = list(per_stop.index[unknown | bad][:5])
            raise MethodError(
                f"GTFS feed {feed.name!r}: {int((unknown | bad).sum())} served stop(s) have no "
                f"valid stop_lat/stop_lon (e.g. {ids}). Give WGS84 degrees for every stop."
            )
        per_stop["capacity"] = np.where(per_stop["high"], "high", "low")
        per_stop = per_stop.drop(columns="high").reset_index()
        per_stop.insert(0, "feed", feed.name)
        if options.frequency is not None:
            dph = departures_per_hour(feed, options.frequency)
            per_stop["departures_per_hour"] = per_stop["stop_id"].map(dph).fillna(0.0).astype(float)
            per_stop = per_stop[
                per_stop["departures_per_hour"] >= options.frequency.min_departures_per_hour
            ]
        frames.append(per_stop)
    if not frames:
        raise MethodError("No GTFS feed was given; 11.2.1 needs at least one feed (--gtfs).")
    return pd.concat(frames, ignore_index=True)
