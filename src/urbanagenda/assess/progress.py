"""The global progress view: targets × regions, and the sentences that say it.

Pure functions on frames.  :func:`progress_chart` pivots target-level roll-ups (from
:func:`urbanagenda.assess.rollup.roll_up`) into a targets × areas table; :func:`narrate`
writes, per target, sentences with the numbers (English or Chinese) from the regional values
and statuses, and :func:`summarise_targets` the global summary in the manner of the
Secretary-General's report (which targets are off track, where progress is, which regions
lag).  Words and choices live in ``config/progress.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml
from babel.numbers import format_decimal

from urbanagenda.errors import ConfigError

__all__ = ["TargetStory", "load_progress_config", "narrate", "progress_chart", "summarise_targets"]


@cache
def load_progress_config() -> dict[str, Any]:
    path = resources.files("urbanagenda.assess").joinpath("config/progress.yaml")
    try:
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; reinstall urbanagenda") from exc


def progress_chart(rollup: pd.DataFrame, areas: list[str], targets: list[str]) -> pd.DataFrame:
    """Status code per target (rows) and area (columns); missing cells are empty strings."""
    rows = rollup[(rollup["level"] == "target") & rollup["area_code"].isin(areas)]
    chart = rows.pivot_table(index="code", columns="area_code", values="status", aggfunc="first")
    return chart.reindex(index=targets, columns=areas).fillna("")


@dataclass(frozen=True)
class TargetStory:
    target: str
    series_code: str | None
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _num(value: float, lang: str, unit: str) -> str:
    digits = "#,##0.0" if abs(value) < 1000 else "#,##0"
    text = format_decimal(value, format=digits, locale="zh_Hans_CN" if lang == "zh" else "en")
    return f"{text} %" if unit == "PT" and lang == "en" else (f"{text}%" if unit == "PT" else text)


def narrate(
    target: str,
    series: Mapping[str, Any] | None,
    values: pd.DataFrame,
    statuses: pd.DataFrame,
    area_names: Mapping[str, str],
    *,
    method_label: str,
    lang: str = "en",
) -> TargetStory:
    """Sentences on one target from its headline series.

    ``series``: code, name, unit, direction, target_2030 (None when nothing can be said);
    ``values``: area_code, year, value, official (bool), n_with_data — the regional and world
    values of the headline series; ``statuses``: area_code, status, label, score — the
    target-level statuses per area.
    """
    cfg = load_progress_config()
    words = cfg["words"][lang]
    name = cfg["target_names"][lang].get(target, target)
    out = [words["target"].format(code=target, name=name) + ("：" if lang == "zh" else ":")]
    if series is None or values.empty:
        reason = (
            "no headline series with aggregable data"
            if lang == "en"
            else "没有可汇总数据的主要指标"
        )
        out.append(words["no_value"].format(reason=reason))
        return TargetStory(target, None, tuple(out))
    unit = str(series["unit"])
    world = values[values["area_code"] == "1"].sort_values("year")
    focus = world if not world.empty else values.sort_values("year")
    focus_area = str(focus["area_code"].iloc[0])
    focus = focus[focus["area_code"] == focus_area]
    base = focus[focus["year"] >= 2015].head(1)
    base = base if not base.empty else focus.head(1)
    latest = focus.tail(1)
    b_year, b_val = int(base["year"].iloc[0]), float(base["value"].iloc[0])
    l_year, l_val = int(latest["year"].iloc[0]), float(latest["value"].iloc[0])
    where = (
        words["where_world"]
        if focus_area == "1"
        else words["where_area"].format(area=area_names.get(focus_area, focus_area))
    )
    if bool(latest["official"].iloc[0]):
        comp = latest["computed_value"].iloc[0] if "computed_value" in latest else None
        note = (
            ""
            if comp is None or pd.isna(comp)
            else words["computed_note"].format(
                n=int(latest["computed_n"].iloc[0]), value=_num(float(comp), lang, unit)
            )
        )
        tag = words["official"].format(computed_note=note)
    else:
        tag = words["computed"].format(n=int(latest["n_with_data"].iloc[0]))
    if lang == "zh":
        sname = cfg.get("series_names_zh", {}).get(str(series["code"]), str(series["name"]))
    else:
        sname = str(series["name"])
        sname = sname[0].lower() + sname[1:]
    if l_year == b_year:
        out.append(
            words["single"].format(
                series=sname, latest_value=_num(l_val, lang, unit), latest_year=l_year, where=where
            )
            + tag
            + ("。" if lang == "zh" else ".")
        )
    elif abs(l_val - b_val) < 1e-9:
        out.append(
            words["flat"].format(
                series=sname,
                latest_value=_num(l_val, lang, unit),
                base_year=b_year,
                latest_year=l_year,
                where=where,
            )
            + tag
            + ("。" if lang == "zh" else ".")
        )
    else:
        down = l_val < b_val
        verb = words["change_down"] if down else words["change_up"]
        direction_word = words.get("direction_down" if down else "direction_up", "")
        out.append(
            words["values"].format(
                series=sname,
                verb=verb,
                base_value=_num(b_val, lang, unit),
                base_year=b_year,
                latest_value=_num(l_val, lang, unit),
                latest_year=l_year,
                where=where,
                direction_word=direction_word,
            )
            + tag
            + ("。" if lang == "zh" else ".")
        )
        target_value = series.get("target_2030")
        if target_value is not None and l_year > b_year and b_val > 0 and l_val > 0:
            rate = (l_val / b_val) ** (1 / (l_year - b_year))
            projected = l_val * rate ** (2030 - l_year)
            meets = (
                (projected <= target_value)
                if series.get("direction") == "decrease"
                else (projected >= target_value)
            )
            key = "pace_met" if meets else "pace_not_met"
            out.append(
                words[key].format(
                    projected=_num(projected, lang, unit),
                    target=_num(float(target_value), lang, unit),
                )
            )
    st = statuses.set_index("area_code")
    if focus_area in st.index:
        out.append(words["status"].format(method=method_label, label=st.loc[focus_area, "label"]))
    groups = load_progress_config()["summary_groups"]
    regional = statuses[statuses["area_code"] != "1"]
    latest_by_area = (
        values[values["area_code"] != "1"]
        .sort_values("year")
        .groupby("area_code")
        .tail(1)
        .set_index("area_code")["value"]
    )
    # lagging: the regions not on track that are furthest from the target (or, without a
    # target, worst in the desirable direction) — the seed report's "which regions lag"
    not_on = regional[~regional["status"].isin(groups["on"])]["area_code"]
    gap = latest_by_area.reindex(not_on).dropna()
    direction = series.get("direction")
    # a regional total (a count of countries, say) is no level to compare regions by
    comparable = series.get("aggregation") != "sum"
    if comparable and direction in ("increase", "decrease") and not gap.empty:
        goal = series.get("target_2030")
        if direction == "decrease":
            gap = gap - (goal if goal is not None else 0.0)
        else:
            gap = (goal if goal is not None else gap.max()) - gap
        lag = pd.DataFrame({"area_code": gap.sort_values(ascending=False).head(2).index})
    else:
        lag = pd.DataFrame({"area_code": []})
    good = regional[regional["status"].isin(groups["on"])]
    sep = "、" if lang == "zh" else ", "

    def named(frame: pd.DataFrame) -> str:
        parts = []
        for code in frame["area_code"]:
            label = area_names.get(code, code)
            if code in latest_by_area.index:
                label += (
                    f" ({_num(float(latest_by_area[code]), lang, unit)})"
                    if lang == "en"
                    else f"（{_num(float(latest_by_area[code]), lang, unit)}）"
                )
            parts.append(label)
        return sep.join(parts)

    if not lag.empty:
        out.append(words["lagging"].format(areas=named(lag)))
    if not good.empty:
        out.append(words["progressing"].format(areas=named(good)))
    return TargetStory(target, str(series["code"]), tuple(out))


def summarise_targets(chart: pd.DataFrame, lang: str = "en") -> list[str]:
    """The global summary: targets grouped by their World status."""
    cfg = load_progress_config()
    words, groups = cfg["words"][lang], cfg["summary_groups"]
    world = chart["1"] if "1" in chart.columns else pd.Series(dtype=str)
    names = cfg["target_names"][lang]
    sep = "、" if lang == "zh" else "; "

    def listing(codes: list[str]) -> str:
        return sep.join(
            f"{c} ({names.get(c, c)})" if lang == "en" else f"{c}（{names.get(c, c)}）"
            for c in codes
        )

    out = [words["summary_lead"]]
    for key, word in (
        ("off", "summary_off"),
        ("progress", "summary_progress"),
        ("on", "summary_on"),
    ):
        codes = [str(t) for t, s in world.items() if s in groups[key]]
        if codes:
            out.append(words[word].format(targets=listing(codes)))
    none = [str(t) for t, s in world.items() if not s or s == "insufficient_data"]
    if none:
        out.append(words["summary_none"].format(targets=listing(none)))
    return out
