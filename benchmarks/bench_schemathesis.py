"""Long schemathesis run against a live server (the short run is tests/web/test_schemathesis.py).

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_schemathesis.py                    # 300 examples/operation
    .venv/bin/python benchmarks/bench_schemathesis.py --max-examples 50  # a quick look

It starts ``urbanagenda serve`` on a free loopback port with the demo database
(``var/urbanagenda.sqlite``, built by ``urbanagenda demo``; ``--database`` for another),
runs the ``schemathesis run`` command line against ``/openapi.json`` (every API operation,
every phase, positive and negative data, every check but ``positive_data_acceptance``: a
well-formed code that names nothing is refused with 422 by design), and writes the figures
(operations, test cases, failures per check, requests per second, server errors) to
``benchmarks/out/bench_schemathesis-<time>.json`` and ``-latest.json``; the JUnit and NDJSON
reports go beside them.  The exit status is 1 when schemathesis found a failure or the server
logged an unhandled error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": database}
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "urbanagenda.cli.main", "serve", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"the server did not start in 180 s: see {log}")
        time.sleep(0.3)


def _junit_figures(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    cases = [c for s in suites for c in s.iter("testcase")]
    failed = [c.get("name", "") for c in cases if c.find("failure") is not None
              or c.find("error") is not None]  # fmt: skip
    return {"operations": len(cases), "operations_failed": failed}


def _ndjson_figures(path: Path) -> dict[str, Any]:
    """Counts of test cases and checks from the NDJSON event stream."""
    if not path.is_file():
        return {}
    checks: dict[str, dict[str, int]] = {}
    statuses: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        for text in _walk_checks(event):
            name, status = text
            checks.setdefault(name, {}).setdefault(status, 0)
            checks[name][status] += 1
        for code in _walk_status(event):
            statuses[str(code)] = statuses.get(str(code), 0) + 1
    return {"checks": checks, "response_statuses": statuses}


def _walk_checks(node: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if "name" in node and "status" in node and isinstance(node.get("status"), str):
            found.append((str(node["name"]), str(node["status"])))
        for value in node.values():
            found.extend(_walk_checks(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk_checks(value))
    return found


def _walk_status(node: Any) -> list[int]:
    found: list[int] = []
    if isinstance(node, dict):
        if isinstance(node.get("status_code"), int):
            found.append(node["status_code"])
        for value in node.values():
            found.extend(_walk_status(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk_status(value))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'urbanagenda.sqlite'}")
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    reports = OUT / f"schemathesis-{stamp}"
    reports.mkdir()
    log = reports / "server.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(args.database, port, log)
    # the first assessment and progress answers compute for seconds: do it before the clock
    for warm in ("/api/v1/progress", "/api/v1/assessments?area=1"):
        with urllib.request.urlopen(base + warm, timeout=600):
            pass
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{base}/openapi.json",
        "--url", base, "--include-path-regex", "^/api/v1",
        "--max-examples", str(args.max_examples), "--workers", str(args.workers),
        "--seed", str(args.seed), "--exclude-checks", "positive_data_acceptance",
        "--request-timeout", "120", "--report", "junit,ndjson", "--report-dir", str(reports),
    ]  # fmt: skip
    started = time.perf_counter()
    try:
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    finally:
        seconds = time.perf_counter() - started
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    (reports / "schemathesis.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    server_log = log.read_text(encoding="utf-8", errors="replace")
    unhandled = server_log.count("unhandled error")
    figures: dict[str, Any] = {
        "benchmark": "bench_schemathesis",
        "when": stamp,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "max_examples_per_operation": args.max_examples,
        "workers": args.workers,
        "seed": args.seed,
        "seconds": round(seconds, 1),
        "exit_status": run.returncode,
        "server_unhandled_errors": unhandled,
        "reports": str(reports.relative_to(ROOT)),
        **_junit_figures(next(reports.glob("*.xml"), reports / "none.xml")),
        **_ndjson_figures(next(reports.glob("*.ndjson"), reports / "none.ndjson")),
    }
    requests = sum(figures.get("response_statuses", {}).values())
    figures["requests"] = requests
    figures["requests_per_second"] = round(requests / seconds, 1) if seconds else None
    figures["server_errors_5xx"] = sum(
        n for code, n in figures.get("response_statuses", {}).items() if code.startswith("5")
    )
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    (OUT / f"bench_schemathesis-{stamp}.json").write_text(text, encoding="utf-8")
    (OUT / "bench_schemathesis-latest.json").write_text(text, encoding="utf-8")
    tail = "\n".join((run.stdout or "").splitlines()[-25:])
    print(tail)
    print(f"\n{requests} requests in {seconds:.0f} s ({figures['requests_per_second']} req/s), "
          f"{figures['server_errors_5xx']} server errors, {unhandled} unhandled in the log; "
          f"schemathesis exit status {run.returncode}")  # fmt: skip
    return 0 if run.returncode == 0 and unhandled == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
