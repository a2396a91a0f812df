"""Charts of the finance tools: Vega-Lite specs built from the results' JSON shapes.

The web pages draw them in the browser (Vega-Lite 6, ``/static/vendor/charts.js``) and the
summaries (:mod:`.summary`) draw them offline with :func:`urbanagenda.synthesis.charts.to_svg`
and ``to_png``, so every spec here is plain data with its rows inline, no URL and no
expression the browser's CSP-safe interpreter could not run.

Each builder takes the ``to_dict()`` shape of a result (:mod:`.model`: year keys may be
strings, as in JSON) and ``labels``: the words it prints, a mapping the caller fills in its
language (the web from gettext, the summaries from ``synthesis/phrases/finance.yaml``); a key
the mapping lacks is printed in English (:data:`LABELS`).  ``number`` formats the amounts the
bars are labelled with (default: grouped digits, ``12,000,000``), so a page or a report can
write them its own way.  ``width`` is pixels, or ``"container"`` for a page's fluid layout.

The same colour always means the same thing: :data:`STEP_COLOURS` (actual, the parts of the
gap, the residual, the potential; actual and potential keep their colours in the trend
chart) and :data:`CRITERION_COLOURS` (the criteria of the investment score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from urbanagenda.finance._charts_common import (
    CRITERION_COLOURS,
    HIGHLIGHT,
    LABELS,
    OTHER,
    STEP_COLOURS,
    SWING_COLOURS,
    VL_SCHEMA,
    NumberFormat,
    Width,
    by_year,
    central,
    colour_scale,
    frame,
    grouped,
    num,
    words_of,
)
from urbanagenda.finance._charts_invest import envelope_spec, ranking_spec
from urbanagenda.finance.model import PARTS
from urbanagenda.synthesis import charts as report_charts

__all__ = [
    "CRITERION_COLOURS",
    "LABELS",
    "STEP_COLOURS",
    "envelope_spec",
    "peers_spec",
    "ranking_spec",
    "tornado_spec",
    "trend_spec",
    "waterfall_spec",
]

# -------------------------------------------------------------------------- OSR charts


def waterfall_spec(
    year_result: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    number: NumberFormat = grouped,
    width: Width = 520,
    height: int = 300,
) -> dict[str, Any]:
    """From the actual revenue to the potential, step by step: one floating bar per part of
    the gap (coverage, compliance, valuation, rate: those the result has) and the residual,
    then the potential.

    ``year_result``: a ``YearResult.to_dict()`` (its ``total`` is drawn) or one
    ``StreamResult.to_dict()``.  Central values; the last bar stands at actual + gap, which is
    the potential (when the potential is below the actual, the gap is 0 and so is the climb).
    A negative residual steps down.
    """
    words = words_of(labels)
    res = year_result.get("total", year_result)
    running = central(res["actual"])
    rows: list[dict[str, Any]] = [_step("actual", words, 0.0, running, running, number)]
    present = [p for p in PARTS if p in res.get("parts", {})]
    for part, amount in [(p, central(res["parts"][p])) for p in present] + [
        ("residual", central(res.get("residual")))
    ]:
        rows.append(_step(part, words, running, running + amount, amount, number))
        running += amount
    rows.append(_step("potential", words, 0.0, running, running, number))
    colours = {k: STEP_COLOURS[k] for k in ("actual", *present, "residual", "potential")}
    spec = frame(title, width, height)
    x = {
        "field": "step",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelAngle": 0, "labelLimit": 120},
    }
    spec["data"] = {"values": rows}
    spec["layer"] = [
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": x,
                "y": {"field": "start", "type": "quantitative", "title": words["amount"]},
                "y2": {"field": "end"},
                "color": {
                    "field": "step",
                    "type": "nominal",
                    "title": None,
                    "legend": None,
                    "scale": colour_scale(colours, words),
                },
                "tooltip": [
                    {"field": "step", "title": words["step"]},
                    {"field": "text", "title": words["amount"]},
                ],
            },
        },
        {
            "mark": {"type": "text", "baseline": "bottom", "dy": -3, "fontSize": 10},
            "encoding": {
                "x": x,
                "y": {"field": "top", "type": "quantitative"},
                "text": {"field": "text"},
            },
        },
    ]
    return spec


def _step(
    key: str,
    words: Mapping[str, str],
    start: float,
    end: float,
    amount: float,
    number: NumberFormat,
) -> dict[str, Any]:
    return {
        "key": key,
        "step": words[key],
        "start": start,
        "end": end,
        "top": max(start, end),
        "amount": amount,
        "text": number(amount),
    }


def tornado_spec(
    items: Sequence[Mapping[str, Any]],
    *,
    base_gap: float | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    top: int = 10,
    number: NumberFormat = grouped,
    width: Width = 520,
) -> dict[str, Any]:
    """How the year's total gap moves when each input is 10 % lower or higher: the ``top``
    inputs with the largest swing (``SensitivityItem.to_dict()`` rows), largest first.

    With ``base_gap`` (the year's central total gap) each input has two bars meeting at it —
    input lowered, input raised — and a rule marks it; without, one bar spans the two gaps.
    """
    words = words_of(labels)
    ranked = sorted(items, key=lambda i: -abs(num(i["gap_plus"]) - num(i["gap_minus"])))[
        : max(top, 0)
    ]
    order = [str(i["label"]) for i in ranked]
    rows: list[dict[str, Any]] = []
    for item in ranked:
        minus, plus = num(item["gap_minus"]), num(item["gap_plus"])
        if base_gap is None:  # one bar from the gap with the input lowered to it raised
            ends = [("input_minus", plus, minus)]
        else:
            ends = [("input_minus", base_gap, minus), ("input_plus", base_gap, plus)]
        rows.extend(
            {
                "input": str(item["label"]),
                "move": words[key],
                "start": start,
                "end": end,
                "text": number(end)
                if base_gap is not None
                else f"{number(minus)} – {number(plus)}",
            }
            for key, start, end in ends
        )
    spec = frame(title, width, {"step": 22})
    bars: dict[str, Any] = {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "input",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {
                "field": "start",
                "type": "quantitative",
                "title": words["total_gap"],
                "scale": {"zero": False},
            },
            "x2": {"field": "end"},
            "color": {
                "field": "move",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [words["input_minus"], words["input_plus"]],
                    "range": list(SWING_COLOURS),
                },
                # without the base gap a bar spans both moves: its colour says nothing
                "legend": {"orient": "bottom"} if base_gap is not None else None,
            },
            "tooltip": [
                {"field": "input", "title": words["input"]},
                {"field": "move", "title": words["step"]},
                {"field": "text", "title": words["total_gap"]},
            ],
        },
    }
    layers: list[dict[str, Any]] = [bars]
    if base_gap is not None:
        layers.append(
            {
                "data": {"values": [{"gap": base_gap, "text": number(base_gap)}]},
                "mark": {"type": "rule", "color": "#333", "strokeDash": [4, 3]},
                "encoding": {
                    "x": {"field": "gap", "type": "quantitative"},
                    "tooltip": [{"field": "text", "title": words["gap"]}],
                },
            }
        )
    spec["data"] = {"values": rows}
    spec["layer"] = layers
    return spec


def trend_spec(
    trends: Sequence[Mapping[str, Any]],
    *,
    metrics: Sequence[str] = ("actual", "potential"),
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    width: Width = 520,
    height: int = 260,
) -> dict[str, Any]:
    """``metrics`` (``Trend.metric`` names: by default actual and potential revenue) by year,
    one line each (``OsrResult.to_dict()["trends"]`` rows); years without a value are left
    out.  Actual and potential keep their waterfall colours."""
    words = words_of(labels)
    wanted = {str(t["metric"]): t for t in trends if t["metric"] in metrics}
    rows = [
        {"year": year, "value": float(value), "series": words.get(metric, metric)}
        for metric in metrics
        if metric in wanted
        for year, value in by_year(wanted[metric]["values"])
        if value is not None
    ]
    spec = report_charts.line_chart(
        rows, y_title=words["amount"], series="series", title=title, height=height
    )
    spec.update({"$schema": VL_SCHEMA, "width": width})
    shown = [m for m in metrics if m in wanted]
    palette = [STEP_COLOURS.get(m, c) for m, c in zip(shown, _PALETTE, strict=False)]
    line = spec["layer"][0]["encoding"]
    line["color"]["scale"] = {"domain": [words.get(m, m) for m in shown], "range": palette}
    line["color"]["legend"] = {"orient": "bottom"}
    line["tooltip"] = [
        {"field": "series", "title": None},
        {"field": "year", "title": words["year"]},
        {"field": "value", "title": words["amount"], "format": ",.0f"},
    ]
    return spec


_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")


def peers_spec(
    peers: Sequence[Mapping[str, Any]],
    *,
    highlight: str | None = None,
    metric: str = "osr_per_capita_usd",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    width: Width = 520,
) -> dict[str, Any]:
    """Local governments side by side on one ``metric`` of the stored analyses (``peers``
    rows, as :func:`urbanagenda.finance.store.peers` gives them: ``lg_name``, ``lg_key``, the
    metric — OSR per person in USD by default, or ``osr_share_gdp``), highest first.  The
    local government ``highlight`` (an ``lg_key``; by default the row marked ``highlight``)
    is drawn in red.  Rows without the metric are left out (e.g. no GDP per capita given)."""
    words = words_of(labels)
    this, others = words["this"], words["others"]
    shown = sorted((p for p in peers if p.get(metric) is not None), key=lambda p: -num(p[metric]))
    rows = [
        {
            "name": str(p.get("lg_name") or p.get("lg_key")),
            "value": num(p[metric]),
            "role": this if _highlighted(p, highlight) else others,
            "year": p.get("year"),
        }
        for p in shown
    ]
    share = metric in ("osr_share_gdp", "efficiency")
    spec = frame(title, width, {"step": 20})
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": None,
            "title": None,
            "axis": {"labelLimit": 220},
        },
        "x": {
            "field": "value",
            "type": "quantitative",
            "title": words.get(metric, metric),
            "axis": {"format": ".1%" if share else ",.2~f", "tickCount": 6},
        },
        "color": {
            "field": "role",
            "type": "nominal",
            "title": None,
            "scale": {"domain": [this, others], "range": [HIGHLIGHT, OTHER]},
            "legend": {"orient": "bottom"},
        },
        "tooltip": [
            {"field": "name", "title": words["local_government"]},
            {"field": "year", "title": words["year"]},
            {
                "field": "value",
                "title": words.get(metric, metric),
                "format": ".2%" if share else ",.2f",
            },
        ],
    }
    return spec


def _highlighted(peer: Mapping[str, Any], highlight: str | None) -> bool:
    if highlight is None:
        return bool(peer.get("highlight"))
    return peer.get("lg_key") == highlight
