"""The catalogue: ``/goals``, ``/targets``, ``/indicators``, ``/series`` and ``/methods``.

Everything comes from the versioned catalogue (``urbanagenda/catalogue/*.yaml``) and the
method configuration; the series add their observation counts from the store.  Names are
given in the requested language (``lang``, one of the six UN languages) where
``locale/<lang>/catalogue.yaml`` has them, in English otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.model.catalogue import Catalogue, Indicator, Series
from urbanagenda.web import i18n
from urbanagenda.web.api.common import (
    Lang,
    cached,
    data_response,
    json_body,
    localised,
    store_of,
)
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["catalogue"])

_LANG = Query(description="Language of the names: ar, zh, en, fr, ru or es (English where a "
              "name has no translation)")  # fmt: skip
_INDICATOR = r"^[0-9]{1,2}\.[0-9a-z]{1,2}\.[0-9]{1,2}$"
_TARGET = r"^[0-9]{1,2}\.[0-9a-z]{1,2}$"


# -- shapes -----------------------------------------------------------------------------------


class Named(BaseModel):
    code: str
    name: str


class GoalOut(BaseModel):
    code: str = Field(examples=["11"])
    title: str
    targets: list[str]


class TargetOut(BaseModel):
    code: str = Field(examples=["11.1"])
    goal: str
    title: str
    indicators: list[str]


class Link(BaseModel):
    code: str
    name: str
    relation: str
    source: str
    notes: str


class SourceOut(BaseModel):
    key: str
    title: str
    reference: str
    verified: bool


class TargetDetail(TargetOut):
    indicator_names: list[Named]
    nua: list[Link] = Field(description="New Urban Agenda sections that contribute to it")
    notes: str


class IndicatorOut(BaseModel):
    code: str = Field(examples=["11.1.1"])
    target: str
    name: str
    dsd_code: str
    series: list[str]


class SeriesBrief(BaseModel):
    code: str
    name: str
    unit: str
    observations: int


class IndicatorDetail(BaseModel):
    code: str
    name: str
    target: Named
    goal: Named
    series: list[SeriesBrief]
    nua: list[Link] = Field(description="NUA sections linked to the indicator's target")
    umf: list[Link] = Field(description="Urban Monitoring Framework cells it measures")
    metadata: dict[str, Any]


class SeriesOut(BaseModel):
    code: str = Field(examples=["EN_LND_SLUM"])
    name: str
    unit: str
    direction: str | None
    target_2030: float | None
    aggregation: str
    indicators: list[str]
    global_series: bool
    observations: int


class UnitOut(BaseModel):
    code: str
    name: str
    sdmx_code: str | None
    unit_mult: int


class SeriesDetail(BaseModel):
    code: str
    name: str
    unit: UnitOut
    direction: str | None
    target_2030: float | None
    natural_limit: float | None
    lower_limit: float | None
    aggregation: str
    aggregation_weight: str | None
    numerator: str | None
    denominator: str | None
    global_series: bool
    indicators: list[Named]
    sources: list[SourceOut]
    value_sources: dict[str, str] = Field(description="catalogue field -> source key")
    notes: str
    observations: int
    areas_with_data: int


class StatusOut(BaseModel):
    code: str
    label: str


class EditionOut(BaseModel):
    code: str
    default: bool
    source: str | None = Field(description="key of the publication the edition follows")
    reference: str | None = Field(description="the publication")


class MethodOut(BaseModel):
    code: str = Field(examples=["unsd-2024"])
    function: str
    default_edition: str
    editions: list[EditionOut]
    statuses: list[StatusOut]
    rollup_rule: str | None
    labels_language: str


# -- helpers ----------------------------------------------------------------------------------


def _names(lang: str) -> dict[str, dict[str, str]]:
    return i18n.catalogue_names(lang) if lang != i18n.DEFAULT else {}


def _indicator_name(names: dict[str, dict[str, str]], ind: Indicator) -> str:
    return localised(names, "indicator", ind.code, ind.name)


def _series_name(names: dict[str, dict[str, str]], series: Series) -> str:
    return localised(names, "series", series.code, series.name)


def _target_title(names: dict[str, dict[str, str]], cat: Catalogue, code: str) -> str:
    target = cat.targets.get(code)
    return localised(names, "target", code, target.title if target else code)


def _nua_links(cat: Catalogue, target: str) -> list[dict[str, Any]]:
    out = []
    for link in cat.links:
        if link.from_kind == "nua" and link.to_kind == "target" and link.to_code == target:
            nua = cat.nua.get(link.from_code)
            out.append({"code": link.from_code, "name": nua.title if nua else link.from_code,
                        "relation": link.relation, "source": link.source,
                        "notes": link.notes})  # fmt: skip
    return out


def _umf_links(cat: Catalogue, indicator: str) -> list[dict[str, Any]]:
    out = []
    for link in cat.links:
        if link.from_kind == "indicator" and link.from_code == indicator and link.to_kind == "umf":
            cell = cat.umf.get(link.to_code)
            out.append({"code": link.to_code, "name": cell.name if cell else link.to_code,
                        "relation": link.relation, "source": link.source,
                        "notes": link.notes})  # fmt: skip
    return out


def _source(cat: Catalogue, key: str) -> dict[str, Any]:
    src = cat.sources.get(key)
    if src is None:
        return {"key": key, "title": key, "reference": "", "verified": False}
    return {"key": src.key, "title": src.title, "reference": src.reference,
            "verified": src.verified}  # fmt: skip


def _reference(cfg: dict[str, Any], key: Any) -> str | None:
    text = cfg.get("sources", {}).get(key) if key else None
    return " ".join(str(text).split()) if text else None


def _not_found(kind: str, code: str, listing: str, example: str) -> ApiError:
    return ApiError(404, f"no {kind} {code!r}", where="path.code",
                    fix=f"list them at /api/v1/{listing} (e.g. {example})")  # fmt: skip


# -- endpoints --------------------------------------------------------------------------------


@router.get("/goals", summary="Goals", responses=data_response(GoalOut, many=True))
async def goals(request: Request, lang: Annotated[Lang, _LANG] = "en") -> Response:
    """The goals of the catalogue (Goal 11) with their targets."""
    cat = store_of(request).catalogue

    def build() -> bytes:
        names = _names(lang)
        rows = [
            {"code": g.code, "title": localised(names, "goal", g.code, g.title),
             "targets": [t.code for t in cat.targets.values() if t.goal == g.code]}
            for g in cat.goals.values()
        ]  # fmt: skip
        return json_body({"data": rows})

    return await cached(request, build)


@router.get("/targets", summary="Targets", responses=data_response(TargetOut, many=True))
async def targets(request: Request, lang: Annotated[Lang, _LANG] = "en") -> Response:
    """The SDG 11 targets (11.1 … 11.c) with their indicators."""
    cat = store_of(request).catalogue

    def build() -> bytes:
        names = _names(lang)
        rows = [
            {"code": t.code, "goal": t.goal, "title": _target_title(names, cat, t.code),
             "indicators": [i.code for i in cat.indicators_of_target(t.code)]}
            for t in cat.targets.values()
        ]  # fmt: skip
        return json_body({"data": rows})

    return await cached(request, build)


@router.get("/targets/{code}", summary="One target", responses=data_response(TargetDetail))
async def target(
    request: Request,
    code: Annotated[str, Path(pattern=_TARGET, description="e.g. 11.1", examples=["11.1"])],
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """A target with its indicators and the New Urban Agenda sections linked to it."""
    cat = store_of(request).catalogue
    key = code.lower()
    if key not in cat.targets:
        raise _not_found("target", code, "targets", "11.1")

    def build() -> bytes:
        names = _names(lang)
        t = cat.targets[key]
        inds = cat.indicators_of_target(key)
        return json_body({"data": {
            "code": t.code, "goal": t.goal, "title": _target_title(names, cat, t.code),
            "indicators": [i.code for i in inds],
            "indicator_names": [{"code": i.code, "name": _indicator_name(names, i)} for i in inds],
            "nua": _nua_links(cat, t.code), "notes": t.notes,
        }})  # fmt: skip

    return await cached(request, build)


@router.get("/indicators", summary="Indicators", responses=data_response(IndicatorOut, many=True))
async def indicators(
    request: Request,
    target: Annotated[
        str | None, Query(pattern=_TARGET, description="Only this target's, e.g. 11.1")
    ] = None,
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """The SDG 11 indicators with the series that measure them."""
    cat = store_of(request).catalogue
    if target is not None and target.lower() not in cat.targets:
        raise ApiError(422, f"unknown target {target!r}", where="query.target",
                       fix="list the targets at /api/v1/targets (e.g. 11.1)")  # fmt: skip

    def build() -> bytes:
        names = _names(lang)
        rows = [
            {"code": i.code, "target": i.target, "name": _indicator_name(names, i),
             "dsd_code": i.dsd_code, "series": [s.code for s in cat.series_of_indicator(i.code)]}
            for i in cat.indicators.values()
            if target is None or i.target == target.lower()
        ]  # fmt: skip
        return json_body({"data": rows})

    return await cached(request, build)


@router.get("/indicators/{code}", summary="One indicator", responses=data_response(IndicatorDetail))
async def indicator(
    request: Request,
    code: Annotated[str, Path(pattern=_INDICATOR, description="e.g. 11.1.1", examples=["11.1.1"])],
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """An indicator: its target, its series (with observation counts), the NUA and UMF
    links of the catalogue and its metadata."""
    store = store_of(request)
    cat = store.catalogue
    key = code.lower()
    if key not in cat.indicators:
        raise _not_found("indicator", code, "indicators", "11.1.1")

    def build() -> bytes:
        names = _names(lang)
        ind = cat.indicators[key]
        counts = store.series_counts()
        goal = cat.goals.get(ind.target.split(".")[0])
        series = [
            {"code": s.code, "name": _series_name(names, s), "unit": s.unit,
             "observations": counts.get(s.code, 0)}
            for s in cat.series_of_indicator(key)
        ]  # fmt: skip
        return json_body({"data": {
            "code": ind.code, "name": _indicator_name(names, ind),
            "target": {"code": ind.target, "name": _target_title(names, cat, ind.target)},
            "goal": {"code": goal.code if goal else "",
                     "name": localised(names, "goal", goal.code, goal.title) if goal else ""},
            "series": series, "nua": _nua_links(cat, ind.target), "umf": _umf_links(cat, key),
            "metadata": {"dsd_code": ind.dsd_code, "name_en": ind.name,
                         "source": _source(cat, ind.source),
                         "catalogue_version": cat.version},
        }})  # fmt: skip

    return await cached(request, build)


@router.get("/series", summary="Series", responses=data_response(SeriesOut, many=True))
async def series_list(
    request: Request,
    indicator: Annotated[
        str | None, Query(pattern=_INDICATOR, description="Only the series of this indicator")
    ] = None,
    with_data: Annotated[
        bool | None,
        Query(description="true: only series with observations; false: only those without"),
    ] = None,
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """The data series with unit, direction, 2030 target, aggregation rule, indicators and
    the number of observations in the store."""
    store = store_of(request)
    cat = store.catalogue
    if indicator is not None and indicator.lower() not in cat.indicators:
        raise ApiError(422, f"unknown indicator {indicator!r}", where="query.indicator",
                       fix="list the indicators at /api/v1/indicators (e.g. 11.1.1)")  # fmt: skip

    def build() -> bytes:
        names = _names(lang)
        counts = store.series_counts()
        chosen = (cat.series_of_indicator(indicator.lower()) if indicator
                  else list(cat.series.values()))  # fmt: skip
        rows = []
        for s in chosen:
            n = counts.get(s.code, 0)
            if with_data is not None and (n > 0) != with_data:
                continue
            rows.append({
                "code": s.code, "name": _series_name(names, s), "unit": s.unit,
                "direction": s.direction, "target_2030": s.target_2030,
                "aggregation": s.aggregation, "indicators": list(s.indicators),
                "global_series": s.global_series, "observations": n,
            })  # fmt: skip
        return json_body({"data": rows})

    return await cached(request, build)


@router.get("/series/{code}", summary="One series", responses=data_response(SeriesDetail))
async def series_detail(
    request: Request,
    code: Annotated[
        str,
        Path(
            pattern=r"^[A-Za-z0-9_]{1,64}$",
            description="e.g. EN_LND_SLUM",
            examples=["EN_LND_SLUM"],
        ),
    ],
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """A series: unit, desirable direction, 2030 target, natural limits, aggregation rule,
    the indicators it measures and the sources of each catalogue value."""
    store = store_of(request)
    cat = store.catalogue
    key = code.upper()
    if key not in cat.series:
        raise _not_found("series", code, "series", "EN_LND_SLUM")

    def build() -> bytes:
        names = _names(lang)
        s = cat.series[key]
        unit = cat.units.get(s.unit)
        areas = sum(1 for by in store.series_by_area().values() if key in by)
        return json_body({"data": {
            "code": s.code, "name": _series_name(names, s),
            "unit": {"code": s.unit, "name": unit.name if unit else s.unit,
                     "sdmx_code": unit.sdmx_code if unit else None,
                     "unit_mult": unit.unit_mult if unit else 0},
            "direction": s.direction, "target_2030": s.target_2030,
            "natural_limit": s.natural_limit, "lower_limit": s.lower_limit,
            "aggregation": s.aggregation, "aggregation_weight": s.aggregation_weight,
            "numerator": s.numerator, "denominator": s.denominator,
            "global_series": s.global_series,
            "indicators": [
                {"code": i, "name": _indicator_name(names, cat.indicators[i])
                 if i in cat.indicators else i}
                for i in s.indicators
            ],
            "sources": [_source(cat, k) for k in s.sources],
            "value_sources": dict(s.value_sources), "notes": s.notes,
            "observations": store.series_counts().get(key, 0), "areas_with_data": areas,
        }})  # fmt: skip

    return await cached(request, build)


@router.get(
    "/methods",
    summary="Progress assessment methods",
    responses=data_response(MethodOut, many=True),
)
async def methods(request: Request, lang: Annotated[Lang, _LANG] = "en") -> Response:
    """The progress assessment methods with their editions and status codes and labels
    (labels exist in English and Chinese; other languages get the English ones)."""

    def build() -> bytes:
        from urbanagenda.assess.methods import load_method_config, status_codes
        from urbanagenda.assess.methods._common import labels

        cfg = load_method_config()
        label_lang = lang if lang in ("en", "zh") else "en"
        rules = cfg.get("rollup", {}).get("rules", {})
        rows = []
        for code, spec in cfg["methods"].items():
            text = labels(cfg, code, label_lang)
            rows.append({
                "code": code, "function": spec["function"],
                "default_edition": str(spec["default_edition"]),
                "editions": [
                    {"code": str(e), "default": str(e) == str(spec["default_edition"]),
                     "source": (p or {}).get("source"),
                     "reference": _reference(cfg, (p or {}).get("source"))}
                    for e, p in spec["editions"].items()
                ],
                "statuses": [{"code": c, "label": text[c]} for c in status_codes(code, cfg)],
                "rollup_rule": (rules.get(code) or {}).get("rule"),
                "labels_language": label_lang,
            })  # fmt: skip
        return json_body({"data": rows})

    return await cached(request, build)
