"""Capital investment prioritisation: projects scored by transparent multi-criteria weights
against the city's indicator gaps, ranked and fitted into a 5-year fiscal envelope, with the
ranking's sensitivity to the weights.

The seed report (paras 60–61) describes an integrated spatial capital investment planning
method that ranks projects with sustainability indicators; this is a transparent version of
it.  Every criterion is a number from 0 to 1 (:data:`~.model.CRITERIA`):

* **need** — the mean, over the SDG 11 targets the project addresses, of the city's
  indicator gap on the target (:class:`~.model.Need`, from :func:`.needs.city_needs`); a
  target without data counts 0.5 and the project is flagged; so does a project naming no
  target.
* **reach** — ``min(1, population_served / city_population)``; without a city population,
  ``population_served / the largest population_served in the list`` (a warning says so).
* **alignment** — ``0.5·min(1, targets/3) + 0.5·min(1, UMF cells/4)``.
* **readiness** — the stage's index / 5 (``idea`` 0 … ``ready`` 1, :data:`~.model.STAGES`).
* **bankability** — the mean of cost recovery, co-financing (shares 0–1), land secured and
  environmental clearance (1 yes, 0 no).
* **cost_effectiveness** — ``(population_served / cost) / max over the list``.

Score ``= Σ w_c·value_c`` with the weights rescaled to sum 1 (a plan's weights default to
:data:`~.model.DEFAULT_WEIGHTS`; weights it gives override those criteria only).  Rank by
score, highest first; ties go to the lower city cost (``cost × (1 − cofinancing)``), then
the id.

The plan covers ``horizon`` years from ``start_year``.  The yearly envelope is, in order of
precedence, the ``envelope`` passed to :func:`rank` (e.g. :func:`envelope_from_osr`:
``capital_share × (actual OSR + gap_recovery[i] × OSR gap)`` in plan year *i*), else
``budget / horizon`` each year, else ``budget_by_year``.  Going down the ranking, a
project's city cost is spread evenly over its ``years`` and it starts in the earliest year
at which cumulative spending never exceeds the cumulative envelope (unspent money carries
over; nothing is borrowed from later years) and it ends within the horizon.  A project that
fits nowhere is unfunded, with the reason: the money it lacks and by when (at its best
start), or that it takes longer than the horizon.  Lower-ranked projects can still fill
what is left.

Weight sensitivity: each weight × 0.5 and × 1.5 (capped at 1), the others rescaled in
proportion to fill the rest; the projects are re-ranked (and re-planned) under each of the
twelve weightings: every project's best and worst rank, the lowest Spearman correlation
with the base ranking, and sentences for a new top project and for projects entering or
leaving the plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from urbanagenda.errors import DataError
from urbanagenda.finance._invest_parse import FORMAT, parse_plan, sdg_targets
from urbanagenda.finance._invest_plan import schedule, weight_sensitivity
from urbanagenda.finance._invest_score import criteria_values, score
from urbanagenda.finance.model import Need, PlanInput, PlanResult, Project, SourceRef

__all__ = ["dump_plan", "envelope_from_osr", "parse_plan", "rank"]


def envelope_from_osr(year_result: Mapping[str, Any], plan: PlanInput) -> dict[int, float]:
    """The yearly envelope from an OSR year result (``YearResult.to_dict()``): in plan year
    *i*, ``capital_share × (actual + gap_recovery[i] × gap)`` at the central values."""
    try:
        total = year_result["total"]
        actual = float(total["actual"]["central"])
        gap = float(total["gap"]["central"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(
            "the OSR year result has no total actual and gap (total.actual.central, "
            f"total.gap.central): {exc!r}; pass YearResult.to_dict() of an analysis"
        ) from exc
    if len(plan.gap_recovery) < plan.horizon:
        raise DataError(
            f"gap_recovery gives {len(plan.gap_recovery)} shares for a {plan.horizon}-year "
            "horizon; give one share of the gap recovered per plan year"
        )
    if not (math.isfinite(actual) and math.isfinite(gap)) or actual < 0 or gap < 0:
        raise DataError(f"the OSR actual {actual} and gap {gap} must be finite and ≥ 0")
    return {
        plan.start_year + i: plan.capital_share * (actual + plan.gap_recovery[i] * gap)
        for i in range(plan.horizon)
    }


def rank(
    plan: PlanInput,
    *,
    needs: Mapping[str, Need] | None = None,
    envelope: Mapping[int, float] | None = None,
    envelope_source: str | None = None,
) -> PlanResult:
    """Score, rank and plan; ``envelope`` overrides the plan's budget fields.

    ``needs`` maps SDG targets to the city's indicator gaps (:func:`.needs.city_needs`);
    without them every target's need is 0.5.  Without any envelope the result is a ranking
    only: every project is unfunded with that reason.
    """
    _check(plan)
    needs = needs or {}
    values, warnings = criteria_values(plan, needs)
    ranked = score(values, plan.weights)
    years = [plan.start_year + i for i in range(plan.horizon)]
    env, source = _envelope(plan, years, envelope, envelope_source)
    used = {t for p in plan.projects for t in p.sdg_targets}
    used_needs = tuple(
        needs.get(t) or Need(t, None, explanation="no indicator data for this target")
        for t in sdg_targets()
        if t in used
    )
    missing = [n.target for n in used_needs if n.value is None]
    if missing:
        warnings.append(
            f"no indicator data for {', '.join(missing)}: need taken as 0.5 for the projects "
            "addressing them"
        )
    if env is None:
        warnings.append(
            "no envelope: the result is a ranking only; give a budget, budget_by_year or an "
            "OSR analysis for a plan"
        )
        reason = "no envelope given: give a budget, budget_by_year or an OSR analysis"
        return PlanResult(
            input=plan,
            ranked=ranked,
            plan=(),
            unfunded={sp.project.id: reason for sp in ranked},
            envelope_by_year=dict.fromkeys(years, 0.0),
            spent_by_year=dict.fromkeys(years, 0.0),
            envelope_source=source,
            needs=used_needs,
            sensitivity=weight_sensitivity(values, plan.weights, ranked, None),
            warnings=tuple(warnings),
        )
    fitted = schedule(ranked, env, plan.currency)
    return PlanResult(
        input=plan,
        ranked=ranked,
        plan=fitted.entries,
        unfunded=fitted.unfunded,
        envelope_by_year=dict(env),
        spent_by_year=fitted.spent_by_year,
        envelope_source=source,
        needs=used_needs,
        sensitivity=weight_sensitivity(values, plan.weights, ranked, env),
        warnings=tuple(warnings),
    )


def _check(plan: PlanInput) -> None:
    """What the formulas need of a plan built by hand (``parse_plan`` ensures it)."""
    problems = [] if plan.projects else ["the plan has no projects"]
    problems += [
        f"project {p.id}: cost {p.cost} must be > 0, population_served "
        f"{p.population_served} ≥ 0, years {p.years} ≥ 1, cofinancing {p.cofinancing} "
        f"within 0–1"
        for p in plan.projects
        if not (
            p.cost > 0 and p.population_served >= 0 and p.years >= 1 and 0 <= p.cofinancing <= 1
        )
    ]
    if plan.horizon < 1:
        problems.append(f"the horizon {plan.horizon} must be at least 1 year")
    if problems:
        raise DataError("; ".join(problems) + "; correct the plan (parse_plan checks it)")


def _envelope(
    plan: PlanInput,
    years: list[int],
    given: Mapping[int, float] | None,
    given_source: str | None,
) -> tuple[dict[int, float] | None, str]:
    if given is not None:
        if sorted(given) != years or any(not v >= 0 for v in given.values()):
            raise DataError(
                f"the envelope {dict(given)} must give an amount ≥ 0 for each plan year "
                f"{years[0]}–{years[-1]} and no other year"
            )
        return {y: float(given[y]) for y in years}, given_source or "envelope given"
    if plan.budget is not None:
        return dict.fromkeys(years, plan.budget / plan.horizon), "budget"
    if plan.budget_by_year is not None:
        if len(plan.budget_by_year) != plan.horizon:
            raise DataError(
                f"budget_by_year gives {len(plan.budget_by_year)} amounts for a "
                f"{plan.horizon}-year horizon; give one per plan year"
            )
        return dict(zip(years, plan.budget_by_year, strict=True)), "budget by year"
    if plan.osr_analysis_id is not None:
        raise DataError(
            f"the plan takes its envelope from stored OSR analysis {plan.osr_analysis_id}: "
            "read it, then pass envelope=envelope_from_osr(year_result, plan)"
        )
    return None, "none"


def dump_plan(plan: PlanInput) -> dict[str, Any]:
    """The canonical plain form of ``plan`` (``parse_plan(dump_plan(x)) == x``)."""
    out: dict[str, Any] = {"format": FORMAT, "name": plan.name}
    if plan.area_code:
        out["area"] = plan.area_code
    if plan.currency:
        out["currency"] = plan.currency
    out |= {"start_year": plan.start_year, "horizon": plan.horizon}
    if plan.budget is not None:
        out["budget"] = plan.budget
    if plan.budget_by_year is not None:
        out["budget_by_year"] = list(plan.budget_by_year)
    envelope: dict[str, Any] = {}
    if plan.osr_analysis_id is not None:
        envelope["osr_analysis"] = plan.osr_analysis_id
    envelope |= {"capital_share": plan.capital_share, "gap_recovery": list(plan.gap_recovery)}
    out["envelope"] = envelope
    if plan.city_population is not None:
        out["city_population"] = plan.city_population
    out["weights"] = dict(plan.weights)
    out["example"] = plan.example
    if plan.sources:
        out["sources"] = [_source_dict(s) for s in plan.sources]
    out["projects"] = [_project_dict(p) for p in plan.projects]
    return out


def _source_dict(s: SourceRef) -> dict[str, Any]:
    d: dict[str, Any] = {"id": s.id, "citation": s.citation}
    return d | {"url": s.url} if s.url else d


def _project_dict(p: Project) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "sector": p.sector,
        "cost": p.cost,
        "years": p.years,
        "population_served": p.population_served,
        "stage": p.stage,
        "cost_recovery": p.cost_recovery,
        "cofinancing": p.cofinancing,
        "land_secured": p.land_secured,
        "environmental_clearance": p.environmental_clearance,
    }
    if p.location:
        d["location"] = p.location
    if p.sdg_targets:
        d["sdg_targets"] = list(p.sdg_targets)
    if p.umf_cells:
        d["umf_cells"] = list(p.umf_cells)
    if p.note:
        d["note"] = p.note
    return d
