"""The sentences of SDG 11 monitoring (:func:`._monitoring.monitoring`) in the report's
language: values and differences as the reports print them, each target's sentences with
numbers (World level and change, the 2030 target, the regions, coverage, the methods) and the
global summary's counts (phrases: ``synthesis/phrases/synthesis.yaml``).

Used through :mod:`._monitoring`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from urbanagenda.assess.progress import load_progress_config
from urbanagenda.model.catalogue import load_catalogue
from urbanagenda.synthesis.build._monitoring_types import WORLD, RegionRow, TargetMonitoring
from urbanagenda.synthesis.text import Formatter, Phrases


def value_text(fmt: Formatter, value: float | None, unit: str | None) -> str:
    """A value as the reports print it: one decimal below 1,000, none above; per cent
    for percentages (the progress engine's sentences use the same rule)."""
    if value is None or pd.isna(value):
        return "…"
    digits = 1 if abs(value) < 1000 else 0
    if unit == "PT":
        return fmt.pct(value, digits)
    symbol = UNIT_SYMBOLS.get(unit or "", {}).get(fmt.lang)
    return f"{fmt.num(value, digits)} {symbol}" if symbol else fmt.num(value, digits)


#: Units printed after a number (those the series' names do not already say).
UNIT_SYMBOLS: dict[str, dict[str, str]] = {
    "UG_M3": {"en": "µg/m³", "zh": "微克/立方米"},
}


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
