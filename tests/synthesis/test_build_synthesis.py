"""The SDG 11 synthesis built from the demo store: numbers against the store, statuses against
the progress engine, charts with inline data, traceability, Chinese text, and a data change
that changes the report."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, create_engine, insert, select, update

from urbanagenda.assess.methods import METHODS
from urbanagenda.assess.progress import load_progress_config
from urbanagenda.store import schema as s
from urbanagenda.store.progress import global_progress, regional_values
from urbanagenda.synthesis.build._monitoring import region_names, value_text
from urbanagenda.synthesis.build.synthesis import build_synthesis
from urbanagenda.synthesis.document import (
    Block,
    Document,
    Figure,
    Heading,
    Notice,
    Paragraph,
    Table,
)
from urbanagenda.synthesis.generate import BuildContext, build_report
from urbanagenda.synthesis.text import Formatter, _load

AREAS = [str(a) for a in load_progress_config()["areas"]]
TARGETS = ["11.1", "11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.a", "11.b", "11.c"]
# what may carry digits without being a number of the data: series codes, target codes,
# method codes and editions, "SDG 11"
CODES = re.compile(
    r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|\b11\.[0-9a-c]\b|(?:unsd|sdr)-20\d\d|sdg-build-\d"
    r"|SDG 11|目标11|\(1 = YES; 0 = NO\)"
)


@pytest.fixture(scope="module")
def docs(demo_engine: Engine, headline: dict[str, pd.DataFrame]) -> dict[str, Document]:
    """The synthesis in English and Chinese (the regional values computed once for both)."""
    return {
        lang: build_synthesis(BuildContext(demo_engine, lang, lang, None), headline=headline)
        for lang in ("en", "zh")
    }


def section(doc: Document, target: str) -> list[Block]:
    """The blocks of a target's section (after its heading, up to the next heading)."""
    start = next(
        i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.label == target
    )
    out: list[Block] = []
    for b in doc.blocks[start + 1 :]:
        if isinstance(b, Heading):
            break
        out.append(b)
    return out


def regional_table(blocks: list[Block]) -> Table:
    return [b for b in blocks if isinstance(b, Table)][-1]


def latest(frame: pd.DataFrame, area: str) -> pd.Series:
    rows = frame[(frame["area_code"] == area) & frame["value"].notna()].sort_values("year")
    return rows.iloc[-1]


# ----------------------------------------------------------------------------- the numbers


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_world_slum_value_in_text_and_table(
    docs: dict[str, Document], demo_engine: Engine, lang: str
) -> None:
    doc, fmt = docs[lang], Formatter(lang)
    slums = regional_values(demo_engine, "EN_LND_SLUM", AREAS)
    world = latest(slums, "1")
    text = fmt.pct(float(world["value"]), 1)
    blocks = section(doc, "11.1")
    paragraphs = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    assert text in paragraphs and str(int(world["year"])) in paragraphs
    first = regional_table(blocks).rows[0]
    assert first[0].text == region_names(lang)["1"]
    assert (first[1].text, first[2].text) == (text, str(int(world["year"])))
    assert first[1].value == pytest.approx(float(world["value"]))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_region_row_matches_regional_values(
    docs: dict[str, Document], headline: dict[str, pd.DataFrame], lang: str
) -> None:
    """Against :func:`regional_values` of each headline series (``headline`` holds them:
    :func:`headline_values` is that function on the World and the SDG regions)."""
    doc, fmt = docs[lang], Formatter(lang)
    names = {v: k for k, v in region_names(lang).items()}
    official = {"en": "Official", "zh": "官方"}[lang]
    checked = 0
    for target in TARGETS:
        blocks = section(doc, target)
        tables = [b for b in blocks if isinstance(b, Table)]
        if not tables:
            continue
        table = regional_table(blocks)
        code = next(
            doc.sources[k].series_code for k in table.sources if doc.sources[k].kind == "series"
        )
        assert code is not None
        values = headline[code]
        unit = "PT" if code in ("EN_LND_SLUM", "SP_TRN_PUBL", "EN_URB_OPENSP") else None
        expected = {
            a for a in AREAS if not values[values["area_code"] == a].dropna(subset=["value"]).empty
        }
        assert {names[r[0].text] for r in table.rows} == expected
        for row in table.rows:
            want = latest(values, names[row[0].text])
            assert row[1].text == value_text(fmt, float(want["value"]), unit)
            assert row[2].text == str(int(want["year"]))
            assert (row[4].text == official) == bool(want["official"])
            if not bool(want["official"]):
                assert row[5].value == int(want["n_with_data"])
            checked += 1
    assert checked >= 40


