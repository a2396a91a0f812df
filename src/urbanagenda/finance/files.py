"""Reading OSR analyses and project lists from files: YAML, JSON, CSV and the Excel templates
(:mod:`.templates`); all or nothing, every problem reported at once.

The format is chosen by the suffix (``.yaml``/``.yml``, ``.json``, ``.csv``, ``.xlsx``), and by
the content when the suffix lies (a ZIP is read as a workbook whatever its name; an ``.xlsx``
that is not a ZIP is reported as such).  YAML and JSON hold the formats described in
:mod:`.parse` and :mod:`.invest`; CSV and the workbooks map onto them, and every problem the
parsers find is reported at the sheet, row and column the user typed it in.

**CSV of an OSR analysis** — one row per property category, licence category or charge::

    local_government,currency,year,stream_kind,stream_name,item,estimated,registered,...
    Freetown City Council,SLE,2019,property_tax,Property rates,residential,120000,100000,...

- ``stream_kind``: a stream kind (``property_tax``, ``business_licence``,
  ``user_charge_short``, ``user_charge_long``, ``user_charge_mixed``, ``other_tax``), or
  ``fiscal`` (a year's fiscal context: ``population``, ``gdp_per_capita``, ``household_size``,
  ``usd_rate``, ``sources``), or ``source`` (a cited source: ``item`` is its id, with
  ``citation`` and ``url``).
- ``stream_name`` names the stream; rows of the same year, kind and name make one stream, and
  ``item`` names the category or charge.
- A stream's own fields — ``estimated`` of a property tax (all properties, registered or not),
  ``actual_reported``, ``sources``, ``note`` — may be given on any one of its rows, or the
  same on several.  For a business licence ``estimated`` is the category's.
- The category and charge fields: ``estimated``, ``registered``, ``compliant``,
  ``assessed_value``, ``market_value``, ``rate``, ``legislated_rate``, ``fee``,
  ``legislated_fee``, ``users_estimated``, ``users_actual``, ``periods``, ``per``; each number
  that may be an estimate has optional ``<field>_low`` and ``<field>_high`` columns.
- The analysis' facts ``local_government``, ``currency``, ``area``, ``country``, ``example``
  are columns too, repeated on every row (they must agree) or given on the first row only.
  The analysis-level ``note`` has no place in the CSV (use YAML or the workbook).
- Lists (``sources``) are ``;``-separated; ``,`` or ``;`` separates the columns.

**CSV of a project list** — one row per project, columns the project fields (``id``, ``name``,
``sector``, ``cost``, ``years``, ``location``, ``population_served``, ``sdg_targets``,
``umf_cells``, ``stage``, ``cost_recovery``, ``cofinancing``, ``land_secured``,
``environmental_clearance``, ``note``; lists ``;``-separated).  The plan's own fields (name,
area, budget…) come from ``defaults`` (the command line's options).

The workbooks are the templates of :mod:`.templates` (their Instructions sheet says how to
fill them in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance._files_io import Opened, open_file
from urbanagenda.finance._files_locate import Locator
from urbanagenda.finance._files_osr_read import osr_data
from urbanagenda.finance._files_plan import plan_data
from urbanagenda.finance.invest import parse_plan
from urbanagenda.finance.model import OsrInput, PlanInput
from urbanagenda.finance.parse import parse_osr
from urbanagenda.ingest.report import Issue, Report

__all__ = ["read_osr_data", "read_osr_file", "read_plan_data", "read_plan_file"]

_T = TypeVar("_T")
_Tabular = Callable[[Opened, str], tuple[dict[str, Any], Locator, list[Issue]]]


def read_osr_file(path: Path | str) -> OsrInput:
    """The OSR analysis in ``path`` (YAML, JSON, CSV or the workbook template), validated.

    Raises :class:`~urbanagenda.errors.ValidationFailed` with every problem found."""
    data, locator, issues = _read(Path(path), osr_data)
    return _parse(parse_osr, data, Path(path), locator, issues)


def read_plan_file(path: Path | str, defaults: Mapping[str, Any] | None = None) -> PlanInput:
    """The project list in ``path`` (YAML, JSON, CSV or the workbook template), validated.

    ``defaults`` fill the plan's top-level fields the file lacks (a CSV has only projects:
    ``{"name": ..., "area": ..., "budget": ...}`` from the command line); fields the file has
    are kept."""
    data, locator, issues = _read(Path(path), plan_data)
    for key, value in (defaults or {}).items():
        if data.get(key) is None and value is not None:
            data[key] = value
    return _parse(parse_plan, data, Path(path), locator, issues)


def read_osr_data(path: Path | str) -> dict[str, Any]:
    """The plain data of the OSR analysis in ``path`` before validation (a CSV or workbook as
    the YAML format's dict); only problems of the file's layout are raised here."""
    data, _, issues = _read(Path(path), osr_data)
    _raise_if(issues, str(path))
    return data


def read_plan_data(path: Path | str) -> dict[str, Any]:
    """The plain data of the project list in ``path`` before validation."""
    data, _, issues = _read(Path(path), plan_data)
    _raise_if(issues, str(path))
    return data


def _read(path: Path, tabular: _Tabular) -> tuple[dict[str, Any], Locator, list[Issue]]:
    opened = open_file(path)
    if opened.mapping is not None:
        return dict(opened.mapping), Locator(), []
    return tabular(opened, str(path))


def _parse(
    parse: Callable[..., _T],
    data: dict[str, Any],
    path: Path,
    locator: Locator,
    issues: list[Issue],
) -> _T:
    """Parse, with the layout's problems and the parser's (located in the file) together."""
    name = str(path)
    try:
        result = parse(data, file=name)
    except ValidationFailed as exc:
        report = Report(files=[name])
        report.extend(issues)
        report.extend(locator.relocate(exc.report.issues, file=name))
        raise ValidationFailed(report) from None
    _raise_if(issues, name)
    return result


def _raise_if(issues: list[Issue], name: str) -> None:
    if issues:
        raise ValidationFailed(Report(issues=list(issues), files=[name]))
