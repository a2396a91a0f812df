"""Area pages (country, region, city) on the demo database, with real values."""

from __future__ import annotations

import re

import pytest


def _row(html: str, series: str) -> str:
    """The table row of a series (the first one) in a page."""
    match = re.search(rf'<tr data-series="{series}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {series}"
    return match.group(1)


def test_nigeria_country_page(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/area/566")
    assert resp.status_code == 200
    html = resp.text
    assert "<h1>Nigeria</h1>" in html
    row = _row(html, "EN_LND_SLUM")
    # 48.98206 (2020), shown with one decimal
    assert '<td class="num value" data-year="2020">49.0 %</td>' in row
    # Sub-Saharan Africa's official 2020 value 50.162377 beside it
    assert "50.2 %" in row and "official" in row
    assert 'role="img"' in row and "<title>" in row  # sparkline with a text alternative
    assert 'data-status="marginal"' in row  # unsd-2024 by default
    assert 'href="/en/indicator/11.1.1?area=566"' in html
    # its cities, with links and counts (Lagos has 8 observations in the demo)
    assert re.search(r'href="/en/area/ng_lagos">Lagos</a></th><td class="num">8</td>', html)
    assert "/api/v1/observations?area=566&amp;format=csv" in html
    assert "/api/v1/observations?area=566&amp;format=xlsx" in html
    # breadcrumbs: World > Sub-Saharan Africa > Western Africa
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S)
    assert crumbs
    assert re.findall(r'href="/en/area/(\d+)"', crumbs.group(0)) == ["1", "202", "11"]


def test_method_selector_changes_statuses(client) -> None:  # type: ignore[no-untyped-def]
    default = _row(client.get("/en/area/566").text, "EN_LND_SLUM")
    sdsn = _row(client.get("/en/area/566", params={"method": "sdsn"}).text, "EN_LND_SLUM")
    escap = _row(client.get("/en/area/566", params={"method": "escap"}).text, "EN_LND_SLUM")
    statuses = {
        re.search(r'data-status="([^"]*)"', r).group(1)  # type: ignore[union-attr]
        for r in (default, sdsn, escap)
    }
    assert len(statuses) == 3, statuses
    page = client.get("/en/area/566", params={"method": "sdsn"}).text
    assert '<option value="sdsn" selected>' in page
    assert '<label for="method">' in page


def test_bad_method_is_a_clear_error(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/area/566", params={"method": "guess"})
    assert resp.status_code == 422
    assert "unsd-2024" in resp.text


@pytest.mark.parametrize(
    ("raw", "canonical"), [("NGA", "566"), ("ng", "566"), ("0566", "566"), ("NG_LAGOS", "ng_lagos")]
)
def test_non_canonical_codes_redirect(client, raw: str, canonical: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(f"/fr/area/{raw}", params={"method": "sdsn"}, follow_redirects=False)
    assert resp.status_code == 301
    assert resp.headers["location"] == f"/fr/area/{canonical}?method=sdsn"


def test_unknown_area_is_a_404_that_says_how_to_find_codes(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/area/atlantis")
    assert resp.status_code == 404
    assert "atlantis" in resp.text and "/en/search?q=" in resp.text
    assert client.get("/en/area/" + "9" * 200).status_code == 404
    assert client.get("/xx/area/566").status_code == 404


def test_sub_saharan_africa_region_page(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/area/202")
    assert resp.status_code == 200
    html = resp.text
    table = re.search(
        r'<table class="area-table aggregates" data-series="EN_LND_SLUM">(.*?)</table>', html, re.S
    )
    assert table
    row = re.search(r'<tr data-year="2020">(.*?)</tr>', table.group(1), re.S)
    assert row
    # computed 49.567 (sum of parts) beside the official 50.162 and their difference
    assert '<td class="num computed">49.6 %</td>' in row.group(1)
    assert '<td class="num official">50.2 %</td>' in row.group(1)
    assert "-0.60" in row.group(1) and "sum_of_parts" in row.group(1)
    assert "35 of 53" in row.group(1)
    # distribution of the members: chart data referenced by data-spec, and a summary table
    spec = re.search(r'data-spec="(spread-\d+)"', html)
    assert spec and f'<script type="application/json" id="{spec.group(1)}">' in html
    summary = _row(html, "EN_LND_SLUM")
    assert '<td class="num">4' in summary  # dozens of members with a value
    assert 'href="/en/area/566">Nigeria</a>' in html
    assert "onclick" not in html and "<script>" not in html


def test_lagos_city_page(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/area/ng_lagos")
    assert resp.status_code == 200
    html = resp.text
    row = _row(html, "EN_URB_OPENSP")
    assert '<td class="num value">6.9 %</td>' in row
    # Nigeria has no national figure: the mean of its 15 cities (11.447) is shown as such
    assert "11.4 %" in row and "15 cities" in row
    assert "rank 15 of 15" in row  # the lowest open-space share of the Nigerian cities
    transport = _row(html, "SP_TRN_PUBL")
    assert "38.1 %" in transport and "rank 1 of 4" in transport
    # Nigeria's own national values beside the city's: the slum share 49.0 % (2020)
    context = re.search(r'<table class="area-table national-context">(.*?)</table>', html, re.S)
    assert context and "49.0 %" in _row(context.group(1), "EN_LND_SLUM")
    assert 'href="/en/area/566">Nigeria</a>' in html
    assert "/api/v1/observations?area=ng_lagos&amp;format=csv" in html


def test_names_in_the_request_language(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/ru/area/566").text
    assert "<h1>Нигерия</h1>" in html and 'lang="ru"' in html
    assert "49,0 %" in html  # Russian decimal comma
    assert "<h1>尼日利亚</h1>" in client.get("/zh/area/566").text
