"""Aggregation of observations over groups of areas: city -> country -> region -> world.

Pure and vectorised: a membership frame ``(group, member)`` is joined to the member
observations, then grouped by group and disaggregation.  Rules (METHODS.md section 2, the
rule each series declares in the catalogue):

* ``sum_of_parts``: ``scale * sum(numerator) / sum(denominator)`` over members with both, e.g.
  the slum share 11.1.1 = 100 * sum(slum population) / sum(urban population).  Without
  explicit parts, the ratio observations weighted by the denominator give the same value.
* ``population_weighted_mean``: ``sum(w * value) / sum(w)``, weights by member and year.
* ``simple_mean``: the mean of the member values (the ESCAP regional view).
* ``sum``: the sum of the member values (counts, e.g. countries with a policy).

Coverage (:class:`CoverageRule`): the share of the members with data, and the share of the
group's weight (e.g. population) they hold.  Below a minimum no value is given and ``reason``
says why.  Every row records ``rule``, ``weight_source``, ``n_members``, ``n_with_data``,
``coverage_members`` and ``coverage_weight``.

The check of METHODS.md section 2 (cities of 5, 2 and 1 million people with 60, 40 and 80 %):

>>> import pandas as pd
>>> obs = pd.DataFrame({"area_code": ["a", "b", "c"], "year": 2020, "value": [60.0, 40.0, 80.0]})
>>> members = pd.DataFrame({"group": "X", "member": ["a", "b", "c"]})
>>> w = pd.DataFrame({"area_code": ["a", "b", "c"], "year": 2020, "weight": [5e6, 2e6, 1e6]})
>>> aggregate(obs, members, rule="population_weighted_mean", weights=w)["value"].item()
57.5
>>> aggregate(obs, members, rule="simple_mean")["value"].item()
60.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from urbanagenda.errors import ConfigError, MethodError

__all__ = [
    "CELL_COLUMNS",
    "DISAGGREGATION_DEFAULTS",
    "RESULT_COLUMNS",
    "RULES",
    "AggregationConfig",
    "CoverageRule",
    "aggregate",
    "load_aggregation_config",
    "nearest_year_weights",
]

RULES: tuple[str, ...] = ("sum_of_parts", "population_weighted_mean", "simple_mean", "sum")
#: The disaggregation of an observation besides its area (the SDG DSD dimensions).
DISAGGREGATION_DEFAULTS: Mapping[str, str] = {
    "sex": "_T",
    "age": "_T",
    "location": "_T",
    "breakdown": "",
}
CELL_COLUMNS: tuple[str, ...] = ("year", *DISAGGREGATION_DEFAULTS)
RESULT_COLUMNS: tuple[str, ...] = (
    "area_code",
    *CELL_COLUMNS,
    "value",
    "rule",
    "weight_source",
    "n_members",
    "n_with_data",
    "coverage_members",
    "coverage_weight",
    "reason",
)
_NO_WEIGHTS = "none (simple mean)"


@dataclass(frozen=True, slots=True)
class CoverageRule:
    """Minimum coverage of a group for an aggregate to be given (METHODS.md section 2).

    ``min_member_share``: share of member areas with data; ``min_weight_share``: share of
    the group's weight held by members with data (None: no such minimum).  Members without a
    weight count as weighing nothing; when no member of a group has a weight, the member share
    is held to the weight minimum instead.
    """

    min_member_share: float = 0.0
    min_weight_share: float | None = 0.5

    def __post_init__(self) -> None:
        for name in ("min_member_share", "min_weight_share"):
            share = getattr(self, name)
            if share is not None and not 0.0 <= share <= 1.0:
                raise ConfigError(
                    f"coverage {name} = {share!r} is not a share between 0 and 1; write "
                    "e.g. 0.5 for 50 % in assess/config/aggregation.yaml"
                )

    def as_dict(self) -> dict[str, float | None]:
        return {
            "min_member_share": self.min_member_share,
            "min_weight_share": self.min_weight_share,
        }


@dataclass(frozen=True, slots=True)
class SumOfParts:
    """Where the parts of a ratio series come from (``aggregation.yaml`` ``series``)."""

    numerator: str
    denominator: str  # a series code or "derived"
    scale: float


@dataclass(frozen=True, slots=True)
class AggregationConfig:
    """The versioned aggregation settings of ``assess/config/aggregation.yaml``."""

    version: str
    weights: Mapping[str, str | None]
    weight_year_tolerance: int
    default_coverage: CoverageRule
    rule_coverage: Mapping[str, CoverageRule]
    city_to_country_coverage: CoverageRule
    parts: Mapping[str, SumOfParts] = field(default_factory=dict)
    series_coverage: Mapping[str, CoverageRule] = field(default_factory=dict)

    def coverage_for(self, rule: str, series: str | None = None) -> CoverageRule:
        """The coverage a series' own setting asks for, else its rule's, else the default."""
        if series is not None and series.upper() in self.series_coverage:
            return self.series_coverage[series.upper()]
        return self.rule_coverage.get(rule, self.default_coverage)


def _coverage(raw: Any, where: str) -> CoverageRule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} is not a mapping with min_member_share/min_weight_share")
    unknown = set(raw) - {"min_member_share", "min_weight_share"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys {sorted(unknown)}")
    weight = raw.get("min_weight_share")
    return CoverageRule(
        float(raw.get("min_member_share") or 0.0), None if weight is None else float(weight)
    )


def read_aggregation_config(text: str, where: str = "aggregation.yaml") -> AggregationConfig:
    """Parse and check the aggregation configuration (raises ConfigError naming the problem)."""
    try:
        raw = yaml.safe_load(text)
        cov = raw["coverage"]
        per_series = raw.get("series") or {}
        parts = {
            code: SumOfParts(str(p["numerator"]), str(p["denominator"]), float(p["scale"]))
            for code, p in per_series.items()
            if "numerator" in p
        }
        series_coverage = {
            str(code).upper(): _coverage(p["coverage"], f"{where}: series.{code}.coverage")
            for code, p in per_series.items()
            if "coverage" in p
        }
        tolerance = int(raw["weight_year_tolerance"])
        config = AggregationConfig(
            version=str(raw["version"]),
            weights=dict(raw["weights"]),
            weight_year_tolerance=tolerance,
            default_coverage=_coverage(cov["default"], f"{where}: coverage.default"),
            rule_coverage={
                rule: _coverage(c, f"{where}: coverage.by_rule.{rule}")
                for rule, c in (cov.get("by_rule") or {}).items()
            },
            city_to_country_coverage=_coverage(
                cov["city_to_country"], f"{where}: coverage.city_to_country"
            ),
            parts=parts,
            series_coverage=series_coverage,
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"{where} cannot be read ({type(exc).__name__}: {exc}); expected the keys version, "
            "weights, weight_year_tolerance, coverage (default, by_rule, city_to_country) and "
            "series, as in the bundled file"
        ) from exc
    bad = set(config.rule_coverage) - set(RULES)
    if bad:
        raise ConfigError(f"{where}: coverage.by_rule names unknown rules {sorted(bad)}")
    if config.weight_year_tolerance < 0:
        raise ConfigError(f"{where}: weight_year_tolerance must be 0 or more")
    return config


@cache
def load_aggregation_config() -> AggregationConfig:
    """The bundled configuration (read once)."""
    resource = resources.files("urbanagenda.assess").joinpath("config", "aggregation.yaml")
    return read_aggregation_config(resource.read_text(encoding="utf-8"), str(resource))


# --------------------------------------------------------------------------- helpers


def _cells(frame: pd.DataFrame, label: str, value: str = "value") -> pd.DataFrame:
    """``area_code``, the cell columns and ``value`` (defaults filled, types fixed)."""
    missing = [c for c in ("area_code", "year", value) if c not in frame.columns]
    if missing:
        raise MethodError(
            f"the {label} frame lacks the columns {missing}; expected area_code, year, {value} "
            f"and optionally {', '.join(DISAGGREGATION_DEFAULTS)}"
        )
    out = pd.DataFrame(
        {
            "area_code": frame["area_code"].astype(str).to_numpy(),
            "year": frame["year"].astype("int64").to_numpy(),
        }
    )
    for col, default in DISAGGREGATION_DEFAULTS.items():
        out[col] = frame[col].astype(str).to_numpy() if col in frame.columns else default
    out[value] = pd.to_numeric(frame[value], errors="coerce").astype("float64").to_numpy()
    return out


def _weights(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """``area_code``, ``year``, (``location``,) ``weight``: one row per key, finite weights."""
    missing = [c for c in ("area_code", "year", "weight") if c not in frame.columns]
    if missing:
        raise MethodError(
            f"the {label} frame lacks the columns {missing}; expected area_code, year, weight "
            "(and optionally location, for weights of the same scope)"
        )
    cols = ["area_code", "year", *(["location"] if "location" in frame.columns else [])]
    out = frame[[*cols, "weight"]].copy()
    out["area_code"] = out["area_code"].astype(str)
    out["year"] = out["year"].astype("int64")
    if "location" in out.columns:
        out["location"] = out["location"].astype(str)
    out["weight"] = pd.to_numeric(out["weight"], errors="coerce").astype("float64")
    out = out[np.isfinite(out["weight"]) & (out["weight"] >= 0)]
    if out.duplicated(cols).any():
        dups = out.loc[out.duplicated(cols), cols].head(3).to_dict("records")
        raise MethodError(f"the {label} frame has more than one weight per key, e.g. {dups}")
    return out


def nearest_year_weights(
    wanted: pd.DataFrame, weights: pd.DataFrame, tolerance: int = 0
) -> pd.Series:
    """The weight of each row of ``wanted`` (area_code, year[, location]) from its own year or
    else the nearest year within ``tolerance`` (earlier year first on a tie); NaN if none.

    Vectorised: one merge per year offset (0, -1, +1, -2, ...), never a loop over rows.
    """
    keys = ["area_code", "year", *(["location"] if "location" in weights.columns else [])]
    base = wanted[keys].reset_index(drop=True)
    found = pd.Series(np.nan, index=base.index, dtype="float64")
    offsets = [0, *(s * k for k in range(1, tolerance + 1) for s in (-1, 1))]
    for offset in offsets:
        todo = found.isna()
        if not todo.any():
            break
        probe = base.loc[todo].assign(year=base.loc[todo, "year"] + offset)
        hit = probe.reset_index().merge(weights, on=keys, how="inner")
        found.loc[hit["index"].to_numpy()] = hit["weight"].to_numpy()
    found.index = wanted.index
    return found


def _attach(
    frame: pd.DataFrame, weights: pd.DataFrame | None, tolerance: int, column: str
) -> pd.DataFrame:
    if weights is None:
        return frame.assign(**{column: np.nan})
    return frame.assign(**{column: nearest_year_weights(frame, weights, tolerance)})


def _member_data(
    rule: str,
    observations: pd.DataFrame | None,
    weights: pd.DataFrame | None,
    numerator: pd.DataFrame | None,
    denominator: pd.DataFrame | None,
    scale: float,
    tolerance: int,
) -> pd.DataFrame:
    """One row per member and cell with ``num`` and ``den``: the rule's value is
    ``sum(num) / sum(den)`` (times ``scale`` for sum of parts; den = 1 for sums)."""
    key = ["area_code", *CELL_COLUMNS]
    if rule == "sum_of_parts" and numerator is not None and denominator is not None:
        num = _cells(numerator, "numerator").rename(columns={"value": "num"})
        den = _cells(denominator, "denominator").rename(columns={"value": "den"})
        data = num.merge(den, on=key, how="inner")
        if observations is not None:  # only where the series itself has a value
            obs = _cells(observations, "observations")[key]
            data = data.merge(obs.drop_duplicates(), on=key, how="inner")
        data["num"] = data["num"] * scale
    else:
        if observations is None:
            raise MethodError(
                f"rule {rule} needs observations (or, for sum_of_parts, numerator and "
                "denominator frames)"
            )
        data = _cells(observations, "observations")
        if rule in ("sum_of_parts", "population_weighted_mean"):
            if weights is None:
                what = "denominator" if rule == "sum_of_parts" else "population"
                raise MethodError(
                    f"rule {rule} needs weights ({what} by area and year, columns area_code, "
                    "year, weight) or, for sum_of_parts, numerator and denominator frames; "
                    "use rule simple_mean when there are none"
                )
            data = _attach(data, weights, tolerance, "den")
            data["num"] = data["value"] * data["den"]
        elif rule == "simple_mean":
            data = data.assign(num=data["value"], den=1.0)
        elif rule == "sum":
            data = data.assign(num=data["value"], den=np.nan)
        data = data.drop(columns="value")
    finite = np.isfinite(data["num"]) & (np.isfinite(data["den"]) | (rule == "sum"))
    if rule != "sum":
        finite &= data["den"] > 0
    data = data[finite]
    if data.duplicated(key).any():
        dups = data.loc[data.duplicated(key), key].head(3).to_dict("records")
        raise MethodError(f"more than one value per member and cell, e.g. {dups}")
    return data


# --------------------------------------------------------------------------- aggregate


def aggregate(
    observations: pd.DataFrame | None,
    membership: pd.DataFrame,
    *,
    rule: str,
    weights: pd.DataFrame | None = None,
    numerator: pd.DataFrame | None = None,
    denominator: pd.DataFrame | None = None,
    coverage: CoverageRule = CoverageRule(),
    years: Iterable[int] | None = None,
    scale: float = 1.0,
    weight_source: str | None = None,
    coverage_weights: pd.DataFrame | None = None,
    weight_year_tolerance: int = 0,
) -> pd.DataFrame:
    """Aggregate member observations to groups by ``rule`` (METHODS.md section 2).

    ``observations``: ``area_code``, ``year``, ``value`` and optionally ``sex``, ``age``,
    ``location``, ``breakdown``.  ``membership``: ``group`` and ``member`` (every member of a
    group, with or without data: they count towards coverage).  ``weights`` and
    ``coverage_weights``: ``area_code``, ``year``, ``weight`` and optionally ``location``
    (weights of the same scope); a member-year without a weight takes the nearest year within
    ``weight_year_tolerance``.  ``coverage_weights`` (default: ``weights``) measure the share
    of the group's weight in members with data.  ``numerator`` and ``denominator`` are
    observation-shaped frames for ``sum_of_parts`` (then ``value = scale * sum(num) /
    sum(den)``).

    One row per group and cell (year, sex, age, location, breakdown) seen in the data, in
    the ``years`` asked for: :data:`RESULT_COLUMNS`.  ``value`` is NaN and ``reason`` says why
    when no member has data or coverage is below ``coverage``.
    """
    if rule not in RULES:
        raise MethodError(f"unknown aggregation rule {rule!r}; expected one of {RULES}")
    if not {"group", "member"} <= set(membership.columns):
        raise MethodError(
            "the membership frame needs the columns group and member (one row per member of "
            f"each group); got {list(membership.columns)}"
        )
    tolerance = int(weight_year_tolerance)
    w = None if weights is None else _weights(weights, "weights")
    cw = w if coverage_weights is None else _weights(coverage_weights, "coverage_weights")
    members = membership[["group", "member"]].astype(str).drop_duplicates().reset_index(drop=True)
    data = _member_data(rule, observations, w, numerator, denominator, scale, tolerance)
    wanted_years = None if years is None else sorted({int(y) for y in years})
    if wanted_years is not None:
        data = data[data["year"].isin(wanted_years)]

    # the grid of results: every group x every cell seen among any member's data
    cells = data[list(CELL_COLUMNS)].drop_duplicates()
    if wanted_years is not None:
        others = cells.drop(columns="year").drop_duplicates()
        if others.empty:
            others = pd.DataFrame([DISAGGREGATION_DEFAULTS])
        cells = others.merge(pd.DataFrame({"year": wanted_years}), how="cross")
    groups = pd.DataFrame({"group": members["group"].unique()})
    grid = groups.merge(cells, how="cross")

    joined = members.merge(data, left_on="member", right_on="area_code", how="inner")
    joined = _attach(joined, cw, tolerance, "cov_w")
    keys = ["group", *CELL_COLUMNS]
    sums = joined.groupby(keys, sort=False).agg(
        n_with_data=("member", "nunique"),
        num=("num", "sum"),
        den=("den", "sum"),
        mean=("num", "mean"),
        cov_w_data=("cov_w", "sum"),
    )
    out = grid.merge(sums.reset_index(), on=keys, how="left")
    out["n_with_data"] = out["n_with_data"].fillna(0).astype("int64")
    n_members = members.groupby("group")["member"].nunique()
    out["n_members"] = out["group"].map(n_members).astype("int64")

    # the group's whole weight by year (and location when the weights have one)
    out["coverage_weight"] = np.nan
    if cw is not None:
        scope = ["year", *(["location"] if "location" in cw.columns else [])]
        need = members.merge(out[scope].drop_duplicates(), how="cross").rename(
            columns={"member": "area_code"}
        )
        need = _attach(need, cw, tolerance, "cov_w")
        # members the weight source lacks (small territories: Bouvet Island, Saint Helena,
        # ...) weigh nothing; a group none of whose members has a weight is not measured
        total = need.groupby(["group", *scope])["cov_w"].agg(total="sum")
        out = out.merge(total.reset_index(), on=["group", *scope], how="left")
        share = out["cov_w_data"].fillna(0.0) / out["total"]
        out["coverage_weight"] = share.where(out["total"] > 0)
        out = out.drop(columns=["total"])

    if rule == "sum_of_parts" or rule == "population_weighted_mean":
        value = out["num"] / out["den"]
    elif rule == "simple_mean":
        value = out["mean"]
    else:
        value = out["num"]
    out["coverage_members"] = out["n_with_data"] / out["n_members"]
    out["reason"] = _reasons(out, coverage)
    out["value"] = value.where(out["reason"].isna())
    out["rule"] = rule
    out["weight_source"] = weight_source if weight_source is not None else _default_source(rule)
    out = out.rename(columns={"group": "area_code"})
    out = out[list(RESULT_COLUMNS)]
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return _sorted(out)


def _default_source(rule: str) -> str | None:
    return {
        "simple_mean": _NO_WEIGHTS,
        "sum": None,
        "population_weighted_mean": "weights given",
        "sum_of_parts": "numerator and denominator given",
    }[rule]


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _pcts(shares: pd.Series) -> pd.Series:
    return pd.Series(
        [_pct(x) if np.isfinite(x) else "" for x in shares.to_numpy(dtype="float64")],
        index=shares.index,
        dtype=object,
    )


def _reasons(out: pd.DataFrame, coverage: CoverageRule) -> pd.Series:
    """Why a row has no value (None where it has one), as text for a person."""
    n, m = out["n_with_data"], out["n_members"]
    cm, cw = out["n_with_data"] / out["n_members"], out["coverage_weight"]
    reason = pd.Series([None] * len(out), index=out.index, dtype=object)

    def note(mask: pd.Series, texts: pd.Series) -> None:
        free = mask & reason.isna()
        reason.loc[free] = texts.loc[free]

    note(n == 0, pd.Series("no member area has data", index=out.index))
    note(
        cm < coverage.min_member_share,
        n.astype(str) + " of " + m.astype(str) + " member areas have data ("
        + _pcts(cm) + "), below the minimum of " + _pct(coverage.min_member_share)
        + " of members",
    )  # fmt: skip
    if coverage.min_weight_share is not None:
        limit = coverage.min_weight_share
        note(
            cw.notna() & (cw < limit),
            "members with data hold " + _pcts(cw)
            + " of the group's weight, below the minimum of " + _pct(limit),
        )  # fmt: skip
        note(
            cw.isna() & (cm < limit),
            "no member has a weight; " + n.astype(str) + " of " + m.astype(str)
            + " member areas have data (" + _pcts(cm) + "), below the minimum of "
            + _pct(limit),
        )  # fmt: skip
    return reason


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    code = frame["area_code"]
    numeric = code.str.fullmatch(r"\d+")
    order = pd.DataFrame(
        {
            "k0": (~numeric).astype(int),
            "k1": pd.to_numeric(code.where(numeric), errors="coerce").fillna(0),
            "k2": code.where(~numeric, ""),
        }
    )
    frame = pd.concat([frame, order], axis=1).sort_values(
        ["k0", "k1", "k2", *CELL_COLUMNS], kind="stable"
    )
    return frame.drop(columns=["k0", "k1", "k2"]).reset_index(drop=True)
