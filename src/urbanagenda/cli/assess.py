"""``urbanagenda assess``: progress assessment of a tidy CSV file or of the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from urbanagenda.errors import DataError, UrbanAgendaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["assess_command", "read_tidy_csv"]

_err = Console(stderr=True)
DEFAULT_METHOD = "unsd-2024"
_DIMENSIONS = ("sex", "age", "location", "breakdown")


def _file_columns() -> tuple[str, ...]:
    from urbanagenda.assess.methods import OUTPUT_COLUMNS

    return tuple(c for c in OUTPUT_COLUMNS if c not in _DIMENSIONS)


def read_tidy_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    """A tidy CSV: ``series_code, area_code, year, value`` and optional ``target_value,
    direction, limit, base_year, target_year`` (and ``sex, age, location, breakdown, unit``)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(
            f"cannot read {str(path)!r} as CSV: {exc}. Expected a UTF-8 CSV file with a header "
            "row series_code,area_code,year,value[,target_value,direction,limit,...]."
        ) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("series_code", "area_code", "year", "value") if c not in frame]
    if missing:
        raise DataError(
            f"{str(path)!r} has no column(s) {', '.join(missing)} (it has "
            f"{', '.join(frame.columns)}). Expected series_code, area_code, year, value and "
            "optionally target_value, direction, limit, base_year, target_year."
        )
    frame["value"] = pd.to_numeric(frame["value"].str.strip(), errors="coerce")
    frame["year"] = frame["year"].str.strip()
    for name in ("target_value", "limit", "base_year", "target_year"):
        if name in frame:
            frame[name] = frame[name].str.strip()
            text = frame[name]
            numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
            bad = (text != "") & numbers.isna()
            if bad.any():
                raise DataError(
                    f"{str(path)!r}, column {name!r}, row {int(bad.to_numpy().argmax()) + 2}: "
                    f"{text[bad].iloc[0]!r} is not a number; leave the cell empty for none."
                )
            frame[name] = numbers
    return frame


def _write(frame: pd.DataFrame, format_name: str, out: Path | None) -> None:
    if format_name == "json":
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        _err.print(f"{len(frame)} rows written to {out}", highlight=False)


def assess_command(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="Tidy CSV (series_code, area_code, year, value, ...); "
            "without it, the database is assessed."
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method", "-m",
            help="unsd-2022, unsd-2023, unsd-2024, opensdg, escap or sdsn.",
        ),
    ] = DEFAULT_METHOD,
    format_name: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    edition: Annotated[
        str | None, typer.Option("--edition", help="Edition of the method (configuration).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here, not stdout.")] = None,
    series: Annotated[
        list[str] | None, typer.Option("--series", help="Series code(s) (database mode).")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Area code(s) (database mode).")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", "-d", envvar="URBANAGENDA_DATABASE_URL",
            help="Database URL (default: sqlite:///var/urbanagenda.sqlite).",
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Record the run in the database (database mode).")
    ] = False,
    rollup: Annotated[
        bool, typer.Option("--rollup", help="Print indicator/target/goal roll-ups too.")
    ] = False,
    as_of: Annotated[
        int | None, typer.Option("--as-of", help="Ignore observations after this year.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Method configuration YAML (overrides).")
    ] = None,
    language: Annotated[str, typer.Option("--language", help="Labels: en or zh.")] = "en",
) -> None:  # fmt: skip
    """Assess progress towards the 2030 targets: one row per series and area."""
    from urbanagenda.assess.methods import assess, load_method_config
    from urbanagenda.assess.methods._common import edition_of
    from urbanagenda.assess.rollup import roll_up

    try:
        if format_name not in ("csv", "json"):
            raise DataError(f"--format {format_name!r} is not csv or json")
        cfg = load_method_config(config)
        if method not in cfg["methods"]:
            raise DataError(f"unknown method {method!r}; choose one of {', '.join(cfg['methods'])}")
        chosen, params = edition_of(cfg, method, edition)
        engine = None
        if input_file is not None:
            if record:
                raise DataError("--record needs the database mode (no --input)")
            frame = read_tidy_csv(input_file)
            dims = [d for d in _DIMENSIONS if d in frame]
            columns = [*_file_columns()[:2], *dims, *_file_columns()[2:]]
        else:
            from urbanagenda.store.engine import open_engine
            from urbanagenda.store.query import read_observations, resolve_area_codes

            engine = open_engine(database)
            codes = resolve_area_codes(engine, area) if area else None
            frame = read_observations(engine, series=series, areas=codes)
            columns = [*_file_columns()[:2], *_DIMENSIONS, *_file_columns()[2:]]
        results = assess(frame, method, edition=chosen, as_of=as_of, config=cfg, language=language)
        rolled = roll_up(results, config=cfg, language=language) if rollup or record else None
        if engine is not None and record:
            from urbanagenda.assess.record import record_run

            run_id = record_run(
                engine, results, method, chosen, dict(params),
                {"series": series or [], "areas": area or [], "levels": list(
                    ("series", "indicator", "target", "goal"))},
                rollup=rolled, as_of=as_of,
            )  # fmt: skip
            _err.print(f"recorded as assessment run {run_id}", highlight=False)
    except UrbanAgendaError as exc:
        _err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from exc
    if rollup and rolled is not None:
        _write(rolled, format_name, out)
    else:
        _write(results[columns], format_name, out)
