"""Institutional records: the seed's facts as loaded (golden values read against the seed's
own text), every bad input reported at once with nothing written, reloads that keep the
previous state of a changed fact, CSV files, and the demo database's link to the reference
document.  On SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine, func, select

from urbanagenda.errors import ValidationFailed
from urbanagenda.store import schema as s
from urbanagenda.synthesis.records import (
    SEED_RECORDS,
    channel_definitions,
    load_records,
    load_seed_records,
    paragraph_numbers,
    read_records,
    validate_records,
)

DATA = Path(str(resources.files("urbanagenda.data")))
SEED = DATA / SEED_RECORDS
SEED_TEXT = (DATA / "reporting/reference/sg-report-a79-nua-zh.txt").read_text(encoding="utf-8")
DOC = "SG-A79-NUA-2024"


def paragraph(number: str) -> str:
    """The seed's paragraph ``number``: its line (a paragraph may run on after a page break)."""
    match = re.search(rf"^{number}\. (.*?)(?=^\d+\. |\Z)", SEED_TEXT, re.MULTILINE | re.DOTALL)
    assert match, number
    return match.group(1)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    load_seed_records(engine)
    return engine


# -- golden: the seed's facts ----------------------------------------------------------------


def test_the_second_assembly_session_and_its_outcomes(seeded: Engine) -> None:
    rec = read_records(seeded)
    sessions = {x["code"]: x for x in rec.sessions}
    unha2 = sessions["UNHA-2"]
    assert (unha2["start_date"], unha2["end_date"]) == ("2023-06-05", "2023-06-09")
    assert unha2["member_states_count"] == 132
    assert unha2["place"] == {"en": "Nairobi", "zh": "内罗毕"}
    assert unha2["status"] == "held" and unha2["body_code"] == "UNHA"
    assert "132 个会员国" in paragraph(unha2["source_para"])
    resumed = sessions["UNHA-2-RESUMED"]
    assert (resumed["start_date"], resumed["end_date"], resumed["status"]) == (
        "2025-05-29",
        "2025-05-30",
        "planned",
    )
    eb = [
        (x["start_date"], x["end_date"], x["status"])
        for x in rec.sessions
        if x["body_code"] == "EB"
    ]
    assert eb == [
        ("2022-11-21", "2022-11-23", "held"),
        ("2023-03-28", "2023-03-29", "held"),
        ("2023-11-28", "2023-11-30", "held"),
        ("2024-05-06", "2024-05-08", "held"),
        ("2024-12-04", "2024-12-06", "planned"),
    ]
    assert (sessions["CPR-OEM-2"]["start_date"], sessions["CPR-OEM-2"]["end_date"]) == (
        "2023-05-29",
        "2023-06-02",
    )
    outcomes = {(o["session_code"], o["kind"], o["number"]): o for o in rec.outcomes}
    group = outcomes[("UNHA-2", "resolution", None)]
    assert (group["count"], group["adoption"], group["year"]) == (10, "consensus", 2023)
    assert "10 项决议" in paragraph("7")
    declaration = outcomes[("UNHA-2", "declaration", None)]
    assert declaration["title"]["zh"] in paragraph("7")
    drafts = {k[1]: o["count"] for k, o in outcomes.items() if k[0] == "CPR-OEM-2"}
    assert drafts == {"draft_resolution": 10, "draft_declaration": 1, "draft_decision": 5}
    assert outcomes[("UNHA-2", "resolution", "2/1")]["implementation_status"] == "in_progress"
    assert outcomes[("UNHA-2", "resolution", "2/10")]["subject"] == "finance"
    assert {k[2] for k in outcomes if k[1] == "decision" and k[0] == "UNHA-2"} == {"2/1", "2/2"}
    eb_decision = outcomes[(None, "decision", "2023/4")]
    assert (eb_decision["body_code"], eb_decision["year"]) == ("EB", 2023)
    assert eb_decision["document_symbol"] == "HSP/EB.2023/23"
    assert {b["code"]: b["established_by"]["en"] for b in rec.bodies} == {
        "CPR": "General Assembly resolution 73/239 (retained)",
        "EB": "General Assembly resolution 73/239",
        "UNHA": "General Assembly resolution 73/239",
    }
    assert rec.bodies[0]["established_by"]["zh"].startswith("大会第 73/239 号决议")


