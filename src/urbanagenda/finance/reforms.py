"""The documented catalogue of causes of revenue gaps and the reforms that close them
(``data/reforms.yaml``), and the recommendations it gives for a stream's gap.

A stream's gap splits into coverage, compliance, valuation and rate parts (METHODS.md §4).
Each part points at a cause a finance officer can act on: properties missing from the roll
(coverage), owners on the roll who do not pay (compliance), an outdated valuation roll
(valuation), rates or fees below the legislated ones (rate).  :func:`recommend` turns the
parts of one stream into :class:`~urbanagenda.finance.model.Recommendation` records —
the matching catalogue entries with the revenue at stake — so that the reforms worth most
come first.  Every entry cites the public guidance it follows (UN-Habitat's ROSRA, the World
Bank's municipal finance handbook, ICTD and IMF work on property tax …).

The catalogue is bundled data, read and checked once: a broken catalogue is a packaging
error (:class:`~urbanagenda.errors.ConfigError` listing every problem), never a user's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from urbanagenda.errors import ConfigError, DataError
from urbanagenda.finance.model import PARTS, STREAM_KINDS, Recommendation, to_jsonable

__all__ = ["HORIZONS", "MIN_SHARE", "STREAM_PARTS", "Reform", "catalogue", "recommend"]

#: A part is worth a recommendation when it is at least this share of the stream's gap.
MIN_SHARE = 0.05
HORIZONS: tuple[str, ...] = ("short", "medium", "long")

_USER_PARTS: tuple[str, ...] = ("compliance", "rate")
#: The parts each stream kind's gap can have (its formulas in METHODS.md §4): the pairs the
#: catalogue must cover.
STREAM_PARTS: dict[str, tuple[str, ...]] = {
    "property_tax": PARTS,
    "business_licence": ("coverage", "compliance", "rate"),
    "user_charge_short": _USER_PARTS,
    "user_charge_long": _USER_PARTS,
    "user_charge_mixed": _USER_PARTS,
    "other_tax": _USER_PARTS,
}

_ENTRY_FIELDS = ("id", "parts", "kinds", "cause", "reform", "actions", "horizon", "sources")
_TEXT_FIELDS = ("cause", "reform")


@dataclass(frozen=True)
class Reform:
    """A catalogue entry: a cause of part of a gap and the reform that addresses it."""

    id: str
    parts: tuple[str, ...]  # among PARTS
    kinds: tuple[str, ...]  # among STREAM_KINDS, or ("any",)
    cause: str
    reform: str
    actions: tuple[str, ...]
    horizon: str  # short | medium | long
    sources: tuple[str, ...]  # full citations, each ending with its URL when it has one

    def applies_to(self, kind: str, part: str) -> bool:
        return part in self.parts and ("any" in self.kinds or kind in self.kinds)

    def to_dict(self) -> dict[str, Any]:
        out = to_jsonable(self)
        assert isinstance(out, dict)
        return out


def catalogue() -> tuple[Reform, ...]:
    """Every entry of the catalogue, in its file order (for the API and the pages)."""
    return _catalogue()


def recommend(
    kind: str, stream: str, parts: Mapping[str, float], gap: float
) -> tuple[Recommendation, ...]:
    """Recommendations for the stream ``stream`` of ``kind`` whose gap ``gap`` splits into
    ``parts`` (central values, keys among :data:`~.model.PARTS`).

    A part is worth a recommendation when it is positive and at least :data:`MIN_SHARE` of
    the gap; each catalogue entry matching (kind, part) gives one, with the part's amount and
    its share of the gap.  Largest amount first; equal amounts keep the catalogue's order.
    No gap, no recommendation.
    """
    if kind not in STREAM_KINDS:
        raise DataError(
            f"unknown stream kind {kind!r} for stream {stream!r}; "
            f"use one of: {', '.join(STREAM_KINDS)}."
        )
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise DataError(
            f"unknown gap part(s) {', '.join(map(repr, unknown))} for stream {stream!r}; "
            f"the parts are {', '.join(PARTS)} (the residual is not a part)."
        )
    values = {"gap": gap, **{f"part {p}": v for p, v in parts.items()}}
    bad = [name for name, v in values.items() if not math.isfinite(v)]
    if bad:
        raise DataError(
            f"stream {stream!r}: {', '.join(bad)} not a finite number; "
            "compute the gap and its parts from finite inputs."
        )
    if gap <= 0:
        return ()
    found: list[tuple[float, int, Recommendation]] = []
    order = 0
    for part in PARTS:
        amount = parts.get(part, 0.0)
        if amount <= 0 or amount < MIN_SHARE * gap:
            continue
        for entry in _catalogue():
            if entry.applies_to(kind, part):
                rec = Recommendation(
                    id=entry.id,
                    stream=stream,
                    part=part,
                    amount=amount,
                    share=amount / gap,
                    cause=entry.cause,
                    reform=entry.reform,
                    actions=entry.actions,
                    horizon=entry.horizon,
                    sources=entry.sources,
                )
                found.append((-amount, order, rec))
                order += 1
    return tuple(rec for _, _, rec in sorted(found, key=lambda t: (t[0], t[1])))


# --------------------------------------------------------------------------- loading


@cache
def _catalogue() -> tuple[Reform, ...]:
    try:
        raw = resources.files("urbanagenda.finance").joinpath("data", "reforms.yaml")
        data = yaml.safe_load(raw.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - a packaging error
        raise ConfigError(f"the reforms catalogue could not be read: {exc}") from exc
    return _parse(data)


def _parse(data: Any) -> tuple[Reform, ...]:
    """The catalogue's entries, or :class:`ConfigError` listing every problem found."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ConfigError("reforms.yaml: the catalogue must be a mapping with sources and entries")
    citations = _parse_sources(data.get("sources"), problems)
    entries_data = data.get("entries")
    if not isinstance(entries_data, list) or not entries_data:
        problems.append("entries: a non-empty list of entries is required")
        entries_data = []
    entries: list[Reform] = []
    seen: set[str] = set()
    for i, item in enumerate(entries_data):
        entry = _parse_entry(f"entries[{i}]", item, citations, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(f"entries[{i}].id: {entry.id!r} is used twice; ids must be unique")
        seen.add(entry.id)
        entries.append(entry)
    for kind, kind_parts in STREAM_PARTS.items():
        for part in kind_parts:
            if not any(e.applies_to(kind, part) for e in entries):
                problems.append(
                    f"no entry covers the {part} part of {kind} streams; add one "
                    f"(parts: [{part}], kinds: [{kind}])"
                )
    if problems:
        raise ConfigError(
            f"reforms.yaml has {len(problems)} problem(s):\n- " + "\n- ".join(problems)
        )
    return tuple(entries)


def _parse_sources(data: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(data, Mapping) or not data:
        problems.append("sources: a mapping of source ids to {citation, url} is required")
        return {}
    out: dict[str, str] = {}
    for sid, src in data.items():
        citation = src.get("citation") if isinstance(src, Mapping) else None
        if not isinstance(citation, str) or not citation.strip():
            problems.append(
                f"sources.{sid}.citation: a citation (authors, year, title) is required"
            )
            continue
        url = src.get("url")
        out[str(sid)] = " ".join(citation.split()) + (f" {url}" if url else "")
    return out


def _parse_entry(
    path: str, item: Any, citations: Mapping[str, str], problems: list[str]
) -> Reform | None:
    if not isinstance(item, Mapping):
        problems.append(f"{path}: an entry must be a mapping")
        return None
    start = len(problems)
    extra = sorted(set(map(str, item)) - set(_ENTRY_FIELDS))
    if extra:
        problems.append(f"{path}: unknown field(s) {', '.join(extra)}")
    eid = item.get("id")
    if not isinstance(eid, str) or not eid:
        problems.append(f"{path}.id: an id is required")
    for name in _TEXT_FIELDS:
        if not isinstance(item.get(name), str) or not item[name].strip():
            problems.append(f"{path}.{name}: text is required")
    parts = _str_list(path, "parts", item, PARTS, problems)
    kinds = _str_list(path, "kinds", item, (*STREAM_KINDS, "any"), problems)
    actions = _str_list(path, "actions", item, None, problems)
    sources = _str_list(path, "sources", item, tuple(citations), problems)
    if item.get("horizon") not in HORIZONS:
        problems.append(f"{path}.horizon: {item.get('horizon')!r}; use one of {HORIZONS}")
    if len(problems) > start:
        return None
    return Reform(
        id=str(eid),
        parts=parts,
        kinds=kinds,
        cause=" ".join(str(item["cause"]).split()),
        reform=" ".join(str(item["reform"]).split()),
        actions=tuple(" ".join(a.split()) for a in actions),
        horizon=str(item["horizon"]),
        sources=tuple(citations[s] for s in sources),
    )


def _str_list(
    path: str,
    name: str,
    item: Mapping[str, Any],
    allowed: tuple[str, ...] | None,
    problems: list[str],
) -> tuple[str, ...]:
    value = item.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(f"{path}.{name}: a non-empty list of text is required")
        return ()
    if allowed is not None:
        wrong = [v for v in value if v not in allowed]
        if wrong:
            problems.append(
                f"{path}.{name}: unknown {', '.join(map(repr, wrong))}; "
                f"use among {', '.join(allowed)}"
            )
    return tuple(value)
