"""Loading benchmark: ``urbanagenda.store.load.load_files`` against ``pandas`` ``to_sql``.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_load.py                      # SQLite, 500k and 2M rows
    .venv/bin/python benchmarks/bench_load.py --postgres "$(bash scripts/postgres.sh)"
    .venv/bin/python benchmarks/bench_load.py --sizes 200000 --no-demo   # a quick look

It generates SDG-shaped tidy CSV files (real series codes and units from the catalogue, real
country and city codes, years 2000-2023, sex and location breakdowns, unique keys) in a
temporary folder, and loads each of them, and the bundled demo data, in a separate
subprocess per run so that wall time and peak memory (the child's ``ru_maxrss``) of one run
do not pollute another.  The peer is what an analyst would write without us:
``pandas.read_csv`` of the same file and a plain ``DataFrame.to_sql`` with default settings.

Goals (from the issue): at least 200,000 rows/s into SQLite, at least 3x ``to_sql``, and a
peak memory that does not grow with the file.  Results are printed as a table of ratios and
written as JSON to ``benchmarks/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

GOAL_ROWS_PER_S = 200_000
GOAL_RATIO = 3.0
#: "flat": the memory a load adds (peak over the RSS before it) at the largest size is at
#: most this much above that at the smallest size
FLAT_TOLERANCE = 0.2
OUT = Path(__file__).parent / "out"
TIDY_COLUMNS = (
    "series_code",
    "area_code",
    "year",
    "value",
    "unit",
    "sex",
    "location",
    "nature",
    "source",
)
YEARS = range(2000, 2024)
SEX = ("_T", "F", "M")
LOCATION = ("_T", "U", "R")
NATURE = ("C", "CA", "E", "M", "N", "")
SOURCES = (
    "UN-Habitat Urban Indicators Database (2024)",
    "UN SDG Global Database",
    "National statistical office",
    "",  # the loader fills in the file name
)


# -- the generated file ------------------------------------------------------------------------


def generate(path: Path, rows: int, *, seed: int = 20240611) -> dict[str, Any]:
    """Write an SDG-shaped tidy CSV of ``rows`` rows with unique keys; seeded and vectorised."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from urbanagenda.model.areas import load_areas
    from urbanagenda.model.catalogue import load_catalogue

    series = load_catalogue().to_frames()["series"][["code", "unit"]]
    area_frame = load_areas().frame
    areas = area_frame.loc[area_frame["kind"].isin(["country", "city"]), "code"].tolist()
    n_s, n_a, n_y = len(series), len(areas), len(YEARS)
    combos = n_s * n_a * n_y * len(SEX) * len(LOCATION)
    if rows > combos:
        raise SystemExit(f"at most {combos:,} unique keys can be generated, not {rows:,}")
    rng = np.random.default_rng(seed)
    # unique keys: draw combination numbers, drop repeats, keep `rows` of them in SDG order
    # (series, area, year, sex, location), as in an export of the SDG Global Database
    ids = np.unique(rng.integers(0, combos, size=int(rows * 1.05) + 1000, dtype=np.int64))
    while len(ids) < rows:
        more = rng.integers(0, combos, size=rows - len(ids) + 1000, dtype=np.int64)
        ids = np.unique(np.concatenate([ids, more]))
    ids = np.sort(rng.choice(ids, size=rows, replace=False))
    ids, loc = np.divmod(ids, len(LOCATION))
    ids, sex = np.divmod(ids, len(SEX))
    ids, year = np.divmod(ids, n_y)
    s_idx, a_idx = np.divmod(ids, n_a)
    value = np.round(rng.lognormal(2.0, 1.5, size=rows), 4)

    def text(idx: np.ndarray, values: list[str] | tuple[str, ...]) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(idx.astype(np.int32)), pa.array(list(values), pa.string())
        ).dictionary_decode()

    table = pa.table(
        {
            "series_code": text(s_idx, series["code"].tolist()),
            "area_code": text(a_idx, areas),
            "year": pa.array((year + YEARS.start).astype(np.int16)),
            "value": pa.array(value),
            "unit": text(s_idx, series["unit"].tolist()),
            "sex": text(sex, SEX),
            "location": text(loc, LOCATION),
            "nature": text(rng.integers(0, len(NATURE), rows), NATURE),
            "source": text(rng.integers(0, len(SOURCES), rows), SOURCES),
        }
    )
    assert tuple(table.column_names) == TIDY_COLUMNS
    # no value holds a comma or a quote, so none is quoted (like most SDG exports)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return {
        "rows": rows,
        "bytes": path.stat().st_size,
        "series": n_s,
        "areas": n_a,
        "seed": seed,
    }