def test_statuses_per_method_equal_global_progress(
    docs: dict[str, Document], demo_engine: Engine, headline: dict[str, pd.DataFrame]
) -> None:
    doc = docs["en"]
    for method in METHODS:
        chart = global_progress(demo_engine, method=method, headline=headline).chart
        for target in TARGETS:
            tables = [b for b in section(doc, target) if isinstance(b, Table)]
            if not tables:
                world = chart.loc[target, "1"] if target in chart.index else ""
                assert world in ("", "insufficient_data"), (method, target)
                continue
            row = next(r for r in tables[0].rows if r[0].text == method)
            assert (row[2].status or "") == chart.loc[target, "1"], (method, target)
        if method == "unsd-2024":  # the report's method: the targets x regions table
            summary = doc.tables()[0]
            for target, row in zip(TARGETS, summary.rows, strict=True):
                assert row[0].text.startswith(target)
                got = [c.status or "" for c in row[1:]]
                assert got == [chart.loc[target, a] for a in AREAS]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_targets_in_order_and_no_empty_charts(docs: dict[str, Document], lang: str) -> None:
    doc = docs[lang]
    labels = [h.label for h in doc.headings(2) if h.level == 2]
    assert labels == TARGETS
    nodata = {"en": "No data", "zh": "无数据"}[lang]
    for target in ("11.3", "11.c"):  # no headline series with data in the demo
        blocks = section(doc, target)
        assert not [b for b in blocks if isinstance(b, Figure | Table)]
        assert next(b for b in blocks if isinstance(b, Paragraph)).text.startswith(nodata)
    blocks = section(doc, "11.1")
    assert sum(isinstance(b, Figure) for b in blocks) == 2  # trend and map
    assert sum(isinstance(b, Table) for b in blocks) == 2  # methods and regions


# ----------------------------------------------------------------------------- the charts


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from keys(v)


def test_figures_have_inline_data_only(
    docs: dict[str, Document], headline: dict[str, pd.DataFrame]
) -> None:
    for doc in docs.values():
        assert doc.figures()
        for fig in doc.figures():
            assert "url" not in set(keys(fig.spec)), fig.caption
            json.dumps(fig.spec)  # plain data
            assert fig.spec["data"]["values"], fig.caption
            assert fig.alt and fig.sources
    trend = next(f for f in docs["en"].figures() if f.caption.startswith("Target 11.1"))
    world = headline["EN_LND_SLUM"]
    world = world[world["area_code"] == "1"]
    drawn = {r["year"]: r["value"] for r in trend.spec["data"]["values"] if r["area"] == "World"}
    assert drawn == pytest.approx(dict(zip(world["year"].astype(int), world["value"], strict=True)))
    assert trend.spec["layer"][1]["data"]["values"][0]["t"] == 0.0  # the 2030 target
    slum_map = next(
        f for f in docs["en"].figures() if f.caption.startswith("Target 11.1") and f is not trend
    )
    lookup = slum_map.spec["transform"][1]["from"]["data"]["values"]
    assert len(lookup) > 50 and all(isinstance(r["value"], float) for r in lookup)


# ----------------------------------------------------------------------------- traceability


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", CODES.sub("", text)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_number_cites_a_source_and_every_source_is_cited(
    docs: dict[str, Document], lang: str
) -> None:
    doc = docs[lang]
    ids = set()
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            ids.add(b.id)
            assert b.sources or not has_number(b.text), b.text
        elif isinstance(b, Table):
            ids.add(b.id)
            cells = " ".join(c.text for r in b.rows for c in r)
            assert b.sources or not has_number(cells), b.caption
        elif isinstance(b, Figure):
            ids.add(b.id)
            assert b.sources, b.caption
    for key, src in doc.sources.items():
        assert src.used_by and set(src.used_by) <= ids, key
    kinds = [src.kind for src in doc.sources.values()]
    assert kinds.count("assessment") == len(METHODS)
    series = {src.series_code for src in doc.sources.values() if src.kind == "series"}
    assert "EN_LND_SLUM" in series and len(series) == kinds.count("series")
    slums = next(src for src in doc.sources.values() if src.series_code == "EN_LND_SLUM")
    assert "UN-Habitat" in slums.detail and 2020 in slums.years and "1" in slums.areas


