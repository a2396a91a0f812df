"""The indicator page in Chromium: charts drawn, area selector, year slider and downloads,
with the real values of the demo database (Nigeria's slum share, EN_LND_SLUM, urban)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PAGE = "/en/indicator/11.1.1"
# UN SDG Global Database, EN_LND_SLUM, Nigeria (566), urban
NIGERIA = {2016: 54.00711, 2018: 51.49458, 2020: 48.98206}


def year_table(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Country name -> shown value of the map's year table."""
    rows = page.eval_on_selector_all(
        "#year-rows tr",
        "rows => rows.map(r => [r.querySelector('th').innerText.trim(),"
        " r.querySelector('td').innerText.trim()])",
    )
    return dict(rows)


def map_fills(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#map-chart svg path", "paths => paths.map(p => p.getAttribute('fill'))"
    )


def test_charts_table_and_nigeria(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open(PAGE)
    page = visit.page
    assert "Proportion of urban population living in slums" in page.inner_text("h1")
    # both charts drawn by vega-embed as SVG, under the page's CSP, each with a text alternative
    for chart in ("#ts-chart", "#map-chart"):
        assert page.get_attribute(chart, "data-rendered") == "true"
        assert page.locator(f"{chart} svg").count() == 1
        assert page.get_attribute(chart, "role") == "img"
        assert page.get_attribute(chart, "aria-label")
    assert page.locator("#map-chart svg path").count() > 100  # the world's countries
    # the map's year table: Nigeria 2020, 48.98206 shown as 49.0
    assert page.input_value("#year") == "2020"
    assert year_table(page)["Nigeria"] == "49.0"
    assert page.get_attribute("#year-rows a:text-is('Nigeria')", "href") == "/en/area/566"
    visit.shot("indicator")
    visit.axe("indicator")


def test_area_selector(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open(PAGE)
    page = visit.page
    page.select_option("#area", ["1", "566"])
    with page.expect_navigation():
        page.get_by_role("button", name="Show areas").click()
    visit.wait_for_charts()
    assert "area=566" in page.url and "area=1" in page.url
    # the table has exactly the chosen areas, with Nigeria's real values
    names = page.eval_on_selector_all("#ts-table tbody th", "ths => ths.map(t => t.innerText)")
    assert sorted(names) == ["Nigeria", "World"]
    years = page.eval_on_selector_all("#ts-table thead th", "ths => ths.map(t => t.innerText)")
    nigeria = page.eval_on_selector_all(
        "#ts-table tbody tr",
        "trs => [...trs.find(r => r.querySelector('th').innerText.trim() === 'Nigeria')"
        ".querySelectorAll('td')].map(t => t.innerText.trim())",
    )
    by_year = dict(zip(years[1:], nigeria, strict=True))
    assert by_year["2020"] == "49.0" and by_year["2000"] == "74.1"
    # the selection survives: the selector shows it, the line chart is drawn again
    assert page.eval_on_selector_all("#area option:checked", "os => os.map(o => o.value)") == [
        "1",
        "566",
    ]
    assert page.locator("#ts-chart svg").count() == 1
    visit.shot("indicator-areas")


def test_year_slider_recolours_map_and_table(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open(PAGE)
    page = visit.page
    before = map_fills(page)
    assert (
        page.evaluate("document.getElementById('map-chart').urbanagendaView.signal('year')") == 2020
    )
    page.focus("#year")
    page.keyboard.press("ArrowLeft")  # one step back: the previous year with data
    page.wait_for_function("document.getElementById('year-out').textContent === '2018'")
    assert page.inner_text("#year-caption") == "2018"
    assert year_table(page)["Nigeria"] == "51.5"
    assert "year=2018" in page.url
    assert (
        page.evaluate("document.getElementById('map-chart').urbanagendaView.signal('year')") == 2018
    )
    page.wait_for_function(
        "before => JSON.stringify([...document.querySelectorAll('#map-chart svg path')]"
        ".map(p => p.getAttribute('fill'))) !== JSON.stringify(before)",
        arg=before,
    )
    assert map_fills(page) != before  # the map is re-coloured in place
    assert "2018" in page.get_attribute("#map-chart", "aria-label")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.getElementById('year-out').textContent === '2016'")
    assert year_table(page)["Nigeria"] == "54.0"
    visit.shot("indicator-2016")


def test_year_without_javascript_state_is_in_the_address(visit) -> None:  # type: ignore[no-untyped-def]
    """The slider's year is a form field: /indicator/11.1.1?year=2018 shows 2018 server-side."""
    visit.open(PAGE + "?year=2018")
    page = visit.page
    assert page.input_value("#year") == "2018"
    assert year_table(page)["Nigeria"] == "51.5"


def test_download_of_the_current_year(visit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    visit.open(PAGE)
    page = visit.page
    page.focus("#year")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.getElementById('year-out').textContent === '2018'")
    with page.expect_download() as info:
        page.click("a.year-download[data-format='csv']")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / "year.csv"
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {r["year"] for r in rows} == {"2018"}
    assert {r["area_kind"] for r in rows} == {"country"}
    nigeria = [r for r in rows if r["area_code"] == "566" and r["location"] == "U"]
    assert [float(r["value"]) for r in nigeria] == [NIGERIA[2018]]
    assert len(rows) == len(year_table(page))  # the file holds the countries the table shows


def test_download_of_the_chosen_series(visit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    visit.open(PAGE + "?area=566&area=1")
    page = visit.page
    with page.expect_download() as info:
        page.click("p.downloads a[data-format='xlsx']:not(.year-download)")
    path = tmp_path / "series.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)  # read-only books hold the file open
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = list(rows[0])
    records = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert {r["area_code"] for r in records} == {"566", "1"}
    nigeria = {
        int(r["year"]): float(r["value"])  # type: ignore[arg-type]
        for r in records
        if r["area_code"] == "566" and r["location"] == "U"
    }
    assert nigeria[2020] == NIGERIA[2020] and nigeria[2016] == NIGERIA[2016]


def test_arabic_indicator_page(visit) -> None:  # type: ignore[no-untyped-def]
    visit.open("/ar/indicator/11.1.1")
    page = visit.page
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    for chart in ("#ts-chart", "#map-chart"):
        assert page.get_attribute(chart, "data-rendered") == "true"
        # charts keep left-to-right axes, whose labels would be clipped otherwise
        assert page.eval_on_selector(chart, "e => getComputedStyle(e).direction") == "ltr"
    nigeria = page.eval_on_selector(
        '#year-rows a[href="/ar/area/566"]',
        "a => [a.innerText, a.closest('tr').cells[1].innerText]",
    )
    assert nigeria == ["نيجيريا", "49.0"]
    visit.shot("indicator-ar")
    visit.axe("indicator-ar")
