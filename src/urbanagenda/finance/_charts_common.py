"""Shared parts of the finance charts (:mod:`.charts`): colours, words, the frame of a spec
and readers of the results' JSON shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from urbanagenda.synthesis import charts as report_charts

VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched

#: Colours of the waterfall's steps and of actual/potential wherever they appear.
STEP_COLOURS: dict[str, str] = {
    "actual": "#0b5cad",
    "coverage": "#f28e2b",
    "compliance": "#e15759",
    "valuation": "#b07aa1",
    "rate": "#edc948",
    "residual": "#9e9e9e",
    "potential": "#1a9850",
}
#: Colours of the investment criteria (stacked score bars).
CRITERION_COLOURS: dict[str, str] = {
    "need": "#4e79a7",
    "reach": "#f28e2b",
    "alignment": "#59a14f",
    "readiness": "#b07aa1",
    "bankability": "#edc948",
    "cost_effectiveness": "#76b7b2",
}
SWING_COLOURS = ("#4e79a7", "#f28e2b")  # input lowered, input raised
HIGHLIGHT, OTHER = "#c92a2a", "#0b5cad"  # as the web's peers charts of the area pages

#: The English words of the charts; callers pass their own language's (same keys).
LABELS: dict[str, str] = {
    "actual": "Actual revenue",
    "potential": "Potential revenue",
    "coverage": "Coverage",
    "compliance": "Compliance",
    "valuation": "Valuation",
    "rate": "Rate",
    "residual": "Residual",
    "gap": "Gap",
    "step": "Step",
    "amount": "Amount",
    "year": "Year",
    "value": "Value",
    "input": "Input",
    "total_gap": "Total gap",
    "input_minus": "Input 10 % lower",
    "input_plus": "Input 10 % higher",
    "local_government": "Local government",
    "this": "This local government",
    "others": "Other local governments",
    "osr_per_capita_usd": "Own-source revenue per person (USD)",
    "osr_share_gdp": "Own-source revenue, share of GDP",
    "efficiency": "Collection efficiency",
    "project": "Project",
    "criterion": "Criterion",
    "score": "Score",
    "contribution": "Contribution to the score",
    "status": "Status",
    "funded": "In the plan",
    "unfunded": "Not funded",
    "envelope": "Envelope",
    "spending": "Spending",
    "need": "Need",
    "reach": "Reach",
    "alignment": "Alignment",
    "readiness": "Readiness",
    "bankability": "Bankability",
    "cost_effectiveness": "Cost-effectiveness",
}

Width = int | Literal["container"]
NumberFormat = Callable[[float], str]


def grouped(value: float) -> str:
    return f"{value:,.0f}"


def words_of(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {**LABELS, **(labels or {})}


def frame(title: str | None, width: Width, height: int | dict[str, int]) -> dict[str, Any]:
    """The house frame of the report charts (fonts, axes, white background) on Vega-Lite 6."""
    spec = report_charts.base_spec(title, 0, 0)  # the reports' config and fonts, not redefined
    spec.update({"$schema": VL_SCHEMA, "width": width, "height": height})
    return spec


def num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def central(value: Any) -> float:
    """The central value of a Range dict (or a plain number)."""
    return num(value.get("central")) if isinstance(value, Mapping) else num(value)


def by_year(values: Mapping[Any, Any]) -> list[tuple[int, Any]]:
    """A year-keyed mapping (keys ints, or strings as in JSON) in ascending years."""
    return sorted((int(k), v) for k, v in values.items())


def colour_scale(colours: Mapping[str, str], names: Mapping[str, str]) -> dict[str, Any]:
    """A colour scale pinning each coded thing's colour to its (translated) name."""
    return {"domain": [names[k] for k in colours], "range": list(colours.values())}