# -- one measured run, in its own process ------------------------------------------------------


def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one load as ``spec`` says and measure it (called in a child process)."""
    kind, url, path = spec["kind"], spec["url"], spec.get("file")
    # imports are not the load: each side imports what it needs before the clock starts
    # (for us that includes the readers' modules: openpyxl, sdmx, ...)
    if kind == "to_sql":
        import pandas as pd
        from sqlalchemy import create_engine
    else:
        from urbanagenda.api import build_demo
        from urbanagenda.ingest.registry import readers
        from urbanagenda.store.engine import open_engine
        from urbanagenda.store.load import load_files

        readers()
    probe = cpu_probe()
    baseline = _rss_mb("VmRSS")
    start = time.perf_counter()
    if kind == "demo":
        result = build_demo(url)
        rows = sum(int(load["rows_read"]) for load in result["loads"])  # type: ignore[union-attr]
    elif kind == "ours":
        engine = open_engine(url)
        rows = load_files(engine, [path]).rows_read
        engine.dispose()
    elif kind == "to_sql":
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        frame = pd.read_csv(path)
        frame.to_sql("observation", engine)
        rows = len(frame)
        engine.dispose()
    else:  # pragma: no cover
        raise SystemExit(f"unknown run kind {kind!r}")
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: on Linux ru_maxrss carries the parent's peak over fork + exec
    peak = _rss_mb("VmHWM")
    return {
        "rows": rows,
        "seconds": seconds,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "cpu_probe_s": probe,
    }


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes: how fast this (shared) machine ran right then."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return round(time.perf_counter() - start, 3)


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the run {spec} failed:\n{proc.stderr[-4000:]}")
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        **spec,
        **measured,
        "rows_per_s": measured["rows"] / measured["seconds"],
        # other work on the machine slows a run down: the 1-minute load average around it
        "loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


# -- databases ---------------------------------------------------------------------------------


class Databases:
    """Fresh targets per run: copies of an initialised SQLite file, PostgreSQL databases."""

    def __init__(self, workdir: Path, postgres: str | None) -> None:
        from urbanagenda.store.bootstrap import initialise
        from urbanagenda.store.engine import open_engine

        self.workdir = workdir
        self.template = workdir / "template.sqlite"
        engine = open_engine(f"sqlite:///{self.template}")
        initialise(engine)
        engine.dispose()
        self.postgres = postgres
        self.pg_template: str | None = None
        self.created: list[str] = []
        if postgres:
            self.pg_template = self._pg_create(None)
            engine = open_engine(self._pg_url(self.pg_template))
            initialise(engine)
            engine.dispose()

    def sqlite(self, initialised: bool) -> str:
        path = self.workdir / f"run-{uuid.uuid4().hex[:8]}.sqlite"
        if initialised:
            shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def pg(self, initialised: bool) -> str:
        return self._pg_url(self._pg_create(self.pg_template if initialised else None))

    def _admin(self):  # type: ignore[no-untyped-def]
        from sqlalchemy import create_engine

        assert self.postgres
        url = "postgresql+psycopg://" + self.postgres.split("://", 1)[1]
        return create_engine(url, isolation_level="AUTOCOMMIT")

    def _pg_url(self, name: str) -> str:
        assert self.postgres
        return f"{self.postgres.rpartition('/')[0]}/{name}"

    def _pg_create(self, template: str | None) -> str:
        from sqlalchemy import text

        name = f"ua_bench_{uuid.uuid4().hex[:8]}"
        admin = self._admin()
        with admin.connect() as c:
            c.execute(
                text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            )
        admin.dispose()
        self.created.append(name)
        return name

    def drop_postgres(self, keep_template: bool = False) -> None:
        from sqlalchemy import text

        if not self.postgres:
            return
        admin = self._admin()
        with admin.connect() as c:
            for name in list(self.created):
                if keep_template and name == self.pg_template:
                    continue
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                self.created.remove(name)
        admin.dispose()


def export_demo_rows(demo_url: str, path: Path) -> int:
    """The demo's observations as a tidy CSV, so that both loaders get the very same rows."""
    import pandas as pd
    from sqlalchemy import create_engine

    from urbanagenda.model.observations import COLUMNS

    engine = create_engine(demo_url)
    with engine.connect() as c:
        frame = pd.read_sql(f"SELECT {', '.join(COLUMNS)} FROM observation ORDER BY id", c)
    engine.dispose()
    frame.to_csv(path, index=False)
    return len(frame)


# -- the report --------------------------------------------------------------------------------


def _label(run: dict[str, Any]) -> str:
    return {"ours": "urbanagenda load_files", "to_sql": "pandas read_csv + to_sql"}.get(
        run["kind"], "urbanagenda build_demo"
    )


