"""Open SDG data repositories in and out of the store.

:func:`import_opensdg` reads a repository (a folder or a ZIP: ``data/indicator_G-T-I.csv``,
``meta/G-T-I.md``, ``config_data.yml``) for one area, checks every file and row with the same
validator and :class:`~urbanagenda.ingest.report.Report` as the other loaders, and writes
series, links, metadata and observations in one transaction, or nothing.
:func:`export_opensdg` writes an area back as a repository that sdg-build reads: an imported
site file by file as it came in, any other area from its global series with generated
metadata.  :func:`local_series` lists the local series linked to an indicator.

Local series (Los Angeles reports 11.1.1 as homelessness counts) are stored under their own
codes with ``global_series = false`` and aggregation ``none``, and linked to the global
indicator by a declared relation; they never share a code with a global series, so global
aggregates and assessments never see them.  See ``docs/opensdg.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.errors import DataError, StoreError, ValidationFailed
from urbanagenda.ingest.report import Issue, Report
from urbanagenda.ingest.validate import Reference, validate_chunk
from urbanagenda.interop._opensdg_export import write_area
from urbanagenda.interop._opensdg_mapping import (
    RELATIONS,
    ColumnMap,
    SeriesMap,
    format_value,
    local_series_code,
    plan_columns,
    resolve_unit,
    year_of,
)
from urbanagenda.interop._opensdg_repo import IndicatorFiles, Repository, read_repository
from urbanagenda.model.observations import COLUMNS, KEY_COLUMNS, breakdown_key
from urbanagenda.store import schema as s
from urbanagenda.store.bootstrap import upsert_rows
from urbanagenda.store.load import write_observations
from urbanagenda.store.query import resolve_area_codes
from urbanagenda.store.reference import reference_from_store

__all__ = ["ExportResult", "ImportResult", "export_opensdg", "import_opensdg", "local_series"]

SOURCE = "opensdg"
LINK_SOURCE = "opensdg import"
SITE_RECORD = "_site"
_COLUMN_NAMES = {"value": "Value", "year": "Year", "unit": "Units"}


@dataclass
class ImportResult:
    area_code: str
    report: Report
    dry_run: bool
    load_id: int | None = None
    indicators: list[str] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    observations: int = 0
    inserted: int = 0
    updated: int = 0
    metadata_records: int = 0
    non_statistical: list[str] = field(default_factory=list)
    kept_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "area_code": self.area_code,
            "valid": self.report.valid,
            "dry_run": self.dry_run,
            "load_id": self.load_id,
            "indicators": len(self.indicators),
            "series": self.series,
            "observations": self.observations,
            "inserted": self.inserted,
            "updated": self.updated,
            "metadata_records": self.metadata_records,
            "non_statistical": self.non_statistical,
            "kept_files": self.kept_files,
        }


@dataclass
class ExportResult:
    area_code: str
    out: Path
    files: list[str]
    rows: int
    generated: list[str]  # indicators written from global series (not from an import)

    def to_dict(self) -> dict[str, Any]:
        return {
            "area_code": self.area_code,
            "out": str(self.out),
            "files": len(self.files),
            "rows": self.rows,
            "generated": self.generated,
        }


# --- planning an import -------------------------------------------------------------------


@dataclass
class _Plan:
    area: str
    area_name: str
    frames: list[pd.DataFrame] = field(default_factory=list)
    frame_files: list[str] = field(default_factory=list)
    local_codes: set[str] = field(default_factory=set)  # every local code, 'same' ones too
    series_rows: list[dict[str, Any]] = field(default_factory=list)
    indicator_links: list[dict[str, Any]] = field(default_factory=list)
    framework_links: list[dict[str, Any]] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # new local unit code -> name
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Store:
    """What planning needs from the store, read once."""

    ref: Reference
    unit_names: dict[str, str]
    indicators: dict[str, str | None]  # code -> target code
    global_series: dict[str, list[tuple[str, str]]]  # indicator -> [(series, unit)]


def _read_store(conn: Connection) -> _Store:
    ind = {c: t for c, t in conn.execute(select(s.indicator.c.code, s.indicator.c.target_code))}
    rows = conn.execute(
        select(s.series_indicator.c.indicator_code, s.series.c.code, s.series.c.unit)
        .join(s.series, s.series.c.code == s.series_indicator.c.series_code)
        .where(s.series.c.global_series.is_(True))
        .order_by(s.series.c.code)
    ).all()
    glob: dict[str, list[tuple[str, str]]] = {}
    for i, code, unit in rows:
        glob.setdefault(i, []).append((code, unit))
    return _Store(
        reference_from_store(conn),
        dict(conn.execute(select(s.unit.c.code, s.unit.c.name)).all()),
        ind,
        glob,
    )


def _parse_relations(relations: Mapping[str, str] | None) -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    for key, value in (relations or {}).items():
        rel, _, target = value.strip().partition(":")
        rel = rel.strip().lower()
        if rel not in RELATIONS:
            raise DataError(
                f"unknown relation {value!r} for {key!r}; expected one of {', '.join(RELATIONS)} "
                "(same may name the global series: 11.6.2=same:EN_ATM_PM25)"
            )
        k = key.strip()
        k = k.replace("-", ".") if not k.upper().startswith("LOCAL_") else k.upper()
        out[k] = (rel, target.strip().upper() or None)
    return out


def _where(repo: Repository, rel: str) -> str:
    return f"{repo.source}/{rel}" if Path(repo.source).is_dir() else f"{repo.source}!{rel}"


def _plan_series(
    files: IndicatorFiles,
    ind_code: str,
    meta: Mapping[str, Any],
    store: _Store,
    overrides: dict[str, tuple[str, str | None]],
    plan: _Plan,
    file: str,
    issues: list[Issue],
    stored: bool = True,
) -> list[SeriesMap]:
    assert files.table is not None
    header, rows = files.table.header, files.table.rows
    js = header.index("Series") if "Series" in header else None
    ju = header.index("Units") if "Units" in header else None
    pairs = list(
        dict.fromkeys(
            (r[js].strip() if js is not None else "", r[ju].strip() if ju is not None else "")
            for r in rows
        )
    )
    title = str(meta.get("graph_title") or meta.get("indicator_name") or f"Open SDG {files.id}")
    title = " ".join(title.split())
    globals_ = store.global_series.get(ind_code, [])
    known_indicator = ind_code in store.indicators
    maps: list[SeriesMap] = []
    for series_cell, units_cell in pairs:
        label = " ".join(x for x in (series_cell, units_cell) if x)
        code = local_series_code(plan.area, files.id, label)
        plan.local_codes.add(code)
        unit, unit_text = resolve_unit(
            units_cell, str(meta.get("computation_units") or ""), store.ref.unit_synonyms
        )
        if unit not in store.unit_names and stored:
            plan.units.setdefault(unit, unit_text)
        rel, target = overrides.get(code) or overrides.get(ind_code) or (None, None)
        if rel is None:
            rel = "proxy" if known_indicator else "context"
            same_unit = [g for g, u in globals_ if u == unit]
            reason = (
                f"default: {ind_code} is not a global SDG indicator"
                if not known_indicator
                else f"default: a city series; same unit as {', '.join(same_unit)}, but its "
                "definition is the site's own (declare --relation ...=same to store it there)"
                if same_unit
                else f"default: a city series in {unit}, not the unit of the global series "
                f"({', '.join(f'{g} {u}' for g, u in globals_) or 'none'})"
            )
        else:
            reason = "declared by the user"
        name = f"{plan.area_name} {ind_code}: {title}" + (f" ({label})" if label else "")
        sm = SeriesMap(series_cell, units_cell, code, unit, rel, True, name, reason)
        if rel == "same":
            candidates = [(g, u) for g, u in globals_ if target is None or g == target]
            match = [g for g, u in candidates if u == unit]
            if len(match) != 1:
                issues.append(
                    Issue(
                        "wrong-unit",
                        f"'same' for {ind_code} ({label or 'the indicator'}) needs exactly one "
                        f"global series of {ind_code} in the same unit; the series is in {unit}.",
                        file=file,
                        column="Units" if ju is not None else None,
                        found=unit_text,
                        expected=", ".join(f"{g} in {u}" for g, u in candidates)
                        or "a global series of the indicator",
                        fix="name the series (same:CODE), or declare proxy, component or context",
                    )
                )
            else:
                sm = replace(sm, code=match[0], local=False)
        maps.append(sm)
    if len({m.code for m in maps}) != len(maps):
        issues.append(
            Issue(
                "duplicate-key",
                f"two Series/Units pairs of {ind_code} would be stored under one series code.",
                file=file,
                column="Units",
                fix="declare 'same' for one of them only",
            )
        )
    for m in maps:
        if not m.local or not stored:
            continue
        plan.series_rows.append(
            {
                "code": m.code,
                "name": m.name,
                "unit": m.unit,
                "direction": None,
                "target_2030": None,
                "natural_limit": None,
                "lower_limit": None,
                "aggregation": "none",
                "aggregation_weight": None,
                "global_series": False,
                "details": {
                    "local": True,
                    "area_code": plan.area,
                    "opensdg_id": files.id,
                    "indicator": ind_code,
                    "relation": m.relation,
                    "relation_reason": m.reason,
                    "series_label": m.series,
                    "units_label": m.units,
                    "source": LINK_SOURCE,
                },
            }
        )
        if known_indicator:
            plan.indicator_links.append({"series_code": m.code, "indicator_code": ind_code})
            to_kind, to_code = "indicator", ind_code
        else:
            to_kind = "target"
            to_code = str(meta.get("target_id") or ind_code.rsplit(".", 1)[0])
        plan.framework_links.append(
            {
                "from_kind": "series",
                "from_code": m.code,
                "to_kind": to_kind,
                "to_code": to_code,
                "relation": m.relation,
                "source": LINK_SOURCE,
            }
        )
    return maps


def _frame(
    files: IndicatorFiles, columns: list[ColumnMap], maps: list[SeriesMap], area: str, source: str
) -> pd.DataFrame:
    assert files.table is not None
    header, rows = files.table.header, files.table.rows
    idx = {h: i for i, h in enumerate(header)}
    by_pair = {(m.series, m.units): m.code for m in maps}
    js, ju = idx.get("Series"), idx.get("Units")
    records = []
    for cells, line in zip(rows, files.table.lines, strict=True):
        if not cells[idx["Value"]].strip():
            continue  # no observation: Open SDG's way of showing a gap (kept in the record)
        dims = {"sex": "_T", "age": "_T", "location": "_T"}
        pairs: dict[str, str] = {}
        for cm in columns:
            v = cells[idx[cm.name]]
            if not v.strip():
                continue
            if cm.target == "breakdown":
                pairs[cm.dim] = cm.codes[v]
            else:
                dims[cm.target] = cm.codes[v]
        year, footnote = year_of(cells[idx["Year"]])
        pair = (
            cells[js].strip() if js is not None else "",
            cells[ju].strip() if ju is not None else "",
        )
        records.append(
            {
                "series_code": by_pair[pair],
                "area_code": area,
                "year": year,
                **dims,
                "breakdown": breakdown_key(pairs),
                "value": cells[idx["Value"]],
                "unit": "",
                "nature": "",
                "source": source,
                "footnote": footnote,
                "_row": line,
                "_sheet": "",
            }
        )
    return pd.DataFrame(records, columns=[*COLUMNS, "_row", "_sheet"])


def _plan(
    repo: Repository,
    area: str,
    area_name: str,
    store: _Store,
    overrides: dict[str, tuple[str, str | None]],
    report: Report,
) -> tuple[_Plan, ImportResult]:
    plan = _Plan(area, area_name)
    result = ImportResult(area, report, dry_run=False)
    ref = store.ref
    for ind_id in sorted(repo.indicators, key=_sort_key):
        files = repo.indicators[ind_id]
        ind_code = ind_id.replace("-", ".")
        meta = files.meta.meta if files.meta else {}
        non_statistical = meta.get("data_non_statistical") is True
        file = _where(repo, files.data_path or "")
        record: dict[str, Any] = {
            "format": SOURCE,
            "schema": 1,
            "id": ind_id,
            "data_path": files.data_path,
            "meta_path": files.meta_path,
            "meta": meta,
            "body": files.meta.body if files.meta else "",
            "meta_kind": files.meta.kind if files.meta else "md",
            "meta_text": files.meta.text if files.meta else None,
            "non_statistical": non_statistical,
            "table": None,
        }
        result.indicators.append(ind_code)
        if files.table is not None:
            table = files.table
            issues: list[Issue] = []
            columns = plan_columns(table.header, table.rows)
            # non-statistical indicators (Open SDG shows no chart; their files are often the
            # starter kit's placeholder rows) are kept as files, not as series
            maps = _plan_series(
                files, ind_code, meta, store, overrides, plan, file, issues, not non_statistical
            )
            report.extend(issues)
            source = str(meta.get("source_organisation_1") or f"Open SDG data {files.data_path}")
            raw = _frame(files, columns, maps, area, source) if not issues else None
            extended = Reference(
                series_units={**ref.series_units, **{m.code: m.unit for m in maps}},
                unit_synonyms={**ref.unit_synonyms, **{u.lower(): u for u in plan.units}},
                resolve_areas=ref.resolve_areas,
            )
            if raw is not None:
                part = Report()
                clean = validate_chunk(raw, extended, file=file, report=part)
                report.rows_read += part.rows_read
                for issue in part.issues:
                    col = _COLUMN_NAMES.get(issue.column or "", issue.column)
                    report.add(replace(issue, column=col))
                if non_statistical:
                    result.non_statistical.append(ind_code)
                else:
                    plan.frames.append(clean)
                    plan.frame_files.append(file)
                    result.observations += len(clean)
                    for m in maps:
                        n = int((clean["series_code"] == m.code).sum())
                        result.series.append(
                            {"code": m.code, "indicator": ind_code, "relation": m.relation,
                             "unit": m.unit, "local": m.local, "observations": n}
                        )  # fmt: skip
            record["table"] = {
                "header": table.header,
                "newline": table.newline,
                "final_newline": table.final_newline,
                "bom": table.bom,
                "columns": [c.to_dict() for c in columns],
                "series": [m.to_dict() for m in maps],
                "stored": not non_statistical,
                # the file's row order, to write it back in the same order
                "rows": [[c for h, c in zip(table.header, r, strict=True) if h != "Value"]
                         for r in table.rows] if not non_statistical else None,
                # values whose text a number does not give back ("33.0"), by row
                "value_text": {str(i): r[table.header.index("Value")]
                               for i, r in enumerate(table.rows)
                               if _respelt(r[table.header.index("Value")])},
                # rows with an empty Value: no observation, written back as they were
                "blank_rows": [i for i, r in enumerate(table.rows)
                               if not r[table.header.index("Value")].strip()],
                # non-statistical indicators (Open SDG shows no chart) keep their file as is
                "text": _table_text(table) if non_statistical else None,
            }  # fmt: skip
        plan.records.append(record)
    site = {
        "format": SOURCE,
        "schema": 1,
        "source": Path(repo.source).name,
        "src_dir": repo.src_dir,
        "config": repo.config,
        "config_text": repo.config_text,
        "kept": repo.kept,
        "skipped": repo.skipped,
        "indicators": sorted(repo.indicators, key=_sort_key),
    }
    plan.records.append({"id": SITE_RECORD, **site})
    result.kept_files = sorted(repo.kept)
    result.metadata_records = len(plan.records)
    return plan, result


def _respelt(text: str) -> bool:
    """True when writing the number back would not give this very text."""
    try:
        return bool(text.strip()) and format_value(float(text)) != text
    except ValueError:
        return False


def _table_text(table: Any) -> str:
    from urbanagenda.interop._opensdg_repo import write_table

    return write_table(table)


def _sort_key(ind_id: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ind_id.split("-"))


def _duplicates(frames: list[pd.DataFrame], report: Report, files: list[str]) -> None:
    if not frames:
        return
    allrows = pd.concat(
        [f.assign(_file=name) for f, name in zip(frames, files, strict=True)], ignore_index=True
    )
    dup = allrows[allrows.duplicated(list(KEY_COLUMNS), keep=False)]
    for _, group in dup.groupby(list(KEY_COLUMNS), sort=False):
        first = group.iloc[0]
        for _, row in group.iloc[1:].iterrows():
            report.add(
                Issue(
                    "duplicate-key",
                    f"this row repeats the series, year and disaggregation of row {first['_row']}.",
                    file=str(row["_file"]),
                    row=int(row["_row"]),
                    expected="one value per year, disaggregation, Units and Series",
                    fix="remove one of the two rows, or tell them apart by a column",
                )
            )


# --- import --------------------------------------------------------------------------------


def import_opensdg(
    engine: Engine,
    path: Path | str,
    area: str,
    *,
    relations: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import an Open SDG data repository (folder or ZIP) for ``area``; all or nothing.

    ``relations`` maps an indicator ("11.1.1") or a local series code to ``same``, ``proxy``,
    ``component`` or ``context`` (``same:EN_ATM_PM25`` names the global series).  Raises
    :class:`~urbanagenda.errors.ValidationFailed` with the report when any file or row has a
    problem (nothing is written); a dry run returns the report instead and writes nothing.
    """
    path = Path(path)
    overrides = _parse_relations(relations)
    code = resolve_area_codes(engine, [area])[0]
    report = Report(files=[str(path)])
    repo, issues = read_repository(path)
    report.extend(issues)
    try:
        with engine.connect() as conn:
            store = _read_store(conn)
            area_name = conn.execute(
                select(s.area.c.name).where(s.area.c.code == code)
            ).scalar_one()
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the store {engine.url!r}: {exc}. Run `urbanagenda init` first."
        ) from exc
    if repo is None:
        if dry_run:
            return ImportResult(code, report, dry_run=True)
        raise ValidationFailed(report)
    plan, result = _plan(repo, code, area_name, store, overrides, report)
    result.dry_run = dry_run
    unknown = [k for k in overrides if k not in result.indicators and k not in plan.local_codes]
    if unknown:
        raise DataError(
            f"--relation names {', '.join(unknown)}, which the repository does not have; "
            f"its indicators are {', '.join(result.indicators)}"
        )
    _duplicates(plan.frames, report, plan.frame_files)
    if dry_run:
        return result
    if not report.valid:
        raise ValidationFailed(report)
    _write(engine, plan, result, str(path))
    return result


