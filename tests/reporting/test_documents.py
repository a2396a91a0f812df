"""National reports on both backends: versions, the review workflow, the audit log,
frozen indicators, permissions and diffs."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from urbanagenda.errors import DataError
from urbanagenda.reporting import documents as d
from urbanagenda.reporting.documents import Conflict, NotFound
from urbanagenda.reporting.model import Document, Section, Version
from urbanagenda.reporting.permissions import Forbidden, Unauthenticated
from urbanagenda.reporting.template import load_template
from urbanagenda.store import schema as s

from .conftest import NIGERIA, T0, Users, load_specimen

SLUMS = "social_inclusion"


def _new(engine: Engine, users: Users, **kw: Any) -> Document:
    args: dict[str, Any] = {
        "country_code": NIGERIA,
        "year": 2025,
        "title": "Nigeria: New Urban Agenda report 2025",
        "now": T0,
    }
    args.update(kw)
    return d.create_report(engine, users.nigeria, **args)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _version_rows(engine: Engine, document_id: int) -> list[tuple[Any, ...]]:
    v = s.document_version.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(v.number, v.content, v.content_sha256, v.note, v.created_by, v.created_at)
            .where(v.document_id == document_id)
            .order_by(v.number)
        ).all()
    return [tuple(r) for r in rows]


def _at(minutes: int) -> Any:
    return T0 + timedelta(minutes=minutes)


def test_create_writes_version_1_with_the_template_sections_and_an_event(
    engine: Engine, users: Users
) -> None:
    doc = _new(engine, users)
    assert (doc.status, doc.current_version, doc.published_version) == ("draft", 1, None)
    assert (doc.kind, doc.country_code, doc.modality, doc.template_version) == (
        "national_report",
        NIGERIA,
        "new",
        "2024.1",
    )
    v1 = d.get_version(engine, doc.id)
    assert [x.key for x in v1.sections] == list(load_template().keys)
    assert all(x.narrative == "" and x.indicators == () for x in v1.sections)
    assert v1.section(SLUMS).title == (  # type: ignore[union-attr]
        "Sustainable urban development for social inclusion and ending poverty"
    )
    [event] = d.audit_log(engine, doc.id)
    assert (event.action, event.from_status, event.to_status, event.actor, event.version) == (
        "create",
        None,
        "draft",
        "ngozi_focal",
        1,
    )
    assert event.at == T0


def test_full_workflow_and_its_exact_audit_log(
    engine: Engine, users: Users, nigeria_data: Engine
) -> None:
    fp, rv = users.nigeria, users.reviewer
    doc = _new(engine, users)
    v2 = d.save_section(
        engine, fp, doc.id, SLUMS, base_version=1, now=_at(1),
        narrative="The share of the urban population living in slums fell.",
        indicator_series=["EN_LND_SLUM"],
    )  # fmt: skip
    assert v2.number == 2
    d.transition(engine, fp, doc.id, "submit", now=_at(2))
    d.transition(engine, rv, doc.id, "start_review", now=_at(3))
    comment = d.add_comment(
        engine, rv, doc.id, "Give the 2020 figure and its source.", section_key=SLUMS, now=_at(4)
    )
    assert (comment.version, comment.section_key, comment.author) == (2, SLUMS, "rex_reviewer")
    d.transition(engine, rv, doc.id, "return", now=_at(5))
    d.save_section(
        engine, fp, doc.id, SLUMS, base_version=2, now=_at(6), note="figure added",
        narrative="The share of the urban population living in slums fell to 49 % in 2020.",
    )  # fmt: skip
    d.transition(engine, fp, doc.id, "submit", now=_at(7))
    d.transition(engine, rv, doc.id, "start_review", now=_at(8))
    published = d.transition(engine, rv, doc.id, "publish", note="Thank you.", now=_at(9))
    assert (published.status, published.current_version, published.published_version) == (
        "published",
        3,
        3,
    )
    log = [
        (e.action, e.from_status, e.to_status, e.actor, e.version, e.at, e.details)
        for e in d.audit_log(engine, doc.id)
    ]
    fpn, rvn = "ngozi_focal", "rex_reviewer"
    assert log == [
        ("create", None, "draft", fpn, 1, _at(0), {
            "modality": "new", "title": "Nigeria: New Urban Agenda report 2025",
            "language": "en", "previous_document_id": None}),
        ("edit", "draft", "draft", fpn, 2, _at(1), {
            "section": SLUMS, "fields": ["narrative", "indicators"],
            "indicators": ["EN_LND_SLUM"]}),
        ("submit", "draft", "submitted", fpn, 2, _at(2), {}),
        ("start_review", "submitted", "in_review", rvn, 2, _at(3), {}),
        ("comment", None, None, rvn, 2, _at(4), {"comment_id": comment.id, "section": SLUMS}),
        ("return", "in_review", "returned", rvn, 2, _at(5), {}),
        ("edit", "returned", "returned", fpn, 3, _at(6), {
            "section": SLUMS, "fields": ["narrative"], "note": "figure added"}),
        ("submit", "returned", "submitted", fpn, 3, _at(7), {}),
        ("start_review", "submitted", "in_review", rvn, 3, _at(8), {}),
        ("publish", "in_review", "published", rvn, 3, _at(9), {"note": "Thank you."}),
    ]  # fmt: skip
    assert [c.body for c in d.comments(engine, doc.id)] == ["Give the 2020 figure and its source."]
    # the public sees it now, and only its published version
    assert d.get_document(engine, doc.id, viewer=None).status == "published"
    assert d.get_version(engine, doc.id, viewer=None).number == 3
    with pytest.raises(NotFound, match="only the published version"):
        d.get_version(engine, doc.id, 2, viewer=None)
    assert d.get_version(engine, doc.id, 2, viewer=rv).number == 2
    # published passages are searchable, one per paragraph
    with engine.connect() as conn:
        sp = s.search_passage.c
        texts = conn.execute(
            select(sp.section_key, sp.text, sp.version).where(sp.document_id == doc.id)
        ).all()
    assert [tuple(t) for t in texts] == [
        (SLUMS, "The share of the urban population living in slums fell to 49 % in 2020.", 3)
    ]
    # withdrawal is a status; the passages leave the index, nothing else is deleted
    withdrawn = d.transition(engine, fp, doc.id, "withdraw", now=_at(10))
    assert withdrawn.status == "withdrawn"
    assert len(d.list_versions(engine, doc.id)) == 3
    with engine.connect() as conn:
        left = conn.execute(
            select(func.count())
            .select_from(s.search_passage)
            .where(s.search_passage.c.document_id == doc.id)
        ).scalar_one()
    assert left == 0
    with pytest.raises(Unauthenticated):
        d.get_document(engine, doc.id, viewer=None)


# every (status, action) pair the workflow does not allow
ALLOWED = {
    ("draft", "submit"), ("returned", "submit"), ("submitted", "start_review"),
    ("in_review", "return"), ("in_review", "publish"), ("draft", "withdraw"),
    ("returned", "withdraw"), ("published", "withdraw"),
}  # fmt: skip
STATUSES = ("draft", "submitted", "in_review", "returned", "published", "withdrawn")
ACTIONS = ("submit", "start_review", "return", "publish", "withdraw")
PATHS = {
    "draft": [],
    "submitted": [("nigeria", "submit")],
    "in_review": [("nigeria", "submit"), ("reviewer", "start_review")],
    "returned": [("nigeria", "submit"), ("reviewer", "start_review"), ("reviewer", "return")],
    "published": [("nigeria", "submit"), ("reviewer", "start_review"), ("reviewer", "publish")],
    "withdrawn": [("nigeria", "withdraw")],
}


def _reach(engine: Engine, users: Users, status: str) -> Document:
    doc = _new(engine, users)
    for who, action in PATHS[status]:
        doc = d.transition(engine, getattr(users, who), doc.id, action, note="because")
    assert doc.status == status
    return doc


@pytest.mark.parametrize("status", STATUSES)
def test_every_invalid_transition_is_a_conflict_that_changes_nothing(
    engine: Engine, users: Users, status: str
) -> None:
    doc = _reach(engine, users, status)
    events = _count(engine, s.document_event)
    for action in ACTIONS:
        if (status, action) in ALLOWED:
            continue
        with pytest.raises(Conflict) as err:
            d.transition(engine, users.admin, doc.id, action, note="try")
        message = str(err.value)
        assert f"it is {status}" in message
        allowed = [a for a in ACTIONS if (status, a) in ALLOWED]
        assert f"possible steps are: {', '.join(allowed) or 'none'}" in message
    assert d.get_document(engine, doc.id).status == status
    assert _count(engine, s.document_event) == events


def test_roles_are_checked_before_anything_is_written(engine: Engine, users: Users) -> None:
    doc = _new(engine, users)
    events = _count(engine, s.document_event)
    with pytest.raises(Forbidden, match="kamau_focal"):
        d.save_section(engine, users.kenya, doc.id, SLUMS, base_version=1, narrative="x")
    with pytest.raises(Forbidden):
        d.save_section(engine, users.reviewer, doc.id, SLUMS, base_version=1, narrative="x")
    with pytest.raises(Forbidden):
        d.transition(engine, users.kenya, doc.id, "submit")
    with pytest.raises(Forbidden):
        d.transition(engine, users.lagos, doc.id, "withdraw")
    with pytest.raises(Forbidden):
        d.create_report(engine, users.kenya, country_code=NIGERIA, year=2025, title="x")
    d.transition(engine, users.nigeria, doc.id, "submit")
    with pytest.raises(Forbidden):
        d.transition(engine, users.nigeria, doc.id, "start_review")  # no self-review
    d.transition(engine, users.reviewer, doc.id, "start_review")
    with pytest.raises(Forbidden):
        d.add_comment(engine, users.nigeria, doc.id, "looks fine to me")
    with pytest.raises(Forbidden):
        d.transition(engine, users.reviewer, doc.id, "withdraw")
    assert _count(engine, s.document_event) == events + 2


def test_visibility_of_documents(engine: Engine, users: Users) -> None:
    draft = _new(engine, users, title="draft")
    published = _reach(engine, users, "published")
    kenyan = d.create_report(engine, users.kenya, country_code="404", year=2025, title="Kenya")

    def ids(viewer: Any) -> list[int]:
        return sorted(x.id for x in d.list_documents(engine, viewer=viewer))

    assert ids(None) == [published.id]
    assert ids(users.lagos) == [published.id]
    assert ids(users.nigeria) == sorted([draft.id, published.id])
    assert ids(users.kenya) == sorted([published.id, kenyan.id])
    assert ids(users.reviewer) == sorted([draft.id, published.id, kenyan.id])
    assert ids(users.admin) == sorted([draft.id, published.id, kenyan.id])
    assert [x.id for x in d.list_documents(engine, viewer=users.admin, country_code="404")] == [
        kenyan.id
    ]
    assert d.list_documents(engine, viewer=users.admin, status="submitted") == []
    with pytest.raises(Unauthenticated):
        d.get_document(engine, draft.id, viewer=None)
    with pytest.raises(Forbidden):
        d.get_version(engine, draft.id, viewer=users.kenya)
    assert d.get_document(engine, draft.id, viewer=users.reviewer).id == draft.id
    with pytest.raises(NotFound, match="no document 999999"):
        d.get_document(engine, 999_999)


def test_stale_base_version_is_a_conflict_and_writes_nothing(engine: Engine, users: Users) -> None:
    doc = _new(engine, users)
    d.save_section(engine, users.nigeria, doc.id, SLUMS, base_version=1, narrative="first")
    before = (_count(engine, s.document_version), _count(engine, s.document_event))
    with pytest.raises(Conflict) as err:
        d.save_section(engine, users.nigeria, doc.id, SLUMS, base_version=1, narrative="second")
    assert "based on version 1" in str(err.value)
    assert "now at version 2" in str(err.value)
    assert (_count(engine, s.document_version), _count(engine, s.document_event)) == before
    assert d.get_version(engine, doc.id).section(SLUMS).narrative == "first"  # type: ignore[union-attr]


def test_bad_saves_are_refused_with_clear_errors(
    engine: Engine, users: Users, nigeria_data: Engine
) -> None:
    doc = _new(engine, users)
    fp = users.nigeria
    before = (_count(engine, s.document_version), _count(engine, s.document_event))
    with pytest.raises(NotFound, match="no section 'slums'; its sections are introduction"):
        d.save_section(engine, fp, doc.id, "slums", base_version=1, narrative="x")
    with pytest.raises(DataError, match="100,001 characters; at most 100,000"):
        d.save_section(engine, fp, doc.id, SLUMS, base_version=1, narrative="x" * 100_001)
    with pytest.raises(DataError, match="unknown indicator series EN_LND_SLUMS"):
        d.save_section(engine, fp, doc.id, SLUMS, base_version=1, indicator_series=["EN_LND_SLUMS"])
    with pytest.raises(DataError, match=r"no value of SP_TRN_PUBL for area 566.*EN_ATM_PM25"):
        d.save_section(engine, fp, doc.id, SLUMS, base_version=1, indicator_series=["SP_TRN_PUBL"])
    with pytest.raises(DataError, match="good practice 1: unknown field"):
        d.save_section(engine, fp, doc.id, SLUMS, base_version=1,
                       good_practices=[{"title": "t", "text": "x", "html": "<b>"}])  # fmt: skip
    with pytest.raises(DataError, match="do not belong to document"):
        d.save_section(engine, fp, doc.id, SLUMS, base_version=1, attachments=[12345])
    assert (_count(engine, s.document_version), _count(engine, s.document_event)) == before
    # a save that changes nothing writes nothing
    same = d.save_section(engine, fp, doc.id, SLUMS, base_version=1, narrative="")
    assert same.number == 1
    assert _count(engine, s.document_version) == before[0]


def test_return_needs_a_note_or_a_comment(engine: Engine, users: Users) -> None:
    doc = _reach(engine, users, "in_review")
    with pytest.raises(DataError, match="needs a reason"):
        d.transition(engine, users.reviewer, doc.id, "return")
    with pytest.raises(DataError, match="needs a reason"):
        d.transition(engine, users.reviewer, doc.id, "return", note="   ")
    d.add_comment(engine, users.reviewer, doc.id, "The introduction is missing.")
    assert d.transition(engine, users.reviewer, doc.id, "return").status == "returned"
    with pytest.raises(Conflict, match="comments are written while it is in review"):
        d.add_comment(engine, users.reviewer, doc.id, "late")


def test_versions_are_immutable_and_their_sha256_checks(engine: Engine, users: Users) -> None:
    doc = _new(engine, users)
    fp = users.nigeria
    d.save_section(engine, fp, doc.id, SLUMS, base_version=1, narrative="Slums: 贫民窟 « é »")
    first_two = _version_rows(engine, doc.id)
    for n in range(2, 5):
        d.save_section(engine, fp, doc.id, "introduction", base_version=n, narrative=f"v{n + 1}")
    rows = _version_rows(engine, doc.id)
    assert rows[:2] == first_two
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    for number, content, digest, *_ in rows:
        canonical = json.dumps(
            content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()
        assert hashlib.sha256(canonical).hexdigest() == digest
        version = d.get_version(engine, doc.id, number)
        assert d.content_sha256(version.sections) == digest == version.content_sha256
    # earlier versions keep their text; only the current one has all edits
    assert d.get_version(engine, doc.id, 2).section("introduction").narrative == ""  # type: ignore[union-attr]
    latest = d.get_version(engine, doc.id)
    assert latest.section("introduction").narrative == "v5"  # type: ignore[union-attr]
    assert latest.section(SLUMS).narrative == "Slums: 贫民窟 « é »"  # type: ignore[union-attr]


def test_indicator_values_are_frozen_in_the_version(
    engine: Engine, users: Users, nigeria_data: Engine
) -> None:
    fp = users.nigeria
    doc = _new(engine, users)
    v2 = d.save_section(
        engine, fp, doc.id, SLUMS, base_version=1, indicator_series=["en_lnd_slum", "EN_ATM_PM25"]
    )
    frozen = v2.section(SLUMS).indicators  # type: ignore[union-attr]
    assert frozen == (
        {"series": "EN_LND_SLUM", "area": NIGERIA, "year": 2020, "value": 48.98206, "unit": "PT",
         "source": "UN SDG Global Database (UN-Habitat)",
         "label": "Proportion of urban population living in slums", "location": "U"},
        {"series": "EN_ATM_PM25", "area": NIGERIA, "year": 2010, "value": 52.84583,
         "unit": "GPERM3", "source": "UN SDG Global Database (WHO)",
         "label": "Annual mean levels of fine particulate matter (population-weighted), "
                  "by location",
         "location": "_T"},
    )  # fmt: skip
    for who, action in PATHS["published"]:
        d.transition(engine, getattr(users, who), doc.id, action)
    load_specimen(engine, "nga_slum_revised.csv")  # 2020 slum share revised to 49.5
    with engine.connect() as conn:
        now_in_store = conn.execute(
            select(s.observation.c.value).where(
                s.observation.c.series_code == "EN_LND_SLUM",
                s.observation.c.area_code == NIGERIA,
                s.observation.c.year == 2020,
            )
        ).scalar_one()
    assert now_in_store == 49.5
    published = d.get_version(engine, doc.id, 2)
    assert published.section(SLUMS).indicators[0]["value"] == 48.98206  # type: ignore[union-attr]
    assert published.content_sha256 == v2.content_sha256
    # a new report freezes the revised value
    other = d.create_report(engine, fp, country_code=NIGERIA, year=2026, title="next")
    v = d.save_section(
        engine, fp, other.id, SLUMS, base_version=1, indicator_series=["EN_LND_SLUM"]
    )
    assert v.section(SLUMS).indicators[0]["value"] == 49.5  # type: ignore[union-attr]


def test_create_checks_its_input(engine: Engine, users: Users) -> None:
    admin = users.admin
    with pytest.raises(DataError, match="'999' is not a country"):
        d.create_report(engine, admin, country_code="999", year=2025, title="x")
    with pytest.raises(DataError, match="'ng_lagos' is not a country"):
        d.create_report(engine, admin, country_code="ng_lagos", year=2025, title="x")
    with pytest.raises(DataError, match="unknown modality 'old'"):
        d.create_report(engine, admin, country_code=NIGERIA, year=2025, title="x", modality="old")
    with pytest.raises(DataError, match="unknown language 'de'"):
        d.create_report(engine, admin, country_code=NIGERIA, year=2025, title="x", language="de")
    with pytest.raises(DataError, match="the title is empty"):
        d.create_report(engine, admin, country_code=NIGERIA, year=2025, title="  ")
    with pytest.raises(DataError, match="appear twice"):
        d.create_report(engine, admin, country_code=NIGERIA, year=2025, title="x",
                        sections=[Section("a", "A"), Section("a", "B")])  # fmt: skip
    with pytest.raises(Unauthenticated):
        d.create_report(engine, None, country_code=NIGERIA, year=2025, title="x")  # type: ignore[arg-type]
    assert _count(engine, s.document) == 0


def test_diff_between_versions_word_by_word(engine: Engine, users: Users) -> None:
    doc = _new(engine, users)
    fp = users.nigeria
    d.save_section(
        engine, fp, doc.id, SLUMS, base_version=1,
        narrative="Slum upgrading reached 12 cities in 2023.\n\nHousing finance grew.",
    )  # fmt: skip
    d.save_section(
        engine, fp, doc.id, SLUMS, base_version=2,
        narrative="Slum upgrading reached 15 secondary cities in 2024.\n\nHousing finance grew.",
    )  # fmt: skip
    diff = d.diff_versions(engine, doc.id, 2, 3)
    assert [x.key for x in diff] == list(load_template().keys)
    assert [x.key for x in diff if x.changed] == [SLUMS]
    [slums] = [x for x in diff if x.key == SLUMS]
    assert slums.narrative == (
        ("equal", "Slum upgrading reached "),
        ("delete", "12"),
        ("insert", "15 secondary"),
        ("equal", " cities in "),
        ("delete", "2023."),
        ("insert", "2024."),
        ("equal", "\n\nHousing finance grew."),
    )
    assert d.diff_versions(engine, doc.id, 1, 2)[1].narrative == (
        ("insert", "Slum upgrading reached 12 cities in 2023.\n\nHousing finance grew."),
    )


def test_word_diff_keeps_chinese_diffable() -> None:
    assert d.word_diff("贫民窟人口减少了", "贫民窟人口大幅减少了") == (
        ("equal", "贫民窟人口"),
        ("insert", "大幅"),
        ("equal", "减少了"),
    )
    before, after = "Les quartiers précaires ont reculé.", "Les quartiers informels ont reculé."
    ops = d.word_diff(before, after)
    assert "".join(t for op, t in ops if op != "insert") == before
    assert "".join(t for op, t in ops if op != "delete") == after
    assert ("delete", "précaires") in ops


def test_two_saves_on_the_same_version_at_once_one_wins(engine: Engine, users: Users) -> None:
    doc = _new(engine, users)
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def save(text: str) -> None:
        barrier.wait()
        try:
            outcomes[text] = d.save_section(
                engine, users.nigeria, doc.id, SLUMS, base_version=1, narrative=text
            ).number
        except Conflict as exc:
            outcomes[text] = exc

    threads = [threading.Thread(target=save, args=(t,)) for t in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = [v for v in outcomes.values() if isinstance(v, int)]
    conflicts = [v for v in outcomes.values() if isinstance(v, Conflict)]
    assert (numbers, len(conflicts)) == ([2], 1)
    winner = next(k for k, v in outcomes.items() if isinstance(v, int))
    assert d.get_version(engine, doc.id).section(SLUMS).narrative == winner  # type: ignore[union-attr]
    assert _count(engine, s.document_version) == 2


def test_published_reports_are_not_edited_in_place(engine: Engine, users: Users) -> None:
    doc = _reach(engine, users, "published")
    with pytest.raises(Conflict, match="is published; sections can be edited only when it is"):
        d.save_section(engine, users.admin, doc.id, SLUMS, base_version=1, narrative="later")
    with pytest.raises(Conflict, match="comments are written while it is in review"):
        d.add_comment(engine, users.reviewer, doc.id, "too late")


def test_passages_of_a_version_are_plain_paragraphs_and_good_practices() -> None:
    doc = Document(
        id=1, kind="national_report", title="t", country_code=NIGERIA, area_code=None,
        year=2025, language="fr", status="published", modality="new", template_version="2024.1",
        previous_document_id=None, current_version=1, published_version=1,
    )  # fmt: skip
    narrative = (
        "## Logement\n\nLes **quartiers précaires** reculent ([rapport](https://example.org)).\n"
        "Deuxième ligne.\n\n> Citation du forum\n>\n> — forum.docx, ¶2\n\n- un\n- deux"
    )
    version = Version(
        1, 1,
        (Section(SLUMS, "S", narrative=narrative,
                 good_practices=({"title": "Lagos", "text": "Titres fonciers."},)),
         Section("introduction", "I")),
        T0, None,
    )  # fmt: skip
    assert [(p.section_key, p.language, p.text) for p in d.passages_of(doc, version)] == [
        (SLUMS, "fr", "Logement"),
        (SLUMS, "fr", "Les quartiers précaires reculent (rapport). Deuxième ligne."),
        (SLUMS, "fr", "Citation du forum — forum.docx, ¶2"),
        (SLUMS, "fr", "un deux"),
        (SLUMS, "fr", "Lagos. Titres fonciers."),
    ]
