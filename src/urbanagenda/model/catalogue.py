"""The indicator catalogue: SDG 11, its series and units, the New Urban Agenda and the UMF.

The catalogue is versioned data in ``urbanagenda/catalogue/*.yaml`` (``catalogue.yaml`` is the
manifest and the register of sources every value cites); this module only reads and checks
it.  Goal 11 follows the global indicator framework (A/RES/71/313 after the 2020 review),
series codes and units the global SDG DSD IAEG-SDGs:SDG(1.14), aggregation rules
``METHODS.md`` section 2.  Series and indicators are linked many-to-many, as are NUA sections,
SDG targets and UMF cells (:class:`FrameworkLink`).

>>> cat = load_catalogue()
>>> len(cat.targets), len(cat.indicators)
(10, 15)
>>> slum = cat.series["EN_LND_SLUM"]
>>> slum.unit, slum.direction, slum.aggregation, slum.aggregation_weight
('PT', 'decrease', 'sum_of_parts', 'urban_population')
>>> [s.code for s in cat.series_of_indicator("11.1.1")]
['EN_LND_SLUM', 'EN_LND_SLUMN']
>>> cat.unit_code(" percent "), cat.unit_code("mgr/m^3"), cat.unit_code("furlongs")
('PT', 'GPERM3', None)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import pandas as pd
import yaml

from urbanagenda.errors import ConfigError
from urbanagenda.model.units import Unit, synonym_index, synonym_key

__all__ = [
    "AGGREGATIONS",
    "DIRECTIONS",
    "LINK_KINDS",
    "Catalogue",
    "FrameworkLink",
    "Goal",
    "Indicator",
    "NuaCommitment",
    "Series",
    "Source",
    "Target",
    "UmfCell",
    "Unit",
    "load_catalogue",
    "read_catalogue",
    "translated_names",
]

DIRECTIONS = ("increase", "decrease")
AGGREGATIONS = ("sum_of_parts", "population_weighted_mean", "simple_mean", "sum", "none")
LINK_KINDS = ("goal", "target", "indicator", "series", "nua", "umf")
SERIES_SOURCE_FIELDS = (
    "name",
    "indicators",
    "unit",
    "direction",
    "target_2030",
    "limits",
    "aggregation",
)
_INDICATOR = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")
_TARGET = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}$")


def _need(ok: bool, problem: str) -> None:
    if not ok:
        raise ConfigError(problem)


@dataclass(frozen=True, slots=True)
class Source:
    """A document or data file that catalogue values cite, by its key."""

    key: str
    title: str
    reference: str
    verified: bool


@dataclass(frozen=True, slots=True)
class Goal:
    code: str
    title: str
    source: str

    def __post_init__(self) -> None:
        _need(self.code.isdigit(), f"goal code {self.code!r} is not a number such as '11'")


@dataclass(frozen=True, slots=True)
class Target:
    code: str
    goal: str
    title: str
    source: str
    notes: str = ""

    def __post_init__(self) -> None:
        _need(bool(_TARGET.match(self.code)), f"target code {self.code!r} is not like '11.1'")
        _need(
            self.code.startswith(self.goal + "."), f"target {self.code} is not in goal {self.goal}"
        )


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    target: str
    name: str
    dsd_code: str
    source: str

    def __post_init__(self) -> None:
        _need(bool(_INDICATOR.match(self.code)), f"indicator {self.code!r} is not like '11.1.1'")
        _need(self.code.startswith(self.target + "."), f"{self.code} is not in {self.target}")


@dataclass(frozen=True, slots=True)
class Series:
    """A data series with what progress assessment and aggregation need to know about it."""

    code: str
    name: str
    unit: str
    indicators: tuple[str, ...]
    direction: str | None
    target_2030: float | None
    natural_limit: float | None
    lower_limit: float | None
    aggregation: str
    aggregation_weight: str | None
    global_series: bool
    sources: tuple[str, ...]
    numerator: str | None = None
    denominator: str | None = None
    in_ddf: bool = False
    value_sources: tuple[tuple[str, str], ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        lo, hi, t = self.lower_limit, self.natural_limit, self.target_2030
        weighted = self.aggregation in ("sum_of_parts", "population_weighted_mean")
        has_parts = self.numerator is not None and self.denominator is not None
        checks = [
            (bool(self.indicators) or not self.global_series,
             "a global series needs at least one indicator (context series may have none)"),
            (all(map(_INDICATOR.match, self.indicators)), f"{self.indicators} not like '11.1.1'"),
            (self.direction in (*DIRECTIONS, None), f"direction {self.direction!r} not in "
             f"{DIRECTIONS} or null"),
            (self.aggregation in AGGREGATIONS, f"aggregation {self.aggregation!r} not in "
             f"{AGGREGATIONS}"),
            (weighted == (self.aggregation_weight is not None), "aggregation_weight goes with, "
             "and only with, sum_of_parts and population_weighted_mean"),
            (has_parts == (self.aggregation == "sum_of_parts"), "numerator and denominator go "
             "with, and only with, sum_of_parts"),
            (lo is None or hi is None or lo < hi, f"lower_limit {lo} not below natural_limit {hi}"),
            (t is None or ((lo is None or t >= lo) and (hi is None or t <= hi)),
             f"target_2030 {t} outside the limits [{lo}, {hi}]"),
        ]  # fmt: skip
        for ok, problem in checks:
            _need(ok, problem)


@dataclass(frozen=True, slots=True)
class NuaCommitment:
    """A part or section of the New Urban Agenda with its paragraph range."""

    code: str
    title: str
    parent: str | None
    level: str
    para_first: int
    para_last: int
    paragraphs_verified: bool
    source: str
    notes: str = ""

    def __post_init__(self) -> None:
        _need(self.level in ("part", "section"), f"level {self.level!r} is not part or section")
        _need(
            1 <= self.para_first <= self.para_last <= 175,
            f"paragraphs {self.para_first}-{self.para_last} are not a range within 1-175",
        )


@dataclass(frozen=True, slots=True)
class UmfCell:
    """One domain × objective cell of the Urban Monitoring Framework."""

    code: str
    domain: str
    domain_name: str
    objective: str
    objective_name: str
    name: str
    source: str

    def __post_init__(self) -> None:
        expected = f"{self.domain}-{self.objective}"
        _need(self.code == expected, f"cell code {self.code!r} is not {expected!r}")


@dataclass(frozen=True, slots=True)
class FrameworkLink:
    """A many-to-many link between elements of the frameworks (e.g. NUA section → target)."""

    from_kind: str
    from_code: str
    to_kind: str
    to_code: str
    relation: str
    source: str
    notes: str = ""

    def __post_init__(self) -> None:
        for kind in (self.from_kind, self.to_kind):
            _need(kind in LINK_KINDS, f"link kind {kind!r} is not one of {LINK_KINDS}")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The loaded catalogue; dictionaries map codes to objects in file order."""

    version: str
    sources: Mapping[str, Source]
    goals: Mapping[str, Goal]
    targets: Mapping[str, Target]
    indicators: Mapping[str, Indicator]
    series: Mapping[str, Series]
    units: Mapping[str, Unit]
    nua: Mapping[str, NuaCommitment]
    umf: Mapping[str, UmfCell]
    links: tuple[FrameworkLink, ...]
    unit_synonyms: Mapping[str, str] = field(repr=False, default_factory=dict)

    def unit_code(self, raw: str) -> str | None:
        """The unit code of a unit as spelt by an input (case-insensitive, trimmed), or None."""
        return self.unit_synonyms.get(synonym_key(raw)) if isinstance(raw, str) else None

    def unit_from_sdmx(self, unit_measure: str, unit_mult: int = 0) -> str | None:
        """The unit code of an SDMX UNIT_MEASURE with a UNIT_MULT power of ten, or None."""
        for unit in self.units.values():
            if unit.sdmx_code == unit_measure and unit.unit_mult == unit_mult:
                return unit.code
        return None

    def series_of_indicator(self, code: str) -> list[Series]:
        """The series that measure an indicator (any goal), in catalogue order."""
        return [s for s in self.series.values() if code in s.indicators]

    def indicators_of_target(self, code: str) -> list[Indicator]:
        """The indicators of a target, in catalogue order."""
        return [i for i in self.indicators.values() if i.target == code]

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """One flat frame per table, e.g. to be written to a database."""

        frame = pd.DataFrame

        def series_row(s: Series) -> dict[str, Any]:
            row = {k: v for k, v in _asdict(s).items() if k != "value_sources"}
            return row | {f"source_{k}": v for k, v in s.value_sources}

        return {
            "sources": frame([_asdict(s) for s in self.sources.values()]),
            "goals": frame([_asdict(g) for g in self.goals.values()]),
            "targets": frame([_asdict(t) for t in self.targets.values()]),
            "indicators": frame([_asdict(i) for i in self.indicators.values()]),
            "series": frame([series_row(s) for s in self.series.values()]).astype(
                {"target_2030": "float64", "natural_limit": "float64", "lower_limit": "float64"}
            ),
            "series_indicator": frame(
                [
                    {
                        "series_code": s.code,
                        "indicator_code": i,
                        "goal_code": i.split(".")[0],
                        "in_catalogue": i in self.indicators,
                    }
                    for s in self.series.values()
                    for i in s.indicators
                ]
            ),
            "units": frame(
                [
                    {**_asdict(u), "synonyms": ";".join(u.synonyms), "in_dsd": u.in_dsd}
                    for u in self.units.values()
                ]
            ),
            "unit_synonyms": frame(
                [{"synonym": k, "unit_code": v} for k, v in self.unit_synonyms.items()]
            ),
            "nua_commitments": frame([_asdict(n) for n in self.nua.values()]),
            "umf_cells": frame([_asdict(c) for c in self.umf.values()]),
            "framework_links": frame([_asdict(link) for link in self.links]),
        }


