"""The load contract, on SQLite and on PostgreSQL: validated, all or nothing, revisions kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select, text

from urbanagenda.errors import ValidationFailed
from urbanagenda.store import query
from urbanagenda.store import schema as s
from urbanagenda.store.load import load_files, validate_files

TIDY = Path(__file__).parents[1] / "specimens" / "tidy"


def _count(engine: Engine, table=s.observation) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def _snapshot(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as c:
        obs = c.execute(text("SELECT * FROM observation ORDER BY id")).all()
        rev = c.execute(text("SELECT * FROM observation_revision ORDER BY id")).all()
        runs = c.execute(text("SELECT id FROM load_run ORDER BY id")).all()
        keys = [
            row
            for table in ("obs_series", "obs_area", "obs_breakdown")
            for row in c.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
        ]
    return [tuple(r) for r in [*obs, *rev, *runs, *keys]]


def test_load_real_rows_and_read_back(engine: Engine) -> None:
    result = load_files(engine, [TIDY / "nga_slum.csv"])
    assert (result.rows_read, result.inserted, result.updated) == (6, 6, 0)
    frame = query.read_observations(engine, series=["EN_LND_SLUM"], areas=["566"])
    assert frame["year"].tolist() == [2000, 2010, 2020]
    assert frame["value"].tolist() == pytest.approx([74.10729, 61.54467, 48.98206])
    assert set(frame["unit"]) == {"PT"}  # 'PERCENT' normalised to the DSD unit code
    assert set(frame["location"]) == {"U"}
    # ISO3 and upper-case city codes resolve to the canonical codes
    pm = query.read_observations(engine, series=["EN_ATM_PM25"], areas=["566"])
    assert pm["value"].tolist() == [pytest.approx(52.84583)]
    assert pm["unit"].tolist() == [pm["unit"].iloc[0]] and pm["unit"].iloc[0] != ""
    cities = query.read_observations(engine, series=["SP_TRN_PUBL"])
    assert sorted(cities["area_code"]) == ["ng_ibadan", "ng_lagos"]


def test_reload_same_file_changes_nothing(engine: Engine) -> None:
    load_files(engine, [TIDY / "nga_slum.csv"])
    again = load_files(engine, [TIDY / "nga_slum.csv"])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    assert _count(engine, s.observation_revision) == 0


def test_changed_value_keeps_the_old_one_as_a_revision(engine: Engine) -> None:
    first = load_files(engine, [TIDY / "nga_slum.csv"])
    second = load_files(engine, [TIDY / "nga_slum_revised.csv"])
    assert (second.inserted, second.updated) == (0, 1)
    now = query.read_observations(engine, series=["EN_LND_SLUM"], areas=["566"])
    assert now.set_index("year").loc[2020, "value"] == pytest.approx(49.5)
    assert now.set_index("year").loc[2020, "nature"] == "E"
    hist = query.revisions(engine, "EN_LND_SLUM", "566")
    assert len(hist) == 1
    row = hist.iloc[0]
    assert row["year"] == 2020
    assert row["value"] == pytest.approx(48.98206)
    assert row["load_id"] == first.load_id
    assert row["replaced_by_load"] == second.load_id


def test_bad_rows_are_all_reported_with_locations_and_nothing_is_written(engine: Engine) -> None:
    load_files(engine, [TIDY / "nga_slum.csv"])
    before = _snapshot(engine)
    with pytest.raises(ValidationFailed) as info:
        load_files(engine, [TIDY / "nga_slum_revised.csv", TIDY / "bad_rows.csv"])
    report = info.value.report
    by_row = {(i.code, i.row, i.column) for i in report.issues}
    f = str(TIDY / "bad_rows.csv")
    assert ("unknown-series", 3, "series_code") in by_row
    assert ("unknown-area", 4, "area_code") in by_row
    assert ("impossible-year", 5, "year") in by_row
    assert ("impossible-year", 6, "year") in by_row
    assert ("non-numeric-value", 7, "value") in by_row
    assert ("wrong-unit", 8, "unit") in by_row
    assert ("missing-value", 9, "value") in by_row
    found = {(i.code, i.row): i.found for i in report.issues}
    assert found[("non-numeric-value", 7)] == "about 60" and found[("missing-value", 9)] == ""
    assert ("unknown-code", 10, "location") in by_row
    assert ("duplicate-key", 11, None) in by_row
    assert all(i.file == f for i in report.issues)
    unit_issue = next(i for i in report.issues if i.code == "wrong-unit")
    assert unit_issue.found == "KM2" and "PT" in (unit_issue.expected or "")
    assert unit_issue.fix
    # the valid first file was not loaded either: all or nothing
    assert _snapshot(engine) == before


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("missing_column.csv", "missing-column"),
        ("truncated.csv", "parse-error"),
        ("ragged.csv", "parse-error"),
        ("latin1.csv", "encoding-error"),
        ("empty.csv", "empty-file"),
        ("header_only.csv", "empty-file"),
        ("not_really.xlsx", "not-a-zip"),
        ("truncated.xlsx", "not-a-zip"),
        ("does_not_exist.csv", "file-not-found"),
    ],
)
def test_malformed_files_are_rejected_with_a_precise_issue(
    engine: Engine, name: str, code: str
) -> None:
    load_files(engine, [TIDY / "nga_slum.csv"])
    before = _snapshot(engine)
    with pytest.raises(ValidationFailed) as info:
        load_files(engine, [TIDY / name])
    codes = [i.code for i in info.value.report.issues]
    assert code in codes, info.value.report.summary()
    issue = next(i for i in info.value.report.issues if i.code == code)
    assert issue.file and issue.file.endswith(name)
    assert issue.fix
    assert _snapshot(engine) == before


def test_rows_of_malformed_csv_are_located() -> None:
    from urbanagenda.ingest.tidy import TidyCsvReader

    issues = [i for c in TidyCsvReader().read(TIDY / "latin1.csv") for i in c.issues]
    assert issues[0].code == "encoding-error" and issues[0].row == 2
    issues = [i for c in TidyCsvReader().read(TIDY / "truncated.csv") for i in c.issues]
    assert issues[0].code == "parse-error"


def test_rejected_load_leaves_the_sqlite_file_byte_for_byte_unchanged(
    sqlite_engine: Engine, digest
) -> None:
    file_digest = digest
    load_files(sqlite_engine, [TIDY / "nga_slum.csv"])
    path = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    digest, size = file_digest(path), path.stat().st_size
    with pytest.raises(ValidationFailed):
        load_files(sqlite_engine, [TIDY / "nga_slum_revised.csv", TIDY / "bad_rows.csv"])
    sqlite_engine.dispose()
    assert path.stat().st_size == size
    assert file_digest(path) == digest


def test_validate_writes_nothing(engine: Engine) -> None:
    before = _snapshot(engine)
    result = validate_files(engine, [TIDY / "nga_slum.csv"])
    assert result.report.valid and result.rows_read == 6
    bad = validate_files(engine, [TIDY / "bad_rows.csv"])
    assert not bad.report.valid
    assert _snapshot(engine) == before


def test_chunks_load_as_one_and_repeats_across_chunks_are_found(
    engine: Engine, tmp_path: Path
) -> None:
    whole = load_files(engine, [TIDY / "nga_slum.csv"])
    assert whole.inserted == 6
    again = load_files(engine, [TIDY / "nga_slum.csv"], chunk_rows=2)  # three chunks
    assert (again.rows_read, again.inserted, again.updated, again.unchanged) == (6, 0, 0, 6)
    lines = (TIDY / "nga_slum.csv").read_text().splitlines()
    repeated = tmp_path / "repeated.csv"
    # row 2 comes back as row 8, two chunks later
    repeated.write_text("\n".join([*lines, lines[1].replace("74.10729", "70")]) + "\n")
    before = _snapshot(engine)
    with pytest.raises(ValidationFailed) as info:
        load_files(engine, [repeated], chunk_rows=2)
    dups = [i for i in info.value.report.issues if i.code == "duplicate-key"]
    assert [(i.row, str(repeated) in i.message) for i in dups] == [(8, True)]
    assert "row 2" in dups[0].message
    assert _snapshot(engine) == before


def test_an_error_while_reading_rolls_back_and_stops_the_reader(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from urbanagenda.store import load as load_module

    real = load_module.validate_chunk
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the disk went away")
        return real(*args, **kwargs)

    load_files(engine, [TIDY / "nga_slum.csv"])
    before = _snapshot(engine)
    monkeypatch.setattr(load_module, "validate_chunk", failing)
    with pytest.raises(RuntimeError, match="the disk went away"):
        load_files(engine, [TIDY / "nga_slum_revised.csv", TIDY / "nga_slum.csv"], chunk_rows=2)
    assert calls["n"] == 2
    assert _snapshot(engine) == before  # the first chunk's update was rolled back
    assert not [t for t in threading.enumerate() if t.name == "urbanagenda-load-reader"]


@pytest.mark.postgres
def test_a_load_waits_for_another_adding_the_same_attributes_and_goes_through(
    pg_engine: Engine,
) -> None:
    import threading

    attributes = {
        "unit": "PT",
        "nature": "G",
        "source": "UN SDG Global Database (UN-Habitat)",
        "footnote": "",
    }
    done: dict[str, object] = {}
    with pg_engine.connect() as other:
        # another load has added the attributes of nga_slum.csv's slum rows, not committed
        other.execute(s.obs_attributes.insert().values(attributes))

        def load() -> None:
            try:
                done["result"] = load_files(pg_engine, [TIDY / "nga_slum.csv"])
            except Exception as exc:  # pragma: no cover - shown by the assertion below
                done["error"] = exc

        worker = threading.Thread(target=load)
        worker.start()
        worker.join(timeout=3)
        assert worker.is_alive()  # waiting for the other transaction
        other.commit()
    worker.join(timeout=60)
    assert "error" not in done, done.get("error")
    assert done["result"].inserted == 6  # type: ignore[attr-defined]
    with pg_engine.connect() as c:
        ids = c.execute(
            select(s.obs_attributes.c.id).where(
                *(s.obs_attributes.c[k] == v for k, v in attributes.items())
            )
        ).all()
        assert len(ids) == 1
        used = c.execute(
            select(func.count())
            .select_from(s.observation_value)
            .where(s.observation_value.c.attributes_id == ids[0][0])
        ).scalar_one()
    assert used == 3  # the three slum rows point at the row the other load committed


def _area_index(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    """The table's indexes and trigger as SQLite holds them (name, SQL)."""
    with engine.connect() as c:
        return sorted(
            tuple(r)
            for r in c.execute(
                text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'observation_value'")
            )
        )


