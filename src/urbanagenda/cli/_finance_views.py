"""The finance results as Rich tables, from their JSON shapes (``OsrResult.to_dict()``,
``YearResult.to_dict()``, ``PlanResult.to_dict()``), so a fresh result and a stored one print
alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from urbanagenda.cli._finance_common import fixed, money, share, span, table
from urbanagenda.cli.common import console
from urbanagenda.finance.model import CRITERIA, PARTS

__all__ = ["print_osr", "print_plan", "print_trends", "print_year"]

#: how many recommendations and sensitivity inputs a year shows (--json gives them all)
TOP = 5
_RATIOS = ("efficiency", "osr_share_gdp")
_PER_CAPITA = ("osr_per_capita",)


def _efficiency(figures: Mapping[str, Any]) -> str:
    potential = figures["potential"]["central"]
    return share(figures["actual"]["central"] / potential) if potential > 0 else ""


def _gap_range(gap: Mapping[str, Any]) -> str:
    return "" if gap["low"] == gap["high"] else f"{money(gap['low'])}–{money(gap['high'])}"


def _amount(value: float) -> str:
    """An input's value: money-like amounts whole, small numbers (rates) as they are."""
    return money(value) if abs(value) >= 1000 else f"{value:g}"


def print_year(year: Mapping[str, Any], currency: str) -> None:
    """One year of an analysis: totals, the streams with the parts of their gaps (central
    values; the gap's range when the inputs carry ranges), fiscal indicators, the top
    recommendations and what the gap is most sensitive to."""
    total = year["total"]
    console.print(
        f"[bold]{year['year']}[/]: actual {span(total['actual'])} {currency}, potential "
        f"{span(total['potential'])}, gap {span(total['gap'])}; efficiency "
        f"{_efficiency(total)}",
        highlight=False,
    )
    # one column per stream (and the total), one row per figure: fits an 80-column terminal
    streams = [*year["streams"], total]
    parts = [p for p in PARTS if any(p in s["parts"] for s in year["streams"])]
    rows = [["kind", *[s["kind"].replace("_", " ") if s is not total else "" for s in streams]]]
    for key in ("actual", "potential", "gap"):
        rows.append([key, *[money(s[key]["central"]) for s in streams]])
    if any(_gap_range(s["gap"]) for s in streams):
        rows.append(["gap range", *[_gap_range(s["gap"]) for s in streams]])
    for part in parts:
        rows.append(
            [f"· {part}", *[money(s["parts"][part]["central"]) if part in s["parts"] else "—"
                           for s in streams]]
        )  # fmt: skip
    rows.append(["· residual", *[money(s["residual"]["central"]) for s in streams]])
    rows.append(["efficiency", *[_efficiency(s) for s in streams]])
    names = [s["name"] for s in streams]
    table(f"Streams, {year['year']} ({currency})", ["", *names], rows, right=names)
    f = year["fiscal"]
    population = money(f["population"])
    if population and f["population_source"]:
        population += f" ({f['population_source']})"
    facts = [
        ("population", population or "unknown: give fiscal.population in the input"),
        ("OSR per capita", fixed(f["osr_per_capita"], f" {currency}")),
        ("OSR per capita (USD)", fixed(f["osr_per_capita_usd"])),
        ("potential per capita", fixed(f["potential_per_capita"], f" {currency}")),
        ("OSR per household", money(f["osr_per_household"])),
        ("OSR share of GDP", share(f["osr_share_gdp"], 2)),
        ("potential share of GDP", share(f["potential_share_gdp"], 2)),
    ]
    table(None, ["fiscal indicator", "value"], [[k, v] for k, v in facts if v], right=["value"])
    if year["recommendations"]:
        stake = f"at stake ({currency})"
        rows = [
            [
                r["stream"],
                r["part"],
                money(r["amount"]),
                share(r["share"], 0),
                r["reform"],
                r["horizon"],
            ]
            for r in year["recommendations"][:TOP]
        ]
        table(
            f"Top recommendations, {year['year']}",
            ["stream", "part", stake, "of the gap", "reform", "horizon"],
            rows,
            right=[stake, "of the gap"],
        )
    if year["sensitivity"]:
        moved = ["value", "gap at −10 %", "gap at +10 %", "elasticity"]
        rows = [
            [
                s["label"],
                _amount(s["base"]),
                money(s["gap_minus"]),
                money(s["gap_plus"]),
                "" if s["elasticity"] is None else f"{s['elasticity']:+.2f}",
            ]
            for s in year["sensitivity"][:TOP]
        ]
        table(
            f"What the {year['year']} gap is most sensitive to",
            ["input", *moved],
            rows,
            right=moved,
        )


def _trend_format(metric: str) -> Callable[[float | None], str]:
    if metric in _RATIOS:
        return lambda v: share(v, 2)
    if metric in _PER_CAPITA:
        return fixed
    return money


