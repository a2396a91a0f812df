"""SDG 11 monitoring for the generated reports: per target, the story, the statuses by method,
the regional table, the trend and the map data, all from the store.

Shared by the SDG 11 synthesis (:mod:`.synthesis`) and section V of the Secretary-General's
report (:mod:`.sg_report`).  :func:`monitoring` runs the global progress view
(:func:`urbanagenda.store.progress.global_progress`) once per assessment method on the same
regional values (:func:`~urbanagenda.store.progress.headline_values`, computed once) and
turns it into :class:`TargetMonitoring` records with finished sentences in the report's
language (phrases: ``synthesis/phrases/synthesis.yaml``; numbers through
:class:`~urbanagenda.synthesis.text.Formatter`).  :func:`series_provenance` says which loads
and publishers a series' values came from, for the table of sources.  Nothing is cached
between calls: every call reads the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from urbanagenda.assess.methods import METHODS, load_method_config
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.model.areas import load_areas
from urbanagenda.model.catalogue import load_catalogue, translated_names
from urbanagenda.store import schema as s
from urbanagenda.store.progress import GlobalProgress, global_progress, headline_values
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis.text import Formatter, Phrases

__all__ = [
    "Load",
    "MethodInfo",
    "MethodStatus",
    "Monitoring",
    "Provenance",
    "RegionRow",
    "TargetMonitoring",
    "data_as_of",
    "data_version",
    "in_sentence",
    "method_info",
    "monitoring",
    "region_names",
    "series_provenance",
    "value_text",
]

WORLD = "1"


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class MethodInfo:
    """An assessment method as its configuration names it."""

    name: str
    edition: str
    config_version: str
    reference: str  # the published methodology the edition follows


@dataclass(frozen=True)
class MethodStatus:
    """The World status of one target by one method."""

    method: str
    edition: str
    status: str  # status code ("" when the target has no headline series with data)
    label: str  # in the report's language


@dataclass(frozen=True)
class RegionRow:
    """One row of a target's regional table (the World first, then the SDG regions)."""

    area_code: str
    name: str
    value: float | None
    year: int | None
    status: str  # target-level status by the report's method ("" when none)
    label: str
    official: bool  # an official aggregate (else computed by the platform)
    n_countries: int | None  # countries with data behind the value (None: unknown)


@dataclass(frozen=True)
class TargetMonitoring:
    """Everything a report says about one SDG 11 target."""

    target: str
    title: str  # the target's text in the report's language
    short_name: str  # "housing and slums"
    series_code: str | None  # the headline series with data (None: no data)
    series_name: str
    unit: str | None
    unit_name: str
    direction: str | None
    target_2030: float | None
    story: tuple[str, ...]  # the progress engine's sentences (narrate), lead removed
    sentences: tuple[str, ...]  # further sentences with numbers
    methods: tuple[MethodStatus, ...]
    regions: tuple[RegionRow, ...]
    trend: tuple[dict[str, Any], ...]  # area, area_code, year, value (World and regions)
    countries: Mapping[str, float]  # M49 -> latest country value (the map)
    country_years: tuple[int, int] | None  # first and last year of the map's values
    years: tuple[int, ...]  # every year of the values shown
    headline_codes: tuple[str, ...] = ()  # the target's headline series (with or without data)

    @property
    def has_data(self) -> bool:
        return self.series_code is not None and bool(self.regions)

    @property
    def world(self) -> RegionRow | None:
        return next((r for r in self.regions if r.area_code == WORLD), None)


@dataclass
class Monitoring:
    """SDG 11 monitoring in one language with one headline method (and all the others)."""

    lang: str
    method: str
    edition: str
    areas: list[str]  # the World, then the eight SDG regions
    area_names: dict[str, str]
    targets: list[TargetMonitoring]
    summary: list[str]  # the progress engine's summary (summarise_targets)
    summary_extra: list[str]  # counts, regions that lag, with numbers
    chart: pd.DataFrame  # status code per target (rows) and area (columns), report's method
    labels: dict[tuple[str, str], str]  # (target, area) -> status label, report's method
    methods: dict[str, MethodInfo]
    progress: dict[str, GlobalProgress] = field(repr=False)
    headline: dict[str, pd.DataFrame] = field(repr=False)

    def series_codes(self) -> list[str]:
        return [t.series_code for t in self.targets if t.series_code]


