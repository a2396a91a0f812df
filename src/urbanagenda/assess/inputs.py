"""The input of a progress method: observations grouped into series, with their parameters.

A *group* is one time series: a ``(series_code, area_code, sex, age, location, breakdown)``
key.  Each group gets the parameters METHODS.md section 1 uses:

* ``direction`` (+1 increase, -1 decrease, 0 none) from the catalogue series, or from a
  ``direction`` column of the input (``increase``/``decrease``; ``positive``/``negative``,
  ``+1``/``-1`` are read too);
* ``target_value`` (the 2030 value v*): catalogue ``target_2030`` or a ``target_value``
  column;
* ``limit``: the natural limit in the desirable direction (Open SDG's ``limit``; catalogue
  ``natural_limit`` for increasing series, ``lower_limit`` for decreasing ones) or a
  ``limit`` column; ``worst_limit`` the natural limit on the other side (catalogue only);
* ``base_year`` asked for (default 2015: "base year b, 2015 or the nearest later year with
  data") and ``target_year`` (default 2030), or ``base_year``/``target_year`` columns.

A value given in the input (the first non-empty one of the group) wins over the catalogue.
Everything here is array arithmetic over all groups at once: no loop per series.

>>> import pandas as pd
>>> obs = pd.DataFrame({"series_code": ["X", "X", "X"], "area_code": ["A"] * 3,
...                     "year": [2014, 2016, 2020], "value": [1.0, 2.0, 3.0],
...                     "direction": ["increase", "", ""], "target_value": [None, 5, None]})
>>> inp = build_input(obs)
>>> s = summarise(inp)
>>> row = s.iloc[0]
>>> [int(row.direction), float(row.target_value), int(row.base_year), int(row.latest_year)]
[1, 5.0, 2016, 2020]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbanagenda.errors import DataError
from urbanagenda.model.catalogue import Catalogue
from urbanagenda.model.observations import TOTAL

__all__ = [
    "DEFAULT_BASE_YEAR",
    "DEFAULT_TARGET_YEAR",
    "GROUP_KEYS",
    "PARAMETER_COLUMNS",
    "MethodInput",
    "build_input",
    "parse_direction",
    "summarise",
]

GROUP_KEYS: tuple[str, ...] = ("series_code", "area_code", "sex", "age", "location", "breakdown")
#: Optional per-row columns of an input that override the catalogue.
PARAMETER_COLUMNS: tuple[str, ...] = (
    "target_value",
    "direction",
    "limit",
    "base_year",
    "target_year",
)
DEFAULT_BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
_KEY_DEFAULTS = {"sex": TOTAL, "age": TOTAL, "location": TOTAL, "breakdown": ""}
_DIRECTION_WORDS = {
    "increase": 1,
    "positive": 1,
    "+1": 1,
    "1": 1,
    "up": 1,
    "decrease": -1,
    "negative": -1,
    "-1": -1,
    "down": -1,
}
#: direction codes in ``groups.direction_problem``
NO_PROBLEM, MISSING, INVALID = 0, 1, 2


@dataclass(frozen=True, slots=True)
class MethodInput:
    """Grouped observations ready for a method.

    ``groups``: one row per group (index ``0..n-1`` = group id) with the key columns,
    ``direction`` (int8), ``direction_problem`` (0 none, 1 missing, 2 invalid),
    ``target_value``, ``limit``, ``worst_limit``, ``base_year_asked``, ``target_year``
    and ``unit``.
    ``points``: ``gid``, ``year``, ``value`` sorted by group then year; only finite values
    up to ``as_of``.
    """

    groups: pd.DataFrame
    points: pd.DataFrame


def parse_direction(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Direction words as +1/-1/0 and a problem code per value (0 ok, 1 missing, 2 invalid).

    >>> d, p = parse_direction(pd.Series(["increase", "Decrease", None, "sideways"]))
    >>> d.tolist(), p.tolist()
    ([1, -1, 0, 0], [0, 0, 1, 2])
    """
    text = values.astype("string").str.strip().str.lower()
    missing = text.isna() | (text == "") | (text == "nan") | (text == "none")
    parsed = text.map(_DIRECTION_WORDS)
    direction = parsed.fillna(0).astype("int8").to_numpy()
    problem = np.where(missing, MISSING, np.where(parsed.isna(), INVALID, NO_PROBLEM))
    return direction, problem.astype("int8")


