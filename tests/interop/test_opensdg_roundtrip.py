"""The City of Los Angeles' Open SDG data repository: imported, browsed, exported back."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from urbanagenda.errors import ValidationFailed
from urbanagenda.interop._opensdg_mapping import plan_columns
from urbanagenda.interop.opensdg import export_opensdg, import_opensdg, local_series
from urbanagenda.store import schema as s
from urbanagenda.store.query import read_observations

LA = Path(__file__).parents[1] / "specimens" / "opensdg_los_angeles"
AREA = "us_los_angeles_ca"


def files_of(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def csv_rows(path: Path) -> tuple[list[str], set[tuple[str, ...]]]:
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    header = next(reader)
    j = header.index("Value")
    rows = set()
    for r in reader:
        if r:
            value = f"{float(r[j]):.12g}" if r[j] else ""
            rows.add((*r[:j], value, *r[j + 1 :]))
    return header, rows


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def assert_same_repository(original: Path, exported: Path) -> None:
    a, b = files_of(original), files_of(exported)
    assert sorted(a) == sorted(b)
    for rel, path in a.items():
        if rel.startswith("data/") and rel.endswith(".csv"):
            ha, ra = csv_rows(path)
            hb, rb = csv_rows(b[rel])
            assert ha == hb, rel
            assert ra == rb, rel
        elif rel.startswith("meta/") and rel.endswith(".md"):
            assert front_matter(path) == front_matter(b[rel]), rel
        else:
            assert path.read_bytes() == b[rel].read_bytes(), rel


@pytest.fixture
def imported(engine: Engine):  # type: ignore[no-untyped-def]
    """The LA repository imported into a fresh store, on SQLite and on PostgreSQL."""
    return engine, import_opensdg(engine, LA, AREA)


def test_los_angeles_is_imported_with_every_series_and_metadata_record(imported) -> None:  # type: ignore[no-untyped-def]
    engine, result = imported
    assert result.report.valid
    assert len(result.indicators) == 16
    assert result.observations == 340 and result.inserted == 340
    assert len(result.series) == 22
    # 16 indicators and the site (config_data.yml, LICENSE and a stray file kept verbatim)
    assert result.metadata_records == 17
    assert result.kept_files == ["LICENSE", "meta/indicator_11-5-2.csv"]
    assert result.non_statistical == ["11.1.2", "11.3.2", "11.4.1", "11.a.1", "11.b.1", "11.b.2"]
    with engine.connect() as conn:
        meta = conn.execute(
            select(s.indicator_metadata.c.metadata).where(
                s.indicator_metadata.c.area_code == AREA,
                s.indicator_metadata.c.indicator_code == "11.1.1",
                s.indicator_metadata.c.source == "opensdg",
            )
        ).scalar_one()
    assert meta["meta"]["reporting_status"] == "complete"
    assert (
        meta["meta"]["source_organisation_1"] == "Los Angeles Homeless Services Authority (LAHSA)"
    )
    assert meta["meta"]["graph_type"] == "bar"
    assert list(meta["meta"])[:3] == ["indicator", "layout", "permalink"]


def test_homelessness_is_a_local_proxy_of_11_1_1_never_the_global_series(imported) -> None:  # type: ignore[no-untyped-def]
    engine, _ = imported
    code = "LOCAL_US_LOS_ANGELES_CA_11_1_1_TOTAL_BY_SHELTERED_UNSHELTERED"
    obs = read_observations(engine, series=[code], areas=[AREA])
    v2019 = obs[(obs["year"] == 2019)].set_index("breakdown")["value"]
    assert v2019[""] == 36165
    assert v2019["SHELTERED_UNSHELTERED=SHELTERED"] == 8944
    assert v2019["SHELTERED_UNSHELTERED=UNSHELTERED"] == 27221
    with engine.connect() as conn:
        row = conn.execute(select(s.series).where(s.series.c.code == code)).one()
        link = conn.execute(
            select(s.framework_link).where(s.framework_link.c.from_code == code)
        ).one()
        ind = conn.execute(
            select(s.series_indicator.c.indicator_code).where(
                s.series_indicator.c.series_code == code
            )
        ).scalar_one()
    assert row.global_series is False and row.aggregation == "none" and row.unit == "NUMBER"
    assert (link.from_kind, link.to_kind, link.to_code, link.relation, link.source) == (
        "series", "indicator", "11.1.1", "proxy", "opensdg import"
    )  # fmt: skip
    assert ind == "11.1.1"
    # the global series of 11.1.1 and 11.2.1 get nothing for Los Angeles
    for global_code in ("EN_LND_SLUM", "EN_LND_SLUMN", "SP_TRN_PUBL"):
        assert read_observations(engine, series=[global_code], areas=[AREA]).empty
    shown = local_series(engine, area=AREA, indicator="11.2.1")
    assert shown["code"].tolist() == ["LOCAL_US_LOS_ANGELES_CA_11_2_1"]
    assert shown["observations"].tolist() == [18]


def test_disaggregations_map_to_dsd_codes_where_every_value_has_one(imported) -> None:  # type: ignore[no-untyped-def]
    engine, _ = imported
    # 11.7.2: Gender Female/Male -> CL_SEX
    obs = read_observations(
        engine, series=["LOCAL_US_LOS_ANGELES_CA_11_7_2_TOTAL_BY_GENDER"], areas=[AREA]
    )
    assert set(obs["sex"]) == {"_T", "F", "M"}
    # 11.1.1: Gender has transgender and gender non-conforming -> custom breakdown
    obs = read_observations(
        engine, series=["LOCAL_US_LOS_ANGELES_CA_11_1_1_TOTAL_BY_GENDER"], areas=[AREA]
    )
    assert set(obs["sex"]) == {"_T"}
    assert "GENDER=TRANSGENDER" in set(obs["breakdown"])
    # 11.5.1: periods are stored at their last year with the period as footnote
    obs = read_observations(engine, series=["LOCAL_US_LOS_ANGELES_CA_11_5_1_DEATHS"], areas=[AREA])
    assert obs.set_index("year")["footnote"].to_dict() == {
        1999: "Reference period 1990-1999",
        2009: "Reference period 2000-2009",
        2017: "Reference period 2010-2017",
    }


def test_age_and_sex_columns_map_only_when_every_value_does() -> None:
    header = ["Year", "Sex", "Age", "Value"]
    rows = [["2020", "Female", "18-24", "1"], ["2020", "Male", "25-54", "2"]]
    maps = {m.name: m for m in plan_columns(header, rows)}
    assert (maps["Sex"].target, maps["Sex"].codes) == ("sex", {"Female": "F", "Male": "M"})
    assert (maps["Age"].target, maps["Age"].codes) == (
        "age",
        {"18-24": "Y18T24", "25-54": "Y25T54"},
    )
    rows.append(["2020", "Other", "55-61", "3"])  # no CL_SEX code for "Other", no Y55T61
    maps = {m.name: m for m in plan_columns(header, rows)}
    assert maps["Sex"].target == "breakdown" and maps["Age"].target == "breakdown"


def test_export_gives_the_repository_back_file_by_file(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ = imported
    out = tmp_path / "export"
    result = export_opensdg(engine, AREA, out)
    assert result.generated == []
    assert_same_repository(LA, out)
    # and, as nothing was changed in between, byte for byte
    for rel, path in files_of(LA).items():
        assert path.read_bytes() == (out / rel).read_bytes(), rel


def test_a_changed_value_is_exported_and_the_rest_kept(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ = imported
    code = "LOCAL_US_LOS_ANGELES_CA_11_2_1"
    o, v = s.observation, s.observation_value  # stored in observation_value, read via the view
    with engine.begin() as conn:
        conn.execute(
            v.update()
            .where(
                v.c.id.in_(
                    select(o.c.id).where(
                        o.c.series_code == code, o.c.year == 2015, o.c.breakdown == ""
                    )
                )
            )
            .values(value=440945855.0)
        )
    out = tmp_path / "export"
    export_opensdg(engine, AREA, out)
    text = (out / "data/indicator_11-2-1.csv").read_text()
    assert "2015,,440945855\n" in text and "2015,Bus,333971187\n" in text


def test_reimport_changes_nothing_and_a_zip_imports_the_same(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    first = import_opensdg(sqlite_engine, LA, AREA)
    again = import_opensdg(sqlite_engine, LA, AREA)
    assert (again.inserted, again.updated) == (0, 0)
    archive = tmp_path / "open-sdg-data-starter-main.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for rel, path in files_of(LA).items():
            zf.write(path, f"open-sdg-data-starter-main/{rel}")
    from_zip = import_opensdg(sqlite_engine, archive, AREA, dry_run=True)
    assert from_zip.report.valid
    assert from_zip.observations == first.observations
    assert from_zip.kept_files == first.kept_files


def test_relations_can_be_declared(sqlite_engine: Engine, tmp_path: Path) -> None:
    pm25 = "LOCAL_US_LOS_ANGELES_CA_11_6_2_FINE_PARTICULATES_PM2_5"
    result = import_opensdg(
        sqlite_engine, LA, AREA, relations={"11.1.1": "context", pm25: "same:EN_ATM_PM25"}
    )
    by_code = {r["code"]: r for r in result.series}
    assert by_code["LOCAL_US_LOS_ANGELES_CA_11_1_1_TOTAL_BY_GENDER"]["relation"] == "context"
    assert by_code["EN_ATM_PM25"]["relation"] == "same"
    assert pm25 not in by_code
    obs = read_observations(sqlite_engine, series=["EN_ATM_PM25"], areas=[AREA])
    assert obs.set_index("year")["value"][2013] == pytest.approx(11.95)
    out = tmp_path / "export"
    export_opensdg(sqlite_engine, AREA, out)
    assert_same_repository(LA, out)


def test_same_is_refused_when_the_unit_differs(sqlite_engine: Engine) -> None:
    with pytest.raises(ValidationFailed) as info:
        # the parkland share is in percent like EN_URB_OPENSP; park acres are not
        import_opensdg(sqlite_engine, LA, AREA, relations={"11.7.1": "same"})
    issues = info.value.report.issues
    assert [(i.code, i.found) for i in issues] == [("wrong-unit", "Total park acres")]
    assert all(i.file and i.file.endswith("indicator_11-7-1.csv") for i in issues)
    assert all(i.column == "Units" for i in issues)


def test_an_area_never_imported_is_exported_from_its_global_series(
    demo_db: str, tmp_path: Path
) -> None:
    from urbanagenda.interop._opensdg_repo import read_repository
    from urbanagenda.store.engine import open_engine

    engine = open_engine(demo_db)
    out = tmp_path / "nigeria"
    result = export_opensdg(engine, "566", out)
    engine.dispose()
    assert "11.1.1" in result.generated
    header, rows = csv_rows(out / "data/indicator_11-1-1.csv")
    # columns named by the SDG DSD concepts, codes as values (as sdg-build's SDMX inputs)
    assert header == ["Year", "URBANISATION", "Units", "Series", "Value"]
    assert ("2020", "U", "PT", "EN_LND_SLUM", "48.98206") in rows
    meta, _ = front_matter(out / "meta/11-1-1.md")
    assert meta["indicator_name"].startswith("Proportion of urban population living in slums")
    assert meta["target_id"] == "11.1"
    repo, issues = read_repository(out)
    assert issues == [] and repo is not None and "11-1-1" in repo.indicators


def test_imported_into_the_demo_database_global_city_data_are_left_alone(
    demo_db: str, tmp_path: Path
) -> None:
    """A user with the demo database (which has LA's SP_TRN_PUBL from the SDG database)."""
    from urbanagenda.store.engine import open_engine

    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_db.removeprefix("sqlite:///"), copy)
    engine = open_engine(f"sqlite:///{copy}")
    before = read_observations(engine, series=["SP_TRN_PUBL"], areas=[AREA])
    assert not before.empty
    import_opensdg(engine, LA, AREA)
    after = read_observations(engine, series=["SP_TRN_PUBL"], areas=[AREA])
    assert after.equals(before)
    out = tmp_path / "export"
    result = export_opensdg(engine, AREA, out)
    assert result.generated == []
    assert_same_repository(LA, out)
    with_global = export_opensdg(engine, AREA, tmp_path / "more", with_global=True)
    engine.dispose()
    # every indicator with global data for LA is one LA reports: nothing to add
    assert with_global.generated == []
