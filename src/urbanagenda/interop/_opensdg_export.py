"""Writing an area from the store as an Open SDG data repository (sdg-build's layout).

An imported indicator is written with its original file names, columns (names and order),
Year labels, Units and Series cells, row order, line endings and metadata text; rows the
store has beyond the imported ones follow, sorted as sdg-build's own outputs are (series,
units, headline first, then year).  Indicators never imported are generated from the global
series: columns named by the SDG DSD concepts (``SEX``, ``AGE``, ``URBANISATION``, ...)
with code values, as sdg-build's SDMX inputs give them, and metadata from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import Engine, select

from urbanagenda.interop._opensdg_mapping import format_value
from urbanagenda.interop._opensdg_repo import (
    Table,
    dump_front_matter,
    read_front_matter,
    write_kept,
    write_table,
)
from urbanagenda.model.observations import TOTAL, parse_breakdown
from urbanagenda.store import schema as s
from urbanagenda.store.query import read_observations

__all__ = ["write_area"]

SITE_RECORD = "_site"
_DIM_COLUMNS = {"sex": "SEX", "age": "AGE", "location": "URBANISATION"}
_PERIOD_NOTE = "Reference period "

GENERATED_CONFIG = """\
# Written by urbanagenda (opensdg export) for sdg-build: data in data/, metadata in meta/.
languages:
  - en