def summarise(runs: list[dict[str, Any]], sizes: list[int]) -> dict[str, Any]:
    by = {(r["dataset"], r["backend"], r["kind"]): r for r in runs}
    for r in runs:
        peer = by.get((r["dataset"], r["backend"], "to_sql"))
        r["vs_to_sql"] = r["rows_per_s"] / peer["rows_per_s"] if peer else None
    goals: dict[str, Any] = {}
    big = f"generated {max(sizes):,}"
    ours = by.get((big, "sqlite", "ours"))
    if ours:
        # judged on the median try, not the fastest: a goal met only on a good minute is not met
        goals["sqlite_rows_per_s"] = {
            "median": round(ours["median_rows_per_s"]),
            "fastest": round(ours["rows_per_s"]),
            "goal": GOAL_ROWS_PER_S,
            "met": ours["median_rows_per_s"] >= GOAL_ROWS_PER_S,
        }
        if ours.get("median_vs_to_sql") is not None:
            goals["sqlite_vs_to_sql"] = {
                "median_of_pairs": round(ours["median_vs_to_sql"], 2),
                "fastest_vs_fastest": round(ours["vs_to_sql"], 2),
                "goal": GOAL_RATIO,
                "met": ours["median_vs_to_sql"] >= GOAL_RATIO,
            }
    for backend in ("sqlite", "postgresql"):
        measured = sorted(
            (r for r in runs if r["backend"] == backend and r["kind"] == "ours"),
            key=lambda r: r["rows"],
        )
        measured = [r for r in measured if r["dataset"].startswith("generated")]
        if len(measured) < 2:
            continue
        # what the load itself adds to the process: the peak over the RSS before it
        own = {r["rows"]: r["peak_mb"] - r["baseline_mb"] for r in measured}
        sizes_seen = sorted(own)
        steps = {f"{a:,} -> {b:,}": round(own[b] / own[a] - 1, 3) for a, b in pairwise(sizes_seen)}
        # judged between the two largest files: below them the load's fixed parts (the page
        # cache, chunks in flight, Arrow's read-ahead) are still filling up
        a, b = sizes_seen[-2], sizes_seen[-1]
        growth = own[b] / own[a] - 1
        goals[f"{backend}_flat_memory"] = {
            "peak_mb": {str(r["rows"]): round(r["peak_mb"]) for r in measured},
            "load_mb": {str(k): round(v) for k, v in own.items()},
            "growth": steps,
            "goal": f"load MB grows <= {FLAT_TOLERANCE:.0%} from {a:,} to {b:,} rows",
            "met": growth <= FLAT_TOLERANCE,
        }
    return goals