def _upsert_observations(conn: Connection, frame: pd.DataFrame, load_id: int) -> None:
    if frame.empty:
        return
    write_observations(conn, frame[list(COLUMNS)], load_id)


def _write(engine: Engine, plan: _Plan, result: ImportResult, source: str) -> None:
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            load_id = conn.execute(
                insert(s.load_run).values(
                    started_at=now, sources=[source], formats={source: SOURCE}, rows_read=0
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            if plan.units:
                upsert_rows(conn, s.unit, [{"code": c, "name": n} for c, n in plan.units.items()])
            upsert_rows(conn, s.series, plan.series_rows)
            upsert_rows(conn, s.series_indicator, plan.indicator_links)
            upsert_rows(conn, s.framework_link, plan.framework_links)
            upsert_rows(
                conn,
                s.indicator_metadata,
                [
                    {
                        "area_code": plan.area,
                        "indicator_code": r["id"].replace("-", ".")
                        if r["id"] != SITE_RECORD
                        else SITE_RECORD,
                        "source": SOURCE,
                        "metadata": r,
                        "imported_at": now,
                        "load_id": load_id,
                    }
                    for r in plan.records
                ],
            )
            frame = pd.concat(plan.frames, ignore_index=True) if plan.frames else None
            if frame is not None:
                _upsert_observations(conn, frame, load_id)
            total = conn.execute(
                select(func.count())
                .select_from(s.observation)
                .where(s.observation.c.load_id == load_id)
            ).scalar_one()
            updated = conn.execute(
                select(func.count())
                .select_from(s.observation_revision)
                .where(s.observation_revision.c.replaced_by_load == load_id)
            ).scalar_one()
            result.load_id = int(load_id)
            result.updated = int(updated)
            result.inserted = int(total) - int(updated)
            conn.execute(
                update(s.load_run)
                .where(s.load_run.c.id == load_id)
                .values(
                    finished_at=datetime.now(UTC),
                    rows_read=result.report.rows_read,
                    rows_inserted=result.inserted,
                    rows_updated=result.updated,
                    rows_unchanged=result.observations - int(total),
                    note=f"Open SDG import for {plan.area}",
                )
            )
    except SQLAlchemyError as exc:
        raise StoreError(
            f"the Open SDG import failed in the database and was rolled back: {exc}"
        ) from exc


# --- export and browsing -----------------------------------------------------------------------


def export_opensdg(
    engine: Engine, area: str, out: Path | str, *, with_global: bool = False
) -> ExportResult:
    """Write ``area``'s data and metadata to ``out`` as an Open SDG data repository.

    An area imported from Open SDG is written back as it came in (its files, columns, values,
    row order and metadata), with values as they are now in the store; ``with_global`` adds
    the indicators it did not report that have global series data for the area.  Any other
    area gets one file per indicator with data, from its global series, and generated metadata.
    """
    code = resolve_area_codes(engine, [area])[0]
    out = Path(out)
    try:
        with engine.connect() as conn:
            records = {
                ind: meta
                for ind, meta in conn.execute(
                    select(s.indicator_metadata.c.indicator_code, s.indicator_metadata.c.metadata)
                    .where(s.indicator_metadata.c.area_code == code)
                    .where(s.indicator_metadata.c.source == SOURCE)
                )
            }
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the store {engine.url!r}: {exc}") from exc
    files, rows, generated = write_area(engine, code, out, records, with_global=with_global)
    return ExportResult(code, out, files, rows, generated)


def local_series(
    engine: Engine, *, area: str | None = None, indicator: str | None = None
) -> pd.DataFrame:
    """Local series (``global_series = false``) with the indicator and relation they are
    linked by, for one area and/or one indicator: what a city or indicator page shows beside
    the global series."""
    sr, fl = s.series, s.framework_link
    counts = (
        select(s.observation.c.series_code, func.count().label("observations"))
        .group_by(s.observation.c.series_code)
        .subquery()
    )
    stmt = (
        select(
            sr.c.code,
            sr.c.name,
            sr.c.unit,
            fl.c.to_kind.label("linked_kind"),
            fl.c.to_code.label("linked_to"),
            fl.c.relation,
            sr.c.details,
            func.coalesce(counts.c.observations, 0).label("observations"),
        )
        .join(fl, and_(fl.c.from_kind == "series", fl.c.from_code == sr.c.code))
        .outerjoin(counts, counts.c.series_code == sr.c.code)
        .where(sr.c.global_series.is_(False))
        .order_by(fl.c.to_code, sr.c.code)
    )
    if indicator:
        stmt = stmt.where(fl.c.to_code == indicator.replace("-", "."))
    try:
        with engine.connect() as conn:
            res = conn.execute(stmt)
            frame = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the store {engine.url!r}: {exc}") from exc
    frame["area_code"] = [(d or {}).get("area_code") for d in frame["details"]]
    if area:
        wanted = resolve_area_codes(engine, [area])[0]
        frame = frame[frame["area_code"] == wanted]
    return frame.drop(columns="details").reset_index(drop=True)