@dataclass(frozen=True)
class Load:
    id: int
    finished_at: datetime | None
    note: str
    rows: int  # observations of the series from this load


@dataclass(frozen=True)
class Provenance:
    """Where the observations of a series in the store come from."""

    series_code: str
    loads: tuple[Load, ...]
    publishers: tuple[str, ...]  # the observations' ``source`` texts


# ----------------------------------------------------------------------------- helpers


def region_names(lang: str) -> dict[str, str]:
    """Names of the World and the SDG regions: the official UN Chinese names of the progress
    configuration in Chinese, else the area tables' names."""
    cfg = load_progress_config()
    areas = load_areas()
    codes = [str(a) for a in cfg["areas"]]
    names = {c: areas.name(c, lang if lang in ("en", "zh") else "en") for c in codes}
    if lang == "zh":
        names.update({str(k): str(v) for k, v in cfg.get("area_names_zh", {}).items()})
    return names


def method_info(method: str) -> MethodInfo:
    cfg = load_method_config()
    spec = cfg["methods"][method]
    edition = str(spec["default_edition"])
    params = {str(k): v for k, v in spec["editions"].items()}[edition]
    ref_key = str(params.get("source", ""))
    reference = " ".join(str(cfg.get("sources", {}).get(ref_key, ref_key)).split())
    return MethodInfo(method, edition, str(cfg.get("version", "")), reference)


def value_text(fmt: Formatter, value: float | None, unit: str | None) -> str:
    """A value as the reports print it: one decimal below 1,000, none above; per cent
    for percentages (the progress engine's sentences use the same rule)."""
    if value is None or pd.isna(value):
        return "…"
    digits = 1 if abs(value) < 1000 else 0
    return fmt.pct(value, digits) if unit == "PT" else fmt.num(value, digits)


def in_sentence(name: str, lang: str) -> str:
    """A series name inside an English sentence: its first letter in lower case (unless
    the first word is an acronym)."""
    if lang != "en" or not name or name[:2].isupper():
        return name
    return name[0].lower() + name[1:]


def _diff_text(fmt: Formatter, ph: Phrases, value: float, unit: str | None) -> str:
    """An absolute difference: "0.4 percentage points" / "0.4个百分点" / "3.2"."""
    digits = 1 if abs(value) < 1000 else 0
    text = fmt.num(abs(value), digits)
    return ph.t("points", value=text) if unit == "PT" else text


def data_as_of(engine: Engine) -> datetime | None:
    """When the last load of data into the store finished."""
    lr = s.load_run
    with engine.connect() as conn:
        value = conn.execute(
            select(func.max(func.coalesce(lr.c.finished_at, lr.c.started_at)))
        ).scalar()
    if isinstance(value, str):  # SQLite without type information in an aggregate
        value = datetime.fromisoformat(value)
    return value if isinstance(value, datetime) else None


def data_version(engine: Engine) -> str:
    """The data version as the web platform shows it: last load, last assessment run and
    number of stored aggregates (``loads.runs.aggregates``)."""
    with engine.connect() as conn:
        loads = conn.execute(select(func.coalesce(func.max(s.load_run.c.id), 0))).scalar()
        runs = conn.execute(select(func.coalesce(func.max(s.assessment_run.c.id), 0))).scalar()
        aggs = conn.execute(select(func.count()).select_from(s.aggregate_value)).scalar()
    return f"{loads}.{runs}.{aggs}"


