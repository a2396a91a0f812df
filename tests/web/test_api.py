"""The API on the demo database: real values, downloads, pagination, caching, errors,
areas, assessments, aggregates and the progress chart.

Golden values come from the staged sources (``/work/shared/data/un_sdg_goal11_ddf``, the UN
SDG Global Database Goal 11 mirror), e.g. ``en_atm_pm25`` row ``566,allarea,e,mgr_m_3,2019,
55.64206`` and ``sp_trn_publ`` row ``ng_lagos,notspec,566,e,percent,2020,38.1``.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
import pytest

API = "/api/v1"


def _get(client: Any, path: str, **params: Any) -> Any:
    resp = client.get(f"{API}{path}", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _values(rows: list[dict[str, Any]], **match: Any) -> dict[int, float]:
    return {r["year"]: r["value"] for r in rows if all(r[k] == v for k, v in match.items())}


# -- real values --------------------------------------------------------------------------------


def test_golden_values_from_the_sources(client: Any) -> None:
    slum = _get(client, "/observations", series="EN_LND_SLUM", area="566")["data"]
    assert _values(slum, location="U")[2020] == 48.98206
    assert {r["area_name"] for r in slum} == {"Nigeria"}
    pm25 = _get(client, "/observations", series="EN_ATM_PM25", area="NGA", location="_T")["data"]
    assert _values(pm25)[2019] == 55.64206
    assert _values(pm25)[2010] == 52.84583
    lagos = _get(client, "/observations", series="SP_TRN_PUBL,EN_REF_WASCOL", area="ng_lagos")
    assert _values(lagos["data"], series_code="SP_TRN_PUBL") == {2020: 38.1}
    assert _values(lagos["data"], series_code="EN_REF_WASCOL") == {2015: 30.0, 2018: 10.0,
                                                                   2021: 48.0}  # fmt: skip
    assert {r["area_kind"] for r in lagos["data"]} == {"city"}


def test_indicator_filter_gives_the_series_of_the_indicator(client: Any) -> None:
    rows = _get(client, "/observations", indicator="11.6.1", area="ng_lagos")["data"]
    assert {r["series_code"] for r in rows} == {"EN_REF_WASCOL"}
    assert _values(rows)[2018] == 10.0


def test_every_filter_narrows(client: Any) -> None:
    base = {"series": "EN_ATM_PM25", "area": "566"}
    everything = _get(client, "/observations", **base)["meta"]["total"]
    urban = _get(client, "/observations", **base, location="U")["data"]
    assert urban and {r["location"] for r in urban} == {"U"}
    years = _get(client, "/observations", **base, year_from=2012, year_to=2014)["data"]
    assert {r["year"] for r in years} == {2012, 2013, 2014}
    assert len(years) < everything
    for name, value in (("sex", "_T"), ("age", "_T"), ("breakdown", "")):
        rows = _get(client, "/observations", **base, **{name: value})["data"]
        assert len(rows) == everything and all(r[name] == value for r in rows)
    assert _get(client, "/observations", **base, sex="F")["data"] == []
    cities = _get(client, "/observations", series="SP_TRN_PUBL", area_level="city", limit=50)
    assert cities["data"] and {r["area_kind"] for r in cities["data"]} == {"city"}
    sexed = _get(client, "/observations", series="VC_VOH_SXPH", sex="F")["data"]
    assert sexed and {r["sex"] for r in sexed} == {"F"}


# -- downloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_downloads_round_trip(client: Any, fmt: str) -> None:
    params = {"series": "EN_LND_SLUM", "area": "566,202,ng_lagos", "year_from": 2010}
    rows = _get(client, "/observations", **params)["data"]
    resp = client.get(f"{API}/observations", params={**params, "format": fmt})
    assert resp.status_code == 200
    assert resp.headers["content-disposition"] == f'attachment; filename="observations.{fmt}"'
    assert resp.headers["etag"]
    raw = io.BytesIO(resp.content)
    if fmt == "csv":
        assert resp.headers["content-type"].startswith("text/csv")
        frame = pd.read_csv(raw, dtype={"area_code": str}, keep_default_na=False)
    elif fmt == "xlsx":
        frame = pd.read_excel(raw, dtype={"area_code": str}, keep_default_na=False)
    else:
        frame = pd.read_parquet(raw)
    assert len(frame) == len(rows) > 0
    assert list(frame.columns) == list(rows[0])
    expected = pd.DataFrame(rows)
    for column in ("series_code", "area_code", "area_name", "location", "unit", "source"):
        assert frame[column].astype(str).tolist() == expected[column].astype(str).tolist()
    assert frame["year"].astype(int).tolist() == expected["year"].tolist()
    assert frame["value"].astype(float).tolist() == expected["value"].tolist()
    assert 48.98206 in frame["value"].tolist()


def test_assessment_and_aggregate_downloads(client: Any) -> None:
    resp = client.get(f"{API}/assessments", params={"series": "EN_LND_SLUM", "area": "566",
                                                    "format": "csv"})  # fmt: skip
    frame = pd.read_csv(io.BytesIO(resp.content), dtype={"area_code": str})
    assert frame.loc[0, "status"] == "marginal" and frame.loc[0, "latest_value"] == 48.98206
    resp = client.get(f"{API}/aggregates", params={"series": "EN_LND_SLUM", "area": "202",
                                                   "year": 2020, "format": "parquet"})  # fmt: skip
    frame = pd.read_parquet(io.BytesIO(resp.content))
    assert math.isclose(frame.loc[0, "official_value"], 50.16237709696918)


# -- pagination ---------------------------------------------------------------------------------


def test_pages_cover_the_total_exactly_once(client: Any) -> None:
    params: dict[str, Any] = {"series": "EN_LND_SLUM", "area_level": "country", "limit": 97}
    first = _get(client, "/observations", **params)
    total, pages = first["meta"]["total"], first["meta"]["pages"]
    assert total > 1000 and pages == math.ceil(total / 97)
    keys = []
    url: str | None = first["meta"]["links"]["self"]
    seen_pages = 0
    while url:
        body = client.get(url).json()
        keys += [(r["area_code"], r["year"], r["location"]) for r in body["data"]]
        url = body["meta"]["links"]["next"]
        seen_pages += 1
    assert seen_pages == pages
    assert len(keys) == len(set(keys)) == total
    last = _get(client, "/observations", **params, page=pages)
    assert last["meta"]["links"]["next"] is None and last["meta"]["links"]["prev"]
    beyond = _get(client, "/observations", **params, page=pages + 1)
    assert beyond["data"] == []


def test_area_and_assessment_pages(client: Any) -> None:
    every = _get(client, "/areas", kind="country", limit=10000)
    total = every["meta"]["total"]
    codes = []
    for page in range(1, math.ceil(total / 50) + 1):
        codes += [a["code"] for a in _get(client, "/areas", kind="country", limit=50,
                                          page=page)["data"]]  # fmt: skip
    assert codes == [a["code"] for a in every["data"]] and len(set(codes)) == total > 200
    res = _get(client, "/assessments", series="EN_LND_SLUM", area_level="country", limit=40)
    assert res["meta"]["total"] > 100
    assert len(res["data"]) == 40


# -- caching ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/goals", "/areas/566", "/series/EN_LND_SLUM", "/methods",
     "/observations?series=EN_LND_SLUM&area=566", "/assessments?series=EN_LND_SLUM&area=566",
     "/aggregates?series=EN_LND_SLUM&area=202&year=2020", "/progress"],
)  # fmt: skip
def test_etag_and_304(client: Any, path: str) -> None:
    resp = client.get(API + path)
    assert resp.status_code == 200
    etag = resp.headers["etag"]
    assert etag.startswith('"') and resp.headers["cache-control"].startswith("public, max-age=")
    again = client.get(API + path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get(API + path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == resp.content


# -- errors -------------------------------------------------------------------------------------


ERRORS = [
    ("/observations?series=NOPE", 422, "query.series"),
    ("/observations?area=XYZ", 422, "query.area"),
    ("/observations?area=566;drop", 422, "query.area"),
    ("/observations?indicator=11.9.9", 422, "query.indicator"),
    ("/observations?indicator=nope", 422, "query.indicator"),
    ("/observations?area_level=planet", 422, "query.area_level"),
    ("/observations?year_from=2020&year_to=2010", 422, "query.year_from"),
    ("/observations?year_from=1200", 422, "query.year_from"),
    ("/observations?year_from=abc", 422, "query.year_from"),
    ("/observations?limit=0", 422, "query.limit"),
    ("/observations?limit=10001", 422, "query.limit"),
    ("/observations?page=0", 422, "query.page"),
    ("/observations?format=pdf", 422, "query.format"),
    ("/observations?sex=a%20b", 422, "query.sex"),
    ("/observations?serie=EN_LND_SLUM", 422, "query.serie"),
    ("/observations?breakdown=a%00b", 422, "query.breakdown"),
    ("/areas?q=nig%00eria", 422, "query.q"),
    ("/areas?kind=planet", 422, "query.kind"),
    ("/areas?parent=XYZ", 422, "query.parent"),
    ("/areas?hierarchy=sdg", 422, "query.hierarchy"),
    ("/areas?parent=202&hierarchy=tree", 422, "query.hierarchy"),
    ("/areas?q=%20", 422, "query.q"),
    ("/areas/XYZ", 404, "path.code"),
    ("/areas/566?lang=de", 422, "query.lang"),
    ("/goals?lang=xx", 422, "query.lang"),
    ("/goals?page=2", 422, "query.page"),
    ("/targets/11.9", 404, "path.code"),
    ("/targets/abc", 422, "path.code"),
    ("/indicators?target=11.9", 422, "query.target"),
    ("/indicators/11.9.9", 404, "path.code"),
    ("/series?indicator=11.9.9", 422, "query.indicator"),
    ("/series?with_data=maybe", 422, "query.with_data"),
    ("/series/NOPE", 404, "path.code"),
    ("/assessments", 422, "query"),
    ("/assessments?method=nope&area=566", 422, "query.method"),
    ("/assessments?method=escap&edition=1999&area=566", 422, "query.edition"),
    ("/assessments?level=city&area=566", 422, "query.level"),
    ("/assessments?series=NOPE", 422, "query.series"),
    ("/assessments?area_level=planet", 422, "query.area_level"),
    ("/progress?method=nope", 422, "query.method"),
    ("/aggregates", 422, "query.series"),
    ("/aggregates?series=NOPE", 422, "query.series"),
    ("/aggregates?series=EN_LND_SLUM&area=ng_lagos", 422, "query.area"),
    ("/aggregates?series=EN_LND_SLUM&area=XYZ", 422, "query.area"),
    ("/aggregates?series=EN_LND_SLUM&rule=median", 422, "query.rule"),
    ("/aggregates?series=EN_LND_SLUM&year=1800", 422, "query.year.0"),
]


@pytest.mark.parametrize(("path", "status", "where"), ERRORS)
def test_errors_have_one_shape(client: Any, path: str, status: int, where: str) -> None:
    resp = client.get(API + path)
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["cache-control"] == "no-store"
    error = resp.json()["error"]
    assert set(error) >= {"status", "code", "message", "details"}
    assert error["status"] == status
    assert error["code"] == {404: "not_found", 422: "invalid_parameter"}[status]
    assert error["details"][0]["where"] == where
    assert error["details"][0]["fix"]
    assert "Traceback" not in resp.text


def test_unknown_parameter_names_the_known_ones(client: Any) -> None:
    error = client.get(f"{API}/series?indicatr=11.1.1").json()["error"]
    assert error["message"] == "unknown parameter 'indicatr'"
    assert "indicator" in error["details"][0]["fix"]


def test_method_not_allowed_and_unknown_path(client: Any) -> None:
    resp = client.post(f"{API}/observations")
    assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed"
    assert resp.json()["error"]["details"][0]["where"] == "method"
    assert resp.json()["error"]["details"][0]["fix"] == "use GET"
    resp = client.get(f"{API}/nothing-here")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    assert resp.json()["error"]["details"][0]["where"] == "path"


def test_a_broken_database_gives_503_without_a_trace(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from urbanagenda.web import create_app

    broken = tmp_path / "broken.sqlite"
    broken.write_text("this is not a database")
    app = create_app(f"sqlite:///{broken}", warm=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/goals", "/observations?series=EN_LND_SLUM", "/areas/566",
                     "/assessments?area=566", "/aggregates?series=EN_LND_SLUM", "/progress"):
            resp = client.get(API + path)
            assert resp.status_code == 503, (path, resp.text)
            error = resp.json()["error"]
            assert error["code"] == "unavailable" and len(error["request_id"]) == 12
            assert "sqlite" not in resp.text.lower() and "Traceback" not in resp.text


# -- catalogue ----------------------------------------------------------------------------------


#: Readable only when signed in: the index names them not, a visitor is refused.
SIGNED_IN_ONLY = {
    API + "/reports/{report_id}/comments": API + "/reports/4/comments",
    API + "/reports/{report_id}/audit": API + "/reports/4/audit",
    API + "/auth/me": API + "/auth/me",
    API + "/auth/tokens": API + "/auth/tokens",
}


def test_index_names_every_resource_and_each_example_works(client: Any) -> None:
    import re

    index = _get(client, "")
    paths = client.get("/openapi.json").json()["paths"]
    readable = {p for p, ops in paths.items() if p.startswith(API + "/") and "get" in ops}
    listed = [url.split("?")[0] for url in index["resources"].values()]
    for template in readable - SIGNED_IN_ONLY.keys():
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
        assert any(re.fullmatch(pattern, url) for url in listed), template
    for url in index["resources"].values():
        assert client.get(url).status_code == 200, url
    for template, url in SIGNED_IN_ONLY.items():
        assert template in readable
        assert client.get(url).status_code == 401, url


def test_catalogue(client: Any) -> None:
    goals = _get(client, "/goals")["data"]
    assert goals[0]["code"] == "11" and len(goals[0]["targets"]) == 10
    targets = _get(client, "/targets")["data"]
    assert [t["code"] for t in targets][:2] == ["11.1", "11.2"]
    t111 = _get(client, "/targets/11.1")["data"]
    assert t111["indicators"] == ["11.1.1"] and t111["nua"]
    ind = _get(client, "/indicators/11.1.1")["data"]
    assert ind["target"]["code"] == "11.1"
    assert {s["code"]: s["observations"] for s in ind["series"]}["EN_LND_SLUM"] == 1186
    assert any(u["code"] == "SOC-INCL" for u in ind["umf"])
    assert ind["metadata"]["dsd_code"] == "C110101"
    assert len(_get(client, "/indicators")["data"]) == 15
    assert [i["code"] for i in _get(client, "/indicators", target="11.5")["data"]] == [
        "11.5.1", "11.5.2", "11.5.3"]  # fmt: skip
    series = _get(client, "/series/en_lnd_slum")["data"]
    assert series["unit"]["code"] == "PT" and series["direction"] == "decrease"
    assert series["target_2030"] == 0.0 and series["natural_limit"] == 100.0
    assert series["aggregation"] == "sum_of_parts" and series["observations"] == 1186
    assert [i["code"] for i in series["indicators"]] == ["11.1.1"]
    assert {s["key"] for s in series["sources"]} >= {"dsd", "methods"}
    with_data = _get(client, "/series", with_data="true")["data"]
    without = _get(client, "/series", with_data="false")["data"]
    everything = _get(client, "/series")["data"]
    assert len(with_data) + len(without) == len(everything)
    assert all(s["observations"] > 0 for s in with_data)
    assert all(s["observations"] == 0 for s in without)
    assert [s["code"] for s in _get(client, "/series", indicator="11.1.1")["data"]] == [
        "EN_LND_SLUM", "EN_LND_SLUMN"]  # fmt: skip
    methods = {m["code"]: m for m in _get(client, "/methods")["data"]}
    assert set(methods) == {"unsd-2022", "unsd-2023", "unsd-2024", "opensdg", "escap", "sdsn"}
    statuses = {s["code"]: s["label"] for s in methods["unsd-2024"]["statuses"]}
    assert statuses["marginal"] == "Marginal progress" and "insufficient_data" in statuses
    assert methods["unsd-2024"]["editions"][0]["default"] is True


def test_catalogue_names_in_a_language(client: Any) -> None:
    en = _get(client, "/targets/11.1")["data"]["title"]
    zh = _get(client, "/targets/11.1", lang="zh")["data"]["title"]
    assert en.startswith("By 2030") and zh != en and "2030" in zh
    # a language without translations falls back to English rather than failing
    ru = _get(client, "/indicators/11.1.1", lang="ru")["data"]["name"]
    assert ru
    zh_labels = {s["code"]: s["label"] for m in _get(client, "/methods", lang="zh")["data"]
                 if m["code"] == "unsd-2024" for s in m["statuses"]}  # fmt: skip
    assert zh_labels["regression"] == "倒退"


# -- areas --------------------------------------------------------------------------------------


def test_area_parents_and_children(client: Any) -> None:
    nigeria = _get(client, "/areas/NGA")["data"]
    assert nigeria["code"] == "566" and nigeria["kind"] == "country"
    assert nigeria["names"]["zh"] == "尼日利亚" and nigeria["names"]["fr"] == "Nigéria"
    assert [p["code"] for p in nigeria["parents"]["sdg"]] == ["11"]
    western = _get(client, "/areas/11")["data"]
    assert [p["code"] for p in western["parents"]["sdg"]] == ["202"]
    assert western["parents"]["sdg"][0]["name"] == "Sub-Saharan Africa"
    cities = {c["code"] for c in nigeria["children"]["city"]}
    assert {"ng_lagos", "ng_abuja"} <= cities
    assert {s["code"] for s in nigeria["series"]} >= {"EN_LND_SLUM", "EN_ATM_PM25"}
    slum = next(s for s in nigeria["series"] if s["code"] == "EN_LND_SLUM")
    assert (slum["first_year"], slum["last_year"]) == (2000, 2020)
    lagos = _get(client, "/areas/NG_LAGOS")["data"]
    assert lagos["country"]["code"] == "566" and lagos["kind"] == "city"
    assert _get(client, "/areas/0566")["data"]["code"] == "566"
    ssa = _get(client, "/areas", parent="202", hierarchy="sdg")["data"]
    assert "11" in {a["code"] for a in ssa}
    in_nigeria = _get(client, "/areas", parent="566", limit=100)["data"]
    assert {a["code"] for a in in_nigeria} == cities


def test_area_search_in_any_language(client: Any) -> None:
    assert _get(client, "/areas", q="nigeria")["data"][0]["code"] == "566"
    assert _get(client, "/areas", q="尼日利亚")["data"][0]["code"] == "566"
    assert _get(client, "/areas", q="нигерия", lang="ru")["data"][0]["name"] == "Нигерия"
    lagos = _get(client, "/areas", q="lagos", kind="city")["data"]
    assert lagos[0]["code"] == "ng_lagos" and {a["kind"] for a in lagos} == {"city"}
    assert "pt_lagos" in {a["code"] for a in lagos}
    assert _get(client, "/areas", q="zzqqxx")["data"] == []


# -- assessments, progress, aggregates ----------------------------------------------------------


def test_assessment_of_nigerias_slum_share(client: Any) -> None:
    rows = _get(client, "/assessments", method="unsd-2024", series="EN_LND_SLUM", area="566")
    (row,) = rows["data"]
    assert row["status"] == "marginal" and row["label"] == "Marginal progress"
    assert (row["base_year"], row["base_value"]) == (2016, 54.00711)
    assert (row["latest_year"], row["latest_value"]) == (2020, 48.98206)
    assert row["target_value"] == 0.0 and row["location"] == "U"
    # the actual growth rate from the two real values, computed here independently
    assert math.isclose(row["cagr_actual"], (48.98206 / 54.00711) ** (1 / 4) - 1)
    assert row["reason"] is None and row["unit"] == "PT"
    opensdg = _get(client, "/assessments", method="opensdg", series="EN_LND_SLUM", area="566")
    assert opensdg["data"][0]["edition"] == "sdg-build-2"
    assert opensdg["data"][0]["score"] is not None


def test_assessment_rollups(client: Any) -> None:
    target = _get(client, "/assessments", indicator="11.1.1", area="566", level="target")
    (row,) = target["data"]
    assert row["code"] == "11.1" and row["n_children"] == 1 and row["n_assessed"] == 1
    goal = _get(client, "/assessments", area="566", level="goal", lang="zh")["data"]
    assert [g["code"] for g in goal] == ["11"] and goal[0]["area_name"] == "尼日利亚"
    regions = _get(client, "/assessments", area_level="sdg_region", level="target",
                   limit=1000)["data"]  # fmt: skip
    assert {r["area_kind"] for r in regions} == {"sdg_region"}
    assert {r["code"] for r in regions} <= {t["code"] for t in _get(client, "/targets")["data"]}
    insufficient = [r for r in regions if r["status"] == "insufficient_data"]
    assert all(r["reason"] == "no_assessed_children" for r in insufficient)


def test_progress_chart(client: Any) -> None:
    chart = _get(client, "/progress", method="unsd-2024")["data"]
    assert [r["code"] for r in chart["regions"]][:2] == ["1", "202"]
    assert len(chart["targets"]) == 10
    t111 = next(t for t in chart["targets"] if t["target"] == "11.1")
    assert t111["series"] == "EN_LND_SLUM" and "11.1" in t111["text"]
    statuses = {c["status"] for t in chart["targets"] for c in t["cells"]} - {None}
    assert statuses <= set(chart["statuses"]) and statuses
    assert chart["summary"]


def test_aggregate_beside_the_official_value(client: Any) -> None:
    (row,) = _get(client, "/aggregates", series="EN_LND_SLUM", area="202", year=2020)["data"]
    official = _get(client, "/observations", series="EN_LND_SLUM", area="202", year_from=2020,
                    year_to=2020, location="U")["data"][0]["value"]  # fmt: skip
    assert row["official_value"] == official == 50.16237709696918
    assert row["rule"] == "sum_of_parts" and row["hierarchy"] == "sdg"
    assert row["n_members"] == 53 and 0 < row["n_with_data"] <= 53
    assert math.isclose(row["difference"], row["value"] - row["official_value"])
    assert math.isclose(row["value"], 49.567, abs_tol=0.01)
    assert "EN_LND_SLUMN" in row["weight_source"]
    assert row["coverage_weight"] > 0.85
    cities = _get(client, "/aggregates", series="SP_TRN_PUBL", area="566", year=2020)["data"]
    assert cities[0]["member_kind"] == "city" and cities[0]["rule"] == "simple_mean"
    several = _get(client, "/aggregates", series="EN_LND_SLUM", area="202,1", year=[2018, 2020])
    assert {(r["area_code"], r["year"]) for r in several["data"] if r["location"] == "U"} == {
        ("202", 2018), ("202", 2020), ("1", 2018), ("1", 2020)}  # fmt: skip


def test_openapi_documents_every_endpoint(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    api = {p: v for p, v in doc["paths"].items() if p.startswith(API)}
    assert len(api) >= 14
    for path, item in api.items():
        for method, op in item.items():
            assert op["summary"] and op["tags"], (method, path)
            needed = {"422", "503"} | ({"200"} if method == "get" else set())
            assert needed <= set(op["responses"]), (method, path)
            if path != API:
                assert op.get("description"), (method, path)