def test_funding(seeded: Engine) -> None:
    funding = {(f["year"], f["channel"]): f for f in read_records(seeded).funding}
    total = funding[(2023, "total")]
    assert (total["amount_usd"], total["reported_change"]) == (223e6, pytest.approx(0.13))
    assert "2.23 亿美元" in paragraph("14") and "13%" in paragraph("14")
    core = funding[(2022, "foundation_non_earmarked")]
    assert (core["amount_usd"], core["reported_change"]) == (7.36e6, 2.0)
    assert "增加两倍，达到 736 万美元" in paragraph("15")
    contributors = funding[(2023, "foundation_non_earmarked")]
    assert (contributors["amount_usd"], contributors["contributors_count"]) == (None, 30)
    channels = channel_definitions()
    assert set(channels) == {
        "regular_budget",
        "foundation_non_earmarked",
        "foundation_earmarked",
        "technical_cooperation",
    }
    assert all(c["definition"]["zh"].rstrip("。") in paragraph("14") for c in channels.values())


#: people reached by each programme, as the seed words it (value, qualifier, the Chinese)
PEOPLE = {
    "SAFER_CITIES": (100_000_000, "more_than", "1 亿多人"),
    "GLTN": (1_500_000, "more_than", "超过 150 万人"),
    "PSUP": (15_000_000, "exact", "1 500 万人"),
    "UBSTF": (3_000_000, "exact", "300 万人"),
    "WASTE_WISE_CITIES": (220_000_000, "nearly", "近 2.2 亿人"),
    "ACCP": (1_500_000, "exact", "为 150 万人"),
    "GWOPA": (50_000_000, "about", "约 5 000 万人"),
    "GLOBAL_PUBLIC_SPACE": (2_800_000, "more_than", "超过 280 万人"),
    "URBAN_RESILIENCE": (40_000_000, "about", "约 4 000 万人"),
}


def test_programmes_and_the_people_they_reached(seeded: Engine) -> None:
    rec = read_records(seeded)
    names = {p["code"]: p["name"]["zh"] for p in rec.programmes}
    assert len(names) == 13
    for code, zh in names.items():
        para = next(p["source_para"] for p in rec.programmes if p["code"] == code)
        assert zh.strip("“”").replace("”全球方案", "") in paragraph(para), code
    people = {
        r["programme_code"]: (r["value"], r["qualifier"], r["source_para"])
        for r in rec.results
        if r["metric"] == "people_reached"
    }
    assert {k: v[:2] for k, v in people.items()} == {k: v[:2] for k, v in PEOPLE.items()}
    for code, (_, _, words) in PEOPLE.items():
        assert words in paragraph(people[code][2]), code
    assert {r["as_of"] for r in rec.results} == {"2024-06-30"}
    results = {(r["programme_code"], r["metric"]): r for r in rec.results}
    gltn = results[("GLTN", "policy_reform_countries")]
    assert (gltn["value"], gltn["qualifier"], gltn["period_years"]) == (30, "more_than", 18)
    wwc = results[("WASTE_WISE_CITIES", "local_governments")]
    assert (wwc["value"], wwc["period_start"]) == (311, 2018)
    gfcp = results[("GLOBAL_FUTURE_CITIES", "partners")]
    assert (gfcp["period_start"], gfcp["period_end"]) == (2018, 2022)
    assert results[("UBSTF", "funds_usd")]["value"] == 219e6
    assert results[("HER_CITY", "sites")]["value"] == 25


def test_every_row_cites_a_paragraph_of_the_seed(seeded: Engine) -> None:
    paras = paragraph_numbers(SEED_TEXT)
    assert paras == {str(n) for n in range(1, 97)}
    rec = read_records(seeded)
    rows = [*rec.bodies, *rec.sessions, *rec.outcomes, *rec.programmes, *rec.results, *rec.funding]
    assert len(rows) == 3 + 8 + 10 + 13 + 67 + 3
    for row in rows:
        assert row["source_doc"] == DOC
        cited = row["source_para"].split(", ")
        assert cited and set(cited) <= paras, row
    source = rec.sources[DOC]
    assert source["language"] == "zh" and source["title"].startswith("Follow-up")


