"""Check raw observation rows against the catalogue and the areas, vectorised.

:func:`validate_chunk` turns a reader's chunk into a clean observation frame (the rows with
no problem) and the list of issues found.  A load goes ahead only when no chunk of no file
has an issue (see :mod:`urbanagenda.store.load`).

Code columns hold few distinct values (a 2-million-row SDG file has some dozens of series
and some thousands of areas), so each text column is factorised once and every check runs
on its distinct values; the per-row results are then picked out by code.  The clean frame
keeps text columns as categoricals (codes into the distinct values), so no text object is
made per row and the loader numbers keys from the codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from urbanagenda.ingest.report import Issue, Report
from urbanagenda.model.codes import codelist
from urbanagenda.model.observations import COLUMNS, OPTIONAL_DEFAULTS

__all__ = ["MAX_YEAR", "MIN_YEAR", "Reference", "validate_chunk"]

MIN_YEAR = 1950
MAX_YEAR = date.today().year + 1  # reference years, not projections
REQUIRED = ("series_code", "area_code", "year", "value")
NATURE_CODES = frozenset(["C", "CA", "E", "G", "M", "N", "_X", ""])


@dataclass(frozen=True)
class Reference:
    """What input codes are checked against: the store's series, units and areas."""

    series_units: Mapping[str, str]
    unit_synonyms: Mapping[str, str]
    resolve_areas: Callable[[pd.Series], pd.Series]
    sex_codes: frozenset[str] = field(default_factory=lambda: frozenset(codelist("CL_SEX")))
    age_codes: frozenset[str] = field(default_factory=lambda: frozenset(codelist("CL_AGE")))
    location_codes: frozenset[str] = field(
        default_factory=lambda: frozenset(codelist("CL_URBANISATION"))
    )

    def unit_codes(self, raw: pd.Series) -> pd.Series:
        """Vectorised unit normalisation: synonyms (case-insensitive) → unit codes."""
        key = raw.astype("string").str.strip().str.lower()
        return key.map(self.unit_synonyms)


@dataclass(frozen=True)
class _Text:
    """A text column, factorised: row ``i`` holds ``values[codes[i]]``."""

    codes: np.ndarray  # one index into ``values`` per row
    values: np.ndarray  # distinct texts (object array of str); may repeat after a change

    def at(self, i: int) -> object:
        return self.values[self.codes[i]]

    def per_row(self, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.codes]

    def series(self) -> pd.Series:
        """The distinct values as a ``string`` series, for pandas' vectorised string methods."""
        return pd.Series(self.values, dtype="string")

    def replaced(self, values: pd.Series | np.ndarray) -> _Text:
        return _Text(self.codes, np.asarray(values, dtype=object))

    def categorical(self) -> pd.Categorical:
        """The column as a categorical: no text object per row, and the codes stay for
        whoever numbers the keys next (the store's loader)."""
        codes, distinct = pd.factorize(self.values)  # values may repeat after a change
        return pd.Categorical.from_codes(codes[self.codes], categories=pd.Index(distinct))


def _text(frame: pd.DataFrame, col: str) -> _Text:
    """The column as stripped text, missing cells as ``""``."""
    column = frame[col]
    if not isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype):
        column = column.astype("string")  # numbers, dates: as their text
    codes, uniques = pd.factorize(column)
    values = pd.Series(uniques, dtype="string").str.strip().fillna("").to_numpy(dtype=object)
    values = np.append(values, "")  # missing cells (code -1) are the empty text
    codes = np.where(codes < 0, len(values) - 1, codes)
    return _Text(codes, values)


