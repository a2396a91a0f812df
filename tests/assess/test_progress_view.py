"""The global progress view: chart, summary and sentences, from the real demo data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from urbanagenda.assess.progress import narrate, progress_chart, summarise_targets
from urbanagenda.store.engine import open_engine
from urbanagenda.store.progress import global_progress

SLUM = {
    "code": "EN_LND_SLUM",
    "name": "Proportion of urban population living in slums",
    "unit": "PT",
    "direction": "decrease",
    "target_2030": 0.0,
    "aggregation": "sum_of_parts",
}


def _values(rows: list[tuple[str, int, float]], official: bool = False) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area_code": a,
                "year": y,
                "value": v,
                "official": official,
                "n_with_data": 3,
                "computed_value": float("nan"),
                "computed_n": 0,
            }
            for a, y, v in rows
        ]
    )


def test_narrate_states_the_change_the_pace_and_who_lags() -> None:
    values = _values(
        [
            ("1", 2015, 30.0),
            ("1", 2020, 25.0),
            ("202", 2020, 50.0),
            ("62", 2020, 45.0),
            ("513", 2020, 1.0),
        ]
    )
    statuses = pd.DataFrame(
        {
            "area_code": ["1", "202", "62", "513"],
            "status": ["marginal", "marginal", "stagnation", "met"],
            "label": ["Marginal progress"] * 3 + ["Met"],
            "score": [None] * 4,
        }
    )
    story = narrate(
        "11.1",
        SLUM,
        values,
        statuses,
        {
            "1": "World",
            "202": "Sub-Saharan Africa",
            "62": "Central and Southern Asia",
            "513": "Europe and Northern America",
        },
        method_label="unsd-2024",
    )
    text = story.text
    assert (
        "fell from 30.0 % (2015) to 25.0 % (2020) in the world (computed from 3 countries)" in text
    )
    # (25/30)^(1/5) per year for 10 more years: 25 * (25/30)^2 = 17.36 %
    assert "At this pace 17.4 % would be reached in 2030, short of the target of 0.0 %." in text
    assert "Lagging: Sub-Saharan Africa (50.0 %), Central and Southern Asia (45.0 %)." in text
    assert "Progress: Europe and Northern America (1.0 %)." in text
    zh = narrate(
        "11.1",
        SLUM,
        values,
        statuses,
        {"1": "世界", "202": "撒哈拉以南非洲"},
        method_label="unsd-2024",
        lang="zh",
    ).text
    assert "从30.0%（2015年）下降至25.0%（2020年）" in zh
    assert "撒哈拉以南非洲（50.0%）" in zh


def test_chart_and_summary_group_targets_by_world_status() -> None:
    rollup = pd.DataFrame(
        {
            "level": ["target"] * 4,
            "code": ["11.1", "11.1", "11.6", "11.7"],
            "area_code": ["1", "202", "1", "1"],
            "status": ["stagnation", "regression", "met", "insufficient_data"],
        }
    )
    chart = progress_chart(rollup, ["1", "202"], ["11.1", "11.6", "11.7", "11.c"])
    assert chart.loc["11.1", "202"] == "regression"
    assert chart.loc["11.c", "1"] == ""
    summary = summarise_targets(chart)
    assert summary[1] == "Stagnating or regressing: 11.1 (housing and slums)."
    assert "On track or met: 11.6 (air quality and waste)." in summary
    assert any(s.startswith("Not assessable") and "11.7" in s and "11.c" in s for s in summary)


@pytest.fixture(scope="module")
def progress_en(demo_db: str):  # type: ignore[no-untyped-def]
    return global_progress(open_engine(demo_db), method="unsd-2024")


def test_real_slum_sentence_uses_the_official_world_value_and_names_the_laggards(
    progress_en,  # type: ignore[no-untyped-def]
) -> None:
    story = next(s for s in progress_en.stories if s.target == "11.1")
    # UN-Habitat's official world urban slum share: 24.6 % (2016) and 24.2 % (2020)
    assert "fell from 24.6 % (2016) to 24.2 % (2020) in the world (official aggregate" in story.text
    assert "Lagging: Sub-Saharan Africa" in story.text
    assert "Central and Southern Asia" in story.text
    assert list(progress_en.chart.columns) == [
        "1",
        "202",
        "747",
        "62",
        "753",
        "419",
        "543",
        "53",
        "513",
    ]
    assert progress_en.chart.loc["11.1", "1"] in ("stagnation", "marginal", "regression")


def test_progress_command_in_chinese(demo_db: str) -> None:
    env = {**os.environ, "URBANAGENDA_DATABASE_URL": demo_db}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "urbanagenda",
            "progress",
            "--lang",
            "zh",
            "--method",
            "opensdg",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    slum = next(t for t in data["targets"] if t["target"] == "11.1")
    assert "居住在贫民窟的城市人口比例从24.6%（2016年）下降至24.2%（2020年）" in slum["text"]
    assert data["summary"][0].startswith("如果没有重大转变")
    assert set(data["chart"]) >= {"11.1", "11.6"}


def test_a_series_without_a_target_is_never_labelled_target_met() -> None:
    from urbanagenda.assess.methods import assess

    frame = pd.DataFrame(
        {
            "series_code": ["EN_ATM_PM25"] * 2 + ["EN_LND_SLUM"] * 2,
            "area_code": ["566"] * 4,
            "year": [2015, 2019, 2015, 2020],
            "value": [50.0, 40.0, 10.0, 0.0],
        }
    )
    out = assess(frame, "unsd-2024").set_index("series_code")
    assert out.loc["EN_ATM_PM25", "status"] == "met"  # d·CAGR = 5.4 % a year: top band
    assert out.loc["EN_ATM_PM25", "label"] == "Substantial progress (no numeric target)"
    assert out.loc["EN_LND_SLUM", "label"] == "Target met or almost met"
    zh = assess(frame, "unsd-2024", language="zh").set_index("series_code")
    assert zh.loc["EN_ATM_PM25", "label"] == "进展显著（无数值目标）"
