"""The indicator page on the demo database: real values in the tables and the charts' data,
the area selector, the map's year, downloads that return the rows shown, languages, size
and errors."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest

from urbanagenda.web.pages.common import indicator_name

PAGE = "/en/indicator/11.1.1"


def spec(page: str, ident: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', page, re.S)
    assert found, f"no #{ident} in the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def section(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i : page.index(end, i)]


def year_table(page: str) -> dict[str, str]:
    """Country name -> value shown, from the table beside the map."""
    body = section(page, '<tbody id="year-rows">', "</tbody>")
    rows = re.findall(
        r'<a href="/\w+/area/(\w+)">([^<]*)</a></th><td class="num">([^<]*)</td>', body
    )
    return {html.unescape(name): value for _code, name, value in rows}


def series_table(page: str) -> dict[str, dict[str, str]]:
    """Area name -> {year: value shown}, from the time-series table."""
    table = section(page, '<table id="ts-table">', "</table>")
    years = re.findall(r'<th scope="col" class="num">(\d{4})</th>', table)
    out = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        name = html.unescape(re.search(r">([^<]*)</a>", row).group(1))  # type: ignore[union-attr]
        cells = re.findall(r'<td class="num">([^<]*)', row)
        out[name] = {y: c for y, c in zip(years, cells, strict=True) if c}
    return out


def links(page: str, css_class: str | None = None) -> dict[str, str]:
    """Download links of the page by format (the map year's links with css_class)."""
    pattern = r'<a href="(/api/v1/observations\?[^"]*)" data-format="(\w+)"'
    pattern += rf' class="{css_class}"' if css_class else r">"
    return {f: html.unescape(url) for url, f in re.findall(pattern, page)}


@pytest.fixture(scope="module")
def default_page(client) -> str:  # type: ignore[no-untyped-def]
    resp = client.get(PAGE)
    assert resp.status_code == 200, resp.text[-500:]
    return resp.text  # type: ignore[no-any-return]


def test_nigeria_2020_in_the_year_table(default_page: str) -> None:
    assert 'id="year-out" for="year">2020<' in default_page  # the latest year by default
    table = year_table(default_page)
    assert table["Nigeria"] == "49.0"  # 48.98206 in the store
    assert table["Kenya"] == "50.8"
    assert len(table) > 50
    # the map's data hold the same value for 2020 and the year parameter
    world_map = spec(default_page, "map-spec")
    assert world_map["params"] == [{"name": "year", "value": 2020}]
    nigeria = next(r for r in world_map["layer"][1]["data"]["values"] if r["id"] == "566")
    assert nigeria["n"] == "Nigeria" and nigeria["y2020"] == pytest.approx(48.98206, abs=1e-3)
    assert nigeria["y2000"] == pytest.approx(74.10729, abs=1e-3)
    # ids as world-atlas writes them (zero-padded M49)
    assert any(r["id"] == "004" for r in world_map["layer"][1]["data"]["values"])


def test_definition_and_target(default_page: str, client) -> None:  # type: ignore[no-untyped-def]
    meta = section(default_page, 'id="h-definition"', "</section>")
    assert "EN_LND_SLUM" in meta and "Percent" in meta
    assert "lower is better" in meta and "urban population" in meta
    assert 'id="target-2030">0.0 (Percent)' in meta
    # a series with a 2030 target of 100 %: shown, and drawn as a rule in the chart
    page = client.get("/en/indicator/11.2.1").text
    assert 'id="target-2030">100.0 (Percent)' in page
    line = spec(page, "ts-spec")
    rules = [
        layer
        for outer in line["layer"]
        for layer in outer.get("layer", [])
        if layer["mark"]["type"] == "rule"
    ]
    assert rules and rules[0]["encoding"]["y"]["field"] == "t"
    target_layer = next(outer for outer in line["layer"] if "layer" in outer)
    assert target_layer["data"]["values"][0]["t"] == 100.0
    assert "2030 target: 100.0" in page


def test_default_areas_are_world_and_sdg_regions(default_page: str) -> None:
    table = series_table(default_page)
    assert list(table)[:2] == ["World", "Sub-Saharan Africa"]
    assert len(table) == 9
    assert table["World"]["2020"] == "24.2"  # the official world aggregate
    names = {row["a"] for row in spec(default_page, "ts-spec")["data"]["values"]}
    assert names == set(table)


def test_area_selector_changes_chart_and_table(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(PAGE, params=[("area", "566"), ("area", "KEN")]).text
    table = series_table(page)
    assert list(table) == ["Nigeria", "Kenya"]
    assert table["Nigeria"]["2020"] == "49.0" and table["Nigeria"]["2000"] == "74.1"
    rows = spec(page, "ts-spec")["data"]["values"]
    assert {r["a"] for r in rows} == {"Nigeria", "Kenya"}
    assert {"a": "Nigeria", "y": 2020, "v": 48.9821} in rows
    # the selector keeps the choice; comma-separated codes work as well
    assert '<option value="566" selected>Nigeria</option>' in page
    assert '<option value="1">World</option>' in page
    same = client.get(PAGE, params={"area": "566,404"}).text
    assert series_table(same) == table


def test_year_parameter_changes_the_map_table(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(PAGE, params={"year": "2000"}).text
    table = year_table(page)
    assert table["Nigeria"] == "74.1"
    assert "Afghanistan" not in table  # its first value is of 2006
    assert spec(page, "map-spec")["params"][0]["value"] == 2000
    assert 'value="2000"' in section(page, '<input type="range"', ">")
    # the slider steps by two years here; a year between two with data shows the earlier one
    assert 'step="2"' in page
    odd = client.get(PAGE, params={"year": "2019"}).text
    assert "No country values in 2019; the map shows 2018." in odd
    assert year_table(odd)["Nigeria"] == "51.5"


def test_downloads_return_the_rows_shown(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(PAGE, params=[("area", "566"), ("area", "404")]).text
    found = links(page)
    assert set(found) == {"csv", "xlsx", "parquet", "json"}
    data = client.get(found["json"]).json()["data"]
    table = series_table(page)
    names = {"566": "Nigeria", "404": "Kenya"}
    shown = {(names[r["area_code"]], str(r["year"])): f"{r['value']:.1f}" for r in data}
    expected = {(a, y): v for a, by_year in table.items() for y, v in by_year.items()}
    assert shown == expected
    resp = client.get(found["csv"])
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(resp.text)))) == len(data)
    for fmt in ("xlsx", "parquet"):
        resp = client.get(found[fmt])
        assert resp.status_code == 200 and len(resp.content) > 500

    # the map year's download gives the countries of the table, with the same values
    year_links = links(page, "year-download")
    assert "year_from=2020" in year_links["json"] and "area_level=country" in year_links["json"]
    rows = client.get(year_links["json"]).json()["data"]
    assert {r["area_name"]: f"{r['value']:.1f}" for r in rows} == year_table(page)


def test_status_by_region(default_page: str, client) -> None:  # type: ignore[no-untyped-def]
    status = section(default_page, '<table id="status-table"', "</table>")
    assert "UN Statistics Division Progress Chart 2024 (five levels)" in status
    world = re.search(r'<a href="/en/area/1">World</a></th>(.*?)</tr>', status, re.S)
    assert world, status[:500]
    cells = world.group(1)
    assert re.search(r'data-status="[a-z_]+"', cells)
    assert 'style="background:' in cells
    assert ">24.2<" in cells  # the official 2020 value
    assert "Sub-Saharan Africa" in status and "Europe and Northern America" in status
    other = client.get(PAGE, params={"method": "opensdg"}).text
    assert "method Open SDG / Statistics Canada progress measure" in other
    assert '<option value="opensdg" selected>' in other


def test_chinese_names(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/zh/indicator/11.1.1").text
    store = client.app.state.store
    title = indicator_name(store, "11.1.1", "zh")
    assert f'<h1><span class="code">11.1.1</span> {html.escape(title)}</h1>' in page
    assert '<html lang="zh"' in page
    table = year_table(page)
    assert table["尼日利亚"] == "49.0"
    names = {r["n"] for r in spec(page, "map-spec")["layer"][1]["data"]["values"]}
    assert "尼日利亚" in names


def test_page_is_small_and_has_no_inline_script(client) -> None:  # type: ignore[no-untyped-def]
    for url in (PAGE, "/en/indicator/11.6.2", "/ar/indicator/11.1.1"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert len(resp.content) < 150_000, (url, len(resp.content))
        page = resp.text
        for tag in re.findall(r"<script[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert not re.search(r"\son[a-z]+=", page)
        assert '<script src="/static/vendor/charts.js" defer></script>' in page
        assert 'role="img" aria-label=' in page
    assert "charts.js" not in client.get("/en/indicators").text


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/en/indicator/99.9.9", 404, "11.1.1"),
        ("/xx/indicator/11.1.1", 404, "languages"),
        (PAGE + "?series=EN_ATM_PM25", 422, "EN_LND_SLUM"),
        (PAGE + "?area=XYZ", 422, "Unknown area"),
        (PAGE + "?area=156", 422, "has no values"),
        (PAGE + "?year=1990", 422, "2000 to 2020"),
        (PAGE + "?year=soon", 422, "2000 to 2020"),
        (PAGE + "?method=guess", 422, "unsd-2024"),
        ("/en/indicator/11.a.1?year=2020&series=SD_CPA_UPRDP&area=1", 200, "SD_CPA_UPRDP"),
    ],
)
def test_errors_say_what_and_how(client, url: str, status: int, words: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == status, resp.text[-400:]
    assert resp.headers["content-type"].startswith("text/html")
    assert words in html.unescape(resp.text)


def test_too_many_areas(client) -> None:  # type: ignore[no-untyped-def]
    store = client.app.state.store
    from urbanagenda.web.pages.indicator import series_data

    countries = sorted(set(series_data(store, "EN_LND_SLUM").countries["area_code"]))[:21]
    resp = client.get(PAGE, params={"area": ",".join(countries)})
    assert resp.status_code == 422 and "at most 20" in resp.text


@pytest.mark.slow
def test_every_indicator_renders(client) -> None:  # type: ignore[no-untyped-def]
    store = client.app.state.store
    for code in sorted(store.catalogue.indicators):
        resp = client.get(f"/en/indicator/{code}")
        assert resp.status_code == 200, (code, resp.text[-300:])
        assert f'<span class="code">{code}</span>' in resp.text


def test_link_from_the_home_page(client) -> None:  # type: ignore[no-untyped-def]
    home = client.get("/en/").text
    found = re.search(r'href="(/en/indicator/11\.1\.1\?[^"]*area=202[^"]*)"', home)
    assert found, "the home page links a region's cell to the indicator page"
    page = client.get(html.unescape(found.group(1))).text
    assert list(series_table(page)) == ["Sub-Saharan Africa"]
    assert series_table(page)["Sub-Saharan Africa"]["2020"] == "50.2"
    status = section(page, '<table id="status-table"', "</table>")
    assert '<tr class="chosen">\n    <th scope="row"><a href="/en/area/202">' in status
