"""The 2024 modalities on both backends: new, update, national urban forum / VNR (from a
real DOCX and from pasted text) and VLRs."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from sqlalchemy import Engine, func, select

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents as d
from urbanagenda.reporting import vlrs
from urbanagenda.reporting.modalities import route, start_report
from urbanagenda.reporting.model import Document
from urbanagenda.reporting.permissions import Forbidden
from urbanagenda.reporting.template import load_template
from urbanagenda.reporting.uploads import UploadRejected
from urbanagenda.store import schema as s

from .conftest import LAGOS, NIGERIA, T0, Users, load_specimen

SLUMS_TEXT = (
    "The forum agreed that slum upgrading and security of tenure for residents of informal "
    "settlements must come first."
)
FLOODS_TEXT = (
    "Participants asked for a disaster risk reduction strategy for every coastal city, with "
    "flood early warning systems."
)
VENUE_TEXT = "The forum was held in Abuja on 3 and 4 October 2024."


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _forum_docx() -> bytes:
    """A small real DOCX, as a forum secretariat would write it."""
    document = docx.Document()
    document.add_heading("Outcome of the Nigeria Urban Forum", level=1)
    for text in (SLUMS_TEXT, FLOODS_TEXT, VENUE_TEXT):
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _publish(engine: Engine, users: Users, doc: Document) -> Document:
    d.transition(engine, users.nigeria, doc.id, "submit")
    d.transition(engine, users.reviewer, doc.id, "start_review")
    return d.transition(engine, users.reviewer, doc.id, "publish", note="ok")


def test_route_prefers_commitments_then_targets_in_report_order() -> None:
    t = load_template()
    assert route(t, ["11.1"], ["NUA.TC.1"]).key == "social_inclusion"  # type: ignore[union-attr]
    assert route(t, ["11.2"], ["NUA.EI.2"]).key == "spatial_development"  # type: ignore[union-attr]
    assert route(t, ["11.5", "11.b"], ["NUA.TC.3"]).key == "environmental_resilience"  # type: ignore[union-attr]
    assert route(t, ["11.1"], []).key == "social_inclusion"  # type: ignore[union-attr]
    assert route(t, [], ["NUA.FR"]).key == "follow_up_review"  # type: ignore[union-attr]
    assert route(t, [], []) is None


def test_new_has_the_template_sections_and_no_guidance_in_the_text(
    engine: Engine, users: Users
) -> None:
    doc = start_report(
        engine, users.nigeria, country_code=NIGERIA, year=2026, modality="new", now=T0
    )
    assert doc.title == "Nigeria: New Urban Agenda national report 2026"
    assert doc.metadata == {"built_from": {"modality": "new", "template": "2024.1"}}
    version = d.get_version(engine, doc.id)
    assert [x.key for x in version.sections] == list(load_template().keys)
    assert all(x.narrative == "" and x.sources == () for x in version.sections)


def test_update_prefills_from_the_last_published_version(
    engine: Engine, users: Users, nigeria_data: Engine
) -> None:
    fp = users.nigeria
    with pytest.raises(DataError, match=r"no published national report to update.*'new'"):
        start_report(engine, fp, country_code=NIGERIA, year=2026, modality="update")
    old = d.create_report(engine, fp, country_code=NIGERIA, year=2022, title="Report 2022")
    d.save_section(
        engine, fp, old.id, "social_inclusion", base_version=1,
        narrative="Slum upgrading reached 12 cities.", indicator_series=["EN_LND_SLUM"],
        good_practices=[{"title": "Lagos", "text": "Tenure for 10,000 households."}],
    )  # fmt: skip
    _publish(engine, users, old)
    # a later draft, never published, is not what an update starts from
    draft = d.create_report(engine, fp, country_code=NIGERIA, year=2024, title="Draft 2024")
    d.save_section(engine, fp, draft.id, "introduction", base_version=1, narrative="unfinished")
    load_specimen(engine, "nga_slum_revised.csv")  # the 2020 slum share revised since

    doc = start_report(engine, fp, country_code=NIGERIA, year=2026, modality="update", now=T0)
    assert (doc.modality, doc.previous_document_id, doc.status) == ("update", old.id, "draft")
    built = doc.metadata["built_from"]
    assert (built["previous_document_id"], built["previous_version"]) == (old.id, 2)
    assert built["refreshed_indicators"] == [
        {"section": "social_inclusion", "series": "EN_LND_SLUM", "from_year": 2020, "to_year": 2020}
    ]
    version = d.get_version(engine, doc.id)
    slums = version.section("social_inclusion")
    assert slums is not None
    assert slums.narrative == "Slum upgrading reached 12 cities."
    assert slums.good_practices == ({"title": "Lagos", "text": "Tenure for 10,000 households."},)
    assert slums.indicators[0]["value"] == 49.5  # today's value, frozen anew
    assert slums.sources[-1] == {
        "document_id": old.id, "version": 2, "title": "Report 2022", "kind": "previous_report"
    }  # fmt: skip
    assert version.section("introduction").narrative == ""  # type: ignore[union-attr]
    # the differences against the previous report, as the editor shows them
    diff = d.diff_versions(engine, doc.id, 2, 1, other_document_id=old.id)
    [changed] = [x for x in diff if x.changed]
    assert changed.key == "social_inclusion"
    assert changed.narrative == (("equal", "Slum upgrading reached 12 cities."),)
    assert changed.indicators_before[0]["value"] == 48.98206
    assert changed.indicators_after[0]["value"] == 49.5


def test_forum_outcome_from_a_real_docx_routes_passages_and_cites_them(
    engine: Engine, users: Users
) -> None:
    data = _forum_docx()
    doc = start_report(
        engine, users.nigeria, country_code=NIGERIA, year=2026,
        modality="national_urban_forum", source_file=("forum outcome.docx", data), now=T0,
    )  # fmt: skip
    version = d.get_version(engine, doc.id)
    slums = version.section("social_inclusion")
    assert slums is not None
    assert slums.narrative == f"> {SLUMS_TEXT}\n>\n> — forum outcome.docx, ¶2"
    [source] = slums.sources
    assert source["title"] == "forum outcome.docx"
    assert source["passage"] == 2
    assert source["kind"] == "national_urban_forum"
    assert (source["targets"], source["commitments"]) == (["11.1"], ["NUA.TC.1"])
    floods = version.section("environmental_resilience")
    assert floods is not None and FLOODS_TEXT in floods.narrative
    intro = version.section("introduction")
    assert intro is not None
    # the heading and the venue match no section: kept in the introduction, nothing lost
    assert "> Outcome of the Nigeria Urban Forum" in intro.narrative
    assert VENUE_TEXT in intro.narrative
    assert version.section("indicator_annex").narrative == ""  # type: ignore[union-attr]
    # the source file is stored with the report, its text extracted
    with engine.connect() as conn:
        att = conn.execute(
            select(s.attachment).where(s.attachment.c.document_id == doc.id)
        ).one()  # fmt: skip
    assert att.content == data
    assert SLUMS_TEXT in att.extracted_text
    built = doc.metadata["built_from"]
    assert built["file"]["attachment_id"] == att.id
    assert built["file"]["filename"] == "forum outcome.docx"
    assert (built["passages"], built["unmatched_in_introduction"]) == (4, 2)
    assert built["placed"] == {"introduction": 2, "social_inclusion": 1,
                               "environmental_resilience": 1}  # fmt: skip
    assert [e.action for e in d.audit_log(engine, doc.id)] == ["create", "attach"]


def test_vnr_from_pasted_text(engine: Engine, users: Users) -> None:
    text = f"{SLUMS_TEXT}\n\n{FLOODS_TEXT}"
    doc = start_report(
        engine, users.nigeria, country_code=NIGERIA, year=2026, modality="vnr",
        source_text=text, source_title="Nigeria VNR 2025",
    )  # fmt: skip
    version = d.get_version(engine, doc.id)
    slums = version.section("social_inclusion")
    assert slums is not None
    assert slums.narrative == f"> {SLUMS_TEXT}\n>\n> — Nigeria VNR 2025, ¶1"
    assert slums.sources[0]["title"] == "Nigeria VNR 2025"
    assert doc.metadata["built_from"]["source_title"] == "Nigeria VNR 2025"
    assert "text_sha256" in doc.metadata["built_from"]
    assert _count(engine, s.attachment) == 0


def test_source_errors_write_nothing(engine: Engine, users: Users) -> None:
    fp = users.nigeria
    args: dict[str, Any] = {"country_code": NIGERIA, "year": 2026}
    with pytest.raises(DataError, match=r"upload it \(PDF or DOCX\) or paste its text"):
        start_report(engine, fp, modality="vnr", **args)
    with pytest.raises(DataError, match="not both"):
        start_report(engine, fp, modality="vnr", source_text="x",
                     source_file=("a.docx", _forum_docx()), **args)  # fmt: skip
    with pytest.raises(DataError, match="only by the national_urban_forum and vnr"):
        start_report(engine, fp, modality="new", source_text="x", **args)
    with pytest.raises(UploadRejected):
        start_report(engine, fp, modality="vnr", source_file=("vnr.docx", b"not a docx"), **args)
    with pytest.raises(DataError, match="unknown modality"):
        start_report(engine, fp, modality="forum", **args)
    with pytest.raises(Forbidden):
        start_report(engine, users.kenya, modality="new", **args)
    assert _count(engine, s.document) == 0
    assert _count(engine, s.document_event) == 0


def _vlr(engine: Engine, users: Users, title: str, area: str, paragraphs: list[str]) -> int:
    """A VLR registered through the registry, its summary indexed for search."""
    city = area.removeprefix("ng_").title()
    doc = vlrs.register_vlr(
        engine, users.admin, title=title, government=f"{city} State Government",
        level="local", country_code=NIGERIA, area_code=area, year=2023, languages=["en"],
        sdgs=[11], summary="\n\n".join(paragraphs), now=T0,
    )  # fmt: skip
    return doc.id


def test_vlrs_modality_quotes_the_cities_and_freezes_their_indicators(
    engine: Engine, users: Users, nigeria_data: Engine
) -> None:
    fp = users.nigeria
    with pytest.raises(DataError, match="no published Voluntary Local Review"):
        start_report(engine, fp, country_code=NIGERIA, year=2026, modality="vlrs")
    transit = (
        "Lagos extended its bus rapid transit network so that more residents have convenient "
        "access to public transport."
    )
    waste = "Municipal solid waste collection now covers half of the households of Lagos."
    forum = "The Lagos Urban Forum 2023 brought together residents."
    lagos = _vlr(engine, users, "Lagos VLR 2023", LAGOS, [transit, waste, forum])
    ibadan = _vlr(engine, users, "Ibadan VLR 2023", "ng_ibadan", [SLUMS_TEXT])
    doc = start_report(engine, fp, country_code=NIGERIA, year=2026, modality="vlrs", now=T0)
    version = d.get_version(engine, doc.id)
    spatial = version.section("spatial_development")
    assert spatial is not None
    assert spatial.narrative == f"> {transit}\n>\n> — Lagos VLR 2023 (Lagos)"
    assert spatial.sources[0]["document_id"] == lagos
    assert spatial.sources[0]["city"] == "Lagos"
    assert waste in version.section("environmental_resilience").narrative  # type: ignore[union-attr]
    slums = version.section("social_inclusion")
    assert slums is not None
    assert slums.narrative.endswith("> — Ibadan VLR 2023 (Ibadan)")
    assert slums.sources[0]["document_id"] == ibadan
    assert version.section("introduction").narrative == ""  # type: ignore[union-attr]
    annex = version.section("indicator_annex")
    assert annex is not None
    assert [(i["area"], i["series"], i["year"], i["value"]) for i in annex.indicators] == [
        ("ng_ibadan", "SP_TRN_PUBL", 2020, 11.8),
        ("ng_lagos", "SP_TRN_PUBL", 2020, 38.1),
    ]
    assert annex.indicators[1]["area_name"] == "Lagos"
    built = doc.metadata["built_from"]
    assert [v["id"] for v in built["vlrs"]] == [lagos, ibadan]
    assert (built["passages"], built["unmatched"], built["city_indicators"]) == (4, 1, 2)
