"""The NUA national reporting template (``templates/nua_report_<version>.yaml``): the
sections of the reporting guidelines with guidance, the SDG 11 targets and NUA commitments
each covers, and suggested indicator series.  OWNER: documents helper."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CURRENT_TEMPLATE", "ReportTemplate", "TemplateSection", "load_template"]

CURRENT_TEMPLATE = "2024.1"


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


def load_template(version: str = CURRENT_TEMPLATE) -> ReportTemplate:
    raise NotImplementedError