def _asdict(obj: Any) -> dict[str, Any]:
    """Flat row of a dataclass: tuples of strings joined with ';'."""
    row = {k: getattr(obj, k) for k in obj.__dataclass_fields__}
    joinable = {
        k for k, v in row.items() if isinstance(v, tuple) and all(isinstance(x, str) for x in v)
    }
    return {k: ";".join(v) if k in joinable else v for k, v in row.items()}


# ---------------------------------------------------------------------------- loading

_FILES = ("sdg11.yaml", "series.yaml", "units.yaml", "nua.yaml", "umf.yaml")
_NUM = (int, float)
_REQUIRED = object()


def _package_text(name: str) -> str:
    return resources.files("urbanagenda").joinpath("catalogue", name).read_text(encoding="utf-8")


@cache
def load_catalogue() -> Catalogue:
    """The catalogue bundled with the package (read once, then cached)."""
    return read_catalogue(_package_text)


def read_catalogue(read_text: Callable[[str], str] = _package_text) -> Catalogue:
    """Read and check the catalogue files; ``read_text(file_name)`` supplies their text.

    Raises :class:`~urbanagenda.errors.ConfigError` naming the file, the entry and the fix.
    """
    manifest = _File("catalogue.yaml", read_text, None, frozenset())
    version = manifest.value(manifest.doc, "version", str, "manifest")
    raw_sources = manifest.value(manifest.doc, "sources", dict, "manifest")
    spec = {"title": str, "reference": str, "verified": bool}
    sources = {
        k: Source(k, **manifest.fields(v, f"sources.{k}", spec)) for k, v in raw_sources.items()
    }
    f = {name: _File(name, read_text, version, frozenset(sources)) for name in _FILES}

    sdg = f["sdg11.yaml"]
    goals = sdg.table("goals", Goal, {"title": str, "source": str})
    targets = sdg.table(
        "targets", Target, {"goal": str, "title": str, "source": str, "notes": [str, ""]}
    )
    indicators = sdg.table(
        "indicators", Indicator, {"target": str, "name": str, "dsd_code": str, "source": str}
    )
    units = f["units.yaml"].table("units", Unit, _UNIT_SPEC, _unit_kwargs)
    series = f["series.yaml"].table("series", Series, _SERIES_SPEC, _series_kwargs)
    nua = f["nua.yaml"].table("commitments", NuaCommitment, _NUA_SPEC, _nua_kwargs)
    umf_file = f["umf.yaml"]
    names = {k: {r["code"]: r["name"] for r in umf_file.rows(k)} for k in ("domains", "objectives")}
    umf = umf_file.table("cells", UmfCell, _UMF_SPEC, lambda v: _umf_kwargs(v, names))
    links = [*f["nua.yaml"].links("nua", "target"), *umf_file.links("indicator", "umf")]
    try:
        synonyms = synonym_index(units.values())
    except ConfigError as exc:
        raise f["units.yaml"].error("synonyms", str(exc), "edit units.yaml") from exc
    cat = Catalogue(
        version=version,
        sources=MappingProxyType(sources),
        goals=MappingProxyType(goals),
        targets=MappingProxyType(targets),
        indicators=MappingProxyType(indicators),
        series=MappingProxyType(series),
        units=MappingProxyType(units),
        nua=MappingProxyType(nua),
        umf=MappingProxyType(umf),
        links=tuple(links),
        unit_synonyms=MappingProxyType(synonyms),
    )
    _check_references(cat, f, names)
    return cat


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _File:
    """One parsed data file; every problem raises ConfigError naming file, entry and fix."""

    def __init__(
        self, name: str, read_text: Callable[[str], str], version: str | None, known: frozenset[str]
    ) -> None:
        self.name, self.known_sources = name, known
        try:
            # libyaml's safe loader where it is built in: the same documents, 10× faster
            self.doc = yaml.load(read_text(name), Loader=_SAFE_LOADER)
        except (OSError, yaml.YAMLError) as exc:
            raise self.error("(file)", f"cannot be read as YAML: {exc}", "restore it") from exc
        if not isinstance(self.doc, dict):
            raise self.error("(file)", "is not a YAML mapping", "restore it from the repository")
        if version is not None and self.doc.get("version") != version:
            found = self.doc.get("version")
            raise self.error(
                "version",
                f"is {found!r} but catalogue.yaml says {version!r}",
                "release all catalogue files together under one version",
            )

    def error(self, entry: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(f"catalogue file {self.name}, entry {entry}: {problem}. Fix: {fix}.")

    def check(self, ok: bool, entry: str, problem: str, fix: str) -> None:
        if not ok:
            raise self.error(entry, problem, fix)

    def value(self, raw: Any, key: str, kind: Any, entry: str, default: Any = _REQUIRED) -> Any:
        present = isinstance(raw, dict) and key in raw
        self.check(present or default is not _REQUIRED, entry, f"has no {key!r}", f"add {key}")
        value = raw[key] if present else default
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = (value is None and default is None) or (
            isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))
        )
        wanted = " or ".join(k.__name__ for k in kinds)
        # a code such as 11.1 left unquoted is read by YAML as a number
        self.check(ok, entry, f"{key} is {value!r}", f"give {key} as {wanted} (quote codes)")
        return value

    def fields(self, raw: Any, entry: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """``raw`` checked by ``spec`` (key → type, or (type, default)); no unknown keys."""
        self.check(isinstance(raw, dict), entry, f"is {raw!r}, not a mapping", "fix the entry")
        unknown = sorted(set(raw) - set(spec))
        self.check(not unknown, entry, f"has unknown keys {unknown}", "remove or correct them")
        out = {}
        for key, kind in spec.items():
            kind, default = kind if isinstance(kind, list) else (kind, _REQUIRED)
            out[key] = self.value(raw, key, kind, entry, default)
        cited = out.get("source") or out.get("paragraphs_source") or ""
        for keys in [cited, *(out.get("sources") or {}).values()]:
            for key in str(keys).split("+") if keys else ():
                self.check(
                    key in self.known_sources,
                    entry,
                    f"cites unknown source {key!r}",
                    "use a key of `sources` in catalogue.yaml or add it there",
                )
        return out

    def rows(self, key: str) -> list[Any]:
        rows = self.value(self.doc, key, list, key)
        self.check(bool(rows), key, "is empty", "restore its entries")
        return rows

    def table(
        self, key: str, cls: Any, spec: Mapping[str, Any], convert: Callable[..., Any] | None = None
    ) -> dict[str, Any]:
        """Objects of ``cls`` by code from the list ``key``, in file order."""
        out: dict[str, Any] = {}
        for n, raw in enumerate(self.rows(key)):
            code = self.value(raw, "code", str, f"{key}[{n}]")
            self.check(code not in out, code, "is listed twice", "remove the duplicate")
            values = self.fields(raw, code, {"code": str, **spec})
            kwargs = convert(values) if convert else values
            if isinstance(kwargs, str):  # a converter's complaint
                raise self.error(code, kwargs, "correct the entry")
            out[code] = self.make(cls, code, kwargs)
        return out

    def make(self, cls: Any, entry: str, kwargs: dict[str, Any]) -> Any:
        try:
            return cls(**kwargs)
        except ConfigError as exc:
            raise self.error(entry, str(exc), "correct the value") from exc

    def links(self, from_kind: str, to_kind: str) -> list[FrameworkLink]:
        out = []
        for n, raw in enumerate(self.rows("links")):
            v = self.fields(raw, f"links[{n}]", _LINK_SPEC)
            ends = {"from_code": v.pop("from"), "to_code": v.pop("to")}
            v["to_kind"] = v["to_kind"] or to_kind
            out.append(
                self.make(FrameworkLink, f"links[{n}]", {"from_kind": from_kind, **ends, **v})
            )
        return out


# fmt: off
_UNIT_SPEC = {"name": str, "sdmx_code": [str, None], "unit_mult": int, "synonyms": list,
              "sources": dict}
_SERIES_SPEC = {
    "name": str, "indicators": list, "unit": str, "direction": [str, None],
    "target_2030": [_NUM, None], "natural_limit": [_NUM, None], "lower_limit": [_NUM, None],
    "aggregation": str, "aggregation_weight": [str, None], "numerator": [str, None],
    "denominator": [str, None], "global": bool, "in_ddf": [bool, False], "sources": dict,
    "notes": [str, ""],
}
_NUA_SPEC = {"title": str, "parent": [str, None], "level": str, "paragraphs": list,
             "paragraphs_source": str, "notes": [str, ""]}
_UMF_SPEC = {"domain": str, "objective": str, "name": str, "source": str}
_LINK_SPEC = {"from": str, "to": str, "to_kind": [str, None], "relation": str, "source": str,
              "notes": [str, ""]}
# fmt: on


def _source_keys(cited: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted({k for v in cited.values() for k in str(v).split("+")}))


def _unit_kwargs(v: dict[str, Any]) -> dict[str, Any]:
    return v | {"synonyms": tuple(map(str, v["synonyms"])), "sources": _source_keys(v["sources"])}


def _series_kwargs(v: dict[str, Any]) -> dict[str, Any] | str:
    cited = v.pop("sources")
    missing = [k for k in SERIES_SOURCE_FIELDS if k not in cited]
    if missing:
        return f"cites no source for {missing} (add them under sources)"
    for limit in ("target_2030", "natural_limit", "lower_limit"):
        v[limit] = None if v[limit] is None else float(v[limit])
    return v | {
        "indicators": tuple(str(i) for i in v["indicators"]),
        "global_series": v.pop("global"),
        "sources": _source_keys(cited),
        "value_sources": tuple((k, str(s)) for k, s in cited.items()),
    }


def _nua_kwargs(v: dict[str, Any]) -> dict[str, Any] | str:
    paras = v.pop("paragraphs")
    if len(paras) != 2 or not all(isinstance(p, int) for p in paras):
        return f"paragraphs {paras} is not [first, last]"
    source = v.pop("paragraphs_source")
    verified = source == "nua_text"
    first, last = paras
    return v | {
        "para_first": first,
        "para_last": last,
        "paragraphs_verified": verified,
        "source": source,
    }


def _umf_kwargs(v: dict[str, Any], names: Mapping[str, Mapping[str, str]]) -> dict[str, Any] | str:
    domain, objective = names["domains"].get(v["domain"]), names["objectives"].get(v["objective"])
    if domain is None or objective is None:
        return f"domain {v['domain']!r} or objective {v['objective']!r} is not listed"
    return v | {"domain_name": domain, "objective_name": objective}


def _check_references(cat: Catalogue, f: Mapping[str, _File], names: Mapping[str, Any]) -> None:
    """Cross-file checks: every code that one entry names exists in its table."""
    sdg, ser, nua, umf = f["sdg11.yaml"], f["series.yaml"], f["nua.yaml"], f["umf.yaml"]
    for t in cat.targets.values():
        sdg.check(t.goal in cat.goals, t.code, f"goal {t.goal} is not listed", "add the goal")
    for i in cat.indicators.values():
        sdg.check(i.target in cat.targets, i.code, f"target {i.target} is not listed", "add it")
    for s in cat.series.values():
        ser.check(
            s.unit in cat.units,
            s.code,
            f"unit {s.unit!r} is not in units.yaml",
            "use a code of units.yaml or add the unit there",
        )
        unknown = [i for i in s.indicators if i.startswith("11.") and i not in cat.indicators]
        ser.check(not unknown, s.code, f"indicators {unknown} are not in sdg11.yaml", "fix them")
    codes = list(cat.nua)
    for n in cat.nua.values():
        parent = cat.nua.get(n.parent) if n.parent else None
        before = parent is not None and codes.index(parent.code) < codes.index(n.code)
        nua.check(
            n.parent is None or before,
            n.code,
            f"parent {n.parent} is not listed before it",
            "list parents first",
        )
        inside = (
            parent is None or parent.para_first <= n.para_first <= n.para_last <= parent.para_last
        )
        nua.check(inside, n.code, "paragraphs lie outside its parent's", "correct the range")
    expected = {f"{d}-{o}" for d in names["domains"] for o in names["objectives"]}
    umf.check(
        set(cat.umf) == expected,
        "cells",
        f"miss {sorted(expected - set(cat.umf))}",
        "list one cell per domain and objective",
    )
    tables: dict[str, Mapping[str, Any]] = dict(
        goal=cat.goals, target=cat.targets, indicator=cat.indicators, series=cat.series,
        nua=cat.nua, umf=cat.umf,
    )  # fmt: skip
    seen: set[tuple[str, ...]] = set()
    for link in cat.links:
        file = nua if link.from_kind == "nua" else umf
        key = (link.from_kind, link.from_code, link.to_kind, link.to_code)
        for kind, code in ((link.from_kind, link.from_code), (link.to_kind, link.to_code)):
            file.check(
                code in tables[kind],
                f"link {key}",
                f"{kind} {code!r} does not exist",
                "correct the code",
            )
        file.check(key not in seen, f"link {key}", "is listed twice", "remove one")
        seen.add(key)


@cache
def translated_names(lang: str) -> dict[str, dict[str, str]]:
    """Names of goals, targets, indicators, series, statuses, areas and units in ``lang``:
    ``{"target": {"11.1": ...}, ...}`` (empty where there is no translation; callers fall
    back to English).  Kept with the interface translations, in
    ``urbanagenda/web/locale/<lang>/catalogue.yaml``, where translators work on them; read here
    as data, so that what is not the web platform needs no part of it."""
    path = resources.files("urbanagenda").joinpath(f"web/locale/{lang}/catalogue.yaml")
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot read {path}: {exc}; fix the YAML") from exc
    return {str(k): {str(c): str(n) for c, n in (v or {}).items()} for k, v in data.items()}
