"""What every progress method shares: configuration, verdicts, bands and the edge rules."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from urbanagenda.errors import ConfigError

INSUFFICIENT = "insufficient_data"
RESULT_COLUMNS = ("status", "score", "cagr_actual", "cagr_required", "ratio", "reason")


# ----------------------------------------------------------------------------- configuration


@cache
def _bundled() -> dict[str, Any]:
    text = (
        resources.files("urbanagenda.assess")
        .joinpath("config", "methods.yaml")
        .read_text(encoding="utf-8")
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return check_config(yaml.load(text, Loader=loader))


def load_method_config(path: str | Path | None = None) -> dict[str, Any]:
    """The method configuration: the bundled ``assess/config/methods.yaml`` or a user's file.

    A user's file has the same structure; it may hold only some methods or editions, which
    then replace or extend the bundled ones (a deep merge).
    """
    bundled = copy.deepcopy(_bundled())
    if path is None:
        return bundled
    try:
        user = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"cannot read the method configuration {str(path)!r}: {exc}. Expected a YAML file "
            "shaped like urbanagenda/assess/config/methods.yaml."
        ) from exc
    if not isinstance(user, dict):
        raise ConfigError(f"the method configuration {str(path)!r} is not a YAML mapping")
    return check_config(merge(bundled, user))


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of two configuration documents; ``extra`` wins."""
    out = copy.deepcopy(dict(base))
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def check_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Raise ConfigError unless every method has its editions and a label for every status."""
    methods = config.get("methods")
    if not isinstance(methods, Mapping) or not methods:
        raise ConfigError("the method configuration has no 'methods' mapping")
    for name, spec in methods.items():
        for key in ("function", "default_edition", "editions", "statuses"):
            if key not in spec:
                raise ConfigError(f"method {name!r} has no {key!r} in the method configuration")
        if str(spec["default_edition"]) not in {str(e) for e in spec["editions"]}:
            raise ConfigError(
                f"method {name!r}: default_edition {spec['default_edition']!r} is not one of "
                f"its editions {sorted(map(str, spec['editions']))}"
            )
        for code, labels in spec["statuses"].items():
            if not {"en", "zh"} <= set(labels):
                raise ConfigError(f"method {name!r}: status {code!r} needs labels en and zh")
    for code, labels in config.get("reasons", {}).items():
        if not {"en", "zh"} <= set(labels):
            raise ConfigError(f"reason {code!r} needs labels en and zh")
    return dict(config)


def edition_of(config: Mapping[str, Any], method: str, edition: str | None) -> tuple[str, dict]:
    """The edition name and its parameters (ConfigError naming the choices when unknown)."""
    spec = config["methods"][method]
    editions = {str(k): v for k, v in spec["editions"].items()}
    chosen = str(spec["default_edition"]) if edition is None else str(edition)
    if chosen not in editions:
        raise ConfigError(
            f"method {method!r} has no edition {chosen!r}; choose one of {sorted(editions)} "
            "or add it to the method configuration."
        )
    return chosen, editions[chosen]


def labels(config: Mapping[str, Any], method: str, language: str = "en") -> dict[str, str]:
    """Status code → label in ``language`` (``en`` or ``zh``), ``insufficient_data`` included."""
    spec = config["methods"][method]["statuses"]
    out = {code: str(text[language]) for code, text in spec.items()}
    out[INSUFFICIENT] = str(config["insufficient_data"][language])
    return out


# ----------------------------------------------------------------------------- verdicts


class Verdicts:
    """Statuses given in order of precedence: the first rule that decides a row wins."""

    def __init__(self, n: int) -> None:
        self.status = np.full(n, None, dtype=object)
        self.reason = np.full(n, None, dtype=object)
        self.open = np.ones(n, dtype=bool)

    def give(self, mask: np.ndarray, status: np.ndarray | str) -> np.ndarray:
        """Decide the still open rows of ``mask``; return the rows decided now."""
        now = mask & self.open
        if isinstance(status, str):
            self.status[now] = status
        else:
            self.status[now] = status[now]
        self.open &= ~now
        return now

    def refuse(self, mask: np.ndarray, reason: str) -> np.ndarray:
        now = self.give(mask, INSUFFICIENT)
        self.reason[now] = reason
        return now


def bands(values: np.ndarray, spec: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """The status of the first band whose ``min`` the value reaches (``min: null`` = rest).

    >>> bands(np.array([1.0, 0.6, -3.0]), [{"status": "a", "min": 0.95},
    ...       {"status": "b", "min": 0.5}, {"status": "c", "min": None}]).tolist()
    ['a', 'b', 'c']
    """
    conditions = [
        np.ones(len(values), bool) if b["min"] is None else values >= float(b["min"]) for b in spec
    ]
    return np.select(conditions, [b["status"] for b in spec], default=spec[-1]["status"]).astype(
        object
    )


def bands_per_series(
    values: np.ndarray, series: np.ndarray, section: Mapping[str, Any]
) -> np.ndarray:
    """:func:`bands` with ``section['default']`` and per-series overrides."""
    out = bands(values, section["default"])
    for code, spec in (section.get("per_series") or {}).items():
        mask = series == code
        if mask.any():
            out[mask] = bands(values[mask], spec)
    return out


def common_refusals(s: pd.DataFrame, v: Verdicts, *, min_points: int = 2) -> None:
    """The edge rules of every method, in this order: duplicate years, missing or invalid
    direction, fewer than ``min_points`` observations from the base year on, base year not
    before the target year."""
    v.refuse(s["duplicate"].to_numpy(), "duplicate_years")
    problem = s["direction_problem"].to_numpy()
    v.refuse(problem == 1, "missing_direction")
    v.refuse(problem == 2, "invalid_direction")
    v.refuse(s["n_points"].to_numpy() < min_points, "fewer_than_2_points")
    base = s["base_year"].to_numpy(dtype="float64", na_value=np.nan)
    v.refuse(base >= s["target_year"].to_numpy(), "base_year_after_target_year")


def arrays(s: pd.DataFrame) -> dict[str, np.ndarray]:
    """The summary columns a method computes with, as float arrays."""
    f = "float64"
    return {
        "d": s["direction"].to_numpy().astype(f),
        "vb": s["base_value"].to_numpy(dtype=f),
        "vt": s["latest_value"].to_numpy(dtype=f),
        "vs": s["target_value"].to_numpy(dtype=f),
        "b": s["base_year"].to_numpy(dtype=f, na_value=np.nan),
        "t": s["latest_year"].to_numpy(dtype=f, na_value=np.nan),
        "T": s["target_year"].to_numpy(dtype=f),
        "limit": s["limit"].to_numpy(dtype=f),
        "worst_limit": s["worst_limit"].to_numpy(dtype=f),
    }


def cagr(end: np.ndarray, start: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Compound annual growth rate ``(end/start)^(1/years) - 1``; NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.power(end / start, 1.0 / years) - 1.0
    return np.where(np.isfinite(out), out, np.nan)


def result(n: int) -> dict[str, np.ndarray]:
    return {c: np.full(n, np.nan) for c in ("score", "cagr_actual", "cagr_required", "ratio")}


def frame_of(v: Verdicts, numbers: Mapping[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """The method's result columns; undecided rows cannot remain."""
    if v.open.any():  # pragma: no cover - a method must decide every row
        raise AssertionError(f"{int(v.open.sum())} rows left undecided")
    out = pd.DataFrame({"status": v.status, **numbers, "reason": v.reason}, index=index)
    refused = v.status == INSUFFICIENT
    for c in ("score", "cagr_actual", "cagr_required", "ratio"):
        col = out[c].to_numpy(dtype="float64")
        # no number for a group that could not be assessed; -0.0 prints as 0
        out[c] = np.where(np.isfinite(col) & ~refused, col, np.nan) + 0.0
    return out[list(RESULT_COLUMNS)]
