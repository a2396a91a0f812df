"""The finance API on a copy of the demo database: an analysis by hand through the API, the
bundled example equal to ``finance.analyse`` called directly, uploads in every format, bad
input answered 400 with every problem and nothing stored, who may save, the stored reads,
summaries that open (PDF, DOCX), the investment ranking and the Excel templates."""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from urbanagenda.finance import store as finance_store
from urbanagenda.finance.analysis import analyse
from urbanagenda.finance.files import read_osr_file
from urbanagenda.finance.invest import parse_plan, rank
from urbanagenda.reporting import accounts
from urbanagenda.store import schema as s
from urbanagenda.web.api._finance_common import example_file
from urbanagenda.web.api._finance_docs import EXAMPLE_OSR, EXAMPLE_PLAN

API = "/api/v1/finance"
PASSWORD = "finance-test-password-1"


@dataclass
class Site:
    client: TestClient
    engine: Engine
    tokens: dict[str, str]

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


@pytest.fixture(scope="module")
def site(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The application on its own copy of the demo database, with one user per role."""
    from urbanagenda.web import create_app

    path = tmp_path_factory.mktemp("finance-api") / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    app = create_app(f"sqlite:///{path}", warm=False)
    engine = app.state.store.engine
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    users = {
        "administrator": ("fin.admin", "administrator", None),
        "reviewer": ("fin.reviewer", "reviewer", None),
        "nfp_sierra_leone": ("fin.nfp-sl", "national_focal_point", "694"),
        "nfp_nigeria": ("fin.nfp-ng", "national_focal_point", "566"),
        "lfp_freetown": ("fin.lfp-fcc", "local_focal_point", "sl_freetown"),
        "lfp_lagos": ("fin.lfp-lagos", "local_focal_point", "ng_lagos"),
    }
    tokens = {}
    for role, (name, kind, area) in users.items():
        user = accounts.add_user(engine, name, PASSWORD, kind, area_code=area, hasher=fast)
        tokens[role] = accounts.create_api_token(engine, user, "finance tests")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Site(client, engine, tokens)


def _rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        analyses = conn.execute(select(func.count()).select_from(s.finance_analysis)).scalar()
        plans = conn.execute(select(func.count()).select_from(s.finance_plan)).scalar()
    return int(analyses or 0), int(plans or 0)


def _total(body: dict[str, Any], year: int = 0) -> dict[str, Any]:
    return body["data"]["years"][year]["total"]  # type: ignore[no-any-return]


def test_a_small_analysis_by_hand(site: Site) -> None:
    resp = site.client.post(f"{API}/osr/analyse", json=EXAMPLE_OSR)
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    total = _total(resp.json())
    # κ = 1000/1200; actual = 600 × 2,000,000 × 0.01 = 12,000,000
    # potential = 1000 × 3,000,000 × 0.01 / κ = 36,000,000; gap = 24,000,000
    assert total["actual"]["central"] == pytest.approx(12_000_000)
    assert total["potential"]["central"] == pytest.approx(36_000_000)
    assert total["gap"]["central"] == pytest.approx(24_000_000)
    parts = {k: v["central"] for k, v in total["parts"].items()}
    # coverage = actual/κ − actual = 14,400,000 − 12,000,000; compliance = (1000 − 600) ×
    # 2,000,000 × 0.01; valuation = 600 × (3,000,000 − 2,000,000) × 0.01; no rate part
    assert parts["coverage"] == pytest.approx(2_400_000)
    assert parts["compliance"] == pytest.approx(8_000_000)
    assert parts["valuation"] == pytest.approx(6_000_000)
    assert parts["rate"] == pytest.approx(0)
    # residual = 24,000,000 − 16,400,000
    assert total["residual"]["central"] == pytest.approx(7_600_000)
    # population given: 12,000,000 / 50,000 = 240 per person, 240 / 22.5 = 10.67 USD
    fiscal = resp.json()["data"]["years"][0]["fiscal"]
    assert fiscal["osr_per_capita"] == pytest.approx(240)
    assert fiscal["osr_per_capita_usd"] == pytest.approx(240 / 22.5)


def test_the_example_equals_the_analysis_called_directly(site: Site) -> None:
    path = example_file("osr")
    assert path is not None, "the demo's example is bundled"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    resp = site.client.post(f"{API}/osr/analyse", json=data)
    assert resp.status_code == 200, resp.text
    direct = analyse(read_osr_file(path), population=finance_store.population_lookup(site.engine))
    expected = json.loads(json.dumps(direct.to_dict()))
    assert resp.json()["data"] == expected
    assert resp.json()["data"]["input"]["example"] is True
    # the same file uploaded (multipart) gives the same result
    upload = site.client.post(
        f"{API}/osr/analyse", files={"file": (path.name, path.read_bytes(), "application/yaml")}
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["data"] == expected


def test_bad_input_lists_every_problem_and_stores_nothing(site: Site) -> None:
    before = _rows(site.engine)
    bad = copy.deepcopy(EXAMPLE_OSR)
    bad["currency"] = "sierra leones"
    category = bad["years"][0]["streams"][0]["categories"][0]
    category["compliant"] = 1500  # more than the 1000 registered
    category["colour"] = "blue"  # not a field of the format
    for path, body in ((f"{API}/osr/analyse", bad), (f"{API}/osr", bad)):
        headers = site.headers("administrator")
        resp = site.client.post(path, json=body, headers=headers)
        assert resp.status_code == 400, resp.text
        error = resp.json()["error"]
        assert error["code"] == "invalid_input"
        codes = {d["code"] for d in error["details"]}
        assert {"out-of-range", "rule-broken", "unknown-field"} <= codes
        columns = {d["column"] for d in error["details"]}
        assert "years[0].streams[0].categories[0].compliant" in columns
        assert all(d["problem"] for d in error["details"])
    assert _rows(site.engine) == before
    # not JSON, not an object, no file, another media type
    assert site.client.post(f"{API}/osr/analyse", content=b"{", headers={
        "content-type": "application/json"}).status_code == 400  # fmt: skip
    assert site.client.post(f"{API}/osr/analyse", json=[1, 2]).status_code == 400
    assert site.client.post(f"{API}/osr/analyse", content=b"x", headers={
        "content-type": "text/plain"}).status_code == 415  # fmt: skip


def test_a_broken_upload_names_the_uploaded_file(site: Site) -> None:
    resp = site.client.post(
        f"{API}/osr/analyse", files={"file": ("fcc_2022.xlsx", b"not a zip at all", "x/y")}
    )
    assert resp.status_code == 400, resp.text
    details = resp.json()["error"]["details"]
    assert any(d["code"] == "not-a-zip" for d in details)
    assert all(d["file"] in (None, "fcc_2022.xlsx") for d in details)
    assert "/tmp" not in resp.text and "ua-finance-" not in resp.text


def _freetown(year: int = 2023, compliant: int = 600) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_OSR)
    body["local_government"] = "Freetown City Council (test)"
    body["area"] = "sl_freetown"
    body["years"][0]["year"] = year
    body["years"][0]["streams"][0]["categories"][0]["compliant"] = compliant
    return body


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 401),
        ("reviewer", 403),
        ("nfp_nigeria", 403),
        ("lfp_lagos", 403),
        ("administrator", 201),
        ("nfp_sierra_leone", 201),
        ("lfp_freetown", 201),
    ],
)
def test_who_may_save_an_analysis(site: Site, role: str | None, status: int) -> None:
    before = _rows(site.engine)
    resp = site.client.post(f"{API}/osr", json=_freetown(2015), headers=site.headers(role))
    assert resp.status_code == status, resp.text
    if status == 201:
        (analysis_id,) = resp.json()["data"]["ids"]
        assert resp.headers["location"] == f"{API}/osr/{analysis_id}"
        # the same input again is the same stored row
        again = site.client.post(f"{API}/osr", json=_freetown(2015), headers=site.headers(role))
        assert again.json()["data"]["ids"] == [analysis_id]
    else:
        assert _rows(site.engine) == before


def test_stored_analyses_read_back_with_trends(site: Site) -> None:
    admin = site.headers("administrator")
    first = site.client.post(f"{API}/osr", json=_freetown(2020, 500), headers=admin)
    second = site.client.post(f"{API}/osr", json=_freetown(2022, 700), headers=admin)
    assert first.status_code == second.status_code == 201
    (id_2022,) = second.json()["data"]["ids"]
    listing = site.client.get(f"{API}/osr?area=sl_freetown").json()
    years = {r["year"]: r for r in listing["data"]}
    assert {2020, 2022} <= set(years)
    # 2022: actual = 700 × 2,000,000 × 0.01 = 14,000,000
    assert years[2022]["actual"] == pytest.approx(14_000_000)
    assert listing["meta"]["total"] == len(listing["data"])
    one = site.client.get(f"{API}/osr/{id_2022}").json()["data"]
    assert one["year"] == 2022 and one["result"]["total"]["actual"]["central"] == 14_000_000
    actual = next(t for t in one["trends"] if t["metric"] == "actual")
    # 2020: 500 × 2,000,000 × 0.01 = 10,000,000; 2022: 14,000,000; the change is from the
    # first stored year (other tests store earlier years of the same city) to 2022
    assert actual["values"]["2020"] == pytest.approx(10_000_000)
    assert actual["values"]["2022"] == pytest.approx(14_000_000)
    first = min(actual["values"], key=int)
    assert actual["change"] == pytest.approx(14_000_000 - actual["values"][first])
    peers = site.client.get(f"{API}/osr/peers?around={id_2022}").json()["data"]
    assert any(p["highlight"] for p in peers)
    assert site.client.get(f"{API}/osr/999999").status_code == 404
    assert site.client.get(f"{API}/osr?area=nowhere_at_all").status_code == 422
    assert site.client.get(f"{API}/osr?colour=red").status_code == 422


def test_summaries_open(site: Site) -> None:
    from docx import Document as DocxDocument
    from pypdf import PdfReader

    pdf = site.client.post(f"{API}/osr/summary?format=pdf&lang=en", json=EXAMPLE_OSR)
    assert pdf.status_code == 200, pdf.text[:300]
    assert pdf.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Example Town" in text
    docx = site.client.post(f"{API}/osr/summary?format=docx&lang=zh", json=EXAMPLE_OSR)
    assert docx.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(docx.content))
    assert DocxDocument(io.BytesIO(docx.content)).paragraphs
    saved = site.client.post(f"{API}/osr", json=_freetown(2019),
                             headers=site.headers("administrator"))  # fmt: skip
    (stored,) = saved.json()["data"]["ids"]
    html = site.client.get(f"{API}/osr/{stored}/summary?format=html&lang=en")
    assert html.status_code == 200 and "Freetown City Council (test)" in html.text
    plan = site.client.post(f"{API}/invest/summary?format=pdf", json=EXAMPLE_PLAN)
    assert plan.status_code == 200 and plan.content.startswith(b"%PDF")


def test_ranking_equals_rank_called_directly(site: Site) -> None:
    resp = site.client.post(f"{API}/invest/rank", json=EXAMPLE_PLAN)
    assert resp.status_code == 200, resp.text
    expected = json.loads(json.dumps(rank(parse_plan(EXAMPLE_PLAN)).to_dict()))
    assert resp.json()["data"] == expected
    # a budget in the query replaces the list's: 50,000,000 over 5 years is 10,000,000 a year
    smaller = site.client.post(f"{API}/invest/rank?budget=50000000", json=EXAMPLE_PLAN).json()
    assert list(smaller["data"]["envelope_by_year"].values()) == pytest.approx([10_000_000] * 5)
    assert site.client.post(f"{API}/invest/rank?budget=5&osr_analysis=1",
                            json=EXAMPLE_PLAN).status_code == 422  # fmt: skip
    bad = {**EXAMPLE_PLAN, "projects": [{**EXAMPLE_PLAN["projects"][0], "sector": "space"}]}
    resp = site.client.post(f"{API}/invest/rank", json=bad)
    assert resp.status_code == 400 and resp.json()["error"]["details"]


def test_plans_save_and_read(site: Site) -> None:
    plan = {**EXAMPLE_PLAN, "area": "sl_freetown"}
    assert site.client.post(f"{API}/plans", json=plan).status_code == 401
    refused = site.client.post(f"{API}/plans", json=plan, headers=site.headers("lfp_lagos"))
    assert refused.status_code == 403
    resp = site.client.post(f"{API}/plans", json=plan, headers=site.headers("lfp_freetown"))
    assert resp.status_code == 201, resp.text
    (plan_id,) = resp.json()["data"]["ids"]
    found = site.client.get(f"{API}/plans/{plan_id}").json()["data"]
    assert found["result"]["input"]["name"] == EXAMPLE_PLAN["name"]
    listed = site.client.get(f"{API}/plans?area=sl_freetown").json()["data"]
    assert plan_id in [p["id"] for p in listed]
    summary = site.client.get(f"{API}/plans/{plan_id}/summary?format=docx")
    assert summary.status_code == 200 and zipfile.is_zipfile(io.BytesIO(summary.content))
    assert site.client.get(f"{API}/plans/999999").status_code == 404


def test_templates_and_reforms(site: Site) -> None:
    from openpyxl import load_workbook

    for path in ("/templates/osr.xlsx", "/templates/osr.xlsx?example=true",
                 "/templates/invest.xlsx", "/templates/invest.xlsx?example=true"):  # fmt: skip
        resp = site.client.get(API + path)
        assert resp.status_code == 200, path
        assert "attachment" in resp.headers["content-disposition"]
        book = load_workbook(io.BytesIO(resp.content))
        assert "Instructions" in book.sheetnames
    # the filled template reads back as the example: uploaded, it analyses like the YAML
    filled = site.client.get(f"{API}/templates/osr.xlsx?example=true").content
    from_xlsx = site.client.post(f"{API}/osr/analyse", files={"file": ("fcc.xlsx", filled, "x")})
    path = example_file("osr")
    assert path is not None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    from_yaml = site.client.post(f"{API}/osr/analyse", json=data)
    assert from_xlsx.status_code == 200, from_xlsx.text[:500]
    assert _total(from_xlsx.json()) == _total(from_yaml.json())
    reforms = site.client.get(f"{API}/reforms").json()["data"]
    assert reforms and all(r["sources"] and r["reform"] for r in reforms)


def test_a_save_shows_at_once_in_lists_a_shared_cache_has_seen(site: Site) -> None:
    """The shared response cache in front of the application keys on the data version: a
    saved analysis or plan must change it, or public lists stay stale until max-age."""
    before_api = site.client.get(f"{API}/plans")
    before_page = site.client.get("/en/finance")
    assert before_api.status_code == before_page.status_code == 200
    plan = {**EXAMPLE_PLAN, "area": "sl_freetown", "name": "Plan seen at once"}
    resp = site.client.post(f"{API}/plans", json=plan, headers=site.headers("administrator"))
    assert resp.status_code == 201, resp.text
    (plan_id,) = resp.json()["data"]["ids"]
    after_api = site.client.get(f"{API}/plans").json()["data"]
    assert plan_id in [p["id"] for p in after_api]
    assert "Plan seen at once" in site.client.get("/en/finance").text
