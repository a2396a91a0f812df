"""The demo library on the demo database: the seed report as a reference document with its
numbered paragraphs, the example reports and VLRs (marked as examples, published through the
real workflow, with generated DOCX/PDF files whose text is extracted), searchable in Chinese,
Arabic and Spanish; loading is idempotent; the demo accounts' passwords work."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import shutil
import stat
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from urbanagenda.errors import AuthError
from urbanagenda.reporting import accounts, demo, documents, vlrs
from urbanagenda.reporting.model import Document, SearchFilters
from urbanagenda.reporting.search import search
from urbanagenda.store import schema as s
from urbanagenda.store.engine import open_engine

SEED_SHA256 = "39dad3a44b0ef75c2b7b25dab6d38e7694a9cf7726b3585b38e6df9efdcc7dfa"
#: The seed report has 96 numbered paragraphs (1. … 96.), counted by hand in the text.
SEED_PARAGRAPHS = 96
TABLES = (
    s.document,
    s.document_version,
    s.document_event,
    s.attachment,
    s.search_passage,
    s.app_user,
)


@pytest.fixture(scope="module")
def lib(demo_db: str) -> Engine:
    engine = open_engine(demo_db)
    yield engine
    engine.dispose()


def _by_key(engine: Engine) -> dict[str, Document]:
    out = {}
    for doc in documents.list_documents(engine):
        key = doc.metadata.get("demo_key")
        if key:
            out[key] = doc
    return out


def _vlr(engine: Engine, title_start: str) -> Document:
    found = [
        d for d in documents.list_documents(engine, kind="vlr") if d.title.startswith(title_start)
    ]
    assert len(found) == 1, [d.title for d in documents.list_documents(engine, kind="vlr")]
    return found[0]


def test_bundled_reference_is_the_seed_unchanged() -> None:
    path = resources.files("urbanagenda.data").joinpath("reporting", demo.REFERENCE_FILE)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SEED_SHA256


def test_reference_document_holds_the_seed_paragraphs(lib: Engine) -> None:
    ref = _by_key(lib)[demo.REFERENCE_KEY]
    assert (ref.kind, ref.status, ref.language, ref.is_example) == (
        "reference",
        "published",
        "zh",
        False,
    )
    assert ref.title.startswith("秘书长的报告：后续落实《新城市议程》")
    assert ref.metadata["attribution"].startswith("© United Nations")
    assert ref.metadata["sha256"] == SEED_SHA256
    version = documents.get_version(lib, ref.id)
    keys = [sec.key for sec in version.sections]
    assert keys == ["summary"] + [f"chapter_{i}" for i in range(1, 8)]
    assert version.sections[1].title == "一. 引言"
    assert version.content_sha256 == documents.content_sha256(version.sections)
    with lib.connect() as conn:
        texts = (
            conn.execute(
                select(s.search_passage.c.text).where(s.search_passage.c.document_id == ref.id)
            )
            .scalars()
            .all()
        )
    numbers = sorted(int(m[1]) for t in texts if (m := re.match(r"^(\d{1,3})\. ", t)))
    assert numbers == list(range(1, SEED_PARAGRAPHS + 1))
    # paragraph 46 (slum upgrading) is one passage, whole
    para46 = next(t for t in texts if t.startswith("46. "))
    assert "参与式贫民窟改造方案" in para46 and para46.endswith("从而结束了本阶段的方案执行工作。")
    log = documents.audit_log(lib, ref.id)
    assert [(e.action, e.to_status, e.actor) for e in log] == [
        ("register", "published", demo.LOADER)
    ]


def test_examples_are_all_marked(lib: Engine) -> None:
    docs = documents.list_documents(lib)
    examples = [d for d in docs if d.is_example]
    assert sorted(d.kind for d in examples) == ["national_report"] * 4 + ["vlr"] * 7
    for doc in examples:
        assert doc.title.startswith("Example — "), doc.title
        assert doc.metadata.get("example") is True, doc.title
        assert doc.metadata.get("demo_key", "").startswith("example-"), doc.title
    # everything in the library that is not an example is the one reference document
    assert [d.kind for d in docs if not d.is_example] == ["reference"]
    reports, vlr_list = demo.read_examples()
    assert {r.language for r in reports} == {"en", "es", "fr", "zh"}
    assert {v.languages[0] for v in vlr_list} >= {"en", "es", "fr", "zh", "ar"}


def test_nigeria_report_published_with_history_and_audit_log(lib: Engine) -> None:
    report = _by_key(lib)["example-report-ng-2022"]
    assert (report.country_code, report.year, report.language) == ("566", 2022, "en")
    assert report.status == "published"
    # version 1 is the template's empty sections, then one version per written section
    assert report.current_version == report.published_version == 10
    assert [v.number for v in documents.list_versions(lib, report.id)] == list(range(1, 11))
    actions = [e.action for e in documents.audit_log(lib, report.id)]
    assert actions == ["create"] + ["edit"] * 9 + ["submit", "start_review", "publish"]
    section = documents.get_version(lib, report.id).section("social_inclusion")
    assert section is not None
    slum = next(i for i in section.indicators if i["series"] == "EN_LND_SLUM")
    # the value the prose quotes is the value frozen from the store
    assert (slum["year"], round(slum["value"], 2)) == (2020, 48.98)
    assert "48.98 %" in section.narrative
    first = documents.get_version(lib, report.id, 1).section("social_inclusion")
    assert first is not None and first.narrative == ""


def test_every_indicator_the_examples_name_is_frozen_from_the_store(lib: Engine) -> None:
    reports, _vlrs = demo.read_examples()
    library = _by_key(lib)
    for example in reports:
        version = documents.get_version(lib, library[example.demo_key].id)
        for sec in example.sections:
            frozen = version.section(sec.key)
            assert frozen is not None
            assert [i["series"] for i in frozen.indicators] == list(sec.indicators), sec.key
            assert all(i["area"] == example.country for i in frozen.indicators)
            assert all(i["year"] <= example.year for i in frozen.indicators), example.demo_key


def test_vlr_files_are_generated_deterministically_and_their_text_extracted(lib: Engine) -> None:
    _reports, vlr_list = demo.read_examples()
    with_files = {v.demo_key: v for v in vlr_list if v.attachment}
    assert {v.attachment for v in with_files.values()} == {"docx", "pdf"}
    for key, example in with_files.items():
        name, data = demo.vlr_file(example) or ("", b"")
        assert demo.vlr_file(example) == (name, data), key  # same bytes every time
        doc = _vlr(lib, example.title)
        (att,) = vlrs.list_attachments(lib, doc.id)
        assert att.filename == name and att.has_text
        assert att.sha256 == hashlib.sha256(data).hexdigest()
        with lib.connect() as conn:
            text = conn.execute(
                select(s.attachment.c.extracted_text).where(s.attachment.c.id == att.id)
            ).scalar_one()
        heading, paragraphs = example.chapters[0]
        assert heading in text and paragraphs[0][:60] in " ".join(text.split())
    helsinki = next(v for v in with_files.values() if v.demo_key.endswith("helsinki-2023"))
    import docx

    opened = docx.Document(io.BytesIO(demo.vlr_file(helsinki)[1]))  # type: ignore[index]
    assert opened.core_properties.title == helsinki.title


def test_lagos_vlr_feeds_the_nigeria_report(lib: Engine) -> None:
    lagos = _vlr(lib, "Example — Lagos State")
    nigeria = _by_key(lib)["example-report-ng-2022"]
    assert (lagos.country_code, lagos.area_code) == ("566", "ng_lagos")
    assert lagos.metadata["feeds_report_id"] == nigeria.id
    assert lagos.metadata["level"] == "regional"
    las_palmas = _vlr(lib, "Example — Las Palmas")
    assert (las_palmas.country_code, las_palmas.area_code) == ("724", None)


def test_search_finds_the_library_in_chinese_arabic_and_spanish(lib: Engine) -> None:
    ref = _by_key(lib)[demo.REFERENCE_KEY]
    slums = search(lib, "贫民窟", SearchFilters(kind="reference"), limit=50)
    assert slums.total >= 5
    assert {h.document_id for h in slums.hits} == {ref.id}
    assert all("<mark>" in h.snippet_html for h in slums.hits)
    anywhere = search(lib, "贫民窟", limit=50)
    assert ref.id in {h.document_id for h in anywhere.hits}

    amman = _vlr(lib, "Example — أمانة عمّان")
    arabic = search(lib, "النقل العام")
    assert arabic.hits and arabic.hits[0].document_id == amman.id
    assert arabic.hits[0].language == "ar"

    las_palmas = _vlr(lib, "Example — Las Palmas")
    spanish = search(lib, "guaguas municipales")
    assert spanish.hits and spanish.hits[0].document_id == las_palmas.id
    vivienda = search(lib, "vivienda asequible", SearchFilters(country="724"))
    assert {h.document_id for h in vivienda.hits} == {las_palmas.id}


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES
        }


@pytest.fixture
def demo_copy(demo_db: str, tmp_path: Path) -> Engine:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), path)
    engine = open_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_loading_again_adds_nothing(demo_copy: Engine) -> None:
    before = _row_counts(demo_copy)
    counts = demo.load_demo_library(demo_copy)
    assert counts["added"] == 0
    assert {k: counts[k] for k in ("reference", "national_report", "vlr", "attachments")} == {
        "reference": 1,
        "national_report": 4,
        "vlr": 7,
        "attachments": 3,
    }
    assert _row_counts(demo_copy) == before
    assert accounts.get_user(demo_copy, demo.LOADER).active is False


def test_new_example_content_is_loaded_by_the_disabled_loader_enabled_for_the_time(
    demo_copy: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports, vlr_list = demo.read_examples()
    extra = dataclasses.replace(
        vlr_list[0], demo_key="example-vlr-extra", title="Example — one more review"
    )
    monkeypatch.setattr(demo, "read_examples", lambda: (reports, (*vlr_list, extra)))
    assert accounts.get_user(demo_copy, demo.LOADER).active is False
    counts = demo.load_demo_library(demo_copy)
    assert (counts["added"], counts["vlr"]) == (1, 8)
    added = _by_key(demo_copy)["example-vlr-extra"]
    assert [(e.action, e.actor) for e in documents.audit_log(demo_copy, added.id)] == [
        ("register", demo.LOADER)
    ]
    assert accounts.get_user(demo_copy, demo.LOADER).active is False


def test_demo_accounts_file_is_private_and_its_passwords_work(
    demo_copy: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "var" / "demo-accounts.txt"
    created = demo.create_demo_accounts(demo_copy, path)
    assert [a.username for a in created] == [a.username for a in demo.DEMO_ACCOUNTS]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = [x.split("\t") for x in path.read_text().splitlines() if not x.startswith("#")]
    assert [r[0] for r in rows] == [a.username for a in demo.DEMO_ACCOUNTS]
    passwords = {r[0]: r[3] for r in rows}
    assert len(set(passwords.values())) == len(passwords)  # random, one each
    for acc in demo.DEMO_ACCOUNTS:
        user = accounts.authenticate(demo_copy, acc.username, passwords[acc.username], client="t")
        assert (user.role, user.area_code) == (acc.role, acc.area_code)
    with pytest.raises(AuthError):
        accounts.authenticate(demo_copy, "admin", passwords["reviewer"], client="t")
    # a second run keeps the accounts and their lines (and the file private)
    path.chmod(0o644)
    assert demo.create_demo_accounts(demo_copy, path) == []
    assert {
        x.split("\t")[0]: x.split("\t")[3]
        for x in path.read_text().splitlines()
        if not x.startswith("#")
    } == passwords
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.postgres
def test_library_loads_on_postgresql(pg_engine: Engine) -> None:
    counts = demo.load_demo_library(pg_engine)
    assert (counts["reference"], counts["national_report"], counts["vlr"]) == (1, 4, 7)
    assert counts["added"] == 12 and counts["attachments"] == 3
    again = demo.load_demo_library(pg_engine)
    assert again["added"] == 0
    ref = _by_key(pg_engine)[demo.REFERENCE_KEY]
    hits = search(pg_engine, "贫民窟", SearchFilters(kind="reference"), limit=50)
    assert hits.total >= 5 and {h.document_id for h in hits.hits} == {ref.id}
