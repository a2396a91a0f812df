"""Every page type loads in Chromium without console errors or CSP violations, passes
axe-core (no serious or critical WCAG 2.1 A/AA violation) and leaves a full-page screenshot."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("home-en", "/en/", "Are the SDG 11 targets on track?"),
        ("home-ar", "/ar/", None),
        ("home-zh", "/zh/", None),
    ],
)
def test_home_in_three_scripts(visit, name: str, path: str, heading: str | None) -> None:  # type: ignore[no-untyped-def]
    visit.open(path)
    page = visit.page
    lang = path.strip("/")
    assert page.get_attribute("html", "lang") == lang
    if heading:
        assert page.inner_text("h1") == heading
    # the grid: 10 targets (11.1-11.a-11.c) x 9 SDG regions (World first)
    assert page.locator("#progress-chart tbody tr").count() >= 10
    assert page.locator("#progress-chart thead th").count() == 10
    assert page.locator('#progress-chart thead a[href$="/area/202"]').count() == 1
    visit.shot(name)
    visit.axe(name)


def test_error_page(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/no-such-page", status=404)
    page = visit.page
    assert page.inner_text("h1") == "Error 404"
    assert "/en/no-such-page" in page.inner_text(".error-message")
    assert page.title().startswith("Error 404")
    # the way back is a working link
    page.get_by_role("link", name="Back to the progress overview").click()
    page.wait_for_url("**/en/")
    page.go_back()
    visit.shot("error")
    visit.axe("error")


def test_error_page_of_a_bad_parameter(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/fr/?method=nope", status=422)
    assert visit.page.get_attribute("html", "lang") == "fr"
    message = visit.page.inner_text(".error-message")
    assert "unknown method 'nope'" in message
    assert "unsd-2024" in message  # how to fix it: the methods there are


def test_api_docs(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/docs")
    page = visit.page
    # Swagger UI (from npm, served locally) reads /openapi.json and lists the operations
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))"
    )
    assert "/api/v1/observations" in paths
    visit.shot("docs")


def test_api_docs_accessibility(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/docs")
    visit.page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    visit.axe("docs")


def test_csp_is_enforced_and_its_violations_caught(visit) -> None:  # type: ignore[no-untyped-def]
    """The watcher that fails every test on a CSP violation does see one, and the policy the
    charts run under forbids inline scripts and eval."""
    response = visit.open("/en/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    page = visit.page
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__injected = true"; document.body.append(s); }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__injected") is None  # refused
    assert [v["directive"] for v in visit.csp_violations()] == ["script-src-elem"]
    visit.allow("Executing inline script violates the following Content Security Policy")
    visit.open("/en/")  # a fresh document: no violation left to report
