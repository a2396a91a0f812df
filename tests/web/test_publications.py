"""Generated reports on the web: the publications page, downloads of each format that open
(HTML with the report's title, DOCX read by python-docx, PDF read by pypdf), the cache of
generated reports, one generation at a time, and the errors of bad requests.

The national draft for Nigeria (566) is the smallest report; it is built once per language
(its three formats share the build) and then served from the cache."""

from __future__ import annotations

import html
import io
import re
import threading
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from urbanagenda.synthesis.generate import KINDS, MEDIA_TYPES
from urbanagenda.synthesis.text import resolve_language
from urbanagenda.web.api.publications import Busy, Publication, Publications, publications_of

API = "/api/v1"


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match, page[:300]
    return html.unescape(match.group(1)).strip()


@pytest.fixture(scope="module")
def english(client: Any) -> dict[str, Any]:
    """The national draft for Nigeria in English as HTML (generated once) and its title."""
    resp = _download(client, kind="national", area="NGA", doc_lang="en", format="html")
    assert resp.status_code == 200, resp.text[:500]
    return {"response": resp, "title": _title(resp.text)}


def _download(client: Any, **params: str) -> Any:
    return client.get(f"/en/publications/download?{urlencode(params)}")


def test_page_offers_every_report_format_language_and_country(client: Any) -> None:
    resp = client.get("/en/publications")
    assert resp.status_code == 200
    page = resp.text
    for kind in KINDS:
        assert f'name="kind" value="{kind}"' in page
    for fmt in ("html", "pdf", "docx"):
        assert f'<option value="{fmt}"' in page
    for lang in ("en", "zh", "fr", "es", "ru", "ar"):
        assert f'<option value="{lang}" lang="{lang}"' in page
    assert "English text with a notice" in page
    # countries with data only, Nigeria chosen
    assert '<option value="566" selected>Nigeria</option>' in page
    store = client.app.state.store
    options = re.findall(r'<select id="pub-area" name="area">(.*?)</select>', page, re.S)[0]
    codes = re.findall(r'<option value="([^"]+)"', options)
    assert codes and set(codes) <= store.areas_with_data()
    assert 'action="/en/publications/download"' in page
    assert 'formaction="/en/publications/view"' in page
    zh = client.get("/zh/publications")
    assert zh.status_code == 200
    assert 'action="/zh/publications/download"' in zh.text
    assert '<option value="zh" lang="zh" selected>' in zh.text  # the page's language


def test_html_download_and_view(client: Any, english: dict[str, Any]) -> None:
    resp = english["response"]
    assert resp.headers["content-type"] == MEDIA_TYPES["html"]
    assert resp.headers["content-disposition"] == (
        'attachment; filename="urbanagenda-national-566-en.html"'
    )
    assert resp.text.lstrip().lower().startswith("<!doctype html")
    assert "Nigeria" in english["title"]
    assert re.search(r"<h1[^>]*>", resp.text) and english["title"] in html.unescape(resp.text)
    view = client.get("/en/publications/view?kind=national&area=566&doc_lang=en&format=pdf")
    assert view.status_code == 200
    assert view.headers["content-disposition"].startswith("inline;")
    assert view.content == resp.content  # the same report, from the cache


def test_chinese_and_fallback_languages(client: Any, english: dict[str, Any]) -> None:
    zh = _download(client, kind="national", area="566", doc_lang="zh", format="html")
    assert zh.status_code == 200
    assert "尼日利亚" in _title(zh.text)
    fr = _download(client, kind="national", area="566", doc_lang="fr", format="html")
    assert fr.status_code == 200
    notice = resolve_language("fr")[1]
    assert notice and notice in html.unescape(fr.text)
    assert _title(fr.text) == english["title"]  # the English text


def test_pdf_download_opens(client: Any, english: dict[str, Any]) -> None:
    from pypdf import PdfReader

    service = publications_of(client)
    builds = service.builds
    resp = _download(client, kind="national", area="566", doc_lang="en", format="pdf")
    assert resp.status_code == 200
    assert service.builds == builds  # rendered from the document the HTML was made from
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"].endswith(
        'filename="urbanagenda-national-566-en.pdf"'
    )
    assert resp.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(resp.content)).pages)
    assert "Nigeria" in text
    words = english["title"].split()
    assert all(word in text for word in words[:3]), text[:300]