def series_provenance(engine: Engine, codes: Sequence[str]) -> dict[str, Provenance]:
    """The loads and publishers of every series' observations in the store."""
    o, lr = s.observation, s.load_run
    if not codes:
        return {}
    stmt = (
        select(
            o.c.series_code,
            o.c.load_id,
            o.c.source,
            func.count().label("n"),
            lr.c.finished_at,
            lr.c.started_at,
            lr.c.note,
        )
        .join(lr, lr.c.id == o.c.load_id)
        .where(o.c.series_code.in_(list(codes)))
        .group_by(
            o.c.series_code, o.c.load_id, o.c.source, lr.c.finished_at, lr.c.started_at, lr.c.note
        )
        .order_by(o.c.series_code, o.c.load_id, o.c.source)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out: dict[str, Provenance] = {}
    for code in codes:
        mine = [r for r in rows if r.series_code == code]
        loads: dict[int, Load] = {}
        for r in mine:
            when = r.finished_at or r.started_at
            if isinstance(when, str):
                when = datetime.fromisoformat(when)
            prev = loads.get(int(r.load_id))
            rows_n = int(r.n) + (prev.rows if prev else 0)
            loads[int(r.load_id)] = Load(int(r.load_id), when, str(r.note or ""), rows_n)
        publishers = tuple(dict.fromkeys(str(r.source) for r in mine if r.source))
        out[code] = Provenance(code, tuple(loads.values()), publishers)
    return out


def _headline_rows(frame: pd.DataFrame, location: str | None) -> pd.DataFrame:
    """The totals of a frame of observations, at ``location`` (else _T, else U)."""
    tot = frame[(frame["sex"] == "_T") & (frame["age"] == "_T") & (frame["breakdown"] == "")]
    for loc in (location, "_T", "U"):
        if loc and (tot["location"] == loc).any():
            return tot[tot["location"] == loc]
    return tot.iloc[0:0]


def _country_values(
    obs: pd.DataFrame, code: str, location: str | None, kinds: pd.Series
) -> pd.DataFrame:
    """Country values of a series (area_code, year, value): national observations, and for
    series observed in cities the mean of a country's cities (the rule the platform's
    aggregates use, :mod:`urbanagenda.store.aggregates`)."""
    from urbanagenda.assess.aggregate import load_aggregation_config
    from urbanagenda.store.aggregates import _country_values_from_cities

    areas = load_areas()
    obs = obs[obs["series_code"] == code]
    if obs.empty:
        return pd.DataFrame(columns=["area_code", "year", "value"])
    kind = obs["area_code"].map(kinds)
    obs = obs[kind.isin(["country", "city"])]
    if (kind == "city").any():
        obs, _ = _country_values_from_cities(
            obs, areas, load_aggregation_config(), load_catalogue().series[code]
        )
    if obs.empty:
        return pd.DataFrame(columns=["area_code", "year", "value"])
    obs = _headline_rows(obs, location)
    obs = obs[obs["value"].notna()]
    return obs[["area_code", "year", "value"]].astype({"year": "int64", "value": "float64"})


# ----------------------------------------------------------------------------- per target


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("year").groupby("area_code").tail(1).set_index("area_code")


def _n_countries(row: pd.Series, countries: pd.DataFrame, members: list[str]) -> int | None:
    if not bool(row["official"]):
        return int(row["n_with_data"])
    computed = row.get("computed_n")
    if computed is not None and not pd.isna(computed) and int(computed) > 0:
        return int(computed)
    if countries.empty:
        return None
    year = countries[countries["year"] == int(row["year"])]
    return int(year["area_code"].isin(members).sum())


def _target_sentences(
    t: TargetMonitoring,
    fmt: Formatter,
    ph: Phrases,
    values: pd.DataFrame,
    aggregation: str,
    n_regions: int,
) -> tuple[str, ...]:
    """Our sentences: World level and change, the 2030 target, the regions furthest from
    and closest to it, the coverage, the agreement of the methods."""
    out: list[str] = []
    unit = t.unit
    world = values[values["area_code"] == WORLD].sort_values("year")
    if not world.empty:
        last = world.iloc[-1]
        later = world[world["year"] >= 2015]
        first = later.iloc[0] if not later.empty else world.iloc[0]
        l_year, l_val = int(last["year"]), float(last["value"])
        kind = ph.t("official_aggregate" if bool(last["official"]) else "computed_aggregate")
        out.append(
            ph.t(
                "world_latest",
                year=l_year,
                value=value_text(fmt, l_val, unit),
                series=in_sentence(t.series_name, fmt.lang),
                kind=kind,
            )
        )
        b_year, b_val = int(first["year"]), float(first["value"])
        if b_year < l_year:
            diff = l_val - b_val
            key = (
                "change_flat" if abs(diff) < 1e-9 else ("change_down" if diff < 0 else "change_up")
            )
            rel = fmt.change(abs(diff / b_val), 1) if b_val else "…"
            out.append(
                ph.t(
                    key,
                    base_year=b_year,
                    latest_year=l_year,
                    base_value=value_text(fmt, b_val, unit),
                    diff=_diff_text(fmt, ph, diff, unit),
                    rel=rel,
                )
            )
        if t.target_2030 is not None:
            gap = l_val - t.target_2030
            key = (
                "target_reached"
                if (t.direction == "decrease" and gap <= 0)
                or (t.direction == "increase" and gap >= 0)
                else ("target_gap_above" if gap > 0 else "target_gap_below")
            )
            out.append(
                ph.t(
                    key,
                    target=value_text(fmt, t.target_2030, unit),
                    gap=_diff_text(fmt, ph, gap, unit),
                )
            )
        else:
            out.append(ph.t("target_none"))
    else:
        out.append(ph.t("world_none"))
    regional = [r for r in t.regions if r.area_code != WORLD and r.value is not None]
    if regional:
        goal = t.target_2030
        if aggregation != "sum" and t.direction in ("increase", "decrease") and len(regional) > 1:

            def distance(r: RegionRow) -> float:
                v = float(r.value or 0.0)
                if t.direction == "decrease":
                    return v - (goal if goal is not None else 0.0)
                return (goal if goal is not None else 0.0) - v

            ranked = sorted(regional, key=distance, reverse=True)
            far, near = ranked[0], ranked[-1]
            out.append(
                ph.t(
                    "furthest_target" if goal is not None else "furthest_direction",
                    far=far.name,
                    far_value=value_text(fmt, far.value, unit),
                    far_year=far.year,
                    near=near.name,
                    near_value=value_text(fmt, near.value, unit),
                    near_year=near.year,
                )
            )
        elif len(regional) > 1:
            lo = min(regional, key=lambda r: float(r.value or 0.0))
            hi = max(regional, key=lambda r: float(r.value or 0.0))
            out.append(
                ph.t(
                    "range",
                    low=lo.name,
                    low_value=value_text(fmt, lo.value, unit),
                    high=hi.name,
                    high_value=value_text(fmt, hi.value, unit),
                )
            )
        n_official = sum(1 for r in regional if r.official)
        out.append(
            ph.t(
                "coverage",
                n=len(regional),
                total=n_regions,
                official=n_official,
                computed=len(regional) - n_official,
            )
        )
    groups = load_progress_config()["summary_groups"]
    assessed = [m for m in t.methods if m.status and m.status != "insufficient_data"]
    if t.world is not None:
        if assessed:
            out.append(
                ph.t(
                    "methods_agree",
                    n=len(assessed),
                    total=len(t.methods),
                    off=sum(1 for m in assessed if m.status in groups["off"]),
                    on=sum(1 for m in assessed if m.status in groups["on"]),
                )
            )
        else:
            out.append(ph.t("methods_none", total=len(t.methods)))
    return tuple(out)


def _story(sentences: Sequence[str], lang: str) -> tuple[str, ...]:
    """The engine's sentences without their lead ("Target 11.1 (housing and slums):"),
    which the report's heading replaces."""
    rest = list(sentences[1:])
    if rest and lang == "en":
        rest[0] = rest[0][:1].upper() + rest[0][1:]
    return tuple(rest)


# ----------------------------------------------------------------------------- the whole


def monitoring(
    engine: Engine,
    *,
    lang: str,
    method: str,
    headline: dict[str, pd.DataFrame] | None = None,
    methods: Sequence[str] | None = None,
    maps: bool = True,
) -> Monitoring:
    """SDG 11 monitoring from the store in ``lang`` (en or zh) with ``method`` as the
    report's method, every method of :data:`METHODS` (or ``methods``) run on the same
    regional values.  ``headline``: :func:`headline_values` if already computed (it is the
    slow part); ``maps``: read the country values for the maps."""
    fmt = Formatter(lang)
    ph = Phrases(lang, "synthesis")
    cfg = load_progress_config()
    cat = load_catalogue()
    areas = load_areas()
    codes = [str(a) for a in cfg["areas"]]
    names = region_names(lang)
    if headline is None:
        headline = headline_values(engine)
    chosen = list(methods) if methods is not None else list(METHODS)
    if method not in chosen:
        chosen.insert(0, method)
    progress = {
        m: global_progress(engine, method=m, language=lang, headline=headline) for m in chosen
    }
    infos = {m: method_info(m) for m in chosen}
    main = progress[method]
    local = translated_names(lang) if lang != "en" else {}
    target_titles = local.get("target", {})
    series_local = {**cfg.get("series_names_zh", {}), **local.get("series", {})}
    unit_local = local.get("unit", {})

    def labels_of(gp: GlobalProgress) -> dict[tuple[str, str], tuple[str, str]]:
        rows = gp.rollup[gp.rollup["level"] == "target"]
        return {
            (str(r.code), str(r.area_code)): (str(r.status), str(r.label))
            for r in rows.itertuples()
        }

    by_method = {m: labels_of(gp) for m, gp in progress.items()}
    kinds = areas.frame.set_index("code")["kind"]
    wanted = [str(st.series_code) for st in main.stories if st.series_code in headline]
    all_obs = read_observations(engine, series=wanted) if maps and wanted else pd.DataFrame()
    main_labels = by_method[method]
    members = {c: areas.members(c, "sdg", "country") for c in codes}

    targets: list[TargetMonitoring] = []
    for story in main.stories:
        tcode = story.target
        title = target_titles.get(tcode) or cat.targets[tcode].title
        short = str(cfg["target_names"][lang].get(tcode, tcode))
        heads = tuple(str(c) for c in cfg["headline_series"].get(tcode, []))
        ms = tuple(
            MethodStatus(
                m,
                infos[m].edition,
                *(by_method[m].get((tcode, WORLD)) or ("", "")),
            )
            for m in chosen
        )
        code = story.series_code
        if code is None or code not in headline:
            targets.append(
                TargetMonitoring(
                    tcode,
                    title,
                    short,
                    None,
                    "",
                    None,
                    "",
                    None,
                    None,
                    (),
                    (
                        ph.t("no_data_target", codes=("、" if lang == "zh" else ", ").join(heads))
                        if heads
                        else ph.t("no_data_series"),
                    ),
                    ms,
                    (),
                    (),
                    {},
                    None,
                    (),
                    heads,
                )
            )
            continue
        series = cat.series[code]
        series_name = series_local.get(code, series.name) if lang != "en" else series.name
        unit_name = unit_local.get(series.unit) or (
            cat.units[series.unit].name if series.unit in cat.units else series.unit
        )
        values = headline[code]
        values = values[values["area_code"].isin(codes) & values["value"].notna()]
        location = str(values["location"].iloc[0]) if not values.empty else None
        countries = _country_values(all_obs, code, location, kinds) if maps else pd.DataFrame()
        latest = _latest(values)
        rows: list[RegionRow] = []
        for area in codes:
            if area not in latest.index:
                continue
            r: pd.Series = latest.loc[area]  # type: ignore[assignment]
            status, label = main_labels.get((tcode, area), ("", ""))
            rows.append(
                RegionRow(
                    area,
                    names.get(area, area),
                    float(r["value"]),
                    int(r["year"]),
                    status,
                    label,
                    bool(r["official"]),
                    _n_countries(r, countries, members[area]),
                )
            )
        trend = tuple(
            {
                "area": names.get(str(a), str(a)),
                "area_code": str(a),
                "year": int(y),
                "value": float(v),
            }
            for a, y, v in values.sort_values(["area_code", "year"])[
                ["area_code", "year", "value"]
            ].itertuples(index=False)
        )
        latest_c = _latest(countries) if not countries.empty else pd.DataFrame()
        country_map = (
            {str(a): float(v) for a, v in latest_c["value"].items()} if not latest_c.empty else {}
        )
        country_years = (
            (int(latest_c["year"].min()), int(latest_c["year"].max()))
            if not latest_c.empty
            else None
        )
        years = sorted(
            {int(y) for y in values["year"]} | {int(y) for y in latest_c.get("year", [])}
        )
        t = TargetMonitoring(
            tcode,
            title,
            short,
            code,
            series_name,
            series.unit,
            unit_name,
            series.direction,
            series.target_2030,
            _story(story.sentences, lang),
            (),
            ms,
            tuple(rows),
            trend,
            country_map,
            country_years,
            tuple(years),
            heads,
        )
        t = TargetMonitoring(
            **{
                **t.__dict__,
                "sentences": _target_sentences(
                    t, fmt, ph, values, series.aggregation, len(codes) - 1
                ),
            }
        )
        targets.append(t)

    labels = {k: v[1] for k, v in main_labels.items()}
    return Monitoring(
        lang,
        method,
        infos[method].edition,
        codes,
        names,
        targets,
        list(main.summary),
        _summary_extra(targets, main.chart, codes, names, fmt, ph, method),
        main.chart,
        labels,
        infos,
        progress,
        headline,
    )


def _summary_extra(
    targets: list[TargetMonitoring],
    chart: pd.DataFrame,
    codes: list[str],
    names: Mapping[str, str],
    fmt: Formatter,
    ph: Phrases,
    method: str,
) -> list[str]:
    """The global summary's numbers: targets off track, with progress, on track, not
    assessable; the regions off track on most targets and furthest from the targets."""
    groups = load_progress_config()["summary_groups"]
    world = chart[WORLD] if WORLD in chart.columns else pd.Series(dtype=str)
    count = {key: sum(1 for s in world if s in groups[key]) for key in ("off", "progress", "on")}
    none = sum(1 for s in world if not s or s == "insufficient_data")
    out = [
        ph.t(
            "summary_counts",
            n=len(world),
            off=count["off"],
            progress=count["progress"],
            on=count["on"],
            none=none,
            method=method,
        )
    ]
    regions = [c for c in codes if c != WORLD]
    # regions off track (stagnation, regression…) on the most assessed targets
    assessed = {c: 0 for c in regions}
    off = {c: 0 for c in regions}
    for c in regions:
        if c not in chart.columns:
            continue
        for st in chart[c]:
            if st and st != "insufficient_data":
                assessed[c] += 1
                off[c] += st in groups["off"]
    top_off = max(off.values(), default=0)
    if top_off > 0:
        worst = [c for c in regions if off[c] == top_off]
        out.append(
            ph.t(
                "summary_regions_off",
                regions=fmt.listing([names.get(c, c) for c in worst]),
                k=top_off,
                method=method,
            )
        )
    # regions furthest from the target: the two furthest on each comparable target
    cat = load_catalogue()
    far: dict[str, int] = {c: 0 for c in regions}
    comparable = 0
    for t in targets:
        if not t.has_data or t.direction not in ("increase", "decrease"):
            continue
        if cat.series[str(t.series_code)].aggregation == "sum":
            continue
        rows = [r for r in t.regions if r.area_code != WORLD and r.value is not None]
        if len(rows) < 3:
            continue
        comparable += 1
        goal = t.target_2030 if t.target_2030 is not None else 0.0

        def distance(r: RegionRow, goal: float = goal, t: TargetMonitoring = t) -> float:
            v = float(r.value or 0.0)
            return v - goal if t.direction == "decrease" else goal - v

        for r in sorted(rows, key=distance, reverse=True)[:2]:
            far[r.area_code] += 1
    if comparable:
        ranked = sorted(regions, key=lambda c: -far[c])
        top = [c for c in ranked if far[c] > 0][:2]
        if top:
            out.append(
                ph.t(
                    "summary_regions_far",
                    regions=fmt.listing(
                        [
                            ph.t("region_count", region=names.get(c, c), k=far[c], n=comparable)
                            for c in top
                        ]
                    ),
                )
            )
    items = []
    for t in targets:
        st = next((m.status for m in t.methods if m.method == method), "")
        if st not in (*groups["on"], *groups["progress"]):
            continue
        w = [r for r in t.trend if r["area_code"] == WORLD]
        if len(w) < 2:
            continue
        later = [r for r in w if r["year"] >= 2015]
        first, last = (later[0] if later else w[0]), w[-1]
        if first["year"] == last["year"]:
            continue
        items.append(
            ph.t(
                "progress_item",
                code=t.target,
                name=t.short_name,
                base=value_text(fmt, first["value"], t.unit),
                base_year=first["year"],
                latest=value_text(fmt, last["value"], t.unit),
                latest_year=last["year"],
            )
        )
    if items:
        out.append(ph.t("summary_progress_where", items=ph.t("item_sep").join(items)))
    return out
