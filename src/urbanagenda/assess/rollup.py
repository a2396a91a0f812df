"""Roll-ups of progress results: series → indicator → target → goal, for every area.

Rules (configuration ``rollup`` in ``assess/config/methods.yaml``):

* ``mean_score`` (Open SDG): the score of a parent is the mean of its assessed children's
  scores, its status comes from the score bands (≥ 2.5 substantial, ≥ 0 moderate, ≥ −2.5
  limited, else deterioration; sdg-build ``IndicatorProgress.get_indicator_progress`` and
  ``get_progress_status_from_score``), and it is ``target_achieved`` only when every
  assessed child is.  sdg-build stops at the indicator; the same rule is applied again
  for targets and goals.
* ``mean_rank`` (methods without a common score scale: UNSD, ESCAP, SDSN, whose
  publications roll up by counting or by other data): each status has a rank from best
  (0) to worst; the parent gets the mean rank of its assessed children, rounded half
  towards the worse band.  ``score`` is the mean of the children's scores where they have
  one (ESCAP's current status, SDSN's normalised score), for information.

Children with ``insufficient_data`` are left out; a parent with no assessed child is
``insufficient_data`` with reason ``no_assessed_children``.  Only the headline
disaggregation of a series is rolled up: sex, age and breakdown totals, location in the
configured order of preference (``_T``, then ``U``).  A series feeds every indicator it is
linked to (catalogue ``indicators``); an indicator ``11.1.1`` belongs to target ``11.1``
and goal ``11``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbanagenda.assess.methods import INSUFFICIENT, load_method_config
from urbanagenda.assess.methods._common import labels
from urbanagenda.assess.methods.opensdg import opensdg_status_from_score
from urbanagenda.model.catalogue import Catalogue
from urbanagenda.model.observations import TOTAL

__all__ = ["LEVELS", "ROLLUP_COLUMNS", "headline", "roll_up", "series_indicator_links"]

LEVELS = ("series", "indicator", "target", "goal")
ROLLUP_COLUMNS = (
    "level",
    "code",
    "area_code",
    "method",
    "edition",
    "status",
    "label",
    "score",
    "n_children",
    "n_assessed",
    "reason",
)


def series_indicator_links(catalogue: Catalogue | None = None) -> pd.DataFrame:
    """``series_code, indicator_code`` for every link of the catalogue."""
    if catalogue is None:
        from urbanagenda.model.catalogue import load_catalogue

        catalogue = load_catalogue()
    return pd.DataFrame(
        [(s.code, i) for s in catalogue.series.values() for i in s.indicators],
        columns=["series_code", "indicator_code"],
    )


def headline(results: pd.DataFrame, preference: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """One row per (series, area): the totals, location by ``preference``."""
    keep = (
        (results["sex"] == TOTAL)
        & (results["age"] == TOTAL)
        & (results["breakdown"] == "")
        & results["location"].isin(list(preference))
    )
    rank = results["location"].map({loc: i for i, loc in enumerate(preference)})
    chosen = results[keep].assign(_rank=rank[keep]).sort_values("_rank", kind="stable")
    return chosen.drop_duplicates(["series_code", "area_code"]).drop(columns="_rank")


def _parents(codes: pd.Series, level: str) -> pd.Series:
    """Target of an indicator code, or goal of a target code."""
    parts = codes.str.split(".")
    if level == "target":
        return parts.str[0] + "." + parts.str[1]
    return parts.str[0]


def _combine(
    children: pd.DataFrame,
    parent_col: str,
    rule: Mapping[str, Any],
    edition_params: Mapping[str, Any],
) -> pd.DataFrame:
    """Parents from children (columns ``parent_col, area_code, status, score``)."""
    keys = [parent_col, "area_code"]
    assessed = children["status"] != INSUFFICIENT
    frame = children.assign(_assessed=assessed)
    grouped = frame.groupby(keys, sort=True)
    out = grouped.agg(n_children=("status", "size"), n_assessed=("_assessed", "sum"))
    ok = frame[assessed]
    mean_score = ok.groupby(keys)["score"].mean()
    out["score"] = mean_score.reindex(out.index)
    if rule["rule"] == "mean_score":
        achieved = ok.assign(_a=ok["status"] == "target_achieved").groupby(keys)["_a"].all()
        score = out["score"].to_numpy(dtype="float64")
        status = opensdg_status_from_score(np.nan_to_num(score, nan=-np.inf), edition_params)
        status = np.where(achieved.reindex(out.index).fillna(False).to_numpy(bool),
                          "target_achieved", status)  # fmt: skip
    else:
        ranks = {code: i for i, code in enumerate(rule["ranks"])}
        mean_rank = ok.assign(_r=ok["status"].map(ranks)).groupby(keys)["_r"].mean()
        # ties (.5) go to the worse band: floor(x + 0.5)
        r = np.floor(mean_rank.reindex(out.index).to_numpy(dtype="float64") + 0.5)
        names = np.array(rule["ranks"], dtype=object)
        status = np.where(np.isfinite(r), names[np.nan_to_num(r).astype(int)], INSUFFICIENT)
    status = np.where(out["n_assessed"].to_numpy() > 0, status, INSUFFICIENT)
    out["status"] = status
    out["reason"] = pd.Series(status == INSUFFICIENT, index=out.index).map(
        {True: "no_assessed_children", False: None}
    )
    return out.reset_index()


def roll_up(
    results: pd.DataFrame,
    *,
    links: pd.DataFrame | None = None,
    config: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Indicator, target and goal statuses per area from the series results of one method.

    ``results``: the output of :func:`urbanagenda.assess.methods.assess` (one method and
    edition).  ``links``: ``series_code, indicator_code`` (default: the catalogue's).
    Returns the series rows used (level ``series``) and the rolled-up rows, with the
    columns of :data:`ROLLUP_COLUMNS`.
    """
    cfg = load_method_config() if config is None else config
    methods = results["method"].unique().tolist()
    editions = results["edition"].unique().tolist()
    if len(methods) > 1 or len(editions) > 1:
        from urbanagenda.errors import MethodError

        raise MethodError(
            f"roll up one method and edition at a time; got methods {methods} and editions "
            f"{editions}. Filter the results first."
        )
    if results.empty:
        return pd.DataFrame(columns=list(ROLLUP_COLUMNS))
    method, edition = methods[0], str(editions[0])
    rule = cfg["rollup"]["rules"][method]
    edition_params = cfg["methods"][method]["editions"][edition]
    links = series_indicator_links(catalogue) if links is None else links
    series = headline(results, cfg["rollup"]["headline_location"])
    names = labels(cfg, method, language)

    levels = [
        series.assign(
            level="series",
            code=series["series_code"],
            n_children=1,
            n_assessed=(series["status"] != INSUFFICIENT).astype(int),
        )
    ]
    children = series[["series_code", "area_code", "status", "score"]].merge(
        links, on="series_code"
    )
    indicator = _combine(children, "indicator_code", rule, edition_params)
    levels.append(indicator.rename(columns={"indicator_code": "code"}).assign(level="indicator"))
    current = indicator.rename(columns={"indicator_code": "child"})
    for level in ("target", "goal"):
        current = current.assign(parent=_parents(current["child"].astype(str), level))
        parent = _combine(current[["parent", "area_code", "status", "score"]], "parent", rule,
                          edition_params)  # fmt: skip
        levels.append(parent.rename(columns={"parent": "code"}).assign(level=level))
        current = parent.rename(columns={"parent": "child"})
    out = pd.concat([frame.reindex(columns=list(ROLLUP_COLUMNS)) for frame in levels],
                    ignore_index=True)  # fmt: skip
    out["method"] = method
    out["edition"] = edition
    out["label"] = out["status"].map(names)
    out["n_children"] = out["n_children"].astype("int64")
    out["n_assessed"] = out["n_assessed"].astype("int64")
    return out
