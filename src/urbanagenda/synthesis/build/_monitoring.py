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

This module holds :func:`monitoring` and the reading of the values; the records are in
:mod:`._monitoring_types`, the sentences in :mod:`._monitoring_text`, provenance and method
information in :mod:`._provenance`.  Every name of ``__all__`` is importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine

from urbanagenda.assess.methods import METHODS
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.model.areas import load_areas
from urbanagenda.model.catalogue import load_catalogue, translated_names
from urbanagenda.store.progress import GlobalProgress, global_progress, headline_values
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis.build._monitoring_text import (
    _story,
    _summary_extra,
    _target_sentences,
    in_sentence,
    value_text,
)
from urbanagenda.synthesis.build._monitoring_types import (
    WORLD,
    MethodStatus,
    Monitoring,
    RegionRow,
    TargetMonitoring,
)
from urbanagenda.synthesis.build._provenance import (
    Load,
    MethodInfo,
    Provenance,
    data_as_of,
    data_version,
    method_info,
    series_provenance,
)
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
    from urbanagenda.store.aggregates import country_values_from_cities

    areas = load_areas()
    obs = obs[obs["series_code"] == code]
    if obs.empty:
        return pd.DataFrame(columns=["area_code", "year", "value"])
    kind = obs["area_code"].map(kinds)
    obs = obs[kind.isin(["country", "city"])]
    if (kind == "city").any():
        obs, _ = country_values_from_cities(
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