def test_the_demo_loads_the_records_linked_to_the_reference_document(demo_db: str) -> None:
    engine = create_engine(demo_db)
    try:
        rec = read_records(engine)
        doc_id = rec.sources[DOC]["reference_document_id"]
        with engine.connect() as conn:
            kind = conn.execute(select(s.document.c.kind).where(s.document.c.id == doc_id))
            assert kind.scalar_one() == "reference"
        assert len(rec.results) == 67 and len(rec.sessions) == 8
    finally:
        engine.dispose()


# -- reloads: nothing changes, or a changed fact keeps its previous state --------------------


def test_reload_of_the_same_facts_changes_nothing(seeded: Engine) -> None:
    again = load_seed_records(seeded)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 105)
    assert count(seeded, s.record_revision) == 0
    assert count(seeded, s.record_load) == 2  # one per load
    with seeded.connect() as conn:
        counts = conn.execute(select(s.record_load.c.counts).order_by(s.record_load.c.id)).all()
    assert counts[0][0]["programme_result"] == {"inserted": 67, "updated": 0, "unchanged": 0}


def test_a_changed_fact_is_updated_and_its_previous_row_kept(
    seeded: Engine, tmp_path: Path
) -> None:
    doc = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    doc["sessions"][0]["member_states_count"] = 133
    doc["funding"][0]["amount_usd"] = 224_000_000
    path = tmp_path / "revised.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = load_records(seeded, [path])
    assert (result.inserted, result.updated) == (0, 2)
    assert result.counts["gov_session"]["updated"] == 1
    rec = read_records(seeded)
    assert next(x for x in rec.sessions if x["code"] == "UNHA-2")["member_states_count"] == 133
    with seeded.connect() as conn:
        revs = conn.execute(select(s.record_revision).order_by(s.record_revision.c.id)).all()
    assert [(r.table_name, r.load_id) for r in revs] == [
        ("gov_session", result.load_id),
        ("funding", result.load_id),
    ]
    assert json.loads(revs[0].record_key) == ["UNHA-2"]
    assert revs[0].previous["member_states_count"] == 132
    assert revs[1].previous["amount_usd"] == 223e6


# -- bad input: every problem reported, nothing written --------------------------------------

BASE = f"""
sources:
  - code: {DOC}
    title: {{en: The seed, zh: 种子}}
    text_file: reporting/reference/sg-report-a79-nua-zh.txt
bodies:
  - code: UNHA
    name: {{en: Assembly, zh: 大会}}
    description: {{en: d, zh: d}}
    source: {{doc: {DOC}, para: "5"}}
programmes:
  - code: P1
    name: {{en: P, zh: 方案}}
    source: {{doc: {DOC}, para: "20"}}
"""

SESSION = (
    "sessions:\n  - {{code: S1, body: {body}, name: {{en: S, zh: 会}}, start: {start}, "
    "end: {end}, status: {status}, member_states_count: {n}, "
    'source: {{doc: {doc}, para: "{para}"}}}}\n'
)


def session(**kw: Any) -> str:
    values = {"body": "UNHA", "start": '"2023-06-05"', "end": '"2023-06-09"', "status": "held",
              "n": 132, "doc": DOC, "para": "6"} | kw  # fmt: skip
    return SESSION.format(**values)


def result_row(**kw: Any) -> str:
    values = {"programme": "P1", "metric": "people_reached", "value": 5, "qualifier": "exact"} | kw
    row = ", ".join(f"{k}: {v}" for k, v in values.items())
    return f'results:\n  - {{{row}, as_of: "2024-06-30", source: {{doc: {DOC}, para: "20"}}}}\n'


def funding_row(**kw: Any) -> str:
    values = {"year": 2023, "channel": "total", "amount_usd": 1} | kw
    row = ", ".join(f"{k}: {v}" for k, v in values.items())
    return f'funding:\n  - {{{row}, source: {{doc: {DOC}, para: "14"}}}}\n'


def outcome_row(**kw: Any) -> str:
    values = {"body": "UNHA", "kind": "resolution", "implementation_status": "adopted"} | kw
    row = ", ".join(f"{k}: {v}" for k, v in values.items())
    return (
        f'outcomes:\n  - {{{row}, title: {{en: T, zh: 题}}, source: {{doc: {DOC}, para: "7"}}}}\n'
    )


