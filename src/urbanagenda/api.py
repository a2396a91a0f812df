"""The public API: small and named with verbs.  The CLI and the web app call these."""

from __future__ import annotations

import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from urbanagenda.errors import DataError
from urbanagenda.store import query
from urbanagenda.store.bootstrap import initialise
from urbanagenda.store.engine import database_url, open_engine
from urbanagenda.store.load import LoadResult, Progress, load_files, validate_files

__all__ = [
    "DEMO_SOURCES",
    "build_demo",
    "export",
    "init",
    "load",
    "show",
    "template",
    "validate",
]

EXPORT_FORMATS = ("csv", "xlsx", "parquet", "sdmx-csv", "sdmx-ml", "datapackage")


def _data(rel: str) -> Path:
    return Path(str(resources.files("urbanagenda.data").joinpath(rel)))


#: What the demo database is built from: bundled real data, with the source of each.  The UN
#: SDG Global Database comes last: where it and a UN-Habitat workbook give the same
#: observation, the official database value is current and the workbook's is kept as a revision.
#: An optional third item names the input format (else it is recognised from the file).
DEMO_SOURCES: tuple[tuple[str, str] | tuple[str, str, str], ...] = (
    (
        "unhabitat/unhabitat_slum_estimates_by_country_2000-2020.xlsx",
        "UN-Habitat Urban Indicators Database: slum estimates by country 2000-2020",
    ),
    (  # UN-Habitat's official regional and world slum estimates, to compare aggregates with
        "unhabitat/unhabitat_slum_estimates_by_country_2000-2020.xlsx",
        "UN-Habitat Urban Indicators Database: slum estimates 2000-2020, SDG regions and World",
        "unhabitat-slum-aggregates",
    ),
    (
        "unhabitat/unhabitat_sdg11-7-1_open_spaces_by_city_2024.xlsx",
        "UN-Habitat Urban Indicators Database: SDG 11.7.1 open spaces by city (2024)",
    ),
    (
        "unhabitat/unhabitat_green_areas_by_city_1990-2020_2024.xlsx",
        "UN-Habitat Urban Indicators Database: green areas by city 1990-2020 (2024)",
    ),
    (
        "population/world_bank_population_by_country.csv",
        "World Bank SP.POP.TOTL (UN World Population Prospects), datasets/population",
    ),
    (
        "un_sdg_goal11_ddf",
        "UN SDG Global Database (UNSD and custodian agencies), Goal 11, via the open-numbers "
        "DDF mirror of 2023-12-17",
    ),
)


def _engine(database: str | Engine | None) -> Engine:
    if isinstance(database, Engine):
        return database
    return open_engine(database)


def describe_database(database: str | None = None) -> str:
    url = database_url(database)
    return url.split("@")[-1] if "@" in url else url


def init(database: str | Engine | None = None) -> dict[str, int]:
    """Create or migrate the store and write the bundled catalogue and areas."""
    return initialise(_engine(database))


