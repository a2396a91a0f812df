"""What the finance pages show of a result: the rows of their tables and the specs of their
charts (:mod:`urbanagenda.finance.charts`), from the results' JSON shapes (``to_dict()``), with
the words in the page's language.  Every chart has its figures in a table beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from urbanagenda.finance.model import PARTS
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import fmt

__all__ = [
    "chart_labels",
    "kind_labels",
    "money",
    "osr_view",
    "part_labels",
    "peers_view",
    "plan_view",
    "share",
    "span",
]


def chart_labels() -> dict[str, str]:
    """The words the finance charts print, in the page's language."""
    return {
        "actual": gettext("Actual revenue"),
        "potential": gettext("Potential revenue"),
        "coverage": gettext("Coverage"),
        "compliance": gettext("Compliance"),
        "valuation": gettext("Valuation"),
        "rate": gettext("Rate"),
        "residual": gettext("Residual"),
        "gap": gettext("Gap"),
        "step": gettext("Step"),
        "amount": gettext("Amount"),
        "year": gettext("Year"),
        "value": gettext("Value"),
        "input": gettext("Input"),
        "total_gap": gettext("Total gap"),
        "input_minus": gettext("Input %(pct)s lower", pct="10 %"),
        "input_plus": gettext("Input %(pct)s higher", pct="10 %"),
        "local_government": gettext("Local government"),
        "this": gettext("This local government"),
        "others": gettext("Other local governments"),
        "osr_per_capita_usd": gettext("Own-source revenue per person (USD)"),
        "osr_share_gdp": gettext("Own-source revenue, share of GDP"),
        "efficiency": gettext("Collection efficiency"),
        "project": gettext("Project"),
        "criterion": gettext("Criterion"),
        "score": gettext("Score"),
        "contribution": gettext("Contribution to the score"),
        "status": gettext("Status"),
        "funded": gettext("In the plan"),
        "unfunded": gettext("Not funded"),
        "envelope": gettext("Envelope"),
        "spending": gettext("Spending"),
        "need": gettext("Need"),
        "reach": gettext("Reach"),
        "alignment": gettext("Alignment"),
        "readiness": gettext("Readiness"),
        "bankability": gettext("Bankability"),
        "cost_effectiveness": gettext("Cost-effectiveness"),
    }


def part_labels() -> dict[str, str]:
    words = chart_labels()
    return {p: words[p] for p in (*PARTS, "residual")}


def kind_labels() -> dict[str, str]:
    return {
        "property_tax": gettext("Property tax"),
        "business_licence": gettext("Business licences and permits"),
        "user_charge_short": gettext("User charges, short-term (per day)"),
        "user_charge_long": gettext("User charges, long-term (per month or year)"),
        "user_charge_mixed": gettext("User charges, mixed"),
        "other_tax": gettext("Other taxes"),
        "total": gettext("Total"),
    }


def money(value: Any) -> str:
    """An amount of local currency, whole units, in the page's language."""
    return fmt(value, 0)


def share(value: Any) -> str:
    """A share as a percentage ("62.5 %")."""
    return "–" if value is None else f"{fmt(float(value) * 100, 1)} %"


def span(r: Mapping[str, Any] | None) -> str:
    """The range of a computed figure ("9,000,000–14,000,000"), or "" when it is exact."""
    if not r or r.get("low") is None or r.get("high") is None:
        return ""
    if abs(float(r["high"]) - float(r["low"])) < 1e-9:
        return ""
    return f"{money(r['low'])}–{money(r['high'])}"


def _central(r: Any) -> float | None:
    if isinstance(r, Mapping):
        value = r.get("central")
        return None if value is None else float(value)
    return None if r is None else float(r)


def _stream_row(s: Mapping[str, Any]) -> dict[str, Any]:
    potential = _central(s["potential"]) or 0.0
    actual = _central(s["actual"]) or 0.0
    return {
        "kind": s["kind"],
        "name": s["name"],
        "actual": s["actual"],
        "potential": s["potential"],
        "gap": s["gap"],
        "parts": {p: s.get("parts", {}).get(p) for p in PARTS},
        "residual": s.get("residual"),
        "efficiency": actual / potential if potential > 0 else None,
        "actual_reported": s.get("actual_reported"),
    }


