"""``/assessments`` (progress of series, indicators, targets and the goal per area, with any
method) and ``/progress`` (the global progress chart: targets × SDG regions).

Assessments are computed by :func:`urbanagenda.assess.methods.assess` on the store's
headline observations (sex, age and breakdown totals; location total, else urban: the
roll-up's headline preference) and rolled up with :func:`urbanagenda.assess.rollup.roll_up`
over every series the catalogue links.  One computation per method, edition and label
language is kept per data version (``WebStore.computed``); a request filters it.  The work a
request may ask for is capped: it names series, an indicator, areas or an area level, and
the answer is paginated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.model.areas import KINDS
from urbanagenda.web import i18n
from urbanagenda.web.api.common import (
    MEDIA_TYPES,
    Lang,
    cached,
    check_codes,
    clean,
    data_response,
    download_response,
    json_body,
    localised,
    page_meta,
    resolve_areas,
    resolve_series,
    split_codes,
    store_of,
    table_body,
)
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["progress"])

DEFAULT_METHOD = "unsd-2024"
LEVELS = ("series", "indicator", "target", "goal")

SERIES_FIELDS = (
    "level", "code", "name", "series_code", "area_code", "area_name", "area_kind", "sex", "age",
    "location", "breakdown", "method", "edition", "status", "label", "score", "cagr_actual",
    "cagr_required", "ratio", "base_year", "base_value", "latest_year", "latest_value",
    "target_value", "unit", "reason", "reason_label",
)  # fmt: skip
ROLLUP_FIELDS = (
    "level", "code", "name", "area_code", "area_name", "area_kind", "method", "edition",
    "status", "label", "score", "n_children", "n_assessed", "reason", "reason_label",
)  # fmt: skip


class Assessment(BaseModel):
    level: str = Field(examples=["series"])
    code: str = Field(description="series, indicator, target or goal code",
                      examples=["EN_LND_SLUM"])  # fmt: skip
    name: str
    area_code: str = Field(examples=["566"])
    area_name: str
    area_kind: str
    method: str
    edition: str
    status: str = Field(description="stable status code of the method (see /api/v1/methods)",
                        examples=["marginal"])  # fmt: skip
    label: str = Field(examples=["Marginal progress"])
    score: float | None
    reason: str | None = Field(description="why a row is insufficient_data")
    reason_label: str | None
    series_code: str | None = Field(None, description="level series only")
    sex: str | None = None
    age: str | None = None
    location: str | None = None
    breakdown: str | None = None
    cagr_actual: float | None = Field(None, description="actual compound annual growth rate")
    cagr_required: float | None = Field(None, description="growth needed to meet the target")
    ratio: float | None = None
    base_year: int | None = None
    base_value: float | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    target_value: float | None = None
    unit: str | None = None
    n_children: int | None = Field(None, description="roll-ups: children (series or codes)")
    n_assessed: int | None = Field(None, description="roll-ups: children with a status")


class ProgressCell(BaseModel):
    area_code: str
    area_name: str
    status: str | None
    label: str | None


class ProgressTarget(BaseModel):
    target: str
    title: str
    series: str | None
    indicator: str | None
    text: str
    cells: list[ProgressCell]


class ProgressOut(BaseModel):
    method: str
    language: str = Field(description="language of the sentences (en or zh)")
    regions: list[dict[str, str]]
    statuses: dict[str, str]
    summary: list[str]
    targets: list[ProgressTarget]


# -- computation ------------------------------------------------------------------------------


def _config() -> dict[str, Any]:
    from urbanagenda.assess.methods import load_method_config

    return load_method_config()


def check_method(method: str, edition: str | None) -> str:
    """The edition to use (the method's default when None), or 422 naming the choices."""
    cfg = _config()
    if method not in cfg["methods"]:
        raise ApiError(422, f"unknown method {method!r}", where="query.method",
                       fix=f"one of {', '.join(cfg['methods'])} (see /api/v1/methods)")  # fmt: skip
    spec = cfg["methods"][method]
    editions = [str(e) for e in spec["editions"]]
    if edition is None:
        return str(spec["default_edition"])
    if edition not in editions:
        raise ApiError(422, f"method {method} has no edition {edition!r}", where="query.edition",
                       fix=f"one of {', '.join(editions)} (see /api/v1/methods)")  # fmt: skip
    return edition


def results(store: WebStore, method: str, edition: str, language: str) -> dict[str, pd.DataFrame]:
    """``{"series": assess rows, "rollup": roll-up rows}`` for every headline series group of
    the store, computed once per data version."""

    def build() -> dict[str, pd.DataFrame]:
        from urbanagenda.assess.methods import assess
        from urbanagenda.assess.rollup import headline, roll_up

        preference = list(_config()["rollup"]["headline_location"])
        frame = store.headline_frame(tuple(preference))
        series = headline(assess(frame, method, edition=edition, language=language), preference)
        rollup = roll_up(series, language=language)
        # the catalogue's goals only: a disaster series also feeds 1.5.1 and 13.1.1, whose
        # goals' roll-ups from one shared series would mislead
        goals = tuple(f"{g}." for g in store.catalogue.goals)
        keep = (rollup["level"] != "series") & (
            rollup["code"].astype(str).str.startswith(goals)
            | rollup["code"].astype(str).isin(list(store.catalogue.goals))
        )
        rollup = rollup[keep].reset_index(drop=True)
        return {"series": series.reset_index(drop=True), "rollup": rollup}

    return store.computed(("assessments", method, edition, language), build)


def _filter(
    store: WebStore,
    frame: pd.DataFrame,
    level: str,
    series: Sequence[str],
    indicator: str | None,
    areas: Sequence[str],
    area_level: str | None,
) -> pd.DataFrame:
    cat = store.catalogue
    column = "series_code" if level == "series" else "code"
    # every filter narrows (AND); at a roll-up level a series stands for what it feeds
    if series:
        frame = frame[frame[column].isin(sorted(_codes_fed(cat, series, level)))]
    if indicator:
        chosen = [s.code for s in cat.series_of_indicator(indicator)]
        fed = set(chosen) if level == "series" else _codes_fed(cat, [], level, indicator)
        frame = frame[frame[column].isin(sorted(fed))]
    if areas:
        frame = frame[frame["area_code"].isin(list(areas))]
    if area_level:
        kinds = store.area_kinds()
        frame = frame[frame["area_code"].map(kinds) == area_level]
    return frame


def _codes_fed(
    cat: Any, series: Sequence[str], level: str, indicator: str | None = None
) -> set[str]:
    """The codes of ``level`` that the series (or the indicator) feed."""
    if level == "series":
        return set(series)
    inds = {indicator} if indicator else {i for s in series for i in cat.series[s].indicators}
    if level == "indicator":
        return inds
    if level == "target":
        return {i.rsplit(".", 1)[0] for i in inds}
    return {i.split(".")[0] for i in inds}


def _rows(store: WebStore, frame: pd.DataFrame, level: str, lang: str) -> list[dict[str, Any]]:
    cfg = _config()
    label_lang = lang if lang in ("en", "zh") else "en"
    reasons = {k: str(v[label_lang]) for k, v in cfg.get("reasons", {}).items()}
    reasons["no_assessed_children"] = {
        "en": "no child of this code could be assessed", "zh": "没有可评估的下级指标",
    }[label_lang]  # fmt: skip
    names = store.area_names(lang)
    kinds = store.area_kinds()
    cat = store.catalogue
    local = i18n.catalogue_names(lang) if lang != i18n.DEFAULT else {}
    fields = SERIES_FIELDS if level == "series" else ROLLUP_FIELDS
    out = []
    for rec in frame.to_dict("records"):
        code = str(rec["series_code"] if level == "series" else rec["code"])
        row = {k: clean(rec.get(k)) for k in fields}
        row["level"] = level
        row["code"] = code
        row["name"] = _code_name(cat, local, level, code)
        row["area_name"] = names.get(str(rec["area_code"]), str(rec["area_code"]))
        row["area_kind"] = kinds.get(str(rec["area_code"]), "")
        if level == "series":
            row["unit"] = cat.series[code].unit if code in cat.series else None
            for k in ("base_year", "latest_year"):
                row[k] = None if row[k] is None else int(row[k])
        else:
            row["n_children"] = int(rec["n_children"])
            row["n_assessed"] = int(rec["n_assessed"])
        row["reason_label"] = reasons.get(row["reason"]) if row["reason"] else None
        out.append(row)
    return out


def _code_name(cat: Any, local: dict[str, dict[str, str]], level: str, code: str) -> str:
    if level == "series":
        s = cat.series.get(code)
        return localised(local, "series", code, s.name if s else code)
    if level == "indicator":
        i = cat.indicators.get(code)
        return localised(local, "indicator", code, i.name if i else code)
    if level == "target":
        t = cat.targets.get(code)
        return localised(local, "target", code, t.title if t else code)
    g = cat.goals.get(code)
    return localised(local, "goal", code, g.title if g else code)


# -- endpoints --------------------------------------------------------------------------------


@router.get(
    "/assessments",
    summary="Progress assessments per area",
    responses=download_response(Assessment, meta=True),
)
async def assessments(
    request: Request,
    method: Annotated[
        str, Query(max_length=40, description="A method of /api/v1/methods", examples=["unsd-2024"])
    ] = DEFAULT_METHOD,
    edition: Annotated[
        str | None,
        Query(max_length=40, description="An edition of the method (default: its default edition)"),
    ] = None,
    series: Annotated[
        list[str] | None,
        Query(description="Series code(s), repeated or comma-separated", examples=["EN_LND_SLUM"]),
    ] = None,
    indicator: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{1,2}\.[0-9a-z]{1,2}\.[0-9]{1,2}$",
            description="Only this indicator (its series at level series)",
        ),
    ] = None,
    area: Annotated[
        list[str] | None,
        Query(
            description="Area code(s): M49, ISO3 or city id; repeated or comma-separated",
            examples=["566"],
        ),
    ] = None,
    area_level: Annotated[
        str | None, Query(description=f"Only areas of this kind: {', '.join(KINDS)}")
    ] = None,
    level: Annotated[
        Literal["series", "indicator", "target", "goal"],
        Query(
            description="series: one row per series; indicator, target, goal: roll-ups of "
            "every linked series"
        ),
    ] = "series",
    lang: Annotated[Lang, Query(description="Language of names (labels: en or zh)")] = "en",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
    format: Annotated[Literal["json", "csv", "xlsx", "parquet"], Query()] = "json",
) -> Response:
    """Status (code and label), score, actual and required growth, ratio, base and latest
    year and value, target and reason of every matching area, at the series level or rolled
    up to indicators, targets and the goal.  Name series, an indicator, areas or an area
    level (the whole store at once is not offered)."""
    store = store_of(request)
    chosen_edition = check_method(method, edition)
    codes = resolve_series(store, check_codes("series", split_codes(series)))
    areas = resolve_areas(store, check_codes("area", split_codes(area)))
    if indicator is not None and indicator not in store.catalogue.indicators:
        raise ApiError(422, f"unknown indicator {indicator!r}", where="query.indicator",
                       fix="list the indicators at /api/v1/indicators (e.g. 11.1.1)")  # fmt: skip
    if area_level is not None and area_level not in KINDS:
        raise ApiError(422, f"unknown area level {area_level!r}", where="query.area_level",
                       fix=f"one of {', '.join(KINDS)}")  # fmt: skip
    if not (codes or indicator or areas or area_level):
        raise ApiError(
            422, "name what to assess", where="query",
            fix="give series (EN_LND_SLUM), indicator (11.1.1), area (566) or area_level "
            "(country); e.g. /api/v1/assessments?series=EN_LND_SLUM&area=566",
        )  # fmt: skip
    label_lang = lang if lang in ("en", "zh") else "en"
    file = format != "json"

    def build() -> bytes:
        found = results(store, method, chosen_edition, label_lang)
        if level == "series":
            frame = found["series"]
        else:
            frame = found["rollup"][found["rollup"]["level"] == level]
        frame = _filter(store, frame, level, codes, indicator, areas, area_level)
        frame = frame.sort_values(
            ["series_code" if level == "series" else "code", "area_code"], kind="stable"
        )
        fields = SERIES_FIELDS if level == "series" else ROLLUP_FIELDS
        if file:
            return table_body(_rows(store, frame, level, lang), fields, format)
        total = len(frame)
        rows = _rows(store, frame.iloc[(page - 1) * limit : page * limit], level, lang)
        return json_body({"data": rows, "meta": page_meta(request, total, page, limit)})

    download = f"assessments.{format}" if file else None
    return await cached(request, build, media_type=MEDIA_TYPES[format], filename=download)