def _key_codes(column: pd.Series | None, default: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes and cleaned unique values of a key column (trimmed; empty or missing = default).

    Only the distinct values are cleaned, so a column of millions of rows costs one
    factorisation."""
    if column is None:
        return np.zeros(0, dtype=np.int64), np.array([default], dtype=object)
    codes, uniques = pd.factorize(column, sort=False, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip()
    # a missing value (code -1) becomes the default, as does an empty one
    cleaned = np.append(text.fillna(default).replace("", default).to_numpy(dtype=object), default)
    codes = np.where(codes < 0, len(cleaned) - 1, codes).astype(np.int64)
    # distinct raw values may clean to the same text: renumber on the cleaned text
    recode, dense = pd.factorize(cleaned, sort=False)
    return recode[codes].astype(np.int64), np.asarray(dense, dtype=object)


def _group_ids(
    frame: pd.DataFrame, n_rows: int
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """A dense int64 id per distinct key (in order of first appearance) and the codes and
    values of each key column."""
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    combined = np.zeros(n_rows, dtype=np.int64)
    span = 1
    for key in GROUP_KEYS:
        column = frame[key] if key in frame.columns else None
        codes, values = _key_codes(column, _KEY_DEFAULTS.get(key, ""))
        if not len(codes):
            codes = np.zeros(n_rows, dtype=np.int64)
        parts[key] = (codes, values)
        if span * len(values) >= 2**62:  # keep the combined code inside int64
            combined = pd.factorize(combined, sort=False)[0].astype(np.int64)
            span = int(combined.max()) + 1 if n_rows else 1
        combined = combined * len(values) + codes
        span *= len(values)
    return pd.factorize(combined, sort=False)[0].astype(np.int64), parts


def _first_non_empty(column: pd.Series, gid: np.ndarray, n: int) -> pd.Series:
    """The first non-empty value of each group (cleaning the distinct values only)."""
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        codes, uniques = pd.factorize(column, sort=False, use_na_sentinel=True)
        text = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip()
        text = text.mask(text == "")
        codes = np.where(codes >= 0, codes, -1)
        valid = codes >= 0
        valid[valid] = text.notna().to_numpy()[codes[valid]]
        first = pd.Series(np.where(valid, codes, np.nan)).groupby(gid, sort=True).first()
        idx = first.reindex(range(n)).to_numpy()
        ok = ~np.isnan(idx)
        out = np.full(n, None, dtype=object)
        out[ok] = text.to_numpy(dtype=object)[idx[ok].astype(np.int64)]
        return pd.Series(out, dtype=object)
    first = pd.Series(column.to_numpy()).groupby(gid, sort=True).first()
    return first.reindex(range(n))


def _numeric(values: pd.Series, name: str) -> pd.Series:
    out = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & out.isna()
    if bad.any():
        example = values[bad].iloc[0]
        raise DataError(
            f"column {name!r} has a value that is not a number: {example!r}. "
            f"Expected numbers (or an empty cell to use the catalogue's value)."
        )
    return out.astype("float64")


def build_input(
    frame: pd.DataFrame,
    catalogue: Catalogue | None = None,
    *,
    base_year: int | None = None,
    target_year: int | None = None,
    as_of: int | None = None,
) -> MethodInput:
    """Group an observation frame and attach each group's parameters.

    ``frame`` needs ``series_code``, ``area_code``, ``year`` and ``value``; ``sex``, ``age``,
    ``location``, ``breakdown`` and ``unit`` are optional, as are the per-row parameters of
    :data:`PARAMETER_COLUMNS`.  ``catalogue`` supplies what the rows leave out (``None``:
    the bundled catalogue).  ``as_of`` drops observations after that year.
    """
    if catalogue is None:
        from urbanagenda.model.catalogue import load_catalogue

        catalogue = load_catalogue()
    missing = [c for c in ("series_code", "area_code", "year", "value") if c not in frame]
    if missing:
        raise DataError(
            f"the observations have no column(s) {', '.join(missing)}; expected at least "
            "series_code, area_code, year and value (one row per observation)."
        )
    n_rows = len(frame)
    years = pd.to_numeric(frame["year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        example = frame["year"].to_numpy()[(years.isna() | (years % 1 != 0)).to_numpy()][0]
        raise DataError(
            f"column 'year' has a value that is not a whole year: {example!r}. "
            "Expected years such as 2015."
        )
    values = pd.to_numeric(frame["value"], errors="coerce").astype("float64")

    gid, parts = _group_ids(frame, n_rows)
    _, first_rows = np.unique(gid, return_index=True)
    n = len(first_rows)
    groups = pd.DataFrame(
        {key: values_[codes[first_rows]] for key, (codes, values_) in parts.items()}
    )
    unit = (
        frame["unit"].astype("string").fillna("").to_numpy(dtype=object)[first_rows]
        if "unit" in frame
        else np.full(n, "", dtype=object)
    )

    # catalogue parameters per group
    series = groups["series_code"].to_numpy()
    known = catalogue.series
    cat_dir = pd.Series([known[s].direction if s in known else None for s in series], dtype=object)
    cat_target = np.array(
        [np.nan if s not in known or known[s].target_2030 is None else known[s].target_2030
         for s in series], dtype="float64")  # fmt: skip
    upper = np.array(
        [np.nan if s not in known or known[s].natural_limit is None else known[s].natural_limit
         for s in series], dtype="float64")  # fmt: skip
    lower = np.array(
        [np.nan if s not in known or known[s].lower_limit is None else known[s].lower_limit
         for s in series], dtype="float64")  # fmt: skip

    # per-row overrides: the first non-empty value of the group wins over the catalogue
    def override(name: str) -> pd.Series | None:
        return _first_non_empty(frame[name], gid, n) if name in frame else None

    row_dir = override("direction")
    dir_text = (
        cat_dir if row_dir is None else row_dir.astype(object).where(row_dir.notna(), cat_dir)
    )
    direction, problem = parse_direction(dir_text)

    def numeric_override(name: str, fallback: np.ndarray) -> np.ndarray:
        given = override(name)
        if given is None:
            return fallback
        num = _numeric(given, name).to_numpy()
        return np.where(np.isnan(num), fallback, num)

    target = numeric_override("target_value", cat_target)
    cat_limit = np.where(direction == -1, lower, upper)
    cat_worst = np.where(direction == -1, upper, lower)
    limit = numeric_override("limit", cat_limit)
    base_default = float(DEFAULT_BASE_YEAR if base_year is None else base_year)
    target_default = float(DEFAULT_TARGET_YEAR if target_year is None else target_year)
    base_asked = numeric_override("base_year", np.full(n, base_default))
    target_y = numeric_override("target_year", np.full(n, target_default))

    groups = groups.assign(
        direction=direction,
        direction_problem=problem,
        target_value=target,
        limit=limit,
        worst_limit=cat_worst,
        base_year_asked=base_asked.astype("int64"),
        target_year=target_y.astype("int64"),
        unit=unit,
    )

    keep = np.isfinite(values.to_numpy())
    if as_of is not None:
        keep &= years.to_numpy() <= as_of
    p_gid = gid[keep]
    p_year = years.to_numpy()[keep].astype(np.int64)
    p_value = values.to_numpy()[keep]
    step_gid, step_year = np.diff(p_gid), np.diff(p_year)
    if np.all((step_gid > 0) | ((step_gid == 0) & (step_year >= 0))):
        points = pd.DataFrame({"gid": p_gid, "year": p_year, "value": p_value})  # sorted
    else:
        order = np.lexsort((p_year, p_gid))
        points = pd.DataFrame({"gid": p_gid[order], "year": p_year[order], "value": p_value[order]})
    return MethodInput(groups=groups, points=points)


def _reduce_first_last(gid: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index of the first and last row of each group in sorted ``gid`` (-1 when none)."""
    count = np.bincount(gid, minlength=n)
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    if len(gid):
        starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
        ends = np.r_[starts[1:], len(gid)] - 1
        first[gid[starts]] = starts
        last[gid[starts]] = ends
    return first, last, count


def summarise(inp: MethodInput) -> pd.DataFrame:
    """``groups`` with base and latest year and value, point counts and duplicate flags.

    Base year b: the first year with data at or after ``base_year_asked``; latest year t:
    the last year with data.  ``n_points`` counts observations from b on; ``duplicate``
    flags a group with two values for one year.
    """
    g = inp.groups
    n = len(g)
    p = inp.points
    gid = p["gid"].to_numpy()
    year = p["year"].to_numpy()
    value = p["value"].to_numpy()
    dup_rows = np.zeros(len(gid), dtype=bool)
    dup_rows[1:] = (gid[1:] == gid[:-1]) & (year[1:] == year[:-1])
    duplicate = np.bincount(gid[dup_rows], minlength=n) > 0
    since = year >= g["base_year_asked"].to_numpy()[gid] if len(gid) else np.zeros(0, bool)
    idx = np.flatnonzero(since)
    first, last, count = _reduce_first_last(gid[idx], n)
    has = first >= 0
    b_idx = np.where(has, idx[np.maximum(first, 0)] if len(idx) else 0, 0)
    t_idx = np.where(has, idx[np.maximum(last, 0)] if len(idx) else 0, 0)
    _, any_last, total = _reduce_first_last(gid, n)
    # a group with no data since the base year still reports its last observation
    t_idx = np.where(has, t_idx, np.maximum(any_last, 0))
    has_latest = has | (total > 0)

    def pick(arr: np.ndarray, at: np.ndarray, ok: np.ndarray, dtype: str) -> np.ndarray:
        if not len(arr):
            return np.full(n, np.nan)
        return np.where(ok, arr[at], np.nan).astype(dtype)

    return g.assign(
        base_year=pd.array(pick(year, b_idx, has, "float64"), dtype="Float64").astype("Int64"),
        base_value=pick(value, b_idx, has, "float64"),
        latest_year=pd.array(pick(year, t_idx, has_latest, "float64"), dtype="Float64").astype(
            "Int64"
        ),
        latest_value=pick(value, t_idx, has_latest, "float64"),
        n_points=count.astype(np.int64),
        duplicate=duplicate,
    )
