"""Country, region and city pages, search and the lists, in Chromium, with real values of the
demo database: Nigeria (566), Sub-Saharan Africa (202), Lagos (ng_lagos)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def row_cells(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        selector, "cells => cells.map(c => c.innerText.trim())"
    )


def test_country_nigeria(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/area/566")
    page = visit.page
    assert page.inner_text("h1").strip() == "Nigeria"
    # EN_LND_SLUM 2020 = 48.98206 (UN SDG Global Database), shown 49.0 %
    slum = page.locator('tr[data-series="EN_LND_SLUM"]')
    assert slum.locator("td.value").inner_text().strip() == "49.0 %"
    assert slum.locator("td.value").get_attribute("data-year") == "2020"
    # its trend sparkline is an image with a text alternative naming both ends
    spark = slum.locator("svg.spark")
    assert spark.get_attribute("role") == "img"
    assert spark.get_attribute("aria-label") == (
        "Trend of EN_LND_SLUM: 74.1 % in 2000, 49.0 % in 2020"
    )
    # its cities, each a link to its own page
    assert page.locator('a[href="/en/area/ng_lagos"]').count() >= 1
    visit.shot("country")
    visit.axe("country")


def test_region_sub_saharan_africa(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/area/202")
    page = visit.page
    assert page.inner_text("h1").strip() == "Sub-Saharan Africa"
    # computed beside official aggregate: official 2020 urban slum share 50.16 -> 50.2 %
    row = 'table.aggregates[data-series="EN_LND_SLUM"] tr[data-year="2020"]'
    assert page.inner_text(f"{row} td.official").strip() == "50.2 %"
    assert page.inner_text(f"{row} td.computed").strip().endswith("%")
    # the distribution charts are drawn, and are images with text alternatives
    charts = page.locator("[data-spec]")
    assert charts.count() >= 1
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("data-rendered") == "true"
        assert chart.locator("svg").count() == 1
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
    visit.shot("region")
    visit.axe("region")


def test_city_lagos(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/area/ng_lagos")
    page = visit.page
    assert page.inner_text("h1").strip() == "Lagos"
    # SP_TRN_PUBL 2020 = 38.1 (UN-Habitat), compared with the national value
    transport = page.locator('tr[data-series="SP_TRN_PUBL"]')
    assert transport.locator("td.value").inner_text().strip() == "38.1 %"
    assert transport.locator("td.national").inner_text().strip().startswith("19.5 %")
    assert page.locator('nav.crumbs a[href="/en/area/566"]').count() == 1
    for chart in page.locator("[data-spec]").all():
        assert chart.get_attribute("data-rendered") == "true"
    visit.shot("city")
    visit.axe("city")


def test_search_from_the_header(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/")
    page = visit.page
    page.fill("#site-search", "nigeria")
    with page.expect_navigation():
        page.press("#site-search", "Enter")
    assert page.url.endswith("/en/search?q=nigeria")
    link = page.locator('main a[href="/en/area/566"]')
    assert link.inner_text().strip() == "Nigeria"
    visit.shot("search")
    visit.axe("search")
    with page.expect_navigation():
        link.click()
    assert page.inner_text("h1").strip() == "Nigeria"


def test_search_in_chinese(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/zh/search?q=%E5%B0%BC%E6%97%A5%E5%88%A9%E4%BA%9A")  # 尼日利亚
    assert visit.page.locator('main a[href="/zh/area/566"]').count() == 1


@pytest.mark.parametrize(
    ("name", "path", "link"),
    [
        ("indicators", "/en/indicators", "/en/indicator/11.1.1"),
        ("areas", "/en/areas", "/en/area/566"),
    ],
)
def test_lists(visit, name: str, path: str, link: str) -> None:  # type: ignore[no-untyped-def]
    visit.open(path)
    assert visit.page.locator(f'main a[href="{link}"]').count() >= 1
    visit.shot(name)
    visit.axe(name)
