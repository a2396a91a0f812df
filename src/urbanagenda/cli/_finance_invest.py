"""``urbanagenda invest``: rank a city's capital investment projects against its indicator
gaps and fit them into a five-year envelope (a budget, or one derived from an OSR analysis);
the Excel template and the stored plans."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from urbanagenda.cli._finance_common import money, opened, stored, table, write_template
from urbanagenda.cli._finance_views import print_plan
from urbanagenda.cli.common import DatabaseOpt, JsonOpt, console, fail, rejected, write_json
from urbanagenda.errors import UrbanAgendaError, ValidationFailed
from urbanagenda.finance.model import CRITERIA, OsrResult, PlanInput
from urbanagenda.ingest.report import Issue, Report

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["invest_app"]

invest_app = typer.Typer(
    help="Capital investment prioritisation: projects scored against the city's indicator "
    "gaps, ranked and fitted into a five-year envelope.",
    no_args_is_help=True,
)

_OPTIONS = "the command line"


def _numbers(raw: str, option: str, report: Report) -> list[float]:
    try:
        return [float(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        report.add(
            Issue(
                "non-numeric-value",
                f"{option} takes numbers separated by commas.",
                file=_OPTIONS,
                column=option,
                found=raw,
                expected="e.g. 2e8,2e8,3e8,3e8,2e8",
            )
        )
        return []


def _weights(raw: str, report: Report) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in filter(None, (x.strip() for x in raw.split(","))):
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            report.add(
                Issue(
                    "parse-error",
                    "--weights takes criterion=weight pairs.",
                    file=_OPTIONS,
                    column="--weights",
                    found=item,
                    expected=f"e.g. need=0.4,reach=0.2 (criteria: {', '.join(CRITERIA)})",
                )
            )
    return out


def _with_options(
    plan: PlanInput,
    path: Path,
    *,
    budget: float | None,
    budget_by_year: str | None,
    osr_analysis: int | None,
    osr_file: Path | None,
    weights: str | None,
    area: str | None,
) -> PlanInput:
    """The plan with the command's options in place of the file's fields, checked like the
    file (:func:`~urbanagenda.finance.invest.parse_plan`): an envelope option replaces every
    envelope the file gives; weights given replace those criteria only."""
    from urbanagenda.finance.invest import dump_plan, parse_plan

    report = Report(files=[_OPTIONS])
    given = [
        n
        for n, v in (
            ("--budget", budget),
            ("--budget-by-year", budget_by_year),
            ("--osr-analysis", osr_analysis),
            ("--osr", osr_file),
        )
        if v is not None
    ]
    if len(given) > 1:
        report.add(
            Issue(
                "rule-broken",
                f"the envelope is given twice: {' and '.join(given)}.",
                file=_OPTIONS,
                column=given[1],
                found=", ".join(given),
                expected="one of --budget, --budget-by-year, --osr-analysis, --osr",
                fix="keep one of them",
            )
        )
    data = dump_plan(plan)
    if given:
        data.pop("budget", None)
        data.pop("budget_by_year", None)
        data["envelope"].pop("osr_analysis", None)
    if budget is not None:
        data["budget"] = budget
    if budget_by_year is not None:
        data["budget_by_year"] = _numbers(budget_by_year, "--budget-by-year", report)
    if osr_analysis is not None:
        data["envelope"]["osr_analysis"] = osr_analysis
    if weights is not None:
        data["weights"] = {**data["weights"], **_weights(weights, report)}
    if area is not None:
        data["area"] = area
    if not report.valid:
        raise ValidationFailed(report)
    return parse_plan(data, file=f"{path.name} with the options of {_OPTIONS}")


def _osr_file(path: Path, engine: Engine | None) -> tuple[OsrResult, str]:
    """An OSR analysis file analysed (populations from the store), and what to call it."""
    from urbanagenda.finance import store
    from urbanagenda.finance.analysis import analyse
    from urbanagenda.finance.files import read_osr_file

    inp = read_osr_file(path)
    result = analyse(inp, population=store.population_lookup(engine) if engine else None)
    return result, f"OSR analysis of {inp.name}, {result.years[-1].year} ({path.name})"


@invest_app.command("rank")
def rank_command(
    path: Annotated[Path, typer.Argument(help="A project list: YAML, JSON, CSV or the template.")],
    budget: Annotated[float | None, typer.Option(help="Total over the horizon.")] = None,
    budget_by_year: Annotated[
        str | None, typer.Option("--budget-by-year", help="Amounts per plan year: a,b,c,d,e.")
    ] = None,
    osr_analysis: Annotated[
        int | None, typer.Option("--osr-analysis", help="A stored OSR analysis id as envelope.")
    ] = None,
    osr_file: Annotated[
        Path | None, typer.Option("--osr", help="An OSR file as envelope (its latest year).")
    ] = None,
    weights: Annotated[
        str | None, typer.Option(help="Criterion weights, e.g. need=0.4,reach=0.2.")
    ] = None,
    area: Annotated[str | None, typer.Option("--area", help="The city's area code.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Store the plan (versioned).")] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score and rank the projects, fit them into the envelope year by year, and show how the
    ranking moves with the weights.  The city's needs come from the store's indicators."""
    from urbanagenda.finance import store
    from urbanagenda.finance.files import read_plan_file

    try:
        plan = _with_options(
            read_plan_file(path),
            path,
            budget=budget,
            budget_by_year=budget_by_year,
            osr_analysis=osr_analysis,
            osr_file=osr_file,
            weights=weights,
            area=area,
        )
        with opened(database, save=save) as engine:
            osr, label = _osr_file(osr_file, engine) if osr_file else (None, None)
            result = store.rank_plan(engine, plan, osr=osr, osr_label=label)
            saved = None
            if engine is not None and save:
                saved = store.save_plan(engine, result, source_file=path.name)
    except ValidationFailed as exc:
        rejected(exc, as_json)
    except UrbanAgendaError as exc:
        fail(exc)
    if as_json:
        write_json({**result.to_dict(), **({"saved_id": saved} if save else {})})
        return
    print_plan(result.to_dict())
    if save:
        console.print(f"saved: plan {saved} (an unchanged plan keeps its stored id)")


