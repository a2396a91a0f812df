"""The investment plan's charts (re-exported by :mod:`.charts`, which documents them all)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from urbanagenda.finance._charts_common import (
    CRITERION_COLOURS,
    NumberFormat,
    Width,
    by_year,
    colour_scale,
    frame,
    grouped,
    words_of,
)
from urbanagenda.finance.model import CRITERIA


def ranking_spec(
    plan_result: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    width: Width = 520,
) -> dict[str, Any]:
    """The ranked projects (``PlanResult.to_dict()``), best at the top: each bar is the
    score stacked by criterion contribution (weight × value); projects not funded in the plan
    are drawn faint, and their axis label says so."""
    words = words_of(labels)
    funded = {str(e["project_id"]) for e in plan_result.get("plan", ())}
    rows: list[dict[str, Any]] = []
    order: list[str] = []
    for scored in sorted(plan_result["ranked"], key=lambda s: int(s["rank"])):
        project = scored["project"]
        in_plan = str(project["id"]) in funded
        name = f"{scored['rank']}. {project['name']}"
        if not in_plan:
            name = f"{name} ({words['unfunded']})"
        order.append(name)
        for c in scored["criteria"]:
            rows.append(
                {
                    "project": name,
                    "criterion": words.get(c["criterion"], c["criterion"]),
                    "order": CRITERIA.index(c["criterion"]) if c["criterion"] in CRITERIA else 99,
                    "contribution": float(c["contribution"]),
                    "value": float(c["value"]),
                    "score": float(scored["score"]),
                    "status": words["funded"] if in_plan else words["unfunded"],
                }
            )
    spec = frame(title, width, {"step": 24})
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {
            "field": "project",
            "type": "nominal",
            "sort": order,
            "title": None,
            "axis": {"labelLimit": 280},
        },
        "x": {
            "field": "contribution",
            "type": "quantitative",
            "stack": "zero",
            "title": words["score"],
            "scale": {"domain": [0, 1]},
        },
        "color": {
            "field": "criterion",
            "type": "nominal",
            "title": words["criterion"],
            "scale": colour_scale(CRITERION_COLOURS, words),
            "legend": {"orient": "bottom", "columns": 3},
        },
        "order": {"field": "order", "type": "quantitative"},
        "opacity": {
            "field": "status",
            "type": "nominal",
            "title": words["status"],
            "scale": {"domain": [words["funded"], words["unfunded"]], "range": [1.0, 0.35]},
            "legend": {"orient": "bottom"},
        },
        "tooltip": [
            {"field": "project", "title": words["project"]},
            {"field": "criterion", "title": words["criterion"]},
            {"field": "value", "title": words["value"], "format": ".2f"},
            {"field": "contribution", "title": words["contribution"], "format": ".3f"},
            {"field": "score", "title": words["score"], "format": ".3f"},
        ],
    }
    return spec


def envelope_spec(
    plan_result: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    number: NumberFormat = grouped,
    width: Width = 520,
    height: int = 260,
) -> dict[str, Any]:
    """The plan by year (``PlanResult.to_dict()``): the city's spending stacked by project
    (the projects' city cost by year) against the year's envelope (a line with points).
    Unspent envelope carries over to later years, so a year may spend more than its own."""
    words = words_of(labels)
    names = {
        str(s["project"]["id"]): f"{s['rank']}. {s['project']['name']}"
        for s in plan_result["ranked"]
    }
    spending: list[dict[str, Any]] = [
        {
            "year": str(year),
            "project": names.get(str(entry["project_id"]), str(entry["project_id"])),
            "rank": int(entry["rank"]),
            "amount": float(amount),
            "text": number(float(amount)),
        }
        for entry in plan_result.get("plan", ())
        for year, amount in by_year(entry["city_cost_by_year"])
        if amount
    ]
    order = list(dict.fromkeys(r["project"] for r in sorted(spending, key=lambda r: r["rank"])))
    envelope = [
        {
            "year": str(year),
            "amount": float(amount),
            "text": number(float(amount)),
            "series": words["envelope"],
        }
        for year, amount in by_year(plan_result["envelope_by_year"])
    ]
    x = {"field": "year", "type": "ordinal", "title": words["year"], "axis": {"labelAngle": 0}}
    spec = frame(title, width, height)
    spec["layer"] = [
        {
            "data": {"values": spending},
            "mark": {"type": "bar"},
            "encoding": {
                "x": x,
                "y": {"field": "amount", "type": "quantitative", "stack": "zero",
                      "title": words["amount"]},
                "color": {"field": "project", "type": "nominal", "title": words["spending"],
                          "sort": order, "scale": {"scheme": "tableau20"},
                          "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260}},
                "order": {"field": "rank", "type": "quantitative"},
                "tooltip": [
                    {"field": "year", "title": words["year"]},
                    {"field": "project", "title": words["project"]},
                    {"field": "text", "title": words["spending"]},
                ],
            },
        },
        {
            "data": {"values": envelope},
            "mark": {"type": "line", "color": "#222",
                     "point": {"filled": True, "size": 50, "color": "#222"}},
            "encoding": {
                "x": x,
                "y": {"field": "amount", "type": "quantitative"},
                # a dashed line with its own legend entry, named in the caller's language
                "strokeDash": {"field": "series", "type": "nominal", "title": None,
                               "scale": {"range": [[5, 3]]},
                               "legend": {"orient": "bottom", "symbolType": "stroke"}},
                "tooltip": [
                    {"field": "year", "title": words["year"]},
                    {"field": "text", "title": words["envelope"]},
                ],
            },
        },
    ]  # fmt: skip
    return spec
