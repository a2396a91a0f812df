"""The NUA national reporting template (``templates/nua_report_<version>.yaml``): the
sections of the reporting guidelines with guidance, the SDG 11 targets and NUA commitments
each covers, and suggested indicator series.

The template is versioned data, not code: a report records the version it was started from,
and a new structure is a new file.  Every code in the file is checked against the bundled
catalogue when it is read, so a typo fails loudly (``ConfigError``) instead of giving a
section that can never be pre-filled.  OWNER: documents helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from urbanagenda.errors import ConfigError
from urbanagenda.model.catalogue import load_catalogue

__all__ = [
    "CURRENT_TEMPLATE",
    "PARTS",
    "ReportTemplate",
    "TemplateSection",
    "load_template",
    "read_template",
]

CURRENT_TEMPLATE = "2024.1"

#: The parts of the guidelines, in report order.
PARTS: tuple[str, ...] = (
    "introduction",
    "transformative_commitments",
    "effective_implementation",
    "follow_up_review",
    "annex",
)

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_VERSION = re.compile(r"^[0-9]{4}\.[0-9]+$")


@dataclass(frozen=True, slots=True)
class TemplateSection:
    key: str
    title: str
    part: str
    guidance: str
    targets: tuple[str, ...]
    commitments: tuple[str, ...]
    series: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportTemplate:
    version: str
    title: str
    sections: tuple[TemplateSection, ...]

    def section(self, key: str) -> TemplateSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


def _file_name(version: str) -> str:
    return f"nua_report_{version}.yaml"


def _package_text(version: str) -> str:
    name = _file_name(version)
    path = resources.files("urbanagenda.reporting").joinpath("templates", name)
    if not path.is_file():
        available = sorted(
            p.name.removeprefix("nua_report_").removesuffix(".yaml")
            for p in resources.files("urbanagenda.reporting").joinpath("templates").iterdir()
            if p.name.startswith("nua_report_") and p.name.endswith(".yaml")
        )
        raise ConfigError(
            f"no reporting template version {version!r} (file templates/{name}). "
            f"Available versions: {', '.join(available) or 'none'}."
        )
    return path.read_text(encoding="utf-8")


@cache
def load_template(version: str = CURRENT_TEMPLATE) -> ReportTemplate:
    """The bundled template of that version (read and checked once, then cached)."""
    return read_template(version)


def read_template(
    version: str = CURRENT_TEMPLATE, read_text: Callable[[str], str] = _package_text
) -> ReportTemplate:
    """Read and check a template; ``read_text(version)`` supplies the YAML text.

    Raises :class:`~urbanagenda.errors.ConfigError` naming the file, the section and the fix.
    """
    where = f"templates/{_file_name(version)}"
    try:
        doc = yaml.safe_load(read_text(version))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc}). Fix the syntax.") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: expected a mapping with version, title and sections.")
    if str(doc.get("version")) != version or not _VERSION.match(version):
        raise ConfigError(
            f"{where}: the file says version {doc.get('version')!r}; it must say {version!r} "
            "(YYYY.N, the same as its file name)."
        )
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(f"{where}: 'title' must be a non-empty text.")
    raw = doc.get("sections")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: 'sections' must be a non-empty list.")
    sections = tuple(_section(item, i, where) for i, item in enumerate(raw))
    seen: set[str] = set()
    for s in sections:
        if s.key in seen:
            raise ConfigError(f"{where}: section key {s.key!r} appears twice; keys are unique.")
        seen.add(s.key)
    order = [PARTS.index(s.part) for s in sections]
    if order != sorted(order):
        raise ConfigError(
            f"{where}: the sections' parts are out of order; they must follow {', '.join(PARTS)}."
        )
    return ReportTemplate(version=version, title=title.strip(), sections=sections)


def _codes(item: dict[str, Any], name: str, known: Any, at: str, what: str) -> tuple[str, ...]:
    values = item.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{at}: {name!r} must be a list of codes (texts), got {values!r}.")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ConfigError(
            f"{at}: unknown {what} {', '.join(map(repr, unknown))}; "
            f"use the codes of {_known_in(what)}."
        )
    if len(set(values)) != len(values):
        raise ConfigError(f"{at}: {name!r} lists a code twice.")
    return tuple(values)


def _known_in(what: str) -> str:
    return {
        "SDG 11 target": "catalogue/sdg11.yaml (11.1 ... 11.7, 11.a, 11.b, 11.c)",
        "NUA commitment": "catalogue/nua.yaml (NUA.TC.1 ...)",
        "series": "catalogue/series.yaml (EN_LND_SLUM ...)",
    }[what]


def _section(item: Any, index: int, where: str) -> TemplateSection:
    at = f"{where}, section {index + 1}"
    if not isinstance(item, dict):
        raise ConfigError(f"{at}: expected a mapping (key, title, part, guidance, ...).")
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ConfigError(
            f"{at}: 'key' must be lower case letters, digits and underscores, got {key!r}."
        )
    at = f"{where}, section {key!r}"
    texts = {}
    for name in ("title", "guidance"):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{at}: {name!r} must be a non-empty text.")
        texts[name] = " ".join(value.split())
    part = item.get("part")
    if part not in PARTS:
        raise ConfigError(f"{at}: 'part' must be one of {', '.join(PARTS)}, got {part!r}.")
    extra = set(item) - {"key", "title", "part", "guidance", "targets", "commitments", "series"}
    if extra:
        raise ConfigError(f"{at}: unknown field(s) {', '.join(sorted(extra))}.")
    catalogue = load_catalogue()
    targets = {t for t in catalogue.targets if t.startswith("11.")}
    return TemplateSection(
        key=key,
        title=texts["title"],
        part=str(part),
        guidance=texts["guidance"],
        targets=_codes(item, "targets", targets, at, "SDG 11 target"),
        commitments=_codes(item, "commitments", catalogue.nua, at, "NUA commitment"),
        series=_codes(item, "series", catalogue.series, at, "series"),
    )
