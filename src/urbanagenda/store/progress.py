"""The global progress view from the store: regional values, statuses, chart and sentences.

For every SDG 11 target the headline series (``assess/config/progress.yaml``) is aggregated
for the World and the SDG regions by its declared rule (:mod:`urbanagenda.store.aggregates`);
where the platform cannot compute a value but an official aggregate is loaded, the official
one is used and marked.  The regional series are assessed with the chosen method, rolled up
to targets, pivoted into the targets × regions chart and put into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from urbanagenda.assess.methods import assess
from urbanagenda.assess.progress import (
    TargetStory,
    load_progress_config,
    narrate,
    progress_chart,
    summarise_targets,
)
from urbanagenda.assess.rollup import roll_up
from urbanagenda.errors import MethodError
from urbanagenda.model.areas import load_areas
from urbanagenda.model.catalogue import load_catalogue
from urbanagenda.store.aggregates import aggregate_series
from urbanagenda.store.query import read_observations

__all__ = ["GlobalProgress", "global_progress", "headline_values", "regional_values"]


@dataclass
class GlobalProgress:
    method: str
    language: str
    chart: pd.DataFrame
    stories: list[TargetStory]
    summary: list[str]
    values: pd.DataFrame
    results: pd.DataFrame
    rollup: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "language": self.language,
            "chart": {t: dict(row) for t, row in self.chart.iterrows()},
            "summary": self.summary,
            "targets": [
                {"target": s.target, "series": s.series_code, "text": s.text} for s in self.stories
            ],
        }


def regional_values(engine: Engine, series_code: str, areas: list[str]) -> pd.DataFrame:
    """Values of a series for ``areas``: an official aggregate where one is loaded (it is the
    published figure; the computed one is kept beside it in ``computed_value``), else the
    platform's computed aggregate.  Columns: series_code, area_code, year, sex, age, location,
    breakdown, value, official, n_with_data, computed_value, computed_n."""
    keys = ["area_code", "year", "sex", "age", "location", "breakdown"]
    try:
        computed = aggregate_series(engine, series_code, areas=areas)
    except MethodError:
        computed = pd.DataFrame()
    if not computed.empty:
        computed = computed[computed["value"].notna()]
        computed = computed.assign(official=False)[[*keys, "value", "official", "n_with_data"]]
    official = read_observations(engine, series=[series_code], areas=areas)
    official = official.assign(official=True, n_with_data=0)[
        [*keys, "value", "official", "n_with_data"]
    ]
    if computed.empty:
        both = official.assign(computed_value=float("nan"), computed_n=0)
    else:
        comp = computed.rename(columns={"value": "computed_value", "n_with_data": "computed_n"})
        off = official.merge(comp[[*keys, "computed_value", "computed_n"]], on=keys, how="left")
        seen = official.set_index(keys).index
        rest = computed[~computed.set_index(keys).index.isin(seen)].assign(
            computed_value=computed["value"], computed_n=computed["n_with_data"]
        )
        both = pd.concat([off, rest], ignore_index=True)
    both = both.assign(series_code=series_code)
    if both.empty:
        return both
    # the headline disaggregation: the total where there is one, else the commonest
    loc = "_T" if (both["location"] == "_T").any() else both["location"].mode().iloc[0]
    both = both[
        (both["location"] == loc)
        & (both["sex"] == "_T")
        & (both["age"] == "_T")
        & (both["breakdown"] == "")
    ]
    return both.sort_values(["area_code", "year"]).reset_index(drop=True)


def _targets() -> list[str]:
    cat = load_catalogue()
    return sorted(cat.targets, key=lambda t: (len(t.split(".")[1]) > 1 or t[-1].isalpha(), t))


def headline_values(engine: Engine) -> dict[str, pd.DataFrame]:
    """The regional values of every headline series that has data (the slow, method-free
    part of :func:`global_progress`; compute it once and pass it as ``headline``)."""
    cfg = load_progress_config()
    areas: list[str] = [str(a) for a in cfg["areas"]]
    found: dict[str, pd.DataFrame] = {}
    for target in _targets():
        for code in cfg["headline_series"].get(target, []):
            if code in found:
                continue
            vals = regional_values(engine, code, areas)
            if not vals.empty:
                found[code] = vals
    return found


def global_progress(
    engine: Engine,
    *,
    method: str = "unsd-2024",
    edition: str | None = None,
    language: str = "en",
    headline: dict[str, pd.DataFrame] | None = None,
) -> GlobalProgress:
    """Targets × regions statuses with sentences, from the store's data (or from
    ``headline``, the output of :func:`headline_values`)."""
    cfg = load_progress_config()
    cat = load_catalogue()
    areas: list[str] = [str(a) for a in cfg["areas"]]
    all_areas = load_areas()
    names = {a: all_areas.name(a, language) for a in areas}
    if language == "zh":
        names.update({str(k): v for k, v in cfg.get("area_names_zh", {}).items()})
    targets = _targets()
    if headline is None:
        headline = headline_values(engine)
    values_by_series: dict[str, pd.DataFrame] = {}
    chosen: dict[str, str] = {}
    for target in targets:
        for code in cfg["headline_series"].get(target, []):
            if code in headline:
                values_by_series[code] = headline[code]
                chosen.setdefault(target, code)
    values = (
        pd.concat(values_by_series.values(), ignore_index=True)
        if values_by_series
        else pd.DataFrame(columns=["series_code", "area_code", "year", "value"])
    )
    frame = (
        values[["series_code", "area_code", "year", "sex", "age", "location", "breakdown", "value"]]
        if not values.empty
        else values
    )
    results = assess(frame, method, edition=edition, language=language)
    rollup = roll_up(results, language=language)
    chart = progress_chart(rollup, areas, targets)
    stories = []
    target_rows = rollup[rollup["level"] == "target"]
    for target in targets:
        code = chosen.get(target)
        series = None
        if code:
            s = cat.series[code]
            series = {
                "code": s.code,
                "name": s.name,
                "unit": s.unit,
                "direction": s.direction,
                "target_2030": s.target_2030,
                "aggregation": s.aggregation,
            }
        vals = values_by_series.get(code, pd.DataFrame()) if code else pd.DataFrame()
        st = target_rows[target_rows["code"] == target][["area_code", "status", "label", "score"]]
        stories.append(narrate(target, series, vals, st, names, method_label=method, lang=language))
    return GlobalProgress(
        method,
        language,
        chart,
        stories,
        summarise_targets(chart, language),
        values,
        results,
        rollup,
    )