site_dir: _site
src_dir: ''
inputs:
  - class: InputCsvData
    path_pattern: data/*-*.csv
  - class: InputYamlMdMeta
    path_pattern: meta/*-*.md
    git: false
"""


def _write(out: Path, rel: str, text: str) -> str:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    return rel


def _meta_text(record: Mapping[str, Any]) -> str:
    """The metadata file: as read when the stored metadata are unchanged, else re-written."""
    text = record.get("meta_text")
    kind = record.get("meta_kind") or "md"
    if text is not None:
        again = read_front_matter(text, "", [], kind)
        if again is not None and again.meta == record["meta"] and again.body == record["body"]:
            return str(text)
    return dump_front_matter(dict(record["meta"]), str(record.get("body") or ""), kind)


def _config_text(site: Mapping[str, Any]) -> str:
    text = site.get("config_text")
    if text is not None:
        again = read_front_matter(text, "", [], "yml")
        if again is not None and again.meta == site.get("config"):
            return str(text)
    return yaml.safe_dump(site.get("config") or {}, sort_keys=False, allow_unicode=True)


def _cells(
    obs: pd.DataFrame, header: list[str], columns: list[dict[str, Any]], series: list[dict]
) -> tuple[list[str], list[list[str]]]:
    """Observation rows as Open SDG cells; codes with no column get a DSD-named column."""
    header = list(header)
    inverse = {c["name"]: {v: k for k, v in c["codes"].items()} for c in columns}
    by_target = {c["target"]: c for c in columns if c["target"] != "breakdown"}
    by_dim = {c["dim"]: c for c in columns if c["target"] == "breakdown"}
    by_code = {m["code"]: m for m in series}
    rows: list[dict[str, str]] = []
    for r in obs.itertuples(index=False):
        cells = {h: "" for h in header}
        foot = str(r.footnote)
        cells["Year"] = foot[len(_PERIOD_NOTE) :] if foot.startswith(_PERIOD_NOTE) else str(r.year)
        extra: dict[str, str] = {}
        for target in ("sex", "age", "location"):
            code = getattr(r, target)
            if code == TOTAL:
                continue
            cm = by_target.get(target)
            if cm and code in inverse[cm["name"]]:
                cells[cm["name"]] = inverse[cm["name"]][code]
            else:
                extra[_DIM_COLUMNS[target]] = code
        for dim, code in parse_breakdown(str(r.breakdown)).items():
            cm = by_dim.get(dim)
            if cm and code in inverse[cm["name"]]:
                cells[cm["name"]] = inverse[cm["name"]][code]
            else:
                extra[dim] = code
        m = by_code.get(r.series_code)
        if "Series" in cells:
            cells["Series"] = m["series"] if m else str(r.series_code)
        if "Units" in cells:
            cells["Units"] = m["units"] if m else str(r.unit)
        cells["Value"] = format_value(float(r.value))  # type: ignore[arg-type]
        for name, code in extra.items():
            if name not in header:
                at = min(
                    (header.index(c) for c in ("Units", "Series", "Value") if c in header),
                    default=len(header),
                )
                header.insert(at, name)
            cells[name] = code
        rows.append(cells)
    return header, [[c.get(h, "") for h in header] for c in rows]


def _order(header: list[str], rows: list[list[str]], known: list[list[str]] | None) -> list:
    """Rows in the imported file's order; the others sorted as sdg-build writes data."""
    without = [i for i, h in enumerate(header) if h != "Value"]
    position = {tuple(k): i for i, k in enumerate(known or [])}
    disagg = [i for i, h in enumerate(header) if h not in ("Year", "Units", "Series", "Value")]
    first = [header.index(h) for h in ("Series", "Units") if h in header]
    year = header.index("Year")

    def key(row: list[str]) -> tuple[Any, ...]:
        k = tuple(row[i] for i in without)
        if k in position:
            return (0, position[k])
        n = sum(1 for i in disagg if row[i])
        return (1, *[row[i] for i in first], n, *[row[i] for i in disagg], row[year])

    return sorted(rows, key=key)


def _imported(
    engine: Engine, area: str, out: Path, record: Mapping[str, Any]
) -> tuple[list[str], int]:
    files: list[str] = []
    ind_id = str(record["id"])
    if record.get("meta_path") or record.get("meta"):
        files.append(
            _write(out, record.get("meta_path") or f"meta/{ind_id}.md", _meta_text(record))
        )
    table = record.get("table")
    if not table:
        return files, 0
    path = record.get("data_path") or f"data/indicator_{ind_id}.csv"
    if not table.get("stored"):
        files.append(_write(out, path, str(table.get("text") or "")))
        return files, 0
    codes = [m["code"] for m in table["series"]]
    obs = read_observations(engine, series=codes, areas=[area])
    header, rows = _cells(obs, table["header"], table["columns"], table["series"])
    known = table.get("rows") if header == table["header"] else None
    if known:
        value_at = header.index("Value")
        have = {tuple(c for j, c in enumerate(r) if j != value_at) for r in rows}
        for i in table.get("blank_rows") or []:
            cells = list(known[i])
            if tuple(cells) not in have:
                cells.insert(value_at, "")
                rows.append(cells)
    if known and table.get("value_text"):
        value_at = header.index("Value")
        at = {tuple(k): i for i, k in enumerate(known)}
        for r in rows:
            i = at.get(tuple(c for j, c in enumerate(r) if j != value_at))
            spelt = table["value_text"].get(str(i)) if i is not None else None
            if spelt is not None and r[value_at] and float(spelt) == float(r[value_at]):
                r[value_at] = spelt
    rows = _order(header, rows, known)
    text = write_table(
        Table(header, rows, [], table.get("newline", "\n"), table.get("final_newline", True),
              table.get("bom", False))
    )  # fmt: skip
    files.append(_write(out, path, text))
    return files, len(rows)


def _global_by_indicator(engine: Engine, area: str) -> dict[str, list[str]]:
    stmt = (
        select(s.series_indicator.c.indicator_code, s.series.c.code)
        .join(s.series, s.series.c.code == s.series_indicator.c.series_code)
        .where(s.series.c.global_series.is_(True))
        .where(
            s.series.c.code.in_(
                select(s.observation.c.series_code)
                .where(s.observation.c.area_code == area)
                .distinct()
            )
        )
        .order_by(s.series_indicator.c.indicator_code, s.series.c.code)
    )
    with engine.connect() as conn:
        out: dict[str, list[str]] = {}
        for ind, code in conn.execute(stmt):
            out.setdefault(ind, []).append(code)
    return out


def _generated_meta(engine: Engine, area: str, ind: str, series: list[str]) -> dict[str, Any]:
    with engine.connect() as conn:
        name = conn.execute(select(s.indicator.c.name).where(s.indicator.c.code == ind)).scalar()
        target = conn.execute(
            select(s.indicator.c.target_code).where(s.indicator.c.code == ind)
        ).scalar()
        title = conn.execute(select(s.target.c.title).where(s.target.c.code == target)).scalar()
        area_name = conn.execute(select(s.area.c.name).where(s.area.c.code == area)).scalar()
        units = conn.execute(
            select(s.unit.c.name)
            .join(s.series, s.series.c.unit == s.unit.c.code)
            .where(s.series.c.code.in_(series))
            .distinct()
        ).scalars()
        unit_names = sorted(str(u) for u in units)
    goal, t, i = ind.split(".")
    return {
        "indicator": ind,
        "layout": "indicator",
        "permalink": f"/{ind.replace('.', '-')}/",
        "sdg_goal": goal,
        "target_id": f"{goal}.{t}",
        "target": title or "",
        "indicator_name": name or ind,
        "indicator_sort_order": "-".join(p.zfill(2) for p in (goal, t, i)),
        "graph_title": name or ind,
        "graph_type": "line",
        "reporting_status": "complete",
        "published": True,
        "data_non_statistical": False,
        "data_show_map": False,
        "national_geographical_coverage": area_name or area,
        "computation_units": ", ".join(unit_names),
        "source_active_1": True,
        "source_organisation_1": "UN SDG Global Database and UN-Habitat, via urbanagenda",
        "data_footnote": f"Global series: {', '.join(series)}",
    }


def _generated(
    engine: Engine, area: str, out: Path, ind: str, series: list[str]
) -> tuple[list[str], int]:
    obs = read_observations(engine, series=series, areas=[area])
    dims: list[str] = []
    for target, name in _DIM_COLUMNS.items():
        if (obs[target] != TOTAL).any():
            dims.append(name)
    extra = sorted({d for b in obs["breakdown"] for d in parse_breakdown(str(b))})
    header = ["Year", *dims, *extra, "Units", "Series", "Value"]
    rows = []
    for r in obs.itertuples(index=False):
        cells = {h: "" for h in header}
        cells["Year"] = str(r.year)
        for target, name in _DIM_COLUMNS.items():
            if getattr(r, target) != TOTAL:
                cells[name] = str(getattr(r, target))
        cells.update(parse_breakdown(str(r.breakdown)))
        cells.update({"Units": str(r.unit), "Series": str(r.series_code)})
        cells["Value"] = format_value(float(r.value))  # type: ignore[arg-type]
        rows.append([cells[h] for h in header])
    rows = _order(header, rows, None)
    ind_id = ind.replace(".", "-")
    files = [
        _write(out, f"data/indicator_{ind_id}.csv", write_table(Table(header, rows, []))),
        _write(out, f"meta/{ind_id}.md", dump_front_matter(
            _generated_meta(engine, area, ind, series), "")),
    ]  # fmt: skip
    return files, len(rows)


def write_area(
    engine: Engine,
    area: str,
    out: Path,
    records: Mapping[str, Any],
    *,
    with_global: bool = False,
) -> tuple[list[str], int, list[str]]:
    """Write the repository; returns the files written, data rows and generated indicators."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    total = 0
    site = records.get(SITE_RECORD)
    if site:
        prefix = str(site.get("src_dir") or "")
        files.append(
            _write(out, "config_data.yml", _config_text(site))
            if site.get("config_text") is not None or site.get("config")
            else ""
        )
        for rel, content in (site.get("kept") or {}).items():
            write_kept(out, rel, content)
            files.append(rel)
    else:
        prefix = ""
        files.append(_write(out, "config_data.yml", GENERATED_CONFIG))
    imported = set()
    for ind, record in sorted(records.items()):
        if ind == SITE_RECORD:
            continue
        imported.add(ind)
        written, n = _imported(engine, area, out, record)
        files += written
        total += n
    generated: list[str] = []
    if not site or with_global:
        for ind, series in _global_by_indicator(engine, area).items():
            if ind in imported:
                continue
            written, n = _generated(engine, area, out / prefix if prefix else out, ind, series)
            files += [prefix + w for w in written]
            total += n
            generated.append(ind)
    return [f for f in files if f], total, generated
