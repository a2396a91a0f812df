"""11.1.1 slum household share from survey microdata: hand-computed cases and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from urbanagenda.errors import MethodError
from urbanagenda.spatial.slums import slum_share


def _households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "weight": [1.0, 2.0, 1.0, 3.0],
            "household_size": [4, 2, 5, 1],
            "urban": [1, 1, 1, 0],
            "improved_water": [1, 1, 0, 0],
            "improved_sanitation": [1, 1, 1, 0],
            "rooms": [2, 1, 3, 1],
            "durable_housing": ["yes", "yes", "yes", "no"],
            "secure_tenure": [True, False, True, False],
        }
    )


def test_hand_computed_share() -> None:
    # urban: h1 4 people / 2 rooms ok, has all → not slum (w×size 4)
    #        h2 lacks tenure → slum (2×2 = 4); h3 lacks water → slum (5)
    # rural h4 left out.  Share = (4 + 5) / (4 + 4 + 5) = 9/13
    result = slum_share(_households())
    assert result.value == pytest.approx(100 * 9 / 13)
    assert result.unit == "percent"
    c = result.components
    assert c["households_used"] == 3
    assert c["households_not_urban"] == 1
    assert c["lacking_share_percent"]["improved_water"] == pytest.approx(100 * 5 / 13)
    assert c["households_by_number_of_deprivations"]["0"] == 1


def test_crowding_threshold_is_configurable() -> None:
    # with at most 1.5 persons per room h1 (2/room) and h3 (1.67/room) are crowded
    result = slum_share(_households(), crowding_threshold=1.5)
    assert result.value == pytest.approx(100.0)
    assert result.parameters["crowding_threshold"] == 1.5


def test_shared_sanitation_and_unknowns() -> None:
    frame = _households().assign(sanitation_shared_by=[3, 0, 0, 0])
    assert slum_share(frame).value == pytest.approx(100.0)  # h1 now lacks sanitation
    frame = _households()
    frame.loc[0, "improved_water"] = None
    result = slum_share(frame)
    assert result.components["households_with_unknown_condition"] == 1
    assert result.value == pytest.approx(100.0)


def test_population_scaling_leaves_share_unchanged() -> None:
    frame = _households()
    scaled = frame.assign(weight=frame["weight"] * 1000)
    assert slum_share(scaled).value == pytest.approx(slum_share(frame).value)


def test_bad_input_says_what_and_how() -> None:
    with pytest.raises(MethodError, match=r"secure_tenure"):
        slum_share(_households().drop(columns=["secure_tenure"]))
    with pytest.raises(MethodError, match="1/0"):
        slum_share(_households().assign(improved_water=[1, 2, 1, 1]))
    with pytest.raises(MethodError, match="household_size"):
        slum_share(_households().assign(household_size=[0, 1, 1, 1]))
