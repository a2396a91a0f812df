"""The home page (progress grid) and the shared page frame in Chromium: method selector,
legend, skip link, and Arabic laid out right to left."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def statuses(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#progress-chart td.status", "tds => tds.map(td => td.dataset.status)"
    )


def legend_and_cells(page) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    legend = page.eval_on_selector_all(
        ".legend li",
        "lis => lis.map(li => [li.querySelector('.swatch').dataset.status, li.innerText.trim()])",
    )
    cells = page.eval_on_selector_all(
        "#progress-chart td.status",
        "tds => tds.map(td => [td.dataset.status, td.innerText.trim()])",
    )
    return {tuple(x) for x in legend}, {tuple(x) for x in cells}


def test_legend_names_every_cell(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/")
    legend, cells = legend_and_cells(visit.page)
    # every status and label the grid shows is explained once in the key, "no data" included
    assert cells <= legend
    assert ("", "no data") in legend
    # "met" reads differently with and without a numeric 2030 target
    met = {label for status, label in cells if status == "met"}
    assert met == {"Target met or almost met", "Substantial progress (no numeric target)"}


def test_method_selector(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/")
    page = visit.page
    before = statuses(page)
    assert page.input_value("#method") == "unsd-2024"
    # unsd-2024 has five levels: its codes only
    assert set(before) - {""} <= {
        "met", "moderate", "marginal", "stagnation", "regression", "insufficient_data"
    }  # fmt: skip
    page.select_option("#method", "unsd-2022")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.url.endswith("/en/?method=unsd-2022")
    assert page.input_value("#method") == "unsd-2022"
    after = statuses(page)
    assert len(after) == len(before)
    assert after != before
    assert set(after) - {""} <= {
        "target_met", "on_track", "fair", "limited", "deterioration", "insufficient_data"
    }  # fmt: skip
    assert "Progress Chart 2022" in page.inner_text("#progress-caption")
    # every coloured cell links to its evidence under the chosen method
    hrefs = page.eval_on_selector_all(
        "#progress-chart td.status a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs and all("method=unsd-2022" in h and "/en/indicator/11." in h for h in hrefs)
    # the legend names the statuses shown, with the colour of their cells
    legend = page.eval_on_selector_all(
        ".legend li .swatch", "spans => spans.map(s => s.dataset.status)"
    )
    assert set(after) - {""} <= set(legend)
    shown, cells = legend_and_cells(page)
    assert cells <= shown
    cell_colour = page.eval_on_selector(
        '#progress-chart td.status[data-status="deterioration"]',
        "td => getComputedStyle(td).backgroundColor",
    )
    swatch_colour = page.eval_on_selector(
        '.legend .swatch[data-status="deterioration"]', "s => getComputedStyle(s).backgroundColor"
    )
    assert cell_colour == swatch_colour == "rgb(201, 42, 42)"
    visit.shot("home-unsd-2022")
    visit.axe("home-unsd-2022")


def test_a_cell_leads_to_its_evidence(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/")
    page = visit.page
    # 11.1 (slums) in Sub-Saharan Africa: the indicator page of 11.1.1 for that region
    cell = page.locator("#progress-chart tbody tr").first.locator("td.status").nth(1)
    with page.expect_navigation():
        cell.locator("a").click()
    visit.wait_for_charts()
    assert "/en/indicator/11.1.1?" in page.url and "area=202" in page.url
    assert "11.1.1" in page.inner_text("h1")


def test_skip_link(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/")
    page = visit.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _layout(page) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
          const box = s => document.querySelector(s).getBoundingClientRect();
          return {width: document.documentElement.clientWidth,
                  brand_left: box("header.site .brand").left,
                  brand_right: box("header.site .brand").right,
                  nav_left: box("header.site nav.primary").left,
                  target_left: box("#progress-chart thead th.target").left,
                  world_left: box('#progress-chart thead a[href$="/area/1"]').left};
        }"""
    )


def test_arabic_is_right_to_left(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/ar/")
    page = visit.page
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    ar = _layout(page)
    # mirrored: the brand at the right edge, the navigation to its left; the grid's target
    # column on the right, the regions to its left
    assert ar["brand_right"] > ar["width"] - 40
    assert ar["nav_left"] < ar["brand_left"]
    assert ar["world_left"] < ar["target_left"]
    # codes such as 11.a keep their order inside Arabic text
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('#progress-chart tbody .code')).direction"
        )
        == "ltr"
    )
    visit.open("/en/")
    en = _layout(page)
    assert en["brand_left"] < 40 and en["nav_left"] > en["brand_left"]
    assert en["world_left"] > en["target_left"]


def test_language_switcher_keeps_the_page(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/en/?method=sdsn")
    page = visit.page
    switcher = page.get_by_role("navigation", name="Language")
    assert switcher.locator('a[aria-current="page"]').inner_text() == "English"
    with page.expect_navigation():
        switcher.locator('a[hreflang="zh"]').click()
    assert page.url.endswith("/zh/?method=sdsn")
    assert page.get_attribute("html", "lang") == "zh"
    assert page.input_value("#method") == "sdsn"
