"""The criteria of the investment score, each 0–1, and the ranking they give.

Private to :mod:`urbanagenda.finance.invest`, whose docstring states the formulas.  The
criteria values do not depend on the weights, so they are computed once
(:func:`criteria_values`) and re-weighted for the weight sensitivity (:func:`score`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from urbanagenda.errors import DataError
from urbanagenda.finance.model import (
    CRITERIA,
    STAGES,
    CriterionScore,
    Need,
    PlanInput,
    Project,
    ScoredProject,
)

#: A project addressing this many SDG 11 targets (UMF cells) gets the full alignment half.
TARGETS_FOR_FULL_ALIGNMENT = 3
CELLS_FOR_FULL_ALIGNMENT = 4
#: The need of a target without indicator data: neither urgent nor met.
NEED_WITHOUT_DATA = 0.5


@dataclass(frozen=True)
class CriteriaValues:
    """A project's criteria values (0–1) with what each is made of."""

    project: Project
    values: dict[str, float]
    explanations: dict[str, str]
    flags: tuple[str, ...]


def normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights of :data:`CRITERIA` rescaled to sum 1 (a missing criterion weighs 0)."""
    unknown = sorted(set(weights) - set(CRITERIA))
    if unknown or any(w < 0 for w in weights.values()):
        raise DataError(
            f"weights {dict(weights)} are not non-negative weights of the criteria "
            f"{', '.join(CRITERIA)}; remove {', '.join(unknown) or 'the negative weights'}"
        )
    total = sum(weights.get(c, 0.0) for c in CRITERIA)
    if total <= 0:
        raise DataError("every weight is 0; give at least one criterion a positive weight")
    return {c: weights.get(c, 0.0) / total for c in CRITERIA}


def criteria_values(
    plan: PlanInput, needs: Mapping[str, Need]
) -> tuple[list[CriteriaValues], list[str]]:
    """Every project's criteria values, and warnings about the list as a whole."""
    warnings: list[str] = []
    projects = plan.projects
    largest_served = max(p.population_served for p in projects)
    if plan.city_population is None:
        warnings.append(
            "no city population given: reach is relative to the project serving the most "
            f"people ({largest_served:,.0f}); give city_population for reach as a share of "
            "the city"
        )
    best_ratio = max(p.population_served / p.cost for p in projects)
    out = []
    for p in projects:
        need, need_text, flags = _need(p, needs)
        reach, reach_text = _reach(p, plan.city_population, largest_served)
        ratio = p.population_served / p.cost
        values = {
            "need": need,
            "reach": reach,
            "alignment": 0.5 * min(1.0, len(p.sdg_targets) / TARGETS_FOR_FULL_ALIGNMENT)
            + 0.5 * min(1.0, len(p.umf_cells) / CELLS_FOR_FULL_ALIGNMENT),
            "readiness": STAGES.index(p.stage) / (len(STAGES) - 1),
            "bankability": (
                p.cost_recovery
                + p.cofinancing
                + float(p.land_secured)
                + float(p.environmental_clearance)
            )
            / 4,
            "cost_effectiveness": ratio / best_ratio if best_ratio > 0 else 0.0,
        }
        explanations = {
            "need": need_text,
            "reach": reach_text,
            "alignment": f"{len(p.sdg_targets)} SDG 11 target(s) (full marks from "
            f"{TARGETS_FOR_FULL_ALIGNMENT}) and {len(p.umf_cells)} UMF cell(s) (full marks "
            f"from {CELLS_FOR_FULL_ALIGNMENT})",
            "readiness": f"stage {p.stage} ({STAGES.index(p.stage)} of {len(STAGES) - 1}: "
            f"{' → '.join(STAGES)})",
            "bankability": f"mean of cost recovery {p.cost_recovery:.2f}, co-financing "
            f"{p.cofinancing:.2f}, land secured {_yes(p.land_secured)}, environmental "
            f"clearance {_yes(p.environmental_clearance)}",
            "cost_effectiveness": f"{ratio * 1e6:,.1f} people served per million of cost; "
            f"the list's best is {best_ratio * 1e6:,.1f}",
        }
        out.append(CriteriaValues(p, values, explanations, tuple(flags)))
    return out, warnings


def _need(p: Project, needs: Mapping[str, Need]) -> tuple[float, str, list[str]]:
    if not p.sdg_targets:
        flag = f"addresses no SDG 11 target: need taken as {NEED_WITHOUT_DATA}"
        return NEED_WITHOUT_DATA, flag, [flag]
    parts, values, flags = [], [], []
    for t in p.sdg_targets:
        need = needs.get(t)
        if need is None or need.value is None:
            flags.append(f"no indicator data for {t}: need taken as {NEED_WITHOUT_DATA}")
            parts.append(f"{t} (no data: {NEED_WITHOUT_DATA})")
            values.append(NEED_WITHOUT_DATA)
        else:
            if not 0.0 <= need.value <= 1.0:
                raise DataError(f"the need of target {t} is {need.value}, not within 0–1")
            parts.append(f"{t} ({need.value:.2f})")
            values.append(need.value)
    return sum(values) / len(values), "mean of " + ", ".join(parts), flags


def _reach(p: Project, population: float | None, largest: float) -> tuple[float, str]:
    if population is not None and population > 0:
        return (
            min(1.0, p.population_served / population),
            f"{p.population_served:,.0f} people served of a city population of "
            f"{population:,.0f} ({p.population_served / population:.1%}, at most 100 %)",
        )
    value = p.population_served / largest if largest > 0 else 0.0
    return value, (
        f"{p.population_served:,.0f} people served, relative to the list's largest "
        f"({largest:,.0f}): no city population given"
    )


def _yes(flag: bool) -> str:
    return "yes (1)" if flag else "no (0)"


def score(
    values: Sequence[CriteriaValues], weights: Mapping[str, float]
) -> tuple[ScoredProject, ...]:
    """Score = Σ weight·value (weights rescaled to sum 1); ranked by score, then the lower
    city cost, then id."""
    w = normalise(weights)
    scored = []
    for cv in values:
        criteria = tuple(
            CriterionScore(c, cv.values[c], w[c], w[c] * cv.values[c], cv.explanations[c])
            for c in CRITERIA
        )
        scored.append((sum(cs.contribution for cs in criteria), cv, criteria))
    # rounded so that sums of the same terms in another order do not break ties
    scored.sort(key=lambda s: (-round(s[0], 12), s[1].project.city_cost, s[1].project.id))
    return tuple(
        ScoredProject(cv.project, total, i + 1, criteria, cv.flags)
        for i, (total, cv, criteria) in enumerate(scored)
    )