CASES = {
    "unknown body": (session(body="NOPE"), "unknown-reference", "body"),
    "unknown session": (outcome_row(session="S9"), "unknown-reference", "session"),
    "unknown programme": (result_row(programme="NOPE"), "unknown-reference", "programme"),
    "unknown source": (session(doc="A/00/1"), "unknown-reference", "source"),
    "unknown paragraph": (session(para="97"), "unknown-paragraph", "source"),
    "start after end": (session(start='"2023-06-10"'), "date-order", "start"),
    "not an ISO date": (session(start='"5 June 2023"'), "invalid-date", "start"),
    "impossible date": (session(end='"2023-02-30"'), "invalid-date", "end"),
    "negative count": (session(n=-1), "negative-value", "member_states_count"),
    "negative value": (result_row(value=-5), "negative-value", "value"),
    "not a number": (result_row(value="many"), "non-numeric-value", "value"),
    "unknown status": (session(status="done"), "unknown-code", "status"),
    "unknown kind": (outcome_row(kind="motion"), "unknown-code", "kind"),
    "unknown implementation status": (
        outcome_row(implementation_status="ongoing"), "unknown-code", "implementation_status"),
    "unknown qualifier": (result_row(qualifier="roughly"), "unknown-code", "qualifier"),
    "unknown metric": (result_row(metric="happiness"), "unknown-code", "metric"),
    "unknown channel": (funding_row(channel="loans"), "unknown-code", "channel"),
    "funding states nothing": (funding_row(amount_usd="null"), "missing-value", "amount_usd"),
    "unknown field": (result_row(colour="red"), "unknown-field", "colour"),
    "missing required field": (result_row(qualifier='""'), "missing-value", "qualifier"),
    "numbered group": (outcome_row(number='"2/3"', count=4), "invalid-value", "count"),
    "duplicate key": (
        result_row() + result_row().replace("results:\n", ""), "duplicate-key", None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_rows_are_reported_with_their_place(case: str, tmp_path: Path) -> None:
    text, code, column = CASES[case]
    path = tmp_path / "records.yaml"
    path.write_text(BASE + text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        validate_records([path])
    issues = caught.value.report.issues
    assert [i.code for i in issues] == [code], caught.value.report.summary()
    issue = issues[0]
    assert issue.file == str(path) and issue.sheet is not None and issue.row is not None
    if column:
        assert issue.column == column
    assert issue.expected


def test_the_base_of_the_bad_cases_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "records.yaml"
    path.write_text(BASE + session() + result_row() + funding_row() + outcome_row(), "utf-8")
    validate_records([path])


def test_every_problem_of_every_file_is_in_one_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        BASE + session(body="NOPE", status="x", n=-2) + result_row(qualifier="q"), "utf-8"
    )
    latin = tmp_path / "funding.csv"
    latin.write_bytes("year,channel,amount_usd,note_en,note_zh,source_doc,source_para\n"
                      "2023,total,1,é,é,X,1\n".encode("latin-1"))  # fmt: skip
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    broken = tmp_path / "broken.yaml"
    broken.write_text("sessions:\n  - code: [unclosed\n", encoding="utf-8")
    odd = tmp_path / "records.txt"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        validate_records([bad, latin, empty, folder, broken, odd, tmp_path / "missing.csv"])
    by_file = {(Path(i.file or "").name, i.code) for i in caught.value.report.issues}
    assert by_file == {
        ("bad.yaml", "unknown-reference"),
        ("bad.yaml", "unknown-code"),
        ("bad.yaml", "negative-value"),
        ("funding.csv", "encoding-error"),
        ("empty.yaml", "empty-file"),
        ("folder.yaml", "file-not-found"),
        ("broken.yaml", "parse-error"),
        ("records.txt", "unknown-format"),
        ("missing.csv", "file-not-found"),
    }
    assert "nothing was loaded" in str(caught.value)


def test_a_rejected_load_writes_nothing(seeded: Engine, tmp_path: Path) -> None:
    before = count(seeded, s.record_load), read_records(seeded)
    path = tmp_path / "records.yaml"
    # a valid new session and a bad result: the session must not be written either
    path.write_text(BASE + session() + result_row(metric="x"), encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_records(seeded, [path])
    assert (count(seeded, s.record_load), read_records(seeded)) == before


def test_a_rejected_load_leaves_the_sqlite_file_byte_for_byte_unchanged(
    sqlite_engine: Engine, digest: Any, tmp_path: Path
) -> None:
    file_digest = digest
    load_seed_records(sqlite_engine)
    db = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    digest_before, size = file_digest(db), db.stat().st_size
    doc = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    doc["sessions"][0]["member_states_count"] = 133  # a change that would be written...
    doc["results"][0]["qualifier"] = "approximately"  # ...but for this
    path = tmp_path / "revised.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_records(sqlite_engine, [path])
    sqlite_engine.dispose()
    assert db.stat().st_size == size
    assert file_digest(db) == digest_before


def test_references_resolve_against_the_store(seeded: Engine, tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "body,session,kind,number,title_en,title_zh,implementation_status,source_doc,source_para\n"
        "EB,EB-2024-05,decision,2024/1,A decision,一项决定,adopted,SG-A79-NUA-2024,9\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        validate_records([path])  # alone, the file names a session it does not define
    assert {i.code for i in caught.value.report.issues} == {"unknown-reference"}
    validate_records([path], seeded)
    result = load_records(seeded, [path])
    assert result.counts == {"gov_outcome": {"inserted": 1, "updated": 0, "unchanged": 0}}
    added = next(o for o in read_records(seeded).outcomes if o["number"] == "2024/1")
    assert added["title"] == {"en": "A decision", "zh": "一项决定"}
    assert added["year"] == 2024  # from the session


# -- CSV ---------------------------------------------------------------------------------


def test_csv_files_one_per_section_or_with_a_section_column(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text(
        "code,title_en,title_zh,language,text_file\n"
        f"{DOC},The seed,种子,zh,reporting/reference/sg-report-a79-nua-zh.txt\n",
        encoding="utf-8-sig",  # as Excel saves "CSV UTF-8"
    )
    (tmp_path / "sessions.csv").write_text(
        "code,body,name_en,name_zh,start,end,place_en,place_zh,status,member_states_count,"
        "participants,source_doc,source_para\n"
        "UNHA-2,UNHA,Second session,第二届会议,2023-06-05,2023-06-09,Nairobi,内罗毕,held,132,"
        "404;566,SG-A79-NUA-2024,6\n",
        encoding="utf-8",
    )
    (tmp_path / "more.csv").write_text(
        "section,code,name_en,name_zh,description_en,description_zh,programme,metric,value,"
        "qualifier,as_of,source_doc,source_para\n"
        "bodies,UNHA,Assembly,人居大会,Universal,普遍,,,,,,SG-A79-NUA-2024,5\n"
        "programmes,GLTN,Global Land Tool Network,全球土地工具网络,,,,,,,,SG-A79-NUA-2024,21\n"
        "results,,,,,,GLTN,partners,84,exact,2024-06-30,SG-A79-NUA-2024,21\n",
        encoding="utf-8",
    )
    paths = [tmp_path / "sessions.csv", tmp_path / "more.csv", tmp_path / "sources.csv"]
    seen: list[tuple[str, int]] = []
    result = load_records(engine, paths, progress=lambda f, n: seen.append((Path(f).name, n)))
    assert seen == [("sessions.csv", 1), ("more.csv", 3), ("sources.csv", 1)]
    assert result.inserted == 5
    rec = read_records(engine)
    (unha2,) = rec.sessions
    assert unha2["name"] == {"en": "Second session", "zh": "第二届会议"}
    assert unha2["participants"] == ["404", "566"] and unha2["member_states_count"] == 132
    assert rec.results[0]["value"] == 84 and rec.programmes[0]["code"] == "GLTN"
    assert rec.sources[DOC]["title"] == "The seed"


def test_csv_problems_name_their_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "programme,metric,value,qualifier,as_of,source_doc,source_para,colour\n"
        "P1,partners,12,exact,2024-06-30,SG-A79-NUA-2024,21,\n"
        "P1,partners,-3,exact,2024-06-31,SG-A79-NUA-2024,21,red\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        validate_records([path])
    found = {(i.code, i.row, i.column) for i in caught.value.report.issues}
    assert ("unknown-field", None, "colour") in found
    assert ("negative-value", 3, "value") in found
    assert ("invalid-date", 3, "as_of") in found
    assert ("unknown-reference", 2, "programme") in found
    assert ("unknown-reference", 2, "source") in found