def load(
    paths: Sequence[Path | str],
    *,
    database: str | Engine | None = None,
    format_name: str | None = None,
    source: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Validate and load files, all or nothing (raises ValidationFailed with the report)."""
    engine = _engine(database)
    initialise(engine)
    return load_files(engine, paths, format_name=format_name, source=source, progress=progress)


def validate(
    paths: Sequence[Path | str],
    *,
    database: str | Engine | None = None,
    format_name: str | None = None,
) -> LoadResult:
    """Check files against the store's catalogue and areas; writes nothing."""
    engine = _engine(database)
    initialise(engine)
    return validate_files(engine, paths, format_name=format_name)


def demo_accounts_path(database: str | None = None) -> Path:
    """Where ``urbanagenda demo`` writes the demo accounts: next to the SQLite file, or in
    ``var/`` for a server database."""
    url = database_url(database)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        return Path(url.removeprefix("sqlite:///")).parent / "demo-accounts.txt"
    return Path("var") / "demo-accounts.txt"


def build_demo(
    database: str | Engine | None = None,
    *,
    progress: Progress | None = None,
    accounts_file: Path | None = None,
) -> dict[str, object]:
    """Create the demo database from the bundled real data, then the demo library (the
    seed report and example reports and VLRs), the seed's institutional records and the
    finance example (an OSR analysis and a capital investment plan, marked as examples);
    idempotent.  With ``accounts_file``, also a
    demo account per role, their random passwords written to that file (mode 600)."""
    from urbanagenda.finance._store_demo import load_examples
    from urbanagenda.reporting import demo
    from urbanagenda.synthesis.records import load_seed_records, record_counts

    start = time.perf_counter()
    engine = _engine(database)
    initialise(engine)
    loads = []
    for rel, source, *format_name in DEMO_SOURCES:
        result = load_files(
            engine,
            [_data(rel)],
            format_name=format_name[0] if format_name else None,
            source=source,
            progress=progress,
        )
        loads.append({"source": rel, **result.to_dict()})
    library = demo.load_demo_library(engine, progress=progress)
    # after the library: the seed report's records link to its reference document
    records = load_seed_records(engine, progress=progress)
    # the example OSR analysis and plan (public, cited figures), after the data they draw on
    finance = load_examples(engine)
    created = demo.create_demo_accounts(engine, accounts_file) if accounts_file else []
    return {
        "loads": loads,
        "summary": {
            **query.summary(engine),
            "institutional_records": record_counts(engine),
            "finance": finance,
        },
        "library": library,
        "records": records.to_dict(),
        "finance": finance,
        "accounts_file": str(accounts_file) if accounts_file else None,
        "accounts_created": [a.username for a in created],
        "seconds": time.perf_counter() - start,
    }


def series_table(database: str | Engine | None = None) -> pd.DataFrame:
    return query.list_series(_engine(database))


def areas_table(
    database: str | Engine | None = None, *, kind: str | None = None, parent: str | None = None
) -> pd.DataFrame:
    engine = _engine(database)
    if parent:
        parent = query.resolve_area_codes(engine, [parent])[0]
    return query.list_areas(engine, kind=kind, parent=parent)


def show(series: str, area: str, *, database: str | Engine | None = None) -> pd.DataFrame:
    """The observations of one series for one area."""
    engine = _engine(database)
    code = query.resolve_area_codes(engine, [area])[0]
    return query.read_observations(engine, series=[series], areas=[code])


def history(series: str, area: str, *, database: str | Engine | None = None) -> pd.DataFrame:
    engine = _engine(database)
    code = query.resolve_area_codes(engine, [area])[0]
    return query.revisions(engine, series, code)


def export(
    series: Sequence[str],
    out: Path,
    *,
    format_name: str = "csv",
    areas: Sequence[str] | None = None,
    database: str | Engine | None = None,
) -> tuple[Path, int]:
    """Write the observations of ``series`` (and ``areas``) to ``out``."""
    from urbanagenda.export import tabular

    if format_name not in EXPORT_FORMATS:
        raise DataError(
            f"unknown export format {format_name!r}; expected one of {', '.join(EXPORT_FORMATS)}"
        )
    engine = _engine(database)
    known = set(query.list_series(engine)["code"])
    unknown = [x for x in series if x.upper() not in known]
    if unknown:
        raise DataError(
            f"unknown series code(s): {', '.join(unknown)}; list them with `urbanagenda series`"
        )
    codes = query.resolve_area_codes(engine, areas) if areas else None
    frame = query.read_observations(engine, series=series, areas=codes)
    out.parent.mkdir(parents=True, exist_ok=True)
    if format_name == "csv":
        path = tabular.write_csv(frame, out)
    elif format_name == "xlsx":
        path = tabular.write_xlsx(frame, out)
    elif format_name == "parquet":
        path = tabular.write_parquet(frame, out)
    elif format_name == "datapackage":
        path = tabular.write_datapackage(frame, out)
    else:
        from urbanagenda.export.sdmx_writer import write_sdmx_csv, write_sdmx_ml

        path = (
            write_sdmx_csv(frame, out) if format_name == "sdmx-csv" else write_sdmx_ml(frame, out)
        )
    return Path(path), len(frame)


def template(
    out: Path,
    *,
    database: str | Engine | None = None,
    series: Sequence[str] | None = None,
    areas: Sequence[str] | None = None,
) -> Path:
    """Write the Excel data-entry template with the store's series and areas as drop-downs."""
    from urbanagenda.ingest.template import write_template

    engine = _engine(database)
    initialise(engine)
    s = query.list_series(engine)
    if series:
        wanted = {x.upper() for x in series}
        unknown = wanted - set(s["code"])
        if unknown:
            raise DataError(f"unknown series code(s): {', '.join(sorted(unknown))}")
        s = s[s["code"].isin(wanted)]
    a = query.list_areas(engine)
    if areas:
        codes = query.resolve_area_codes(engine, areas)
        members = set(codes)
        for c in codes:
            members |= set(query.list_areas(engine, parent=c)["code"])
        a = a[a["code"].isin(members)]
    return write_template(out, s[["code", "name", "unit"]], a[["code", "name", "kind"]])