def show(runs: list[dict[str, Any]], goals: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Loading observations: urbanagenda vs pandas to_sql")
    columns = (
        "data",
        "into",
        "loader",
        "rows",
        "seconds",
        "rows/s",
        "median rows/s",
        "x to_sql",
        "median x",
        "peak MB",
        "+MB",
    )
    for col in columns:
        table.add_column(col, justify="left" if col in ("data", "into", "loader") else "right")
    for r in runs:
        ratio = r.get("vs_to_sql")
        table.add_row(
            r["dataset"],
            r["backend"],
            _label(r),
            f"{r['rows']:,}",
            f"{r['seconds']:.2f}",
            f"{r['rows_per_s']:,.0f}",
            f"{r['median_rows_per_s']:,.0f}",
            "" if ratio is None or r["kind"] == "to_sql" else f"{ratio:.2f}x",
            "" if r.get("median_vs_to_sql") is None else f"{r['median_vs_to_sql']:.2f}x",
            f"{r['peak_mb']:,.0f}",
            f"{r['peak_mb'] - r['baseline_mb']:,.0f}",
        )
    console = Console(width=max(Console().width, 140))
    console.print(table)
    for name, g in goals.items():
        mark = "[green]met[/green]" if g["met"] else "[red]NOT met[/red]"
        detail = {k: v for k, v in g.items() if k != "met"}
        console.print(f"goal {name}: {mark}  {detail}")


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the largest file")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=None,
        help="comma-separated file sizes (default: 500000 and --rows)",
    )
    parser.add_argument("--postgres", metavar="URL", help="also load into PostgreSQL")
    parser.add_argument("--no-demo", action="store_true", help="skip the bundled demo data")
    parser.add_argument("--no-peer", action="store_true", help="skip to_sql (ours only)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each load, ours and to_sql taking turns; fastest and median reported",
    )
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=6_000_000,
        help="rows of one more file loaded by us alone into SQLite, to see whether memory "
        "stays flat (0: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0

    sizes = sorted(set(args.sizes or [min(500_000, args.rows), args.rows]))
    workdir = Path(tempfile.mkdtemp(prefix="ua-bench-"))
    runs: list[dict[str, Any]] = []
    files: dict[str, Any] = {}
    dbs = Databases(workdir, args.postgres)
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])

    def target(backend: str, initialised: bool) -> str:
        return dbs.sqlite(initialised) if backend == "sqlite" else dbs.pg(initialised)

    def one(dataset: str, backend: str, kind: str, file: Path | None) -> dict[str, Any]:
        # a fresh target per try: an initialised store for ours, an empty one for to_sql
        if kind == "demo":
            url = dbs.sqlite(initialised=False)
        else:
            url = target(backend, initialised=kind == "ours")
        spec = {"dataset": dataset, "backend": backend, "kind": kind, "url": url}
        if file:
            spec["file"] = str(file)
        try:
            return run_child(spec)
        finally:
            dbs.drop_postgres(keep_template=True)
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def measure(dataset: str, backend: str, kinds: list[str], file: Path | None) -> None:
        # the kinds take turns, try after try, so that each ratio compares runs made
        # seconds apart: this machine's speed drifts by tens of percent over minutes
        tries: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
        for _ in range(args.repeat):
            for kind in kinds:
                tries[kind].append(one(dataset, backend, kind, file))
        for kind in kinds:
            ts = tries[kind]
            # the fastest try is the one least disturbed by other work; memory is the highest
            run = dict(min(ts, key=lambda r: r["seconds"]))
            run["tries_seconds"] = [round(r["seconds"], 3) for r in ts]
            run["tries_cpu_probe_s"] = [r["cpu_probe_s"] for r in ts]
            run["median_rows_per_s"] = statistics.median(r["rows_per_s"] for r in ts)
            run["peak_mb"] = max(r["peak_mb"] for r in ts)
            if kind != "to_sql" and "to_sql" in tries:
                pairs = [
                    o["rows_per_s"] / p["rows_per_s"]
                    for o, p in zip(ts, tries["to_sql"], strict=True)
                ]
                run["tries_vs_to_sql"] = [round(x, 3) for x in pairs]
                run["median_vs_to_sql"] = statistics.median(pairs)
            runs.append(run)
            print(
                f"  {dataset:>20} {backend:>10} {kind:>7}: {run['rows']:>9,} rows "
                f"{run['seconds']:7.2f} s {run['rows_per_s']:>10,.0f} rows/s "
                f"(median {run['median_rows_per_s']:,.0f}) peak {run['peak_mb']:6.0f} MB "
                f"tries {run['tries_seconds']} s, cpu probe {run['tries_cpu_probe_s']} s",
                flush=True,
            )

    kinds = ["ours"] if args.no_peer else ["ours", "to_sql"]
    try:
        if not args.no_demo:
            measure("bundled demo", "sqlite", ["demo"], None)
            demo_csv = workdir / "demo_rows.csv"
            demo_db = workdir / "demo_copy.sqlite"
            # the demo run deleted its file; build it once more to export the same rows
            from urbanagenda.api import build_demo

            build_demo(f"sqlite:///{demo_db}")
            files["bundled (tidy CSV)"] = {
                "rows": export_demo_rows(f"sqlite:///{demo_db}", demo_csv)
            }
            for backend in backends:
                measure("bundled (tidy CSV)", backend, kinds, demo_csv)
        for size in sizes:
            path = workdir / f"sdg_{size}.csv"
            t0 = time.perf_counter()
            info = generate(path, size)
            info["generate_seconds"] = round(time.perf_counter() - t0, 2)
            dataset = f"generated {size:,}"
            files[dataset] = info
            print(
                f"generated {path.name}: {info['bytes'] / 1e6:,.0f} MB "
                f"in {info['generate_seconds']} s"
            )
            for backend in backends:
                measure(dataset, backend, kinds, path)
            path.unlink()
        if args.memory_rows and args.memory_rows > max(sizes):
            # memory alone: the peer would need some 9 GB for 6M rows
            path = workdir / f"sdg_{args.memory_rows}.csv"
            info = generate(path, args.memory_rows)
            dataset = f"generated {args.memory_rows:,}"
            files[dataset] = info
            measure(dataset, "sqlite", ["ours"], path)
            path.unlink()
    finally:
        dbs.drop_postgres()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    goals = summarise(runs, sizes)
    show(runs, goals)
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "when": stamp,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "files": files,
        "runs": runs,
        "goals": goals,
    }
    for name in (f"bench_load-{stamp}.json", "bench_load-latest.json"):
        (OUT / name).write_text(json.dumps(record, indent=2, default=str))
    print(f"results: {OUT / f'bench_load-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
