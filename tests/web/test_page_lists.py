"""The lists of indicators and of areas, on the demo database."""

from __future__ import annotations

import re

from urbanagenda.web.pages.common import fmt, indicator_name


def test_indicators_list_has_every_target_indicator_and_series(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/indicators")
    assert resp.status_code == 200
    page = resp.text
    store = client.app.state.store
    cat = store.catalogue
    targets = re.findall(r'<h2 id="t-([0-9a-z.]+)">', page)
    assert targets == [f"11.{t}" for t in "1234567abc"]
    for code in cat.indicators:
        assert f'<a href="/en/indicator/{code}">' in page, code
        for series in cat.series_of_indicator(code):
            assert f'href="/en/indicator/{code}?series={series.code}"' in page
    # the counts of observations are those of the store
    counts = store.series_counts()
    assert counts["EN_LND_SLUM"] > 1000
    slum = re.search(r"EN_LND_SLUM</span> — ([^<]+)</li>", page)
    assert slum and slum.group(1) == f"{fmt(counts['EN_LND_SLUM'], 0)} observations"
    # a series without data says so
    empty = [s.code for s in cat.series.values() if s.indicators and not counts.get(s.code)]
    assert empty
    assert re.search(rf"{empty[0]}</span> — no data yet", page)
    # the series link opens that series on the indicator page
    linked = client.get("/en/indicator/11.1.1?series=EN_LND_SLUMN")
    assert '<option value="EN_LND_SLUMN" selected>' in linked.text


def test_indicators_list_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/zh/indicators").text
    store = client.app.state.store
    assert indicator_name(store, "11.1.1", "zh") in page
    assert 'href="/zh/indicator/11.1.1"' in page


def test_areas_list(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/en/areas")
    assert resp.status_code == 200
    page = resp.text
    for code, name in [("1", "World"), ("199", "Least Developed Countries (LDCs)"),
                       ("432", "Landlocked developing countries (LLDCs)"),
                       ("722", "Small island developing States (SIDS)")]:  # fmt: skip
        assert re.search(rf'<a href="/en/area/{code}"[^>]*>{re.escape(name)}</a>', page), name
    regions = re.findall(r'<h3 id="r-(\d+)">', page)
    assert set(regions) == {"53", "62", "202", "419", "513", "543", "747", "753"}
    # Nigeria is listed under Sub-Saharan Africa, with West Africa as a sub-region
    africa = page[page.index('<h3 id="r-202">') :]
    africa = africa[: africa.index("</section>")]
    assert '<a href="/en/area/566">Nigeria</a>' in africa
    assert re.search(r'<a href="/en/area/11"[^>]*>Western Africa</a>', africa)
    assert '<a href="/en/area/250"' not in africa  # France is elsewhere
    # countries without any observation are marked
    assert re.search(r'<a href="/en/area/\d+" class="no-data">', page)
    # every country of the area tables is on the page once
    store = client.app.state.store
    countries = [c for c, k in store.area_kinds().items() if k == "country"]
    listed = re.findall(r'<li><a href="/en/area/(\d+)"', page)
    assert sorted(set(countries)) == sorted(c for c in set(listed) if c in countries)
    assert len([c for c in listed if c in set(countries)]) == len(countries)


def test_areas_list_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/zh/areas").text
    assert '<a href="/zh/area/566">尼日利亚</a>' in page


def test_unknown_language(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/xx/indicators", "/xx/areas"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert "languages" in resp.text
