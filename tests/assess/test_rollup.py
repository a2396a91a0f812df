"""Roll-ups series → indicator → target → goal."""

from __future__ import annotations

import pandas as pd
import pytest

from urbanagenda.assess.methods import assess
from urbanagenda.assess.rollup import headline, roll_up, series_indicator_links
from urbanagenda.errors import MethodError


def obs(code: str, area: str, points: list[tuple[int, float]], direction: str,
        target: float | None, **dims: str) -> pd.DataFrame:  # fmt: skip
    return pd.DataFrame(
        {
            "series_code": code,
            "area_code": area,
            "year": [y for y, _ in points],
            "value": [float(v) for _, v in points],
            "direction": direction,
            "target_value": target,
            **dims,
        }
    )


LINKS = pd.DataFrame(
    {
        "series_code": ["S1", "S2", "S3", "S4"],
        "indicator_code": ["11.1.1", "11.1.1", "11.2.1", "11.b.1"],
    }
)
DATA = pd.concat(
    [
        obs("S1", "A", [(2015, 50), (2021, 56)], "increase", 100),  # E2: limited, -0.820
        obs("S2", "A", [(2015, 80), (2020, 90)], "increase", 100),  # E3: substantial, 5
        obs("S3", "A", [(2015, 1.0), (2022, 1.3)], "decrease", 0.5),  # E7: deterioration, -5
        obs("S4", "A", [(2018, 3)], "increase", 10),  # insufficient
    ]
)


def level(frame: pd.DataFrame, lvl: str, code: str, area: str = "A") -> pd.Series:
    rows = frame[(frame["level"] == lvl) & (frame["code"] == code) & (frame["area_code"] == area)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_opensdg_mean_of_scores() -> None:
    out = roll_up(assess(DATA, "opensdg"), links=LINKS)
    ind = level(out, "indicator", "11.1.1")
    assert ind["score"] == pytest.approx((-0.820107 + 5.0) / 2, abs=1e-5)  # 2.0899
    assert ind["status"] == "moderate"  # 0 <= 2.09 < 2.5
    assert (ind["n_children"], ind["n_assessed"]) == (2, 2)
    assert level(out, "target", "11.2")["status"] == "deterioration"
    b = level(out, "indicator", "11.b.1")
    assert (b["status"], b["reason"], b["n_assessed"]) == (
        "insufficient_data",
        "no_assessed_children",
        0,
    )
    goal = level(out, "goal", "11")
    # mean of the assessed targets 11.1 (2.0899) and 11.2 (-5); 11.b has none
    assert goal["score"] == pytest.approx((2.089946 - 5.0) / 2, abs=1e-5)
    assert goal["status"] == "limited"
    assert (goal["n_children"], goal["n_assessed"]) == (3, 2)
    assert set(out["level"]) == {"series", "indicator", "target", "goal"}


def test_opensdg_target_achieved_only_when_every_series_is() -> None:
    met = obs("S1", "A", [(2015, 50), (2021, 100)], "increase", 100)
    both = pd.concat([met, obs("S2", "A", [(2015, 50), (2021, 120)], "increase", 100)])
    out = roll_up(assess(both, "opensdg"), links=LINKS)
    assert level(out, "indicator", "11.1.1")["status"] == "target_achieved"
    mixed = pd.concat([met, obs("S2", "A", [(2015, 80), (2020, 90)], "increase", 100)])
    out = roll_up(assess(mixed, "opensdg"), links=LINKS)
    assert level(out, "indicator", "11.1.1")["status"] == "substantial"  # mean 5


def test_mean_rank_rounds_ties_to_the_worse_band() -> None:
    out = roll_up(assess(DATA, "unsd-2023"), links=LINKS)
    # S1 fair (1), S2 met (0): mean 0.5 -> fair
    assert level(out, "indicator", "11.1.1")["status"] == "fair"
    # targets 11.1 fair (1) and 11.2 stagnation (2): mean 1.5 -> stagnation
    assert level(out, "goal", "11")["status"] == "stagnation"


def test_every_area_separately() -> None:
    data = pd.concat([DATA, obs("S1", "B", [(2015, 80), (2020, 90)], "increase", 100)])
    out = roll_up(assess(data, "unsd-2022"), links=LINKS)
    assert level(out, "indicator", "11.1.1", "B")["status"] == "on_track"
    assert level(out, "indicator", "11.1.1", "A")["n_children"] == 2


def test_headline_prefers_totals_then_urban() -> None:
    data = pd.concat(
        [
            obs("S1", "A", [(2015, 50), (2021, 56)], "increase", 100, location="U"),
            obs("S1", "A", [(2015, 80), (2020, 90)], "increase", 100, location="_T"),
            obs("S1", "A", [(2015, 1), (2020, 90)], "increase", 100, sex="F"),
            obs("S2", "A", [(2015, 50), (2021, 56)], "increase", 100, location="U"),
        ]
    )
    chosen = headline(assess(data, "unsd-2022"), ["_T", "U"])
    assert dict(zip(chosen["series_code"], chosen["location"], strict=True)) == {
        "S1": "_T",
        "S2": "U",
    }


def test_catalogue_links_and_one_method_at_a_time() -> None:
    links = series_indicator_links()
    slum = links[links["series_code"] == "EN_LND_SLUM"]["indicator_code"].tolist()
    assert slum == ["11.1.1"]
    data = obs("EN_LND_SLUM", "4", [(2015, 60), (2020, 50)], "decrease", None)
    out = roll_up(assess(data, "unsd-2024"))
    assert set(out[out["level"] == "goal"]["code"]) == {"11"}
    both = pd.concat([assess(data, "unsd-2024"), assess(data, "unsd-2023")])
    with pytest.raises(MethodError, match="one method and edition at a time"):
        roll_up(both)