@router.get("/progress", summary="Global progress chart", responses=data_response(ProgressOut))
async def global_progress(
    request: Request,
    method: Annotated[
        str, Query(max_length=40, description="A method of /api/v1/methods", examples=["unsd-2024"])
    ] = DEFAULT_METHOD,
    lang: Annotated[Lang, Query(description="Language of names (sentences: en or zh)")] = "en",
) -> Response:
    """The SDG 11 targets × SDG regions statuses of the home page's chart, with the
    summary and one sentence per target (from computed or official regional aggregates)."""
    from urbanagenda.assess.progress import load_progress_config
    from urbanagenda.web.pages.home import progress

    store = store_of(request)
    check_method(method, None)

    def build() -> bytes:
        result = progress(store, method, lang)
        regions = [str(a) for a in load_progress_config()["areas"]]
        names = store.area_names(lang)
        cfg = _config()
        from urbanagenda.assess.methods._common import labels

        text = labels(cfg, method, result.language)
        cat = store.catalogue
        local = i18n.catalogue_names(lang) if lang != i18n.DEFAULT else {}
        chart = result.chart
        stories = {st.target: st for st in result.stories}
        targets = []
        for target in chart.index:
            st = stories.get(target)
            code = st.series_code if st else None
            inds = cat.series[code].indicators if code and code in cat.series else ()
            cells = []
            for a in regions:
                status = clean(chart.at[target, a]) if a in chart.columns else None
                status = str(status) if status else None
                cells.append({"area_code": a, "area_name": names.get(a, a), "status": status,
                              "label": text.get(status) if status else None})  # fmt: skip
            targets.append({
                "target": str(target), "title": _code_name(cat, local, "target", str(target)),
                "series": code, "indicator": inds[0] if inds else None,
                "text": st.text if st else "", "cells": cells,
            })  # fmt: skip
        return json_body({"data": {
            "method": method, "language": result.language,
            "regions": [{"code": a, "name": names.get(a, a)} for a in regions],
            "statuses": text, "summary": list(result.summary), "targets": targets,
        }})  # fmt: skip

    return await cached(request, build)