def test_a_large_sqlite_load_builds_the_area_index_again_and_a_rejected_one_keeps_it(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, digest
) -> None:
    from urbanagenda.store import load as load_module

    indexes = _area_index(sqlite_engine)
    assert ("ix_observation_value_area_series",) in [r[:1] for r in indexes]
    dropped: list[int] = []
    real_wrote = load_module._AreaIndex.wrote

    def wrote(self, rows: int) -> None:  # type: ignore[no-untyped-def]
        real_wrote(self, rows)
        dropped.append(self.dropped)

    monkeypatch.setattr(load_module._AreaIndex, "wrote", wrote)
    monkeypatch.setattr(load_module, "_REBUILD_INDEX_ROWS", 2)
    # an empty store: dropped after the first chunk of two rows, built again before commit
    result = load_files(sqlite_engine, [TIDY / "nga_slum.csv"], chunk_rows=2)
    assert dropped == [True, True, True] and result.inserted == 6
    assert _area_index(sqlite_engine) == indexes
    with sqlite_engine.connect() as c:
        plan = c.execute(
            text("EXPLAIN QUERY PLAN SELECT value FROM observation_value WHERE area_id = 1")
        ).all()
    assert "ix_observation_value_area_series" in str(plan)
    by_area = query.read_observations(sqlite_engine, areas=["566"])
    rows = [line.split(",") for line in (TIDY / "nga_slum.csv").read_text().splitlines()[1:]]
    expected = sorted((r[0], int(r[2]), float(r[3])) for r in rows if r[1] in ("566", "NGA"))
    got = sorted(zip(by_area["series_code"], by_area["year"], by_area["value"], strict=True))
    assert len(expected) == 4 and got == expected

    # a store of 6 rows: a 2-row load stays below them and keeps the index row by row
    dropped.clear()
    load_files(sqlite_engine, [TIDY / "nga_slum_revised.csv"])
    assert dropped == [False]

    # the index is dropped, then a later file is rejected: all of it rolls back
    path = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    before = digest(path)
    dropped.clear()
    with pytest.raises(ValidationFailed):
        load_files(sqlite_engine, [TIDY / "nga_slum.csv", TIDY / "bad_rows.csv"])
    sqlite_engine.dispose()
    assert dropped == [True]  # the first file's 6 rows went through, then the second failed
    assert digest(path) == before
    assert _area_index(sqlite_engine) == indexes


