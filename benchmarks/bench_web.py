"""Web benchmark: urbanagenda's API and indicator page against datasette, side by side.

Run on purpose, not in the test suite (loopback only)::

    .venv/bin/python benchmarks/bench_web.py                       # 20 s per wrk run
    .venv/bin/python benchmarks/bench_web.py --duration 5 --no-browser   # a quick look

One run starts, on free ports of 127.0.0.1 and on copies of the same SQLite file:

* ``urbanagenda serve --workers 2 --no-access-log`` (response cache on, the default);
* the same with ``URBANAGENDA_RESPONSE_CACHE=0`` (every request does the work);
* datasette as ``datasette publish`` runs it (``datasette serve -i FILE --inspect-file
  inspect.json``: immutable, counts precomputed, one process, access log on), with
  ``--setting sql_time_limit_ms 5000``;
* datasette at its best on this machine: the same ``Datasette`` instance (immutable,
  inspect file, same time limit) under uvicorn with 2 workers, uvloop, httptools and no
  access log (``uvicorn --factory bench_web:datasette_app``).

It checks that the two servers return the same rows (the 11 values of Nigeria's slum share,
and a sample of the varied URLs), then runs ``wrk`` (``--connections``, 2 threads,
``--duration`` after a ``--warmup``, ``--latency``) on

* ``/api/v1/observations?series=EN_LND_SLUM&area=566`` against datasette's
  ``/urbanagenda/observation.json?series_code=EN_LND_SLUM&area_code=566&_shape=array``;
* varied URLs (a Lua script): every country x EN_LND_SLUM in turn (fits in the cache), and
  random draws from every (series, country) pair with data (does not: the long tail);
* the indicator page ``/en/indicator/11.1.1`` against datasette's HTML table page for the
  same filter.

Then it measures the indicator page in Chromium (Playwright; a new browser context, so a
cold cache, per load; median of 5): HTML bytes, bytes of every resource, navigation start
to first contentful paint and to the chart drawn (``data-rendered="true"``).

Results: a Rich table, ``benchmarks/out/bench_web-<UTC stamp>.json`` and ``.md`` (and
``bench_web-latest.*``), with the load average before and after every run (the machine is
shared: read the figures with it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "out"
WORK = OUT / "web"
VENV = ROOT / ".venv" / "bin"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
CHROMIUM = "/usr/bin/chromium"

SERIES, AREA = "EN_LND_SLUM", "566"
NIGERIA_SLUM = [
    74.10729,
    71.59477,
    69.08224,
    66.56972,
    64.0572,
    61.54467,
    59.03215,
    56.51963,
    54.00711,
    51.49458,
    48.98206,
]
UA_API = f"/api/v1/observations?series={SERIES}&area={AREA}"
DS_API = f"/urbanagenda/observation.json?series_code={SERIES}&area_code={AREA}&_shape=array"
DS_PAGE = f"/urbanagenda/observation?series_code={SERIES}&area_code={AREA}"
UA_PAGE = "/en/indicator/11.1.1"
UA_PAGE_FALLBACK = "/en/"

SHORT = {
    "ua": "urbanagenda",
    "ua_nocache": "urbanagenda, cache off",
    "ds_pub": "datasette published",
    "ds_best": "datasette best",
}
SCENARIOS = {
    "api": "API, one URL",
    "countries": "API, every country",
    "pairs": "API, random pairs",
    "page": "indicator page",
}

GOAL_RATIO = 2.0
GOAL_P99_MS = 50.0
GOAL_PAGE_BYTES = 150 * 1024
GOAL_FIRST_RENDER_MS = 1000.0

# -- datasette at its best: an ASGI factory for ``uvicorn --factory --workers N`` -------------


def datasette_app() -> Any:
    """The datasette ASGI app on ``BENCH_WEB_DATASETTE_FILE`` (immutable, inspect file)."""
    from datasette.app import Datasette

    path = os.environ["BENCH_WEB_DATASETTE_FILE"]
    inspect = json.loads(Path(os.environ["BENCH_WEB_DATASETTE_INSPECT"]).read_text())
    ds = Datasette(immutables=[path], inspect_data=inspect, settings={"sql_time_limit_ms": 5000})
    return ds.app()


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 30) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class Server:
    def __init__(
        self, name: str, label: str, cmd: list[str], env: dict[str, str], port: int, health: str
    ) -> None:
        self.name, self.label, self.cmd, self.env = name, label, cmd, env
        self.port, self.health = port, health
        self.base = f"http://127.0.0.1:{port}"
        self.log = WORK / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.cmd,
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 180) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: see {self.log}")
            try:
                if fetch(self.base + self.health, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start in {timeout} s: see {self.log}")
            time.sleep(0.3)

    def cpu_seconds(self) -> float:
        """CPU time of the server and its worker processes so far."""
        import psutil

        if self.proc is None:
            return 0.0
        try:
            parent = psutil.Process(self.proc.pid)
            total = 0.0
            for p in [parent, *parent.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
            return total
        except psutil.NoSuchProcess:
            return 0.0

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # uvicorn's supervisor stops its workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def prepare_database(args: argparse.Namespace) -> Path:
    """A private copy of the demo database (the engineers' own may be rebuilt meanwhile)."""
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / "urbanagenda-demo.sqlite"
    source = Path(args.database) if args.database else ROOT / "var" / "urbanagenda.sqlite"
    if args.build_demo or not source.exists():
        if target.exists():
            target.unlink()
        env = {**os.environ, "URBANAGENDA_DATABASE_URL": f"sqlite:///{target}"}
        subprocess.run([str(VENV / "urbanagenda"), "demo"], env=env, check=True, cwd=ROOT)
        return target
    # sqlite3's backup API: a consistent copy even while someone writes to the source
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def make_servers(db: Path, workers: int) -> dict[str, Server]:
    ua_db = WORK / "ua.sqlite"
    ds_db = WORK / "urbanagenda.db"  # datasette names the database after the file
    shutil.copyfile(db, ua_db)
    shutil.copyfile(db, ds_db)
    inspect = WORK / "inspect.json"
    subprocess.run(
        [str(VENV / "datasette"), "inspect", str(ds_db), "--inspect-file", str(inspect)],
        check=True,
        capture_output=True,
    )
    ua_cmd = [
        str(VENV / "urbanagenda"),
        "serve",
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    ua_env = {"URBANAGENDA_DATABASE_URL": f"sqlite:///{ua_db}"}
    servers = {}
    p = free_port()
    servers["ua"] = Server(
        "ua",
        f"urbanagenda ({workers} workers, cache on)",
        [*ua_cmd, "--port", str(p)],
        ua_env,
        p,
        "/healthz",
    )
    p = free_port()
    servers["ua_nocache"] = Server(
        "ua_nocache",
        f"urbanagenda ({workers} workers, cache off)",
        [*ua_cmd, "--port", str(p)],
        {**ua_env, "URBANAGENDA_RESPONSE_CACHE": "0"},
        p,
        "/healthz",
    )
    p = free_port()
    servers["ds_pub"] = Server(
        "ds_pub",
        "datasette as published (-i, inspect file, 1 process)",
        [
            str(VENV / "datasette"),
            "serve",
            "-i",
            str(ds_db),
            "--inspect-file",
            str(inspect),
            "--setting",
            "sql_time_limit_ms",
            "5000",
            "--port",
            str(p),
        ],
        {},
        p,
        "/-/versions.json",
    )
    p = free_port()
    servers["ds_best"] = Server(
        "ds_best",
        f"datasette best ({workers} uvicorn workers, uvloop, no access log)",
        [
            str(VENV / "python"),
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(__file__).parent),
            "--factory",
            "bench_web:datasette_app",
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-worker-healthcheck",
            "120",
            "--port",
            str(p),
        ],
        {"BENCH_WEB_DATASETTE_FILE": str(ds_db), "BENCH_WEB_DATASETTE_INSPECT": str(inspect)},
        p,
        "/-/versions.json",
    )
    return servers


# -- wrk --------------------------------------------------------------------------------------

_DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non2xx": %d, "errors": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def lua_script(name: str, paths: list[str] | None, *, random: bool = False) -> Path:
    """A wrk script: the summary as JSON and, with ``paths``, one of them per request."""
    text = _DONE_LUA
    if paths:
        items = ",\n".join(json.dumps(p) for p in paths)
        pick = "paths[math.random(#paths)]" if random else "paths[i]"
        text = (
            f"local paths = {{\n{items}\n}}\nlocal i = 0\nlocal counter = 0\n"
            "function setup(thread)\n  counter = counter + 1\n"
            "  thread:set('offset', counter * 7919)\nend\n"
            "function init(args)\n  i = (offset or 0) % #paths\n"
            "  math.randomseed(offset or 1)\nend\n"
            "function request()\n  i = i % #paths + 1\n"
            f"  return wrk.format('GET', {pick})\nend\n" + text
        )
    path = WORK / f"{name}.lua"
    path.write_text(text)
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"cannot read the latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms), errors from wrk's text and the Lua summary."""
    out: dict[str, Any] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps:
        raise ValueError(f"no Requests/sec in wrk's output:\n{output}")
    out["rps"] = float(rps.group(1))
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)$", output, re.M)
        if match:
            out[f"p{pct}_ms"] = _ms(match.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    out["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    out["socket_errors"] = sum(int(x) for x in sock.groups()) if sock else 0
    summary = re.search(r"^WRKJSON (\{.*\})$", output, re.M)
    if summary:
        data = json.loads(summary.group(1))
        out["requests"] = data["requests"]
        # the exact percentiles (wrk's text rounds to two decimals)
        for pct in ("50", "90", "99"):
            out[f"p{pct}_ms"] = data[f"p{pct}_us"] / 1000
        out["max_ms"] = data["max_us"] / 1000
    return out


def run_wrk(url: str, script: Path, args: argparse.Namespace, duration: float) -> str:
    cmd = [
        WRK,
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{duration:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"wrk failed ({res.returncode}): {res.stderr or res.stdout}")
    return res.stdout


# -- checks -----------------------------------------------------------------------------------


def ua_values(base: str, path: str) -> list[tuple[int, float]]:
    status, body, _ = fetch(base + path)
    if status != 200:
        raise RuntimeError(f"{base}{path} answered {status}: {body[:300]!r}")
    return sorted((r["year"], r["value"]) for r in json.loads(body)["data"])


def ds_values(base: str, path: str) -> list[tuple[int, float]]:
    status, body, _ = fetch(base + path)
    if status != 200:
        raise RuntimeError(f"{base}{path} answered {status}: {body[:300]!r}")
    return sorted((r["year"], r["value"]) for r in json.loads(body))


def varied_paths(db: Path) -> dict[str, tuple[list[str], list[str]]]:
    """(urbanagenda paths, datasette paths) of the two varied-URL runs."""
    with sqlite3.connect(db) as conn:
        countries = [
            r[0] for r in conn.execute("SELECT code FROM area WHERE kind = 'country' ORDER BY code")
        ]
        pairs = conn.execute(
            "SELECT DISTINCT o.series_code, o.area_code FROM observation o "
            "JOIN area a ON a.code = o.area_code WHERE a.kind = 'country' "
            "ORDER BY o.series_code, o.area_code"
        ).fetchall()

    def ua(series: str, area: str) -> str:
        return f"/api/v1/observations?series={series}&area={area}"

    def ds(series: str, area: str) -> str:
        return f"/urbanagenda/observation.json?series_code={series}&area_code={area}&_shape=array"

    return {
        "countries": ([ua(SERIES, c) for c in countries], [ds(SERIES, c) for c in countries]),
        "pairs": ([ua(s, a) for s, a in pairs], [ds(s, a) for s, a in pairs]),
    }


# -- the browser ------------------------------------------------------------------------------

_INIT_JS = """
window.__charts = [];
document.addEventListener('urbanagenda:chart', function () {
  window.__charts.push(performance.now());
}, true);
"""


def browser_loads(url: str, loads: int) -> dict[str, Any]:
    """Page weight and first render of ``url`` in headless Chromium, a cold cache per load."""
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, Any]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for _ in range(loads):
                context = browser.new_context()  # a new profile: nothing cached
                page = context.new_page()
                page.add_init_script(_INIT_JS)
                response = page.goto(url, wait_until="load", timeout=30000)
                assert response is not None
                html = response.body()
                charts = page.locator("[data-spec]").count()
                if charts:
                    page.wait_for_function(
                        "document.querySelectorAll('[data-spec]').length === "
                        "document.querySelectorAll('[data-spec][data-rendered=\"true\"]').length"
                        " || document.querySelector('[data-spec][data-error]') !== null",
                        timeout=30000,
                    )
                timing = page.evaluate(
                    """() => {
                      const nav = performance.getEntriesByType('navigation')[0];
                      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                      const res = performance.getEntriesByType('resource');
                      const err = document.querySelector('[data-spec][data-error]');
                      return {
                        ttfb: nav.responseStart, dom: nav.domContentLoadedEventEnd,
                        load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : null,
                        charts: window.__charts, error: err && err.getAttribute('data-error'),
                        resources: res.map(r => [r.name, r.decodedBodySize, r.duration]),
                      };
                    }"""
                )
                context.close()
                runs.append(
                    {
                        "html_bytes": len(html),
                        "html_gzip_bytes": len(gzip.compress(html, 6)),
                        "resource_bytes": sum(r[1] for r in timing["resources"]),
                        "resources": timing["resources"],
                        "ttfb_ms": timing["ttfb"],
                        "fcp_ms": timing["fcp"],
                        "dom_ms": timing["dom"],
                        "load_ms": timing["load"],
                        "charts": charts,
                        "first_chart_ms": min(timing["charts"]) if timing["charts"] else None,
                        "all_charts_ms": max(timing["charts"])
                        if len(timing["charts"]) >= charts and charts
                        else None,
                        "chart_error": timing["error"],
                    }
                )
        finally:
            browser.close()

    def median(key: str) -> float | None:
        values = [r[key] for r in runs if r[key] is not None]
        return statistics.median(values) if values else None

    return {
        "url": url,
        "loads": loads,
        "html_bytes": runs[-1]["html_bytes"],
        "html_gzip_bytes": runs[-1]["html_gzip_bytes"],
        "resource_bytes": runs[-1]["resource_bytes"],
        "charts": runs[-1]["charts"],
        "chart_error": runs[-1]["chart_error"],
        **{
            f"median_{k}": median(k)
            for k in ("ttfb_ms", "fcp_ms", "dom_ms", "load_ms", "first_chart_ms", "all_charts_ms")
        },
        "runs": runs,
    }


# -- the run ----------------------------------------------------------------------------------


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of wrk before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="server processes (both)")
    parser.add_argument("--database", help="SQLite file to copy (default var/urbanagenda.sqlite)")
    parser.add_argument(
        "--build-demo",
        action="store_true",
        help="build a fresh demo database (urbanagenda demo) instead",
    )
    parser.add_argument("--loads", type=int, default=5, help="browser loads (median)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-wrk", action="store_true", help="only the browser measurement")
    parser.add_argument("--page", default=UA_PAGE, help=f"urbanagenda page (default {UA_PAGE})")
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(width=None if sys.stdout.isatty() else 140)
    if not Path(WRK).exists():
        console.print("[red]wrk is not installed[/] (apt-get install wrk)")
        return 2
    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": {k: v for k, v in vars(args).items()},
        "uptime_before": uptime(),
        "loadavg_before": loadavg(),
        "runs": [],
    }
    db = prepare_database(args)
    servers = make_servers(db, args.workers)
    result["servers"] = {
        k: {"label": s.label, "command": " ".join(s.cmd), "env": s.env} for k, s in servers.items()
    }
    try:
        with console.status("starting the four servers"):
            for s in servers.values():
                s.start()
            for s in servers.values():
                s.wait()
            time.sleep(5)  # urbanagenda prepares the home page in a thread at start-up
        ua, ds = servers["ua"], servers["ds_pub"]
        # -- the same rows on both sides -----------------------------------------------------
        for key, srv in servers.items():
            got = (
                ua_values(srv.base, UA_API) if key.startswith("ua") else ds_values(srv.base, DS_API)
            )
            values = [v for _, v in got]
            if values != NIGERIA_SLUM:
                raise RuntimeError(f"{key} returned {values}, expected {NIGERIA_SLUM}")
        varied = varied_paths(WORK / "ua.sqlite")
        for ua_paths, ds_paths in varied.values():
            step = max(1, len(ua_paths) // 12)
            for up, dp in list(zip(ua_paths, ds_paths, strict=True))[::step]:
                a, b = ua_values(ua.base, up), ds_values(ds.base, dp)
                if a != b:
                    raise RuntimeError(f"{up} and {dp} differ: {a[:3]} vs {b[:3]}")
        result["checked"] = {
            "nigeria_slum": NIGERIA_SLUM,
            "varied_sampled": {k: len(v[0]) for k, v in varied.items()},
        }
        page = args.page
        status, _, _ = fetch(ua.base + page)
        if status != 200:
            console.print(
                f"[yellow]{page} answered {status}; the page run uses {UA_PAGE_FALLBACK}[/]"
            )
            page = UA_PAGE_FALLBACK
        result["page"] = page

        plain = lua_script("plain", None)
        scripts = {
            "countries": (
                lua_script("ua_countries", varied["countries"][0]),
                lua_script("ds_countries", varied["countries"][1]),
            ),
            "pairs": (
                lua_script("ua_pairs", varied["pairs"][0], random=True),
                lua_script("ds_pairs", varied["pairs"][1], random=True),
            ),
        }
        plan: list[tuple[str, str, str, Path, str]] = []  # scenario, server, url, script, note
        for key in ("ua", "ua_nocache", "ds_pub", "ds_best"):
            path = UA_API if key.startswith("ua") else DS_API
            plan.append(("api", key, servers[key].base + path, plain, path))
        for scen, count in (
            ("countries", len(varied["countries"][0])),
            ("pairs", len(varied["pairs"][0])),
        ):
            for key in ("ua", "ds_pub", "ds_best"):
                script = scripts[scen][0 if key.startswith("ua") else 1]
                note = f"{count} URLs" + (" (random)" if scen == "pairs" else " (in turn)")
                plan.append((scen, key, servers[key].base + "/", script, note))
        for key in ("ua", "ua_nocache", "ds_pub", "ds_best"):
            path = page if key.startswith("ua") else DS_PAGE
            plan.append(("page", key, servers[key].base + path, plain, path))

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            if args.no_wrk:
                plan = []
            task = progress.add_task("wrk", total=len(plan))
            for scen, key, url, script, note in plan:
                progress.update(task, description=f"{scen}: {servers[key].label}")
                if args.warmup > 0:
                    run_wrk(url, script, args, args.warmup)
                before, cpu0 = loadavg(), servers[key].cpu_seconds()
                text = run_wrk(url, script, args, args.duration)
                cpu = servers[key].cpu_seconds() - cpu0
                stats = parse_wrk(text)
                stats.update(
                    scenario=scen,
                    server=key,
                    label=servers[key].label,
                    url=url,
                    note=note,
                    loadavg_before=before,
                    loadavg_after=loadavg(),
                    server_cpu_s=round(cpu, 2),
                    server_cpu_ms_per_request=round(1000 * cpu / stats["requests"], 3)
                    if stats.get("requests")
                    else None,
                    wrk_output=text,
                )
                result["runs"].append(stats)
                progress.advance(task)
        if not args.no_browser:
            with console.status("Chromium: first render of the page"):
                result["browser"] = {
                    "urbanagenda": browser_loads(ua.base + page, args.loads),
                    "datasette": browser_loads(ds.base + DS_PAGE, args.loads),
                }
    finally:
        for s in servers.values():
            s.stop()
    result["uptime_after"] = uptime()
    result["loadavg_after"] = loadavg()
    result["ratios"] = ratios(result["runs"])
    result["goals"] = goals(result)
    write(result, started, console)
    return 0


def _run(runs: list[dict[str, Any]], scen: str, key: str) -> dict[str, Any] | None:
    return next((r for r in runs if r["scenario"] == scen and r["server"] == key), None)


def ratios(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for scen in ("api", "countries", "pairs", "page"):
        for ua_key in ("ua", "ua_nocache"):
            for ds_key in ("ds_pub", "ds_best"):
                a, b = _run(runs, scen, ua_key), _run(runs, scen, ds_key)
                if a and b and b["rps"]:
                    out[f"{scen}:{ua_key}/{ds_key}"] = round(a["rps"] / b["rps"], 2)
    return out


def goals(result: dict[str, Any]) -> dict[str, Any]:
    runs = result["runs"]
    out: dict[str, Any] = {}
    for scen in ("api", "page"):
        ua, best = _run(runs, scen, "ua"), _run(runs, scen, "ds_best")
        pub = _run(runs, scen, "ds_pub")
        if ua and best and pub:
            out[f"{scen}: >= {GOAL_RATIO:g}x datasette req/s (best and as published)"] = (
                ua["rps"] >= GOAL_RATIO * best["rps"] and ua["rps"] >= GOAL_RATIO * pub["rps"]
            )
        if ua:
            out[f"{scen}: p99 < {GOAL_P99_MS:g} ms"] = ua["p99_ms"] < GOAL_P99_MS
    browser = result.get("browser", {}).get("urbanagenda")
    if browser:
        out[f"page < {GOAL_PAGE_BYTES // 1024} KB of HTML"] = (
            browser["html_bytes"] < GOAL_PAGE_BYTES
        )
        fcp = browser["median_fcp_ms"]
        out[f"first render (first contentful paint) < {GOAL_FIRST_RENDER_MS:g} ms"] = (
            fcp is not None and fcp < GOAL_FIRST_RENDER_MS
        )
        if browser["charts"]:
            drawn = browser["median_all_charts_ms"]
            out[f"every chart drawn < {GOAL_FIRST_RENDER_MS:g} ms"] = (
                drawn is not None and drawn < GOAL_FIRST_RENDER_MS
            )
    return out


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# bench_web {result['started']}",
        "",
        f"Machine: {result['machine']['cpus']} CPUs, {result['machine']['platform']}. "
        f"wrk: {result['settings']['connections']} connections, "
        f"{result['settings']['threads']} threads, {result['settings']['duration']:g} s per run "
        f"after {result['settings']['warmup']:g} s of warm-up.",
        "",
        f"Load average before: {result['loadavg_before']} ({result['uptime_before']}); "
        f"after: {result['loadavg_after']}.",
        "",
        "| scenario | server | req/s | p50 ms | p99 ms | non-2xx | server CPU ms/req | "
        "load 1 min before→after |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['scenario']} ({r['note']}) | {r['label']} | {_f(r['rps'], 0)} | "
            f"{_f(r.get('p50_ms'), 2)} | {_f(r.get('p99_ms'), 2)} | {r['non2xx']} | "
            f"{_f(r.get('server_cpu_ms_per_request'), 3)} | "
            f"{r['loadavg_before'][0]}→{r['loadavg_after'][0]} |"
        )
    lines += ["", "Ratios of req/s (urbanagenda / datasette):", ""]
    lines += [f"* {k}: {v:.2f}×" for k, v in result["ratios"].items()]
    browser = result.get("browser")
    if browser:
        lines += [
            "",
            "| page in Chromium (median of loads, cold cache) | HTML bytes | gzip | "
            "all resources bytes | TTFB ms | FCP ms | first chart ms | all charts ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, b in browser.items():
            lines.append(
                f"| {name} `{b['url'].split('/', 3)[-1]}` | {b['html_bytes']:,} | "
                f"{b['html_gzip_bytes']:,} | {b['resource_bytes']:,} | {_f(b['median_ttfb_ms'])} | "
                f"{_f(b['median_fcp_ms'])} | {_f(b['median_first_chart_ms'])} | "
                f"{_f(b['median_all_charts_ms'])} |"
            )
    lines += ["", "Goals:", ""]
    lines += [f"* {k}: {'met' if v else '**not met**'}" for k, v in result["goals"].items()]
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], started: datetime, console: Any) -> None:
    from rich.table import Table

    OUT.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(result, indent=2)
    md = markdown(result)
    for name in (f"bench_web-{stamp}", "bench_web-latest"):
        (OUT / f"{name}.json").write_text(text)
        (OUT / f"{name}.md").write_text(md)
    table = Table(
        title=f"bench_web {result['started']} (load {result['loadavg_before']} → "
        f"{result['loadavg_after']})"
    )
    for col in ("scenario", "server", "req/s", "p50 ms", "p99 ms", "non-2xx", "CPU ms/req", "load"):
        table.add_column(col, justify="left" if col in ("scenario", "server") else "right")
    for r in result["runs"]:
        table.add_row(
            SCENARIOS[r["scenario"]],
            SHORT[r["server"]],
            _f(r["rps"], 0),
            _f(r.get("p50_ms"), 2),
            _f(r.get("p99_ms"), 2),
            str(r["non2xx"]),
            _f(r.get("server_cpu_ms_per_request"), 3),
            f"{r['loadavg_before'][0]}→{r['loadavg_after'][0]}",
        )
    console.print(table)
    for key, server in result["servers"].items():
        console.print(f"  {SHORT[key]}: {server['label']}")
    for k, v in result["ratios"].items():
        console.print(f"  {k}: [bold]{v:.2f}×[/]")
    browser = result.get("browser")
    if browser:
        for name, b in browser.items():
            console.print(
                f"  {name} page: {b['html_bytes']:,} B HTML ({b['html_gzip_bytes']:,} gzip), "
                f"{b['resource_bytes']:,} B of resources; FCP {_f(b['median_fcp_ms'])} ms, "
                f"chart drawn {_f(b['median_all_charts_ms'])} ms (median of {b['loads']})"
            )
    for k, v in result["goals"].items():
        console.print(f"  {k}: {'[green]met[/]' if v else '[red]not met[/]'}")
    console.print(f"written: {OUT / ('bench_web-' + stamp + '.json')} and .md")


if __name__ == "__main__":
    sys.exit(main())