def print_trends(trends: Sequence[Mapping[str, Any]]) -> None:
    """Trends across years (empty: nothing printed); changes of ratios in percentage points."""
    if not trends:
        return
    years = list(trends[0]["values"])
    rows = []
    for t in trends:
        fmt = _trend_format(t["metric"])
        change = t["change"]
        if change is None:
            moved = ""
        elif t["metric"] in _RATIOS:
            moved = f"{100 * change:+.2f} pp"
        else:
            moved = fmt(change)
        growth = "" if t["annual_growth"] is None else share(t["annual_growth"])
        label = t["metric"].replace("_", " ").replace("osr", "OSR").replace("gdp", "of GDP")
        rows.append([label, *[fmt(t["values"][y]) for y in years], moved, growth])
    right = [*years, "change", "a year"]
    table("Trends", ["metric", *right], rows, right=right)


def print_osr(result: Mapping[str, Any]) -> None:
    """An analysis (``OsrResult.to_dict()``): every year, the trends, the warnings."""
    inp = result["input"]
    where = ", ".join(x for x in (inp["area_code"], inp["country_code"]) if x)
    console.print(
        f"[bold]{inp['name']}[/]" + (f" ({where})" if where else "") + f", {inp['currency']}",
        highlight=False,
    )
    if inp["example"]:
        console.print("[yellow]EXAMPLE: an illustration, not an official analysis.[/]")
    for year in result["years"]:
        print_year(year, inp["currency"])
    print_trends(result["trends"])
    for warning in result["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def _ranking(result: Mapping[str, Any], currency: str) -> None:
    """Two tables: the projects (names are long) and the ranking with the criteria."""
    planned = {e["project_id"]: e for e in result["plan"]}
    cost = f"city cost ({currency})"
    projects = [
        [sp["project"]["id"], sp["project"]["name"], sp["project"]["sector"].replace("_", " "),
         money(sp["project"]["cost"] * (1 - sp["project"]["cofinancing"]))]
        for sp in result["ranked"]
    ]  # fmt: skip
    table("Projects", ["id", "project", "sector", cost], projects, right=[cost])
    criteria = [c.replace("_", " ") for c in CRITERIA]
    rows = []
    for sp in result["ranked"]:
        entry = planned.get(sp["project"]["id"])
        values = {c["criterion"]: f"{c['value']:.2f}" for c in sp["criteria"]}
        when = f"{entry['start_year']}–{entry['end_year']}" if entry else "unfunded"
        rows.append(
            [str(sp["rank"]), sp["project"]["id"], f"{sp['score']:.3f}",
             *[values.get(c, "") for c in CRITERIA], when]
        )  # fmt: skip
    table(
        "Ranking (criteria 0–1)",
        ["rank", "id", "score", *criteria, "plan"],
        rows,
        right=["rank", "score", *criteria],
    )


def print_plan(result: Mapping[str, Any]) -> None:
    """A ranked plan (``PlanResult.to_dict()``): the ranking with the criteria, the plan by
    year against the envelope, unfunded projects and why, the weights' sensitivity, the
    needs used and the warnings."""
    inp = result["input"]
    currency = inp["currency"]
    console.print(
        f"[bold]{inp['name']}[/]"
        + (f" ({inp['area_code']})" if inp["area_code"] else "")
        + f": {len(inp['projects'])} projects; envelope: {result['envelope_source']}",
        highlight=False,
    )
    if inp["example"]:
        console.print("[yellow]EXAMPLE: an illustration, not an official plan.[/]")
    _ranking(result, currency)
    carried, rows = 0.0, []
    for year, envelope in result["envelope_by_year"].items():
        spent = result["spent_by_year"].get(year, 0.0)
        carried += envelope - spent
        rows.append([year, money(envelope), money(spent), money(carried)])
    amounts = ["envelope", "spent", "unspent, carried over"]
    table(f"Plan by year ({currency})", ["year", *amounts], rows, right=amounts)
    if result["unfunded"] and result["plan"]:
        table("Unfunded", ["id", "why"], [[k, v] for k, v in result["unfunded"].items()])
    s = result["sensitivity"]
    console.print(
        f"Each weight × {1 - s['step']:g} and × {1 + s['step']:g}: lowest rank correlation with "
        f"the ranking {s['spearman_min']:.2f}",
        highlight=False,
    )
    for line in [*s["top_changes"], *s["plan_changes"]]:
        console.print(f" - {line}", highlight=False)
    if result["needs"]:
        rows = [
            [
                n["target"],
                "" if n["value"] is None else f"{n['value']:.2f}",
                ", ".join(n["series"]),
                n["area_code"] or "",
                str(n["year"] or ""),
                n["explanation"],
            ]
            for n in result["needs"]
        ]
        table(
            "Needs used (0 = target met, 1 = furthest from it)",
            ["target", "need", "series", "area", "year", "how"],
            rows,
        )
    for warning in result["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