def test_empty_sources_take_the_file_name_also_where_it_is_a_source_already(
    engine: Engine, tmp_path: Path
) -> None:
    named = tmp_path / "survey.csv"
    named.write_text(
        "series_code,area_code,year,value,unit,location,source\n"
        "EN_LND_SLUM,566,2000,74.1,PERCENT,U,\n"
        "EN_LND_SLUM,566,2010,61.5,PERCENT,U,survey.csv\n"
        "EN_LND_SLUM,566,2020,49.0,PERCENT,U,Census office\n"
    )
    load_files(engine, [named])
    frame = query.read_observations(engine, series=["EN_LND_SLUM"], areas=["566"])
    assert frame.sort_values("year")["source"].tolist() == [
        "survey.csv",
        "survey.csv",
        "Census office",
    ]
    with engine.connect() as c:
        sources = c.execute(text("SELECT source FROM obs_attributes ORDER BY source")).all()
    assert [r[0] for r in sources] == ["Census office", "survey.csv"]


def test_repeated_keys_are_each_reported_once_in_load_order_naming_the_row_before(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    header = "series_code,area_code,year,value,unit,location"
    rows = [f"EN_LND_SLUM,566,{y},{y - 1990}.5,PERCENT,U" for y in range(2000, 2010)]
    first = tmp_path / "first.csv"
    first.write_text("\n".join([header, *rows]) + "\n")
    # the second file repeats row 3 of the first (2001) twice and its own row 2 (2020) once
    second = tmp_path / "second.csv"
    second.write_text(
        "\n".join(
            [
                header,
                "EN_LND_SLUM,566,2020,1,PERCENT,U",
                rows[1],
                "EN_LND_SLUM,566,2021,1,PERCENT,U",
                "EN_LND_SLUM,566,2020,2,PERCENT,U",
                rows[1].replace(".5,", ".7,"),
            ]
        )
        + "\n"
    )
    with pytest.raises(ValidationFailed) as info:
        load_files(sqlite_engine, [first, second], chunk_rows=3)
    dups = [i for i in info.value.report.issues if i.code == "duplicate-key"]
    assert [(Path(i.file or "").name, i.row) for i in dups] == [
        ("second.csv", 3),
        ("second.csv", 5),
        ("second.csv", 6),
    ]
    assert [i.message.rsplit(" of ", 1)[1] for i in dups] == [
        f"{first} row 3.",
        f"{second} row 2.",
        f"{second} row 3.",
    ]
    assert _count(sqlite_engine) == 0


def test_the_duplicate_check_finds_repeats_in_every_part_of_the_hash_space() -> None:
    from urbanagenda.store import load as load_module

    dedup = load_module._Dedup()
    rng = np.random.default_rng(7)
    chunks = [rng.integers(0, 2**63, size=1000, dtype=np.uint64) * 2 + 1 for _ in range(3)]
    repeat = np.array([c[5] for c in chunks] + [np.uint64(2**64 - 1), np.uint64(0)])
    chunks.append(np.concatenate([repeat, repeat[-2:]]))  # the last two within the chunk
    for n, h in enumerate(chunks):
        dedup.hashes.append(h)
        dedup.where.append((f"f{n}", "", 2))
    found = dedup._repeated()
    assert sorted(found.tolist()) == sorted([*repeat[:3].tolist(), 0, 2**64 - 1])
    issues, count = dedup.issues()
    assert count == 5
    assert [(i.file, i.row) for i in issues] == [
        ("f3", 2),
        ("f3", 3),
        ("f3", 4),
        ("f3", 7),
        ("f3", 8),
    ]
