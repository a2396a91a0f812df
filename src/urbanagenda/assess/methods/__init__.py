"""Progress assessment methods: pure, vectorised functions over observation frames.

Every method is selected by name (:data:`METHODS`), takes its thresholds from the versioned
configuration ``urbanagenda/assess/config/methods.yaml`` (an *edition* of the method) and
returns one row per series group with a stable status code and its label, never an
exception or a silent NaN for a bad series: a group that cannot be assessed gets
``insufficient_data`` and a ``reason`` code.  Formulas: METHODS.md §1 (authoritative), the
UNSD Progress Chart technical notes 2022/2023/2024, open-sdg/sdg-build
``sdg/ProgressMeasure.py``, the UN ESCAP Asia and the Pacific SDG Progress Report technical
notes and the SDSN Sustainable Development Report.

>>> import pandas as pd
>>> obs = pd.DataFrame({"series_code": "S", "area_code": "A", "year": [2015, 2020],
...                     "value": [80.0, 90.0], "direction": "increase", "target_value": 100})
>>> assess(obs, "unsd-2023")[["method", "edition", "status", "label"]].iloc[0].tolist()
['unsd-2023', '2023', 'met', 'Target met or on track (substantial progress)']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd

from urbanagenda.assess.inputs import GROUP_KEYS, MethodInput, build_input, summarise
from urbanagenda.assess.methods._common import (
    INSUFFICIENT,
    edition_of,
    labels,
    load_method_config,
)
from urbanagenda.assess.methods.escap import escap_anticipated_progress
from urbanagenda.assess.methods.opensdg import opensdg_progress_measure
from urbanagenda.assess.methods.sdsn import sdsn_trend
from urbanagenda.assess.methods.unsd import unsd_2022_growth_ratio, unsd_expected_level_ratio
from urbanagenda.errors import MethodError
from urbanagenda.model.catalogue import Catalogue

__all__ = [
    "INSUFFICIENT",
    "METHODS",
    "OUTPUT_COLUMNS",
    "MethodFunction",
    "assess",
    "assess_input",
    "load_method_config",
    "status_codes",
]

#: ``function(summary, points, edition_parameters) -> result columns``
MethodFunction = Callable[[pd.DataFrame, pd.DataFrame, Mapping[str, Any]], pd.DataFrame]

_FUNCTIONS: dict[str, MethodFunction] = {
    "unsd_2022_growth_ratio": unsd_2022_growth_ratio,
    "unsd_expected_level_ratio": unsd_expected_level_ratio,
    "opensdg_progress_measure": opensdg_progress_measure,
    "escap_anticipated_progress": escap_anticipated_progress,
    "sdsn_trend": sdsn_trend,
}

#: Method name → function, as the bundled configuration names them.
METHODS: Mapping[str, MethodFunction] = MappingProxyType(
    {name: _FUNCTIONS[spec["function"]] for name, spec in load_method_config()["methods"].items()}
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    *GROUP_KEYS,
    "method",
    "edition",
    "status",
    "label",
    "score",
    "cagr_actual",
    "cagr_required",
    "ratio",
    "base_year",
    "base_value",
    "latest_year",
    "latest_value",
    "target_value",
    "reason",
)


def status_codes(method: str, config: Mapping[str, Any] | None = None) -> list[str]:
    """Every status code a method can give, ``insufficient_data`` last."""
    cfg = load_method_config() if config is None else config
    return [*cfg["methods"][method]["statuses"], INSUFFICIENT]


def _resolve(method: str, config: Mapping[str, Any]) -> MethodFunction:
    methods = config["methods"]
    if method not in methods:
        raise MethodError(
            f"unknown progress method {method!r}; choose one of {', '.join(methods)}."
        )
    name = methods[method]["function"]
    if name not in _FUNCTIONS:
        raise MethodError(
            f"method {method!r} names the function {name!r}, which does not exist; use one "
            f"of {', '.join(_FUNCTIONS)}."
        )
    return _FUNCTIONS[name]


def assess_input(
    inp: MethodInput,
    method: str,
    *,
    edition: str | None = None,
    config: Mapping[str, Any] | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """:func:`assess` on an input built with :func:`urbanagenda.assess.inputs.build_input`."""
    cfg = load_method_config() if config is None else config
    function = _resolve(method, cfg)
    chosen, params = edition_of(cfg, method, edition)
    summary = summarise(inp)
    verdict = function(summary, inp.points, params)
    label = verdict["status"].map(labels(cfg, method, language))
    no_target = cfg["methods"][method].get("no_target_labels", {})
    if no_target:
        untargeted = pd.Series(summary["target_value"]).isna().to_numpy()
        for code, text in no_target.items():
            hit = untargeted & (verdict["status"] == code).to_numpy()
            label = label.mask(hit, str(text[language]))
    out = summary[list(GROUP_KEYS)].assign(
        method=method,
        edition=chosen,
        status=verdict["status"],
        label=label,
        score=verdict["score"],
        cagr_actual=verdict["cagr_actual"],
        cagr_required=verdict["cagr_required"],
        ratio=verdict["ratio"],
        base_year=summary["base_year"],
        base_value=summary["base_value"],
        latest_year=summary["latest_year"],
        latest_value=summary["latest_value"],
        target_value=summary["target_value"],
        reason=verdict["reason"],
    )
    return out[list(OUTPUT_COLUMNS)]


def assess(
    frame: pd.DataFrame,
    method: str,
    *,
    edition: str | None = None,
    as_of: int | None = None,
    config: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Assess progress of every series group of an observation frame with one method.

    ``frame``: observations (``series_code, area_code, year, value``; optional ``sex``,
    ``age``, ``location``, ``breakdown``, ``unit`` and the per-row parameters
    ``target_value``, ``direction``, ``limit``, ``base_year``, ``target_year``, which win
    over the catalogue).  ``method``: a name of :data:`METHODS`; ``edition``: one of its
    editions in the configuration (default: the method's default edition); ``as_of``:
    ignore observations after this year; ``config``: a configuration document (default:
    the bundled one, see :func:`load_method_config`); ``language``: ``en`` or ``zh`` labels.

    Returns one row per group with the columns of :data:`OUTPUT_COLUMNS`.
    """
    cfg = load_method_config() if config is None else config
    _resolve(method, cfg)
    if language not in ("en", "zh"):
        raise MethodError(f"labels exist in 'en' and 'zh', not {language!r}")
    inp = build_input(frame, catalogue, as_of=as_of)
    return assess_input(inp, method, edition=edition, config=cfg, language=language)