@invest_app.command("template")
def template_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the .xlsx.")] = Path(
        "urbanagenda-projects.xlsx"
    ),
    example: Annotated[
        bool, typer.Option("--example", help="Filled with the bundled example project list.")
    ] = False,
) -> None:
    """Write the Excel template of a project list, empty or filled with the bundled example."""
    write_template("projects", out, example=example)


@invest_app.command("list")
def list_command(
    area: Annotated[str | None, typer.Option("--area", help="A city code.")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions")] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the stored plans (the latest version of each)."""
    from urbanagenda.finance import store

    found = stored(
        database, lambda engine: store.list_plans(engine, area=area, latest_only=not all_versions)
    )
    if as_json:
        write_json(found)
        return
    rows = [
        [
            str(p["id"]),
            p["name"],
            p["area_code"] or "",
            str(p["version"]),
            p["currency"],
            money(p["envelope"]),
            f"{p['funded']} of {p['projects']}",
            "example" if p["example"] else "",
        ]
        for p in found
    ]
    table(
        f"Stored plans ({len(found)})",
        ["id", "name", "area", "version", "currency", "envelope", "funded", "example"],
        rows,
        right=["id", "version", "envelope"],
    )


@invest_app.command("show")
def show_command(
    plan_id: Annotated[int, typer.Argument(help="A stored plan id (`invest list`).")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a stored plan: the ranking, the plan by year, unfunded projects, sensitivity."""
    from urbanagenda.finance import store

    found = stored(database, lambda engine: store.get_plan(engine, plan_id))
    if as_json:
        write_json(found)
        return
    console.print(
        f"plan {found['id']}, version {found['version']} of {len(found['versions'])}"
        + (f", from {found['source_file']}" if found["source_file"] else ""),
        highlight=False,
    )
    print_plan(found["result"])
