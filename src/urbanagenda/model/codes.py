"""Code lists of the global SDG DSD (IAEG-SDGs:SDG 1.14) used to check dimension codes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from importlib import resources

from urbanagenda.errors import ConfigError

__all__ = ["DSD_RESOURCE", "codelist", "dsd_path"]

DSD_RESOURCE = ("urbanagenda.data", "sdmx/IAEG-SDGs_SDG_DSD.xml")
_STR = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
_COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"


def dsd_path() -> str:
    """File system path of the bundled global SDG DSD."""
    return str(resources.files(DSD_RESOURCE[0]).joinpath(DSD_RESOURCE[1]))


@cache
def _codelists() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    try:
        tree = ET.parse(dsd_path())
    except (OSError, ET.ParseError) as exc:
        raise ConfigError(
            f"cannot read the bundled SDG DSD {dsd_path()}: {exc}; reinstall urbanagenda"
        ) from exc
    for cl in tree.iter(f"{_STR}Codelist"):
        codes: dict[str, str] = {}
        for code in cl.findall(f"{_STR}Code"):
            name = ""
            for n in code.findall(f"{_COM}Name"):
                if n.get("{http://www.w3.org/XML/1998/namespace}lang") == "en":
                    name = n.text or ""
            codes[code.get("id", "")] = name
        out[cl.get("id", "")] = codes
    return out


def codelist(cl_id: str) -> dict[str, str]:
    """Codes (id → English name) of a DSD code list, e.g. ``codelist("CL_SEX")``."""
    try:
        return _codelists()[cl_id]
    except KeyError:
        raise ConfigError(
            f"the SDG DSD has no code list {cl_id!r}; known: {sorted(_codelists())}"
        ) from None
