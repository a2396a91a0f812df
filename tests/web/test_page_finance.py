"""The finance pages on the demo database: the OSR form with small figures computed by hand
(every stream kind, a range), bad input shown next to its fields with what was typed kept,
the downloads of a result, the investment page ranking the example list, and the pages in
Chinese."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

FORM = {
    "local_government": "Hand Town",
    "currency": "SLE",
    "year": "2023",
    "population": "10000",
    # property tax: κ = 1000/1200; actual = 600 × 2,000,000 × 0.01 = 12,000,000;
    # potential = 1000 × 3,000,000 × 0.01 / κ = 36,000,000
    "pt_estimated": "1200",
    "pt1_name": "residential",
    "pt1_registered": "1000",
    "pt1_compliant": "600",
    "pt1_assessed_value": "2000000",
    "pt1_market_value": "3000000",
    "pt1_rate": "0.01",
    # licences: actual = 60 × 1,000 = 60,000; potential = 100 × 1,200 = 120,000;
    # coverage = 60 × 1,000 × (100/80 − 1) = 15,000; compliance = (80 − 60) × 1,000 = 20,000;
    # rate = 60 × (1,200 − 1,000) = 12,000
    "bl1_name": "shops",
    "bl1_estimated": "100",
    "bl1_registered": "80",
    "bl1_compliant": "60",
    "bl1_fee": "1000",
    "bl1_legislated_fee": "1200",
    # market dues per day: actual = 40 × 100 × 300 = 1,200,000; potential = 50 × 150 × 300 =
    # 2,250,000; compliance = (50 − 40) × 100 × 300 = 300,000; rate = 40 × 50 × 300 = 600,000
    "uc1_kind": "user_charge_short",
    "uc1_name": "market stalls",
    "uc1_users_estimated": "50",
    "uc1_users_actual": "40",
    "uc1_rate": "100",
    "uc1_legislated_rate": "150",
    "uc1_periods": "300",
}
# totals: actual = 12,000,000 + 60,000 + 1,200,000 = 13,260,000
# potential = 36,000,000 + 120,000 + 2,250,000 = 38,370,000; gap = 25,110,000


def _figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def _row(page: str, kind: str) -> str:
    match = re.search(rf'<tr data-kind="{kind}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, kind
    return match.group(1)


@pytest.fixture(scope="module")
def analysed(client: Any) -> str:
    resp = client.post("/en/finance/osr", data=FORM)
    assert resp.status_code == 200, resp.text[:1000]
    return str(resp.text)


def test_the_form_gives_the_hand_computed_gap(analysed: str) -> None:
    page = analysed
    assert _figure(page, "actual") == "13,260,000"
    assert _figure(page, "potential") == "38,370,000"
    assert _figure(page, "gap") == "25,110,000"
    # efficiency = 13,260,000 / 38,370,000 = 34.6 %
    assert _figure(page, "efficiency") == "34.6 %"
    licences = _row(page, "business_licence")
    for amount in ("60,000", "120,000", "15,000", "20,000", "12,000"):
        assert f">{amount}<" in licences, amount
    dues = _row(page, "user_charge_short")
    for amount in ("1,200,000", "2,250,000", "1,050,000", "300,000", "600,000"):
        assert f">{amount}<" in dues, amount
    # the property tax: coverage 2,400,000, compliance 8,000,000, valuation 6,000,000
    rates = _row(page, "property_tax")
    for amount in ("2,400,000", "8,000,000", "6,000,000", "24,000,000"):
        assert f">{amount}<" in rates, amount
    # 13,260,000 / 10,000 people = 1,326 per person
    assert ">1,326<" in page


def test_the_result_has_its_charts_and_tables(analysed: str) -> None:
    page = analysed
    spec = re.search(r'<script type="application/json" id="waterfall-spec-2023">(.*?)</script>',
                     page, re.S)  # fmt: skip
    assert spec, "the waterfall chart"
    rows = json.loads(spec.group(1))["data"]["values"]
    assert rows[0]["end"] == pytest.approx(13_260_000)
    assert rows[-1]["end"] == pytest.approx(38_370_000)
    assert 'class="finance waterfall"' in page  # the same figures as a table
    assert 'id="tornado-spec-2023"' in page and 'class="finance sensitivity"' in page
    assert 'name="input"' in page and 'action="/en/finance/osr/download"' in page
    # a visitor is not offered to save
    assert 'action="/en/finance/osr/save"' not in page
    # what was typed stays in the form
    assert 'name="pt1_compliant" value="600"' in page


def test_a_range_gives_a_range_of_the_gap(client: Any) -> None:
    form = {**FORM, "pt_estimated_low": "1100", "pt_estimated_high": "1500"}
    page = client.post("/en/finance/osr", data=form).text
    # potential at 1,100 properties: 30,000,000 × 1.1 = 33,000,000 (+ 2,370,000 other);
    # at 1,500: 45,000,000 (+ 2,370,000): the gap 22,110,000–34,110,000
    assert "22,110,000–34,110,000" in page


def test_bad_input_is_shown_next_to_its_fields_with_the_entries_kept(client: Any) -> None:
    form = {**FORM, "pt1_compliant": "1500", "bl1_fee": "a lot", "currency": "S"}
    resp = client.post("/en/finance/osr", data=form)
    assert resp.status_code == 400
    page = resp.text
    errors = dict(re.findall(r'class="field-error" id="err-([^"]+)">(.*?)</span>', page, re.S))
    assert "registered" in html.unescape(errors["pt1_compliant"])
    assert "pt1_compliant" in errors and "bl1_fee" in errors and "currency" in errors
    assert 'id="f-pt1_compliant" name="pt1_compliant" value="1500"' in page
    assert 'value="a lot"' in page
    assert 'aria-invalid="true" aria-describedby="err-pt1_compliant"' in page
    assert 'role="alert"' in page and 'href="#f-pt1_compliant"' in page
    assert "data-figure" not in page  # nothing analysed


def test_blank_rows_are_ignored_and_an_empty_form_says_what_is_missing(client: Any) -> None:
    only_property = {k: v for k, v in FORM.items() if not k.startswith(("bl", "uc"))}
    page = client.post("/en/finance/osr", data=only_property).text
    assert _figure(page, "gap") == "24,000,000"
    empty = client.post("/en/finance/osr", data={"year": "2023"})
    assert empty.status_code == 400
    assert "err-local_government" in empty.text and "err-currency" in empty.text


def test_downloads_of_a_result(client: Any, analysed: str) -> None:
    value = re.search(r'name="input" value="([^"]*)"', analysed)
    assert value
    data = {"input": html.unescape(value.group(1)), "doc_lang": "en"}
    as_json = client.post("/en/finance/osr/download", data={**data, "format": "json"})
    assert as_json.status_code == 200
    assert as_json.json()["years"][0]["total"]["gap"]["central"] == pytest.approx(25_110_000)
    pdf = client.post("/en/finance/osr/download", data={**data, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    bad = client.post("/en/finance/osr/download", data={"input": "{", "format": "pdf"})
    assert bad.status_code == 400


def test_the_example_analysed_from_the_form(client: Any) -> None:
    page = client.post("/en/finance/osr", data={"example": "1"}).text
    assert "Freetown" in page and 'class="badge example"' in page
    assert page.count('id="waterfall-spec-') >= 2  # two years
    assert 'id="trend-spec"' in page


def test_the_investment_page_ranks_the_example(client: Any) -> None:
    page = client.get("/en/finance/invest")
    assert page.status_code == 200 and 'name="w_need"' in page.text
    resp = client.post("/en/finance/invest", data={"use_example": "1", "budget": "1000000000"})
    assert resp.status_code == 200, resp.text[:500]
    ranked = re.findall(r'<tr data-project="([^"]+)">', resp.text)
    assert len(ranked) >= 3
    assert 'id="ranking-spec"' in resp.text and 'id="envelope-spec"' in resp.text
    bad = client.post("/en/finance/invest", data={"budget": "-5", "w_need": "x"})
    assert bad.status_code == 400
    assert "err-budget" in bad.text and "err-w_need" in bad.text and "err-file" in bad.text


def test_the_overview_and_chinese_pages(client: Any) -> None:
    page = client.get("/en/finance")
    assert page.status_code == 200
    assert 'href="/en/finance/osr"' in page.text and 'href="/en/finance/invest"' in page.text
    assert "/api/v1/finance/templates/osr.xlsx" in page.text
    assert 'href="/en/finance" aria-current="true"' in page.text  # in the navigation
    zh = client.get("/zh/finance")
    assert zh.status_code == 200 and '<html lang="zh"' in zh.text
    assert client.get("/zh/finance/osr").status_code == 200
    assert client.get("/en/finance/osr/999999").status_code == 404
