"""Fitting the ranked projects into the yearly envelope, and the ranking's sensitivity to
the weights.

Private to :mod:`urbanagenda.finance.invest`, whose docstring states the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from urbanagenda.finance._invest_score import CriteriaValues, normalise, score
from urbanagenda.finance.model import CRITERIA, PlanEntry, ScoredProject, WeightSensitivity

#: Each weight is multiplied by 1 − STEP and by 1 + STEP in the sensitivity.
STEP = 0.5


@dataclass(frozen=True)
class Schedule:
    entries: tuple[PlanEntry, ...]  # by start year, then rank
    unfunded: dict[str, str]  # project id → reason, in rank order
    spent_by_year: dict[int, float]


def schedule(
    ranked: Sequence[ScoredProject], envelope: Mapping[int, float], currency: str = ""
) -> Schedule:
    """Go down the ranking; fund each project at the earliest start year at which cumulative
    spending never exceeds the cumulative envelope (unspent money carries over) and the
    project ends within the horizon."""
    years = sorted(envelope)
    cum_envelope = list(accumulate(envelope[y] for y in years))
    tolerance = 1e-9 * max(1.0, cum_envelope[-1] if cum_envelope else 0.0)
    spent = [0.0] * len(years)
    entries: list[PlanEntry] = []
    unfunded: dict[str, str] = {}
    money = f" {currency}" if currency else ""
    for sp in ranked:
        p = sp.project
        if p.years > len(years):
            unfunded[p.id] = (
                f"takes {p.years} years, longer than the {len(years)}-year horizon; "
                "phase it or lengthen the horizon"
            )
            continue
        yearly = p.city_cost / p.years
        best: tuple[float, int, int] | None = None  # (shortfall, year index, start index)
        for start in range(len(years) - p.years + 1):
            trial = [s + (yearly if start <= i < start + p.years else 0.0)
                     for i, s in enumerate(spent)]  # fmt: skip
            excess = [c - e for c, e in zip(accumulate(trial), cum_envelope, strict=True)]
            worst = max(range(len(years)), key=lambda i: (excess[i], -i))
            if excess[worst] <= tolerance:
                spent = trial
                entries.append(
                    PlanEntry(
                        p.id,
                        sp.rank,
                        years[start],
                        years[start + p.years - 1],
                        {years[i]: yearly for i in range(start, start + p.years)},
                    )
                )
                break
            if best is None or excess[worst] < best[0]:
                best = (excess[worst], worst, start)
        else:
            assert best is not None
            shortfall, year_index, start = best
            unfunded[p.id] = (
                f"needs {shortfall:,.0f}{money} more by {years[year_index]} (starting in "
                f"{years[start]}): its city cost of {p.city_cost:,.0f}{money} over {p.years} "
                f"year(s) does not fit in what is left of the envelope"
            )
    entries.sort(key=lambda e: (e.start_year, e.rank))
    return Schedule(tuple(entries), unfunded, dict(zip(years, spent, strict=True)))


def varied_weights(weights: Mapping[str, float], criterion: str, factor: float) -> dict[str, float]:
    """The normalised weights with ``criterion``'s weight × ``factor`` (at most 1) and the
    others rescaled, in proportion, to fill the rest (equally when they are all 0)."""
    w = normalise(weights)
    moved = min(1.0, w[criterion] * factor)
    others = [c for c in CRITERIA if c != criterion]
    rest = sum(w[c] for c in others)
    out = {criterion: moved}
    for c in others:
        out[c] = (1 - moved) * (w[c] / rest if rest > 0 else 1 / len(others))
    return out


def spearman(base: Mapping[str, int], other: Mapping[str, int]) -> float:
    """Spearman's rank correlation of two rankings without ties: 1 − 6·Σd² / (n·(n² − 1))."""
    n = len(base)
    if n < 2:
        return 1.0
    d2 = sum((base[k] - other[k]) ** 2 for k in base)
    return 1 - 6 * d2 / (n * (n * n - 1))


def weight_sensitivity(
    values: Sequence[CriteriaValues],
    weights: Mapping[str, float],
    base: Sequence[ScoredProject],
    envelope: Mapping[int, float] | None,
    step: float = STEP,
) -> WeightSensitivity:
    """Re-rank (and re-plan, with an envelope) under every weight × (1 ± step)."""
    base_ranks = {sp.project.id: sp.rank for sp in base}
    rank_range = {k: (r, r) for k, r in base_ranks.items()}
    base_funded = _funded(base, envelope)
    lowest = 1.0
    top_changes: list[str] = []
    plan_changes: list[str] = []
    for criterion in CRITERIA:
        for factor in (1 - step, 1 + step):
            label = f"{criterion} × {factor:g}"
            ranked = score(values, varied_weights(weights, criterion, factor))
            ranks = {sp.project.id: sp.rank for sp in ranked}
            for k, r in ranks.items():
                lo, hi = rank_range[k]
                rank_range[k] = (min(lo, r), max(hi, r))
            lowest = min(lowest, spearman(base_ranks, ranks))
            if ranked[0].project.id != base[0].project.id:
                top_changes.append(
                    f"{label}: {ranked[0].project.id} ranks first instead of {base[0].project.id}"
                )
            funded = _funded(ranked, envelope)
            entering = [k for k in ranks if k in funded - base_funded]
            leaving = [k for k in base_ranks if k in base_funded - funded]
            if entering or leaving:
                said = [_verb(entering, "enters", "enter") + " the plan"] if entering else []
                said += [_verb(leaving, "leaves", "leave") + " the plan"] if leaving else []
                plan_changes.append(f"{label}: {'; '.join(said)}")
    return WeightSensitivity(step, rank_range, lowest, tuple(top_changes), tuple(plan_changes))


def _verb(ids: list[str], one: str, several: str) -> str:
    return f"{', '.join(ids)} {one if len(ids) == 1 else several}"


def _funded(ranked: Sequence[ScoredProject], envelope: Mapping[int, float] | None) -> set[str]:
    if envelope is None:
        return set()
    return {e.project_id for e in schedule(ranked, envelope).entries}
