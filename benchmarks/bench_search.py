"""Search benchmark: ``reporting.search.search`` against a plain ``LIKE '%term%'`` scan of
the same passages, on SQLite and (optionally) PostgreSQL.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_search.py                      # 10,000 passages, 20x
    .venv/bin/python benchmarks/bench_search.py --passages 2000 --repeat 5   # a quick look
    .venv/bin/python benchmarks/bench_search.py --postgres postgresql://u:p@127.0.0.1/db

The corpus recombines real sentences, never filler text: the Chinese sentences of the seed
document (the Secretary-General's report on the New Urban Agenda), the passages written for
the tagger's labelled sample (en, fr, es, ar, ru) and the example reports and VLRs of the
demo.  Each passage is 2-6 sentences of one language drawn with a fixed seed; passages are
spread over 200 published documents of every kind, country-less (no area rows needed).

Each engine gets a fresh store migrated with ``store.engine.migrate`` (a temporary SQLite
file; for PostgreSQL a temporary database created and dropped through ``--postgres``, whose
user needs CREATEDB).  Passages are indexed with ``search.replace_passages``, as publishing
does.  Then every query of ``QUERIES`` (34, in six languages) runs ``--repeat`` times through
``search.search`` (first page of 20, total count, snippets, related targets) and through the
LIKE scan (every whitespace-separated query word as ``text LIKE '%word%'``, ANDed, the same
published-document join, count plus first page of 20).  The first run of each query warms
the caches and is not timed.

Results: a Rich table with p50/p95/p99 per engine and the ratio LIKE / search, written to
``benchmarks/out/bench_search-<UTC stamp>.json`` and ``bench_search-latest.json`` with the
load average before and after (the machine is shared: read the figures with it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "out"
SAMPLE = ROOT / "tests" / "reporting" / "data" / "tagging_sample.yaml"
DEMO = ROOT / "src" / "urbanagenda" / "data" / "reporting"
SEED = DEMO / "reference" / "sg-report-a79-nua-zh.txt"  # the seed document, as bundled
LANGUAGES = ("en", "fr", "es", "zh", "ar", "ru")
T0 = datetime(2025, 1, 1, tzinfo=UTC)

QUERIES: list[str] = [
    # Chinese
    "贫民窟",
    "住房",
    "气候变化",
    "城市规划",
    "废物管理",
    "公共空间",
    "可持续城市化",
    "韧性",
    "国家城市政策",
    "地方政府",
    # Arabic
    "الأحياء الفقيرة",
    "النقل العام",
    "النفايات",
    "مساكن",
    # Russian
    "жильё",
    "общественный транспорт",
    "отходы",
    # English
    "slum upgrading",
    "housing",
    "public transport",
    "waste",
    "climate adaptation",
    "participatory budgeting",
    "heritage",
    # French
    "logements",
    "bidonvilles",
    "qualité de l'air",
    "transports en commun",
    "inondations",
    # Spanish
    "vivienda",
    "asentamientos informales",
    "residuos sólidos",
    "espacios públicos",
    "cambio climático",
]

_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s*")


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.strip()) >= 12]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def collect_sentences() -> dict[str, list[str]]:
    """Real sentences per language (see the module docstring for the sources)."""
    from urbanagenda.reporting.text import guess_language

    pool: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for line in SEED.read_text("utf-8").splitlines():
        if line[:1].isdigit():
            pool["zh"].update(_sentences(line.split(". ", 1)[-1]))
    for passage in yaml.safe_load(SAMPLE.read_text("utf-8"))["passages"]:
        pool[passage["language"]].update(_sentences(passage["text"]))
    for path in sorted(DEMO.rglob("*.yaml")) if DEMO.exists() else []:
        # the file name ends with the document's language: ng-lagos-2022-en.yaml
        file_language = path.stem.rsplit("-", 1)[-1]
        for value in _strings(yaml.safe_load(path.read_text("utf-8"))):
            for sentence in _sentences(value):
                lang = guess_language(sentence, default=file_language)
                if lang in pool and len(sentence) >= 30:
                    pool[lang].add(sentence)
    return {lang: sorted(sentences) for lang, sentences in pool.items() if sentences}


def make_corpus(n: int, seed: int = 11) -> list[tuple[str, str]]:
    """``n`` passages (text, language): 2-6 sentences of one language each."""
    sentences = collect_sentences()
    rng = random.Random(seed)
    languages = sorted(sentences)
    corpus = []
    for i in range(n):
        lang = languages[i % len(languages)]
        k = rng.randint(2, 6)
        picks = rng.sample(sentences[lang], min(k, len(sentences[lang])))
        corpus.append(((" " if lang not in ("zh",) else "").join(picks), lang))
    return corpus


def index_corpus(engine: Engine, corpus: list[tuple[str, str]], progress: Any) -> None:
    from urbanagenda.reporting.model import Document, PassageIn
    from urbanagenda.reporting.search import replace_passages
    from urbanagenda.store import schema as s

    kinds = ("national_report", "vlr", "reference")
    per_doc = max(1, len(corpus) // 200)
    task = progress.add_task(f"index {engine.dialect.name}", total=len(corpus))
    for start in range(0, len(corpus), per_doc):
        chunk = corpus[start : start + per_doc]
        d = start // per_doc
        kind, year, lang = kinds[d % 3], 2018 + d % 7, chunk[0][1]
        with engine.begin() as conn:
            doc_id = conn.execute(
                insert(s.document).values(
                    kind=kind,
                    title=f"Benchmark document {d}",
                    country_code=None,
                    area_code=None,
                    year=year,
                    language=lang,
                    status="published",
                    current_version=1,
                    published_version=1,
                    metadata={},
                    is_example=True,
                    created_at=T0,
                    updated_at=T0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            doc = Document(
                id=int(doc_id),
                kind=kind,
                title=f"Benchmark document {d}",
                country_code=None,
                area_code=None,
                year=year,
                language=lang,
                status="published",
                modality=None,
                template_version=None,
                previous_document_id=None,
                current_version=1,
                published_version=1,
            )
            replace_passages(conn, doc, [PassageIn(t, lang_) for t, lang_ in chunk])
        progress.advance(task, len(chunk))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE search_passage"))


def like_scan(engine: Engine, query: str) -> tuple[int, list[int]]:
    """The plain scan: every query word as a ``LIKE '%word%'`` on the passage text, ANDed
    (case-insensitive on ASCII only: SQLite's LIKE and PostgreSQL's ILIKE)."""
    words = query.split()
    op = "ILIKE" if engine.dialect.name == "postgresql" else "LIKE"
    where = " AND ".join(f"p.text {op} :w{i}" for i in range(len(words)))
    params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
    base = (
        "FROM search_passage p JOIN document d ON d.id = p.document_id "
        f"WHERE d.status = 'published' AND {where}"
    )
    with engine.connect() as conn:
        total = int(conn.execute(text(f"SELECT count(*) {base}"), params).scalar_one())
        rows = conn.execute(text(f"SELECT p.id, p.text {base} ORDER BY p.id LIMIT 20"), params)
        ids = [r[0] for r in rows]
    return total, ids


def time_query(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    result = fn()  # warm-up, not timed
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@contextmanager
def sqlite_store() -> Iterator[Engine]:
    from urbanagenda.store.engine import migrate, open_engine

    with tempfile.TemporaryDirectory(prefix="bench_search_") as tmp:
        engine = open_engine(f"sqlite:///{tmp}/bench.sqlite")
        migrate(engine)
        yield engine
        engine.dispose()


@contextmanager
def postgres_store(admin_url: str) -> Iterator[Engine]:
    from urbanagenda.store.engine import migrate, open_engine

    url = "postgresql+psycopg://" + admin_url.split("://", 1)[1]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"ua_bench_search_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = open_engine(url.rpartition("/")[0] + "/" + name)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_engine(
    engine: Engine, corpus: list[tuple[str, str]], repeat: int, progress: Any
) -> dict[str, Any]:
    from urbanagenda.reporting.search import search

    t = time.perf_counter()
    index_corpus(engine, corpus, progress)
    index_seconds = time.perf_counter() - t
    task = progress.add_task(f"queries {engine.dialect.name}", total=len(QUERIES))
    search_ms: list[float] = []
    like_ms: list[float] = []
    per_query = []
    for query in QUERIES:
        s_times, results = time_query(lambda q=query: search(engine, q), repeat)
        l_times, (like_total, _) = time_query(lambda q=query: like_scan(engine, q), repeat)
        search_ms += s_times
        like_ms += l_times
        per_query.append(
            {
                "query": query,
                "search_total": results.total,
                "like_total": like_total,
                "search_p50_ms": round(statistics.median(s_times), 2),
                "like_p50_ms": round(statistics.median(l_times), 2),
            }
        )
        progress.advance(task)
    summary = {
        name: {f"p{int(q * 100)}": round(percentile(v, q), 2) for q in (0.5, 0.95, 0.99)}
        for name, v in (("search", search_ms), ("like", like_ms))
    }
    return {"index_seconds": round(index_seconds, 1), "summary": summary, "queries": per_query}


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="PostgreSQL server URL (a temporary database is created on it)",
    )
    args = parser.parse_args(argv)
    console = Console()
    corpus = make_corpus(args.passages)
    counts = {lang: sum(1 for _, la in corpus if la == lang) for lang in LANGUAGES}
    console.print(f"corpus: {len(corpus)} passages {counts}")
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        with sqlite_store() as engine:
            results["sqlite"] = bench_engine(engine, corpus, args.repeat, progress)
        if args.postgres:
            with postgres_store(args.postgres) as engine:
                results["postgresql"] = bench_engine(engine, corpus, args.repeat, progress)
    load_after = os.getloadavg()

    table = Table(
        title=f"search latency, ms ({len(corpus)} passages, {len(QUERIES)} queries x {args.repeat})"
    )
    for col in ("engine", "method", "p50", "p95", "p99", "LIKE / search (p95)", "index s"):
        table.add_column(col, justify="right" if col not in ("engine", "method") else "left")
    for name, res in results.items():
        s, like = res["summary"]["search"], res["summary"]["like"]
        ratio = f"{like['p95'] / s['p95']:.1f}x" if s["p95"] else "-"
        table.add_row(
            name,
            "search.search",
            *(f"{s[k]:.1f}" for k in ("p50", "p95", "p99")),
            ratio,
            str(res["index_seconds"]),
        )
        table.add_row("", "LIKE scan", *(f"{like[k]:.1f}" for k in ("p50", "p95", "p99")), "", "")
    console.print(table)
    console.print(f"load average before {load_before}, after {load_after}")

    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passages": len(corpus),
        "languages": counts,
        "repeat": args.repeat,
        "queries": len(QUERIES),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_before": load_before,
        "load_after": load_after,
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench_search-{stamp}.json", "bench_search-latest.json"):
        (OUT / name).write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
