"""Check raw observation rows against the catalogue and the areas, vectorised.

:func:`validate_chunk` turns a reader's chunk into a clean observation frame (the rows with
no problem) and the list of issues found.  A load goes ahead only when no chunk of no file
has an issue (see :mod:`urbanagenda.store.load`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

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


def _text(frame: pd.DataFrame, col: str) -> pd.Series:
    s = frame[col]
    s = s.astype("string").str.strip()
    return s.fillna("")


def _issues_for(
    mask: pd.Series,
    frame: pd.DataFrame,
    *,
    code: str,
    column: str,
    found: pd.Series,
    message: str,
    expected: str,
    fix: str,
    file: str,
    suppressed: Counter[tuple[str | None, str]],
    limit: int = 60,
) -> list[Issue]:
    """One issue per flagged row (at most ``limit``; the report counts the rest)."""
    idx = np.flatnonzero(mask.to_numpy())
    issues = []
    rows = frame["_row"].to_numpy()
    sheets = frame["_sheet"].to_numpy() if "_sheet" in frame else None
    found_values = found.to_numpy()
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
                found=str(found_values[i]),
                expected=expected,
                fix=fix,
            )
        )
    if len(idx) > limit:
        suppressed[(file, code)] += len(idx) - limit
    return issues


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
    bad = pd.Series(False, index=frame.index)
    out: dict[str, pd.Series] = {}

    # series
    series = _text(frame, "series_code").str.upper()
    known = series.isin(list(ref.series_units))
    m = ~known
    issues += _issues_for(
        m,
        frame,
        code="unknown-series",
        column="series_code",
        found=series,
        file=file,
        suppressed=report.overflow,
        message="this series code is not in the catalogue.",
        expected="an SDG series code such as EN_LND_SLUM (see `urbanagenda series`)",
        fix="correct the code, or add the series to the catalogue first",
    )
    bad |= m
    out["series_code"] = series

    # area
    raw_area = _text(frame, "area_code")
    area = ref.resolve_areas(raw_area)
    m = area.isna()
    issues += _issues_for(
        m,
        frame,
        code="unknown-area",
        column="area_code",
        found=raw_area,
        file=file,
        suppressed=report.overflow,
        message="this area code is not a known M49 area or city.",
        expected="an M49 code (e.g. 566), an ISO3 code (NGA) or a city code (ng_lagos)",
        fix="use a code listed by `urbanagenda areas`",
    )
    bad |= m
    out["area_code"] = area.fillna("").astype(object)

    # year
    year_text = _text(frame, "year")
    year_num = pd.to_numeric(year_text, errors="coerce")
    m = year_num.isna() | (year_num % 1 != 0) | (year_num < MIN_YEAR) | (year_num > MAX_YEAR)
    m = m.fillna(True).astype(bool)
    issues += _issues_for(
        m,
        frame,
        code="impossible-year",
        column="year",
        found=year_text,
        file=file,
        suppressed=report.overflow,
        message="the year is not a plausible reference year.",
        expected=f"a whole year from {MIN_YEAR} to {MAX_YEAR}",
        fix="write the reference year as four digits (e.g. 2020)",
    )
    bad |= m
    out["year"] = year_num.fillna(0).astype("int64")

    # value
    value_raw = frame["value"]
    if pd.api.types.is_numeric_dtype(value_raw):
        value = value_raw.astype("float64")
        empty = value.isna()
        nonnum = pd.Series(False, index=frame.index)
        value_text = value_raw.astype("string").fillna("")
    else:
        value_text = _text(frame, "value")
        value = pd.to_numeric(value_text, errors="coerce")
        empty = value_text == ""
        nonnum = value.isna() & ~empty
    inf = np.isinf(value.fillna(0).to_numpy())
    nonnum = nonnum | pd.Series(inf, index=frame.index)
    issues += _issues_for(
        empty,
        frame,
        code="missing-value",
        column="value",
        found=value_text,
        file=file,
        suppressed=report.overflow,
        message="the value is empty.",
        expected="a number",
        fix="fill in the value, or remove the row if there is no observation",
    )
    issues += _issues_for(
        nonnum,
        frame,
        code="non-numeric-value",
        column="value",
        found=value_text,
        file=file,
        suppressed=report.overflow,
        message="the value is not a number.",
        expected="a number with '.' as decimal mark and no thousands separator (e.g. 1234.5)",
        fix="write the number alone; put notes in the footnote column",
    )
    bad |= empty | nonnum
    out["value"] = value.astype("float64")

    # optional text columns
    for col in ("sex", "age", "location", "breakdown", "nature", "source", "footnote"):
        if col in frame:
            s = _text(frame, col)
            if col in ("sex", "age", "location", "nature"):
                s = s.str.upper()
            s = s.mask(s == "", OPTIONAL_DEFAULTS[col])
        else:
            s = pd.Series(OPTIONAL_DEFAULTS[col], index=frame.index, dtype="string")
        out[col] = s
    for col, allowed, cl in (
        ("sex", ref.sex_codes, "CL_SEX"),
        ("age", ref.age_codes, "CL_AGE"),
        ("location", ref.location_codes, "CL_URBANISATION"),
        ("nature", NATURE_CODES, "CL_NATURE"),
    ):
        m = ~out[col].isin(list(allowed))
        issues += _issues_for(
            m,
            frame,
            code="unknown-code",
            column=col,
            found=out[col],
            file=file,
            suppressed=report.overflow,
            message=f"this {col} code is not in the SDG code list {cl}.",
            expected=f"a {cl} code (e.g. {', '.join(sorted(allowed)[:4])})",
            fix=f"use a code of {cl}, or leave the cell empty for the total",
        )
        bad |= m

    # unit: empty means the series' declared unit; anything else must say the same unit
    declared = series.map(ref.series_units)
    if "unit" in frame:
        unit_raw = _text(frame, "unit")
        unit = ref.unit_codes(unit_raw)
        unit = unit.mask(unit_raw == "", declared)
        m = known & (unit.isna() | (unit != declared))
        m = m.fillna(True).astype(bool) & known
        expected_unit = declared.fillna("")
        for_issue = unit_raw.where(unit_raw != "", "(empty)")
        idx = np.flatnonzero(m.to_numpy())
        if len(idx) > 60:
            report.overflow[(file, "wrong-unit")] += len(idx) - 60
        for i in idx[:60]:
            issues.append(
                Issue(
                    "wrong-unit",
                    f"series {series.iat[i]} is measured in {expected_unit.iat[i]}.",
                    file=file,
                    sheet=(str(frame["_sheet"].iat[i]) or None) if "_sheet" in frame else None,
                    row=int(frame["_row"].to_numpy()[i]),
                    column="unit",
                    found=str(for_issue.iat[i]),
                    expected=f"{expected_unit.iat[i]} (or an empty unit cell)",
                    fix="convert the values to the series' unit, or check the series code",
                )
            )
        bad |= m
        out["unit"] = unit.fillna("")
    else:
        out["unit"] = declared.fillna("")

    clean = pd.DataFrame({c: out[c] for c in COLUMNS})
    clean["_row"] = frame["_row"].to_numpy()
    clean["_sheet"] = frame["_sheet"].to_numpy() if "_sheet" in frame else ""
    report.extend(issues)
    report.rows_read += len(frame)
    return clean[~bad.to_numpy()]