def test_chinese_has_no_english_sentences(docs: dict[str, Document]) -> None:
    doc = docs["zh"]
    allowed = {*METHODS, "opensdg", "escap", "sdsn", "build"}
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    texts += [b.caption for b in doc.blocks if isinstance(b, Table | Figure)]
    texts += [b.alt for b in doc.blocks if isinstance(b, Figure)]
    texts += [h.text for h in doc.headings(3)]
    for text in texts:
        words = re.findall(r"[A-Za-z]{4,}", CODES.sub("", text))
        assert not [w for w in words if w not in allowed], text
    assert doc.title.startswith("可持续发展目标11")


def test_phrases_have_the_same_keys_in_both_languages() -> None:
    data = _load("synthesis")
    assert set(data["en"]) == set(data["zh"])


# ----------------------------------------------------------------------------- data change


@pytest.fixture(scope="module")
def changed(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the demo database where the World's latest slum value is changed and
    Sub-Saharan Africa gets a newer year; the synthesis asked for in French (English text
    with the notice), built from the store alone."""
    source = Path(demo_db.removeprefix("sqlite:///"))
    path = tmp_path_factory.mktemp("changed") / "demo.sqlite"
    shutil.copy(source, path)
    engine = create_engine(f"sqlite:///{path}")
    o = s.observation
    slum = and_(o.c.series_code == "EN_LND_SLUM", o.c.sex == "_T", o.c.age == "_T")
    with engine.begin() as conn:
        world = conn.execute(
            select(o).where(slum, o.c.area_code == "1").order_by(o.c.year.desc())
        ).first()
        ssa = conn.execute(
            select(o).where(slum, o.c.area_code == "202").order_by(o.c.year.desc())
        ).first()
        assert world is not None and ssa is not None
        # observations are stored in observation_value (the view joins the codes back)
        v = s.observation_value
        conn.execute(update(v).where(v.c.id == world.id).values(value=37.26))
        stored = conn.execute(select(v).where(v.c.id == ssa.id)).one()
        row = dict(stored._mapping)
        row.pop("id")
        conn.execute(insert(v).values({**row, "year": ssa.year + 2, "value": 44.44}))
    try:
        doc = build_report(engine, "synthesis", lang="fr")
    finally:
        engine.dispose()
    return {"doc": doc, "old": float(world.value), "year": int(world.year), "ssa": ssa}


def test_a_data_change_changes_the_report(changed: dict[str, Any]) -> None:
    doc, fmt = changed["doc"], Formatter("en")
    blocks = section(doc, "11.1")
    text = " ".join(b.text for b in blocks if isinstance(b, Paragraph))
    old = fmt.pct(changed["old"])
    assert "37.3 %" in text and old not in text
    table = regional_table(blocks)
    world = table.rows[0]
    assert (world[1].text, world[2].text) == ("37.3 %", str(changed["year"]))
    ssa = next(r for r in table.rows if r[0].text == "Sub-Saharan Africa")
    assert (ssa[1].text, ssa[2].text) == ("44.4 %", str(changed["ssa"].year + 2))
    trend = next(f for f in doc.figures() if f.caption.startswith("Target 11.1"))
    drawn = [r for r in trend.spec["data"]["values"] if r["area"] == "Sub-Saharan Africa"]
    assert drawn[-1] == {
        "area": "Sub-Saharan Africa",
        "year": changed["ssa"].year + 2,
        "value": 44.44,
    }


def test_french_falls_back_to_english_with_the_notice(changed: dict[str, Any]) -> None:
    doc = changed["doc"]
    assert (doc.lang, doc.requested_lang) == ("en", "fr")
    assert isinstance(doc.blocks[0], Notice) and "français" in doc.blocks[0].text
    assert doc.title.startswith("SDG 11 Synthesis Report")
    assert doc.paragraphs()[0].text.startswith("Without major shifts")