def test_docx_from_the_api_opens(client: Any, english: dict[str, Any]) -> None:
    from docx import Document as Docx

    service = publications_of(client)
    builds = service.builds
    resp = client.get(f"{API}/publications/national?area=566&lang=en&format=docx")
    assert resp.status_code == 200
    assert service.builds == builds  # the same document again
    assert resp.headers["content-type"] == MEDIA_TYPES["docx"]
    assert 'filename="urbanagenda-national-566-en.docx"' in resp.headers["content-disposition"]
    text = "\n".join(p.text for p in Docx(io.BytesIO(resp.content)).paragraphs)
    assert english["title"] in text


def test_second_request_is_served_from_the_cache(client: Any) -> None:
    url = f"{API}/publications/national?area=566&lang=zh&format=html"
    service = publications_of(client)
    first = client.get(url, headers={"Cache-Control": "no-cache"})
    assert first.status_code == 200
    made = service.generations
    second = client.get(url, headers={"Cache-Control": "no-cache"})
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert service.generations == made  # nothing generated again
    assert second.headers["server-timing"] == "generate;dur=0"
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_index_lists_what_can_be_generated(client: Any) -> None:
    resp = client.get(f"{API}/publications")
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert [k["code"] for k in data["kinds"]] == list(KINDS)
    assert {f["code"]: f["media_type"] for f in data["formats"]} == MEDIA_TYPES
    assert data["languages"] == {"written": ["en", "zh"], "fallback": ["fr", "es", "ru", "ar"]}
    assert {"code": "566", "name": "Nigeria"} in data["countries"]
    assert "unsd-2024" in data["methods"]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"format": "html"}, "query.area"),  # a national draft needs a country
        ({"format": "html", "area": "XYZ"}, "query.area"),
        ({"format": "html", "area": "ng_lagos"}, "query.area"),  # a city
        ({"format": "rtf", "area": "566"}, "query.format"),
        ({"format": "pdf", "area": "566", "lang": "de"}, "query.lang"),
        ({"format": "pdf", "area": "566", "method": "guesswork"}, "query.method"),
    ],
)
def test_bad_requests_get_422_with_the_error_shape(
    client: Any, params: dict[str, str], where: str
) -> None:
    resp = client.get(f"{API}/publications/national?{urlencode(params)}")
    assert resp.status_code == 422, resp.text[:300]
    error = resp.json()["error"]
    assert error["status"] == 422 and error["code"] == "invalid_parameter" and error["message"]
    assert error["details"][0]["where"] == where
    assert error["details"][0]["fix"]


def test_bad_kind_and_page_errors(client: Any) -> None:
    resp = client.get(f"{API}/publications/memoir?format=pdf")
    assert resp.status_code == 422
    assert resp.json()["error"]["details"][0]["where"] == "path.kind"
    for params in ({"kind": "memoir"}, {"kind": "national", "area": "XYZ"},
                   {"kind": "sg-report", "format": "odt"}, {"kind": "national", "area": "566",
                   "doc_lang": "de"}):  # fmt: skip
        page = _download(client, **params)
        assert page.status_code == 422, params
        assert "text/html" in page.headers["content-type"]
        assert "Error 422" in page.text


def test_one_generation_at_a_time_and_a_bounded_queue(client: Any, monkeypatch: Any) -> None:
    store = client.app.state.store
    service = Publications(max_waiting=2, wait_seconds=30)
    running = {"now": 0, "most": 0}
    lock = threading.Lock()

    def slow_build(self: Any, store_: Any, pub: Publication) -> bytes:
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        time.sleep(0.3)
        with lock:
            running["now"] -= 1
        return f"{pub.kind}-{pub.lang}".encode()

    monkeypatch.setattr(Publications, "_build", slow_build)
    pubs = [Publication("synthesis", None, lang, "html", "unsd-2024") for lang in ("en", "zh")]
    results: list[Any] = []

    def call(pub: Publication) -> None:
        try:
            results.append(service.generate(store, pub).body)
        except Busy as exc:
            results.append(exc)

    threads = [threading.Thread(target=call, args=(p,)) for p in pubs]
    for t in threads:
        t.start()
    time.sleep(0.1)
    call(Publication("synthesis", None, "fr", "html", "unsd-2024"))  # a third waits: refused
    for t in threads:
        t.join()
    assert running["most"] == 1
    assert sorted(r for r in results if isinstance(r, bytes)) == [b"synthesis-en",
                                                                  b"synthesis-zh"]  # fmt: skip
    busy = [r for r in results if isinstance(r, Busy)]
    assert len(busy) == 1 and busy[0].status == 429
    # and the cache is bounded
    small = Publications(max_entries=1)
    small.generate(store, pubs[0])
    small.generate(store, pubs[1])
    assert small.cached(store, pubs[0]) is None and small.cached(store, pubs[1]) is not None
