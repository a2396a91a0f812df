"""The finance pages in Chromium: the OSR form filled and submitted, the waterfall drawn and
the hand-computed gap shown, bad input shown next to its field; the investment page ranking
the example list with its chart drawn; the overview in Chinese; every page axe-clean."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_osr_form_gives_a_waterfall_and_the_gap(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/finance/osr")
    page = visit.page
    visit.axe("finance-osr-form")
    fields = {
        "#f-local_government": "Hand Town",
        "#f-currency": "SLE",
        "#f-year": "2023",
        "#f-pt_estimated": "1200",
        "#f-pt1_registered": "1000",
        "#f-pt1_compliant": "600",
        "#f-pt1_assessed_value": "2000000",
        "#f-pt1_market_value": "3000000",
        "#f-pt1_rate": "0.01",
    }
    for selector, value in fields.items():
        page.fill(selector, value)
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_load_state("load")
    visit.wait_for_charts()
    # κ = 1000/1200: potential = 1000 × 3,000,000 × 0.01 × 1.2 = 36,000,000; actual =
    # 600 × 2,000,000 × 0.01 = 12,000,000; gap = 24,000,000
    assert page.inner_text('[data-figure="gap"]').strip() == "24,000,000"
    chart = page.locator("#waterfall-2023")
    assert chart.get_attribute("data-rendered") == "true"
    assert chart.locator("svg, canvas").count() >= 1
    assert page.input_value("#f-pt1_compliant") == "600"  # the entries stay
    visit.shot("finance-osr-result")
    visit.axe("finance-osr-result")


def test_osr_form_shows_bad_input_next_to_the_field(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/finance/osr")
    page = visit.page
    visit.allow("status of 400")
    for selector, value in {"#f-local_government": "Hand Town", "#f-currency": "SLE",
                            "#f-year": "2023", "#f-pt_estimated": "1200",
                            "#f-pt1_registered": "1000", "#f-pt1_compliant": "1500",
                            "#f-pt1_assessed_value": "2000000", "#f-pt1_market_value": "3000000",
                            "#f-pt1_rate": "0.01"}.items():  # fmt: skip
        page.fill(selector, value)
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_load_state("load")
    assert "registered" in page.inner_text("#err-pt1_compliant")
    assert page.get_attribute("#f-pt1_compliant", "aria-invalid") == "true"
    assert page.input_value("#f-pt1_compliant") == "1500"
    visit.axe("finance-osr-errors")


def test_investment_page_ranks_the_example(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/finance/invest")
    page = visit.page
    visit.axe("finance-invest-form")
    page.check("#f-use_example")
    page.fill("#f-budget", "1000000000")
    page.get_by_role("button", name="Rank the projects").click()
    page.wait_for_load_state("load")
    visit.wait_for_charts()
    assert page.locator("tr[data-project]").count() >= 3
    assert page.locator("#ranking-chart").get_attribute("data-rendered") == "true"
    visit.shot("finance-invest-result")
    visit.axe("finance-invest-result")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_finance_overview(visit, lang: str) -> None:  # type: ignore[no-untyped-def]
    visit.open(f"/{lang}/finance")
    page = visit.page
    assert page.locator(f'a[href="/{lang}/finance/osr"]').count() >= 1
    assert page.locator("html").get_attribute("lang") == lang
    visit.axe(f"finance-overview-{lang}")
