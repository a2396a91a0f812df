"""Search for areas, indicators and series in the six languages."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("lang", "text", "name"),
    [
        ("en", "nigeria", "Nigeria"),
        ("ru", "Нигерия", "Нигерия"),
        ("zh", "尼日利亚", "尼日利亚"),
        ("ar", "نيجيريا", "نيجيريا"),
        ("fr", "NGA", "Nigéria"),
        ("en", "Нигерия", "Nigeria"),  # any language's name, results in the request's
    ],
)
def test_search_finds_nigeria(client, lang: str, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(f"/{lang}/search", params={"q": text})
    assert resp.status_code == 200
    assert f'<a href="/{lang}/area/566">{name}</a>' in resp.text


def test_search_finds_indicators_and_series(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/en/search", params={"q": "slum"}).text
    assert 'href="/en/indicator/11.1.1"' in html
    assert 'href="/en/indicator/11.1.1?series=EN_LND_SLUM"' in html
    assert "EN_LND_SLUMN" in html
    by_code = client.get("/en/search", params={"q": "en_atm"}).text
    assert 'href="/en/indicator/11.6.2?series=EN_ATM_PM25"' in by_code


def test_search_finds_cities_with_their_country(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/en/search", params={"q": "lagos"}).text
    assert 'href="/en/area/ng_lagos">Lagos</a>' in html
    assert "Nigeria" in html


def test_empty_and_too_long_queries_get_a_message(client) -> None:  # type: ignore[no-untyped-def]
    empty = client.get("/en/search", params={"q": "  "})
    assert empty.status_code == 200 and "Type a part of a name or a code" in empty.text
    assert client.get("/en/search").status_code == 200
    long = client.get("/en/search", params={"q": "x" * 500})
    assert long.status_code == 422
    assert "500 characters" in long.text and "at most 100" in long.text
    nothing = client.get("/en/search", params={"q": "zzqqxx"})
    assert nothing.status_code == 200 and "Nothing matches" in nothing.text
    odd = client.get("/en/search", params={"q": "<script>"})
    assert odd.status_code == 200 and "<script>" not in odd.text.split("<main", 1)[1]
