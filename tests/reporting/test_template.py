"""The versioned NUA reporting template: its structure, its codes, and clear errors."""

from __future__ import annotations

import pytest

from urbanagenda.errors import ConfigError
from urbanagenda.model.catalogue import load_catalogue
from urbanagenda.reporting.template import (
    CURRENT_TEMPLATE,
    PARTS,
    load_template,
    read_template,
)


def test_structure_of_the_2024_guidelines() -> None:
    t = load_template()
    assert t.version == CURRENT_TEMPLATE == "2024.1"
    assert [(s.part, s.key) for s in t.sections] == [
        ("introduction", "introduction"),
        ("transformative_commitments", "social_inclusion"),
        ("transformative_commitments", "urban_prosperity"),
        ("transformative_commitments", "environmental_resilience"),
        ("effective_implementation", "urban_governance"),
        ("effective_implementation", "spatial_development"),
        ("effective_implementation", "means_of_implementation"),
        ("follow_up_review", "follow_up_review"),
        ("annex", "indicator_annex"),
    ]
    assert t.section("social_inclusion").commitments == ("NUA.TC.1",)  # type: ignore[union-attr]
    assert "EN_LND_SLUM" in t.section("social_inclusion").series  # type: ignore[union-attr]
    assert "11.1" in t.section("social_inclusion").targets  # type: ignore[union-attr]
    assert t.section("environmental_resilience").commitments == ("NUA.TC.3",)  # type: ignore[union-attr]
    assert t.section("follow_up_review").commitments == ("NUA.FR",)  # type: ignore[union-attr]
    # every section tells the focal point what to write, in a few sentences
    assert all(s.guidance.count(".") >= 2 for s in t.sections)
    assert load_template() is t  # cached


def test_every_code_exists_in_the_catalogue_and_every_target_is_covered() -> None:
    cat = load_catalogue()
    t = load_template()
    covered: set[str] = set()
    for s in t.sections:
        assert s.part in PARTS
        assert set(s.series) <= set(cat.series)
        assert set(s.commitments) <= set(cat.nua)
        covered |= set(s.targets) - {""}
    assert covered == {t for t in cat.targets if t.startswith("11.")}
    nua_sections = {c.code for c in cat.nua.values() if c.level == "section"} | {"NUA.FR"}
    assert nua_sections <= {c for s in t.sections for c in s.commitments}


GOOD = """
version: "2099.1"
title: T
sections:
  - {key: intro, title: Intro, part: introduction, guidance: Write. Say., targets: [],
     commitments: [], series: []}
  - {key: social, title: Social, part: transformative_commitments, guidance: Write. Say.,
     targets: ["11.1"], commitments: [NUA.TC.1], series: [EN_LND_SLUM]}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("11.1", "11.9"), "unknown SDG 11 target '11.9'"),
        (("NUA.TC.1", "NUA.TC.9"), "unknown NUA commitment 'NUA.TC.9'"),
        (("EN_LND_SLUM", "EN_LND_SLUMS"), "unknown series 'EN_LND_SLUMS'"),
        (("key: social", "key: intro"), "section key 'intro' appears twice"),
        (("part: transformative_commitments", "part: preamble"), "'part' must be one of"),
        (('"2099.1"', '"2099.2"'), "the file says version '2099.2'"),
        (("title: Social, ", ""), "'title' must be a non-empty text"),
        (("sections:", "sections: ["), "not valid YAML"),
        (("targets: []", "targets: [], colour: red"), "unknown field(s) colour"),
    ],
)
def test_bad_template_gives_a_clear_config_error(change: tuple[str, str], message: str) -> None:
    assert read_template("2099.1", lambda _v: GOOD).sections[1].series == ("EN_LND_SLUM",)
    bad = GOOD.replace(*change)
    with pytest.raises(ConfigError) as err:
        read_template("2099.1", lambda _v: bad)
    assert message in str(err.value)
    assert "nua_report_2099.1.yaml" in str(err.value)


def test_unknown_version_names_the_available_ones() -> None:
    with pytest.raises(ConfigError, match=r"no reporting template version '1999.1'.*2024\.1"):
        load_template("1999.1")
