"""Browser tests: real headless Chromium (Playwright, sync API) against the real server.

``browser``  one Chromium for the whole session (``/usr/bin/chromium``); skipped when it is
             missing on a developer machine, a failure in CI (``CI=true``)
``site``     the base URL of ``live_server`` (one real uvicorn per session, demo database)
``visit``    a fresh browser context and page per test, with helpers to open a page and
             check it: console errors, uncaught exceptions, CSP violations and failed
             requests fail the test; ``axe()`` runs axe-core (WCAG 2.1 A/AA) and fails on any
             serious or critical violation; ``shot()`` keeps a full-page screenshot in
             ``test-artifacts/screenshots/``.

Environment: ``URBANAGENDA_TEST_SERVER=http://127.0.0.1:PORT`` tests a server already serving
the demo database instead of starting one; ``URBANAGENDA_CHROMIUM`` names another Chromium.
Artifacts: test-artifacts/screenshots/*.png (FAILED-*.png for failed tests), axe/*.json (every
violation, any impact), browser-console-warnings.txt, browser-warm-up.txt.

axe-core comes from the npm registry (``frontend/node_modules/axe-core``, installed by
scripts/bootstrap.sh).  The pages' CSP (``script-src 'self'``) rightly refuses an injected
inline ``<script>``, so axe's source is evaluated through the DevTools protocol
(``page.evaluate``), which CSP does not govern: the page under test keeps its real policy.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Debian's chromium; URBANAGENDA_CHROMIUM names another build
CHROMIUM = Path(os.environ.get("URBANAGENDA_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 30_000
SERVER_ENV = "URBANAGENDA_TEST_SERVER"
WARM_UP_S = 300  # the progress overview's first computation, on a busy machine
WARM_UP_LOG = ARTIFACTS / "browser-warm-up.txt"
WARNINGS_LOG = ARTIFACTS / "browser-console-warnings.txt"


def _unavailable(message: str) -> None:
    """Skip on a developer machine; in CI a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: .ci/run installs chromium and the npm packages)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests need the playwright package (scripts/bootstrap.sh)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_warnings_log() -> None:
    WARNINGS_LOG.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _unavailable(f"accessibility checks need axe-core at {AXE} (scripts/bootstrap.sh)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> str:
    """The server's base URL, once its progress overview is computed: the first visit of
    ``/en/`` computes it (many seconds on a busy machine), which no page test should time.

    ``URBANAGENDA_TEST_SERVER=http://127.0.0.1:PORT`` runs the tests against a server already
    serving the demo database (``urbanagenda serve``) instead of starting one."""
    live_server = os.environ.get(SERVER_ENV) or request.getfixturevalue("live_server")
    started = time.monotonic()
    with urllib.request.urlopen(f"{live_server}/en/", timeout=WARM_UP_S) as response:
        assert response.status == 200
    WARM_UP_LOG.parent.mkdir(parents=True, exist_ok=True)
    WARM_UP_LOG.write_text(f"first /en/ in {time.monotonic() - started:.1f} s\n")
    return live_server


# Collects CSP violations from the first moment of every document.  Init scripts are
# injected through the DevTools protocol, outside the page's CSP.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""

_RUN_AXE = """([tags]) => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact,
                            summary: n.failureSummary, html: n.html.slice(0, 200)})),
})))"""


@dataclass
class Visit:
    """One test's page, and what went wrong on it."""

    page: Any
    base: str
    axe_source: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    downloads: set[str] = field(default_factory=set)
    aborted: list[str] = field(default_factory=list)

    def open(self, path: str, status: int = 200) -> Any:
        """Load ``path`` and wait for the page and its charts; checks the HTTP status."""
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        self.wait_for_charts()
        return response

    def allow(self, pattern: str) -> None:
        """A console message that this test expects (e.g. the 404 of the error page)."""
        self.allowed.append(re.compile(pattern))

    def wait_for_charts(self) -> None:
        """Every ``[data-spec]`` element drawn (``data-rendered``) or failed (``data-error``)."""
        self.page.wait_for_function(
            """() => [...document.querySelectorAll("[data-spec]")].every(
                 e => e.hasAttribute("data-rendered") || e.hasAttribute("data-error"))""",
            timeout=TIMEOUT_MS,
        )
        errors = self.page.eval_on_selector_all(
            "[data-error]", "els => els.map(e => e.id + ': ' + e.getAttribute('data-error'))"
        )
        assert not errors, f"charts failed to draw: {errors}"

    def csp_violations(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => window.__cspViolations || []")  # type: ignore[no-any-return]

    def check(self) -> None:
        """Fails on console errors, uncaught exceptions, CSP violations, failed requests."""
        problems = [p for p in self.problems if not any(rx.search(p) for rx in self.allowed)]
        problems += [f"CSP violation: {v}" for v in self.csp_violations()]
        # a link answered as an attachment ends its navigation as "aborted": not a failure
        problems += [f"aborted: {url}" for url in self.aborted if url not in self.downloads]
        assert not problems, "the page reported problems:\n" + "\n".join(problems)

    def axe(self, name: str) -> list[dict[str, Any]]:
        """Runs axe-core on the current page; fails on serious or critical violations.

        Every violation found (any impact) is written to test-artifacts/axe/NAME.json."""
        if self.page.evaluate("() => typeof window.axe") != "object":
            self.page.evaluate(self.axe_source + "\n;0")
        violations: list[dict[str, Any]] = self.page.evaluate(_RUN_AXE, [AXE_TAGS])
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        (AXE_REPORTS / f"{name}.json").write_text(
            json.dumps({"url": self.page.url, "violations": violations}, indent=1),
            encoding="utf-8",
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe-core on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n"
            + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:8])
            for v in blocking
        )
        return violations

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the test item, for the screenshot of a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def visit(
    browser: Any, site: str, axe_source: str, request: pytest.FixtureRequest
) -> Iterator[Visit]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, base_url=site
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_WATCH_CSP)
    page = context.new_page()
    current = Visit(page=page, base=site, axe_source=axe_source)

    def on_console(message: Any) -> None:
        if message.type == "error" and not _harmless(message.text):
            current.problems.append(f"console error: {message.text} at {page.url}")
        elif message.type == "warning":
            _note_warning(f"{page.url}: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            current.problems.append(f"HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: current.problems.append(f"uncaught: {error}"))
    page.on("response", on_response)
    page.on("download", lambda download: current.downloads.add(download.url))

    def on_failed(request: Any) -> None:
        if request.failure == "net::ERR_ABORTED":
            # a document: a download or a failure (see check()); a resource: cancelled
            # because the test navigated on
            if request.resource_type == "document":
                current.aborted.append(request.url)
        else:
            current.problems.append(f"failed: {request.url} {request.failure}")

    page.on("requestfailed", on_failed)
    try:
        yield current
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)[:120]
            current.shot(f"FAILED-{name}")
        current.check()
    finally:
        context.close()


def _note_warning(text: str) -> None:
    """Console warnings (e.g. Vega's) do not fail a test; they are kept for reading."""
    WARNINGS_LOG.parent.mkdir(parents=True, exist_ok=True)
    with WARNINGS_LOG.open("a", encoding="utf-8") as log:
        log.write(text + "\n")


def _harmless(text: str) -> bool:
    # a document answered with 4xx is also reported as a failed resource; the test checks
    # the status of the documents it opens
    return text.startswith("Failed to load resource: the server responded with a status of 4")