def _issues_for(
    mask: np.ndarray,
    frame: pd.DataFrame,
    *,
    code: str,
    column: str,
    found: Callable[[int], object],
    message: str,
    expected: str,
    fix: str,
    file: str,
    suppressed: Counter[tuple[str | None, str]],
    limit: int = 60,
) -> list[Issue]:
    """One issue per flagged row (at most ``limit``; the report counts the rest)."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return []
    issues = []
    rows = frame["_row"].to_numpy()
    sheets = frame["_sheet"].to_numpy() if "_sheet" in frame else None
    for i in idx[:limit]:
        sheet = sheets[i] if sheets is not None else ""
        issues.append(
            Issue(
                code=code,
                message=message,
                file=file,
                sheet=sheet or None,
                row=int(rows[i]),
                column=column,
                found=str(found(int(i))),
                expected=expected,
                fix=fix,
            )
        )
    if len(idx) > limit:
        suppressed[(file, code)] += len(idx) - limit
    return issues


def _parse_values(text: pd.Series) -> np.ndarray:
    """Numbers from stripped text (NaN where empty or not a number).

    Arrow parses a column of well-formed numbers in one go; when any cell is not one,
    pandas' coercing parser finds which (the rows flagged are the same either way).
    """
    arrow = pa.array(text)
    try:
        numbers = pc.cast(pc.if_else(pc.equal(arrow, ""), None, arrow), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.to_numeric(text, errors="coerce").astype("float64").to_numpy()
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")


def validate_chunk(raw: pd.DataFrame, ref: Reference, *, file: str, report: Report) -> pd.DataFrame:
    """Validate one chunk: its issues go into ``report``; the rows without one come back."""
    issues: list[Issue] = []
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        for c in missing:
            issues.append(
                Issue(
                    "missing-column",
                    f"the required column {c!r} is absent.",
                    file=file,
                    column=c,
                    expected=f"columns {', '.join(REQUIRED)} (and optional ones)",
                    fix=f"add a {c!r} column (names are case-sensitive)",
                )
            )
        report.extend(issues)
        return raw.iloc[0:0]
    frame = raw.reset_index(drop=True)
    if "_row" not in frame:
        frame["_row"] = np.arange(2, len(frame) + 2)
    n = len(frame)
    bad = np.zeros(n, dtype=bool)
    out: dict[str, np.ndarray | _Text] = {}
    overflow = report.overflow

    # series
    series = _text(frame, "series_code")
    series = series.replaced(series.series().str.upper())
    known = series.per_row(np.isin(series.values, list(ref.series_units)))
    m = ~known
    issues += _issues_for(
        m,
        frame,
        code="unknown-series",
        column="series_code",
        found=series.at,
        file=file,
        suppressed=overflow,
        message="this series code is not in the catalogue.",
        expected="an SDG series code such as EN_LND_SLUM (see `urbanagenda series`)",
        fix="correct the code, or add the series to the catalogue first",
    )
    bad |= m
    out["series_code"] = series

    # area
    raw_area = _text(frame, "area_code")
    area = ref.resolve_areas(raw_area.series())
    m = raw_area.per_row(area.isna().to_numpy())
    issues += _issues_for(
        m,
        frame,
        code="unknown-area",
        column="area_code",
        found=raw_area.at,
        file=file,
        suppressed=overflow,
        message="this area code is not a known M49 area or city.",
        expected="an M49 code (e.g. 566), an ISO3 code (NGA) or a city code (ng_lagos)",
        fix="use a code listed by `urbanagenda areas`",
    )
    bad |= m
    out["area_code"] = raw_area.replaced(area.fillna("").to_numpy(dtype=object))

    # year
    year_text = _text(frame, "year")
    year_num = pd.to_numeric(year_text.series(), errors="coerce")
    m_year = year_num.isna() | (year_num % 1 != 0) | (year_num < MIN_YEAR) | (year_num > MAX_YEAR)
    m = year_text.per_row(m_year.fillna(True).astype(bool).to_numpy())
    issues += _issues_for(
        m,
        frame,
        code="impossible-year",
        column="year",
        found=year_text.at,
        file=file,
        suppressed=overflow,
        message="the year is not a plausible reference year.",
        expected=f"a whole year from {MIN_YEAR} to {MAX_YEAR}",
        fix="write the reference year as four digits (e.g. 2020)",
    )
    bad |= m
    out["year"] = year_text.per_row(year_num.fillna(0).astype("int64").to_numpy())

    # value
    value_raw = frame["value"]
    if pd.api.types.is_numeric_dtype(value_raw):
        value = value_raw.astype("float64").to_numpy()
        empty = np.isnan(value)
        nonnum = np.zeros(n, dtype=bool)
        value_texts = value_raw
    else:
        value_text = value_raw.astype("string").str.strip().fillna("")
        value = _parse_values(value_text)
        empty = (value_text == "").to_numpy(dtype=bool)
        nonnum = np.isnan(value) & ~empty
        value_texts = value_text

    def value_found(i: int) -> object:
        """The cell's text, made for flagged rows only (not a text object per row)."""
        return str(value_texts.iloc[i : i + 1].astype("string").fillna("").iat[0])

    nonnum |= np.isinf(value)
    issues += _issues_for(
        empty,
        frame,
        code="missing-value",
        column="value",
        found=value_found,
        file=file,
        suppressed=overflow,
        message="the value is empty.",
        expected="a number",
        fix="fill in the value, or remove the row if there is no observation",
    )
    issues += _issues_for(
        nonnum,
        frame,
        code="non-numeric-value",
        column="value",
        found=value_found,
        file=file,
        suppressed=overflow,
        message="the value is not a number.",
        expected="a number with '.' as decimal mark and no thousands separator (e.g. 1234.5)",
        fix="write the number alone; put notes in the footnote column",
    )
    bad |= empty | nonnum
    out["value"] = value

    # optional text columns
    optional: dict[str, _Text] = {}
    for col in ("sex", "age", "location", "breakdown", "nature", "source", "footnote"):
        if col in frame:
            t = _text(frame, col)
            s = t.series()
            if col in ("sex", "age", "location", "nature"):
                s = s.str.upper()
            t = t.replaced(s.mask(s == "", OPTIONAL_DEFAULTS[col]))
        else:
            t = _Text(np.zeros(n, dtype=np.intp), np.array([OPTIONAL_DEFAULTS[col]], dtype=object))
        optional[col] = t
        out[col] = t
    for col, allowed, cl in (
        ("sex", ref.sex_codes, "CL_SEX"),
        ("age", ref.age_codes, "CL_AGE"),
        ("location", ref.location_codes, "CL_URBANISATION"),
        ("nature", NATURE_CODES, "CL_NATURE"),
    ):
        t = optional[col]
        m = t.per_row(~np.isin(t.values, list(allowed)))
        issues += _issues_for(
            m,
            frame,
            code="unknown-code",
            column=col,
            found=t.at,
            file=file,
            suppressed=overflow,
            message=f"this {col} code is not in the SDG code list {cl}.",
            expected=f"a {cl} code (e.g. {', '.join(sorted(allowed)[:4])})",
            fix=f"use a code of {cl}, or leave the cell empty for the total",
        )
        bad |= m

    # unit: empty means the series' declared unit; anything else must say the same unit.
    # Checked once per distinct (series, unit) pair.
    declared_by_series = series.series().map(ref.series_units)
    if "unit" in frame:
        unit_raw = _text(frame, "unit")
        pair = series.codes.astype(np.int64) * len(unit_raw.values) + unit_raw.codes
        pairs, pair_codes = np.unique(pair, return_inverse=True)
        pair_series, pair_unit = np.divmod(pairs, len(unit_raw.values))
        p_series = pd.Series(series.values[pair_series], dtype="string")
        p_unit_raw = pd.Series(unit_raw.values[pair_unit], dtype="string")
        p_known = pd.Series(np.isin(series.values, list(ref.series_units))[pair_series])
        declared = declared_by_series.iloc[pair_series].reset_index(drop=True)
        unit = ref.unit_codes(p_unit_raw)
        unit = unit.mask(p_unit_raw == "", declared)
        p_bad = p_known & (unit.isna() | (unit != declared))
        p_bad = p_bad.fillna(True).astype(bool) & p_known
        expected_unit = declared.fillna("")
        for_issue = p_unit_raw.where(p_unit_raw != "", "(empty)")
        pair_codes = pair_codes.reshape(-1)
        m = p_bad.to_numpy()[pair_codes]
        idx = np.flatnonzero(m)
        if len(idx) > 60:
            overflow[(file, "wrong-unit")] += len(idx) - 60
        rows = frame["_row"].to_numpy()
        for i in idx[:60]:
            p = pair_codes[i]
            issues.append(
                Issue(
                    "wrong-unit",
                    f"series {p_series.iat[p]} is measured in {expected_unit.iat[p]}.",
                    file=file,
                    sheet=(str(frame["_sheet"].iat[i]) or None) if "_sheet" in frame else None,
                    row=int(rows[i]),
                    column="unit",
                    found=str(for_issue.iat[p]),
                    expected=f"{expected_unit.iat[p]} (or an empty unit cell)",
                    fix="convert the values to the series' unit, or check the series code",
                )
            )
        bad |= m
        out["unit"] = _Text(pair_codes, unit.fillna("").to_numpy(dtype=object))
    else:
        out["unit"] = series.replaced(declared_by_series.fillna("").to_numpy(dtype=object))

    # text columns come back as categoricals, numbers as numbers
    columns = {
        c: pd.Series(v.categorical() if isinstance(v := out[c], _Text) else v, copy=False)
        for c in COLUMNS
    }
    clean = pd.DataFrame(columns, copy=False)
    clean["_row"] = frame["_row"].to_numpy()
    clean["_sheet"] = frame["_sheet"].array if "_sheet" in frame else ""
    report.extend(issues)
    report.rows_read += n
    return clean[~bad] if bad.any() else clean
