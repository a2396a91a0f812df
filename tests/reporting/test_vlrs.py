"""The VLR registry on SQLite and PostgreSQL: registration with a file (one transaction),
validation against the store, attachments of every kind of document, metadata edits and
withdrawal, each with its audit line and the search index kept in step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents, search, vlrs
from urbanagenda.reporting.documents import Conflict, NotFound
from urbanagenda.reporting.model import SearchFilters
from urbanagenda.reporting.permissions import Forbidden
from urbanagenda.reporting.uploads import PDF_MEDIA_TYPE, UploadRejected
from urbanagenda.reporting.vlrs import InvalidVLR
from urbanagenda.store import schema as s

from .conftest import KENYA, LAGOS, NIGERIA, Users

SPECIMENS = Path(__file__).parents[1] / "specimens" / "reporting"
T1 = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)
SUMMARY = (
    "Lagos reviewed its progress on the Goals with residents of every district.\n\n"
    "Informal settlements were upgraded in twelve neighbourhoods."
)


def pdf() -> bytes:
    return (SPECIMENS / "vlr_example.pdf").read_bytes()


def docx_bytes() -> bytes:
    return (SPECIMENS / "vlr_example.docx").read_bytes()


def lagos_vlr(engine: Engine, users: Users, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "title": "Lagos Voluntary Local Review 2024",
        "government": "Lagos State Government",
        "level": "regional",
        "country_code": NIGERIA,
        "area_code": LAGOS,
        "year": 2024,
        "languages": ["en", "yo"],
        "sdgs": [11, 6, 11, 1],
        "linked_vnr": "Nigeria VNR 2024",
        "source_url": "https://lagosstate.gov.ng/vlr-2024.pdf",
        "summary": SUMMARY,
        "now": T1,
    }
    values.update(overrides)
    actor = values.pop("actor", users.lagos)
    return vlrs.register_vlr(engine, actor, **values)


def count(engine: Engine, table: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def actions(engine: Engine, document_id: int) -> list[str]:
    return [e.action for e in documents.audit_log(engine, document_id)]


def passages(engine: Engine, document_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(s.search_passage)
                .where(s.search_passage.c.document_id == document_id)
                .order_by(s.search_passage.c.ordinal)
            )
        )


def table_counts(engine: Engine) -> dict[str, int]:
    return {
        t.name: count(engine, t)
        for t in (s.document, s.document_version, s.document_event, s.attachment,
                  s.search_passage)
    }  # fmt: skip


# -- registering -----------------------------------------------------------------------------


def test_register_with_a_pdf_stores_everything_at_once(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, file=("Lagos VLR.pdf", pdf()))
    assert (doc.kind, doc.status, doc.current_version, doc.published_version) == (
        "vlr", "published", 1, 1,
    )  # fmt: skip
    assert (doc.country_code, doc.area_code, doc.year, doc.language) == (NIGERIA, LAGOS, 2024, "en")
    assert doc.metadata == {
        "government": "Lagos State Government",
        "level": "regional",
        "languages": ["en", "yo"],
        "sdgs": [1, 6, 11],
        "linked_vnr": "Nigeria VNR 2024",
        "source_url": "https://lagosstate.gov.ng/vlr-2024.pdf",
        "feeds_report_id": None,
    }
    assert doc.created_by == users.lagos.id
    version = documents.get_version(engine, doc.id, 1)
    assert [(sec.key, sec.narrative) for sec in version.sections] == [("summary", SUMMARY)]
    assert version.content_sha256 == documents.content_sha256(version.sections)
    assert actions(engine, doc.id) == ["register", "attach"]

    [attachment] = vlrs.list_attachments(engine, doc.id)
    assert (attachment.filename, attachment.media_type, attachment.pages) == (
        "Lagos VLR.pdf", PDF_MEDIA_TYPE, 2,
    )  # fmt: skip
    assert attachment.has_text and attachment.size == len(pdf())
    stored, data = vlrs.attachment_content(engine, attachment.id)
    assert stored == attachment and data == pdf()

    rows = passages(engine, doc.id)
    summary = [r for r in rows if r.section_key == "summary"]
    from_file = [r for r in rows if r.attachment_id == attachment.id]
    assert [r.text for r in summary] == [
        "Lagos reviewed its progress on the Goals with residents of every district.",
        "Informal settlements were upgraded in twelve neighbourhoods.",
    ]
    assert len(from_file) == 8  # the specimen's eight paragraphs, each short enough
    assert {r.language for r in from_file if "贫民窟" in r.text} == {"zh"}
    assert {r.language for r in summary} == {"en"}
    assert {(r.kind, r.country_code, r.area_code, r.year, r.version) for r in rows} == {
        ("vlr", NIGERIA, LAGOS, 2024, 1)
    }


def test_a_registered_vlr_is_found_by_a_chinese_query(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, file=("vlr.pdf", pdf()))
    results = search.search(engine, "贫民窟", SearchFilters(kind="vlr"))
    assert doc.id in {hit.document_id for hit in results.hits}


def test_register_without_a_file_or_summary(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, summary=None, area_code=None, actor=users.admin)
    assert doc.area_code is None
    assert vlrs.list_attachments(engine, doc.id) == []
    assert passages(engine, doc.id) == []
    assert actions(engine, doc.id) == ["register"]


def test_metadata_of_the_caller_is_kept_but_registry_keys_win(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, metadata={"demo_key": "lagos-2024", "level": "ignored"})
    assert doc.metadata["demo_key"] == "lagos-2024"
    assert doc.metadata["level"] == "regional"


@pytest.mark.parametrize("who", ["kenya", "nigeria", "reviewer"])
def test_only_the_citys_focal_point_or_an_admin_registers(
    engine: Engine, users: Users, who: str
) -> None:
    before = table_counts(engine)
    with pytest.raises(Forbidden):
        lagos_vlr(engine, users, actor=getattr(users, who))
    assert table_counts(engine) == before


def test_a_local_focal_point_cannot_register_for_another_city(engine: Engine, users: Users) -> None:
    with pytest.raises(Forbidden, match="lola_lagos"):
        lagos_vlr(engine, users, area_code="ng_ibadan")
    with pytest.raises(Forbidden):
        lagos_vlr(engine, users, area_code=None)


def test_every_problem_is_listed_and_nothing_is_stored(engine: Engine, users: Users) -> None:
    before = table_counts(engine)
    with pytest.raises(InvalidVLR) as info:
        lagos_vlr(
            engine,
            users,
            actor=users.admin,
            title="  ",
            level="municipal",
            year=2014,
            languages=["en", "english", "xx"],
            sdgs=[11, 18, 0, "x"],
            source_url="javascript:alert(1)",
            summary="bad \x00 byte",
        )
    wheres = [p.where for p in info.value.problems]
    assert wheres == [
        "title", "level", "year", "languages", "languages", "sdgs", "sdgs", "sdgs",
        "source_url", "summary",
    ]  # fmt: skip
    message = str(info.value)
    assert message.startswith("10 problems with the Voluntary Local Review; nothing was stored.")
    assert "'english' is not an ISO 639-1 language code" in message
    assert "use 2015 to 2026" in message  # now is 2025: next year's review may be registered
    assert "18 is not a Sustainable Development Goal" in message
    assert "'javascript:alert(1)' is not an http(s) address" in message
    assert isinstance(info.value, DataError)
    assert table_counts(engine) == before


def test_country_and_city_are_checked_against_the_store(engine: Engine, users: Users) -> None:
    with pytest.raises(InvalidVLR, match="'999' is not a country of the store"):
        lagos_vlr(engine, users, actor=users.admin, country_code="999", area_code=None)
    with pytest.raises(InvalidVLR, match=r"Nairobi \(ke_nairobi\) is not in country 566"):
        lagos_vlr(engine, users, actor=users.admin, area_code="ke_nairobi")
    with pytest.raises(InvalidVLR, match="'xx_nowhere' is not a city or area of the store"):
        lagos_vlr(engine, users, actor=users.admin, area_code="xx_nowhere")
    with pytest.raises(InvalidVLR, match="'11' is not a country"):
        lagos_vlr(engine, users, actor=users.admin, country_code="11", area_code=None)


def test_feeds_a_national_report_of_its_own_country(engine: Engine, users: Users) -> None:
    nigeria = documents.create_report(
        engine, users.nigeria, country_code=NIGERIA, year=2025, title="Nigeria NUA report"
    )
    kenya = documents.create_report(
        engine, users.kenya, country_code=KENYA, year=2025, title="Kenya NUA report"
    )
    doc = lagos_vlr(engine, users, feeds_report_id=nigeria.id)
    assert doc.metadata["feeds_report_id"] == nigeria.id
    with pytest.raises(InvalidVLR, match=f"national report {kenya.id} is a report of country 404"):
        lagos_vlr(engine, users, feeds_report_id=kenya.id)
    with pytest.raises(InvalidVLR, match="there is no national report 99999"):
        lagos_vlr(engine, users, feeds_report_id=99999)
    with pytest.raises(InvalidVLR, match=f"there is no national report {doc.id}"):
        lagos_vlr(engine, users, feeds_report_id=doc.id)  # a VLR is not a national report


def test_a_rejected_file_means_no_vlr(engine: Engine, users: Users) -> None:
    before = table_counts(engine)
    with pytest.raises(UploadRejected, match="Windows program"):
        lagos_vlr(engine, users, file=("vlr.pdf", b"MZ\x90\x00" + bytes(64)))
    with pytest.raises(UploadRejected, match="climbs out of its folder"):
        lagos_vlr(engine, users, file=("../../etc/passwd.pdf", pdf()))
    assert table_counts(engine) == before


def test_a_failure_while_indexing_stores_nothing(
    engine: Engine, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_counts(engine)

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search, "replace_passages", broken)
    with pytest.raises(RuntimeError, match="index unavailable"):
        lagos_vlr(engine, users, file=("vlr.docx", docx_bytes()))
    assert table_counts(engine) == before


# -- attachments -----------------------------------------------------------------------------


def test_a_file_added_to_a_vlr_is_indexed_at_once(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users)
    assert len(passages(engine, doc.id)) == 2
    attachment = vlrs.add_attachment(
        engine, users.lagos, doc.id, "C:\\reviews\\annex.docx", docx_bytes(), now=T1
    )
    assert attachment.filename == "annex.docx"
    assert attachment.pages is None and attachment.has_text
    rows = passages(engine, doc.id)
    assert len(rows) == 2 + 12
    assert {r.language for r in rows if r.attachment_id == attachment.id} >= {"en", "zh", "ar"}
    assert actions(engine, doc.id) == ["register", "attach"]
    # the same file again: one copy, no second event
    again = vlrs.add_attachment(engine, users.lagos, doc.id, "annex (1).docx", docx_bytes())
    assert again.id == attachment.id
    assert actions(engine, doc.id) == ["register", "attach"]
    event = documents.audit_log(engine, doc.id)[-1]
    assert event.details["attachment_id"] == attachment.id
    assert event.details["sha256"] == attachment.sha256


def test_who_may_add_files_to_a_vlr(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users)
    for who in (users.nigeria, users.reviewer):
        with pytest.raises(Forbidden):
            vlrs.add_attachment(engine, who, doc.id, "x.pdf", pdf())
    assert vlrs.add_attachment(engine, users.admin, doc.id, "x.pdf", pdf()).id > 0


def test_files_of_a_national_report_while_it_is_editable(engine: Engine, users: Users) -> None:
    report = documents.create_report(
        engine, users.nigeria, country_code=NIGERIA, year=2025, title="Nigeria NUA report"
    )
    key = documents.get_version(engine, report.id).sections[0].key
    attachment = vlrs.add_attachment(
        engine, users.nigeria, report.id, "annex.pdf", pdf(), section_key=key
    )
    assert attachment.section_key == key
    assert passages(engine, report.id) == []  # a draft is not searchable
    assert actions(engine, report.id)[-1] == "attach"
    with pytest.raises(Forbidden):
        vlrs.add_attachment(engine, users.kenya, report.id, "x.pdf", pdf())
    with pytest.raises(Forbidden):
        vlrs.add_attachment(engine, users.lagos, report.id, "x.pdf", pdf())
    with pytest.raises(DataError, match="has no section 'nowhere'"):
        vlrs.add_attachment(engine, users.nigeria, report.id, "x.pdf", pdf(), section_key="nowhere")
    documents.transition(engine, users.nigeria, report.id, "submit")
    with pytest.raises(Conflict, match="is submitted; files are added while a report is a draft"):
        vlrs.add_attachment(engine, users.nigeria, report.id, "late.docx", docx_bytes())
    assert [a.id for a in vlrs.list_attachments(engine, report.id)] == [attachment.id]


def test_a_rejected_file_changes_nothing(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users)
    before = table_counts(engine)
    with pytest.raises(UploadRejected):
        vlrs.add_attachment(engine, users.lagos, doc.id, "evil.pdf", b"<html><script>")
    assert table_counts(engine) == before


def test_missing_documents_and_attachments(engine: Engine, users: Users) -> None:
    with pytest.raises(NotFound):
        vlrs.add_attachment(engine, users.admin, 99999, "x.pdf", pdf())
    with pytest.raises(NotFound):
        vlrs.attachment_content(engine, 99999)
    assert vlrs.list_attachments(engine, 99999) == []


# -- editing and withdrawing -----------------------------------------------------------------


def test_a_metadata_edit_writes_a_new_public_version(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, file=("vlr.pdf", pdf()))
    n_file = len([r for r in passages(engine, doc.id) if r.attachment_id is not None])
    changed = vlrs.update_vlr_metadata(
        engine,
        users.lagos,
        doc.id,
        base_version=1,
        summary="一个新的摘要：贫民窟改造。",
        sdgs=[11, 13],
        title="Lagos VLR 2024 (revised)",
        note="typo",
    )
    assert (changed.current_version, changed.published_version, changed.status) == (
        2, 2, "published",
    )  # fmt: skip
    assert changed.title == "Lagos VLR 2024 (revised)"
    assert changed.metadata["sdgs"] == [11, 13]
    assert documents.get_version(engine, doc.id, 2).sections[0].narrative == (
        "一个新的摘要：贫民窟改造。"
    )
    assert documents.get_version(engine, doc.id, 1).sections[0].narrative == SUMMARY
    event = documents.audit_log(engine, doc.id)[-1]
    assert (event.action, event.version) == ("edit", 2)
    assert event.details == {"changed": ["sdgs", "summary", "title"], "note": "typo"}
    rows = passages(engine, doc.id)
    assert [(r.text, r.language) for r in rows if r.section_key == "summary"] == [
        ("一个新的摘要：贫民窟改造。", "zh")
    ]
    assert len([r for r in rows if r.attachment_id is not None]) == n_file
    assert {r.version for r in rows} == {2}


def test_metadata_edits_are_checked(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users)
    with pytest.raises(Conflict, match="based on 0"):
        vlrs.update_vlr_metadata(engine, users.lagos, doc.id, base_version=0, year=2023)
    with pytest.raises(DataError, match="cannot change status"):
        vlrs.update_vlr_metadata(engine, users.lagos, doc.id, status="draft")
    with pytest.raises(InvalidVLR, match="'zz' is not an ISO 639-1"):
        vlrs.update_vlr_metadata(engine, users.lagos, doc.id, languages=["zz"])
    with pytest.raises(Forbidden):
        vlrs.update_vlr_metadata(engine, users.lagos, doc.id, area_code="ng_ibadan")
    with pytest.raises(Forbidden):
        vlrs.update_vlr_metadata(engine, users.nigeria, doc.id, year=2023)
    unchanged = vlrs.update_vlr_metadata(engine, users.lagos, doc.id, year=2024)
    assert unchanged.current_version == 1
    assert actions(engine, doc.id) == ["register"]
    moved = vlrs.update_vlr_metadata(engine, users.admin, doc.id, area_code="ng_ibadan")
    assert moved.area_code == "ng_ibadan"
    assert {r.area_code for r in passages(engine, doc.id)} == {"ng_ibadan"}


def test_withdrawing_takes_the_vlr_out_of_search(engine: Engine, users: Users) -> None:
    doc = lagos_vlr(engine, users, file=("vlr.pdf", pdf()))
    assert passages(engine, doc.id)
    with pytest.raises(Forbidden):
        vlrs.withdraw_vlr(engine, users.nigeria, doc.id)
    gone = vlrs.withdraw_vlr(engine, users.lagos, doc.id, note="superseded", now=T1)
    assert gone.status == "withdrawn"
    assert passages(engine, doc.id) == []
    event = documents.audit_log(engine, doc.id)[-1]
    assert (event.action, event.from_status, event.to_status, event.details) == (
        "withdraw", "published", "withdrawn", {"note": "superseded"},
    )  # fmt: skip
    # nothing is deleted: the versions and the file stay
    assert count(engine, s.document_version, document_id=doc.id) == 1
    assert len(vlrs.list_attachments(engine, doc.id)) == 1
    assert doc.id not in {d.id for d in documents.list_documents(engine, kind="vlr")}
    with pytest.raises(Conflict, match="already withdrawn"):
        vlrs.withdraw_vlr(engine, users.lagos, doc.id)
    with pytest.raises(Conflict, match="withdrawn"):
        vlrs.add_attachment(engine, users.lagos, doc.id, "x.docx", docx_bytes())
    with pytest.raises(Conflict, match="withdrawn"):
        vlrs.update_vlr_metadata(engine, users.lagos, doc.id, year=2023)


def test_only_vlrs_are_edited_or_withdrawn_here(engine: Engine, users: Users) -> None:
    report = documents.create_report(
        engine, users.nigeria, country_code=NIGERIA, year=2025, title="Nigeria NUA report"
    )
    with pytest.raises(NotFound, match="not a VLR"):
        vlrs.withdraw_vlr(engine, users.admin, report.id)
    with pytest.raises(NotFound, match="not a VLR"):
        vlrs.update_vlr_metadata(engine, users.admin, report.id, year=2024)