def _waterfall_rows(total: Mapping[str, Any]) -> list[tuple[str, float | None]]:
    words = chart_labels()
    rows: list[tuple[str, float | None]] = [(words["actual"], _central(total["actual"]))]
    rows += [(words[p], _central(total["parts"][p])) for p in PARTS if p in total.get("parts", {})]
    rows += [(words["residual"], _central(total.get("residual")))]
    rows.append((words["potential"], _central(total["potential"])))
    return rows


def _tornado(
    items: list[dict[str, Any]], base_gap: float | None, labels: dict[str, str]
) -> dict[str, Any] | None:
    from urbanagenda.finance import charts

    if not items:
        return None
    return charts.tornado_spec(
        items, base_gap=base_gap, labels=labels, number=money, width="container"
    )


def osr_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """Per year the totals, the streams, the waterfall, the sensitivity, the recommendations
    and the fiscal indicators; the trends when there are several years."""
    from urbanagenda.finance import charts

    labels = chart_labels()
    years = []
    for y in result["years"]:
        total = y["total"]
        base_gap = _central(total["gap"])
        # the chart's order (the swing of the ±10 % test), so the table reads alongside it
        sensitivity = sorted(
            y.get("sensitivity", ()), key=lambda i: -abs(i["gap_plus"] - i["gap_minus"])
        )
        years.append(
            {
                "year": y["year"],
                "total": _stream_row(total),
                "streams": [_stream_row(s) for s in y["streams"]],
                "waterfall": charts.waterfall_spec(
                    y, labels=labels, number=money, width="container"
                ),
                "waterfall_rows": _waterfall_rows(total),
                "tornado": _tornado(sensitivity, base_gap, labels),
                "sensitivity": sensitivity[:10],
                "recommendations": list(y.get("recommendations", ())),
                "fiscal": y.get("fiscal") or {},
            }
        )
    trends = list(result.get("trends") or ())
    trend = (
        charts.trend_spec(trends, labels=labels, width="container")
        if trends and len(years) > 1
        else None
    )
    return {"years": years, "trends": trends, "trend_spec": trend,
            "warnings": list(result.get("warnings") or ())}  # fmt: skip


def peers_view(peers: Sequence[Mapping[str, Any]], highlight: str | None) -> dict[str, Any] | None:
    """The peers chart of OSR per person (USD), and its rows; None without any figure."""
    from urbanagenda.finance import charts

    if not any(p.get("osr_per_capita_usd") is not None for p in peers):
        return {"spec": None, "rows": list(peers)} if peers else None
    spec = charts.peers_spec(peers, highlight=highlight, labels=chart_labels(), width="container")
    return {"spec": spec, "rows": list(peers)}


def plan_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """The ranking (chart and table of criteria), the plan by year within the envelope, the
    unfunded projects and why, and the weights' sensitivity."""
    from urbanagenda.finance import charts

    labels = chart_labels()
    funded = {e["project_id"]: e for e in result.get("plan", ())}
    years = sorted({int(k) for k in result.get("envelope_by_year", {})})
    envelope = {int(k): v for k, v in result.get("envelope_by_year", {}).items()}
    spent = {int(k): v for k, v in result.get("spent_by_year", {}).items()}
    by_year = [{"year": y, "envelope": envelope.get(y), "spent": spent.get(y, 0.0)} for y in years]
    ranked = [
        {
            "rank": r["rank"],
            "project": r["project"],
            "score": r["score"],
            "criteria": {c["criterion"]: c for c in r.get("criteria", ())},
            "flags": r.get("flags", ()),
            "entry": funded.get(r["project"]["id"]),
            "why": result.get("unfunded", {}).get(r["project"]["id"]),
        }
        for r in result.get("ranked", ())
    ]
    return {
        "ranking_spec": charts.ranking_spec(result, labels=labels, width="container"),
        "envelope_spec": charts.envelope_spec(
            result, labels=labels, number=money, width="container"
        ),
        "ranked": ranked,
        "by_year": by_year,
        "years": years,
        "sensitivity": result.get("sensitivity") or {},
        "needs": list(result.get("needs", ())),
        "warnings": list(result.get("warnings", ())),
        "envelope_source": result.get("envelope_source", ""),
    }


def saved_at(value: Any) -> str:
    """A stored timestamp (a datetime or its ISO text) as the reporting pages show one."""
    from datetime import datetime

    from urbanagenda.web.pages._reporting import datetime_text

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return datetime_text(value) if isinstance(value, datetime) else ""
