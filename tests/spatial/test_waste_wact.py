"""11.6.1 from Waste Wise Cities Tool tables: hand-computed cases and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from urbanagenda.errors import MethodError
from urbanagenda.spatial.waste import controlled_waste_share


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    generation = pd.DataFrame(
        {
            "source": ["household", "non_household"],
            "tonnes": [800.0, 200.0],
            "collected_tonnes": [600.0, 150.0],
            "unit": ["t/day", "t/day"],
        }
    )
    facilities = pd.DataFrame(
        {
            "facility": ["MRF", "landfill A", "dumpsite B", "compost"],
            "type": ["recovery", "disposal", "disposal", "recovery"],
            "control_level": ["improved", "basic", "none", "limited"],
            "received_tonnes": [100.0, 400.0, 200.0, 50.0],
            "residue_to_disposal_tonnes": [20.0, 0.0, 0.0, 0.0],
            "unit": "t/day",
        }
    )
    return generation, facilities


def test_hand_computed_share() -> None:
    generation, facilities = _tables()
    result = controlled_waste_share(generation, facilities)
    # controlled: MRF 100 − 20 residue + landfill 400 = 480 of 1,000
    assert result.value == pytest.approx(48.0)
    c = result.components
    assert c["controlled_recovery"] == pytest.approx(80.0)
    assert c["recovery_rate_percent"] == pytest.approx(8.0)
    assert c["collection_coverage_percent"] == pytest.approx(75.0)
    assert c["generated_by_source"] == {"household": 800.0, "non_household": 200.0}


def test_scaling_and_stricter_levels() -> None:
    generation, facilities = _tables()
    g2 = generation.assign(tonnes=generation["tonnes"] * 365, unit="t/year")
    f2 = facilities.assign(
        received_tonnes=facilities["received_tonnes"] * 365,
        residue_to_disposal_tonnes=facilities["residue_to_disposal_tonnes"] * 365,
        unit="t/year",
    )
    assert controlled_waste_share(g2, f2).value == pytest.approx(48.0)
    strict = controlled_waste_share(generation, facilities, controlled_levels=frozenset({"full"}))
    assert strict.value == 0.0


def test_bad_input() -> None:
    generation, facilities = _tables()
    with pytest.raises(MethodError, match="same unit"):
        controlled_waste_share(generation, facilities.assign(unit="t/year"))
    with pytest.raises(MethodError, match="control levels"):
        controlled_waste_share(generation, facilities.assign(control_level="great"))
    with pytest.raises(MethodError, match="received_tonnes"):
        controlled_waste_share(generation, facilities.drop(columns=["received_tonnes"]))
    with pytest.raises(MethodError, match="negative"):
        controlled_waste_share(generation.assign(tonnes=[-1.0, 2.0]), facilities)
