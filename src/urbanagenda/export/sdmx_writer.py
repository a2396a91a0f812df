"""Write observation frames as SDMX data against the global SDG DSD IAEG-SDGs:SDG(1.14).

Two formats:

* :func:`write_sdmx_ml` — an SDMX-ML 2.1 data message, structure-specific (default) or
  generic, built with sdmx1's information model and written with ``sdmx.writer.xml``;
* :func:`write_sdmx_csv` — SDMX-CSV 1.0 (default) or 2.0.0, written with pandas: SDMX-CSV
  is a plain CSV layout, and going through sdmx1's object model costs about 50 times
  more for the same file.  sdmx1 reads the 2.0.0 files back; it has no SDMX-CSV 1.0
  reader, so the tests compare our 1.0 output with ``sdmx.to_csv`` of the same data.

Mapping from the observation frame (:mod:`urbanagenda.model.observations`):

* dimensions: ``FREQ`` is ``A`` (the frame holds annual data); ``REPORTING_TYPE`` is the
  ``reporting_type`` argument, ``N`` (national) by default because what this platform
  exports are a country's or a city's own data — the Open SDG convention; pass ``G`` to
  write in the style of the global SDG database; ``SERIES``, ``REF_AREA``, ``SEX``,
  ``AGE``, ``URBANISATION`` from ``series_code``, ``area_code``, ``sex``, ``age``,
  ``location``; the dimensions named in ``breakdown``; ``_T`` for every other dimension;
  ``TIME_PERIOD`` from ``year``.
* the measure ``OBS_VALUE`` from ``value`` (shortest round-tripping decimal, ``NaN``
  for a missing value).
* attributes: ``UNIT_MEASURE`` (attached to the series in the DSD, so one unit per series
  key), ``NATURE``, ``SOURCE_DETAIL`` and ``COMMENT_OBS`` where non-empty; the DSD's
  other two mandatory attributes are written with their neutral values, ``UNIT_MULT``
  ``0`` (values are in the unit itself) and ``OBS_STATUS`` ``A`` (normal value).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from lxml import etree
from sdmx import message
from sdmx.model import common, v21
from sdmx.writer.xml import writer as _xml_writer

from urbanagenda.errors import DataError
from urbanagenda.ingest.sdmx_reader import (
    BREAKDOWN_DIMENSIONS,
    SDG_DSD_REF,
    sdg_dsd,
)
from urbanagenda.model.observations import COLUMNS, TOTAL, parse_breakdown

__all__ = ["write_sdmx_csv", "write_sdmx_ml"]

#: Attributes written at observation level: frame column → DSD attribute.
_OBS_ATTRIBUTES: Mapping[str, str] = {
    "nature": "NATURE",
    "source": "SOURCE_DETAIL",
    "footnote": "COMMENT_OBS",
}
#: Neutral values of the DSD's mandatory attributes the frame does not carry.
_FIXED_ATTRIBUTES: Mapping[str, str] = {"UNIT_MULT": "0", "OBS_STATUS": "A"}
_REPORTING_TYPES = ("G", "N", "R")
_SENDER_RE = re.compile(r"[A-Za-z0-9_@$\-]+")

_NS_SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
_NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS_MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"


def write_sdmx_ml(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    structure_specific: bool = True,
    reporting_type: str = "N",
    message_id: str | None = None,
    sender: str = "URBANAGENDA",
    prepared: datetime | None = None,
) -> Path:
    """Write ``frame`` as an SDMX-ML 2.1 data message and return the path written.

    ``structure_specific`` chooses ``mes:StructureSpecificData`` (compact, the SDMX
    default for exchange) or ``mes:GenericData``.  The data set is organised in series
    with ``TIME_PERIOD`` at the observation level.  ``prepared`` (the header's time,
    default now in UTC) and ``message_id`` (default ``UA`` + that time) make the output
    reproducible when given.

    Raises :class:`~urbanagenda.errors.DataError` when the frame lacks a column, has a
    breakdown dimension the DSD does not know, or gives two units for one series key.
    """
    _check_arguments(reporting_type, sender)
    rows = _prepare(frame)
    dsd = sdg_dsd()
    prepared = prepared or datetime.now(UTC)
    msg = _build_message(
        rows,
        dsd,
        structure_specific=structure_specific,
        reporting_type=reporting_type,
        header=message.Header(
            id=message_id or f"UA{prepared:%Y%m%dT%H%M%S}",
            prepared=prepared,
            sender=common.Agency(id=sender),
            test=False,
        ),
    )
    root = _xml_writer.recurse(msg)
    if structure_specific:
        root = _standard_structure_specific(root, dsd)
    out = Path(path)
    out.write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    return out


def write_sdmx_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    version: Literal["1.0", "2.0"] = "1.0",
    reporting_type: str = "N",
) -> Path:
    """Write ``frame`` as SDMX-CSV and return the path written.

    Columns: the structure column(s) (``DATAFLOW`` for 1.0; ``STRUCTURE``,
    ``STRUCTURE_ID``, ``ACTION`` for 2.0.0), the 16 dimensions in DSD order,
    ``OBS_VALUE``, then ``UNIT_MEASURE``, ``UNIT_MULT``, ``OBS_STATUS``, ``NATURE``,
    ``SOURCE_DETAIL`` and ``COMMENT_OBS``.  The structure is named by the DSD
    reference ``IAEG-SDGs:SDG(1.14)`` — this package bundles no dataflow — which is what
    sdmx1 itself writes for a data set described by the DSD.
    """
    _check_arguments(reporting_type, "URBANAGENDA")
    if version not in ("1.0", "2.0"):
        raise DataError(
            f"SDMX-CSV version {version!r} is not supported; expected '1.0' or '2.0'. "
            "Pass version='1.0' (the default) or version='2.0'."
        )
    rows = _prepare(frame)
    dsd = sdg_dsd()
    n = len(rows)
    columns: dict[str, Any] = {}
    if version == "1.0":
        columns["DATAFLOW"] = [SDG_DSD_REF] * n
    else:
        columns["STRUCTURE"] = ["datastructure"] * n
        columns["STRUCTURE_ID"] = [SDG_DSD_REF] * n
        columns["ACTION"] = ["I"] * n
    extra = _breakdown_columns(rows["breakdown"])
    for dim in dsd.dimensions.components:
        columns[dim.id] = _dimension_column(dim.id, rows, extra, reporting_type)
    columns["OBS_VALUE"] = [_format_value(v) for v in rows["value"]]
    columns["UNIT_MEASURE"] = rows["unit"].to_numpy()
    for attr, fixed in _FIXED_ATTRIBUTES.items():
        columns[attr] = [fixed] * n
    for col, attr in _OBS_ATTRIBUTES.items():
        columns[attr] = rows[col].to_numpy()
    out = Path(path)
    pd.DataFrame(columns).to_csv(out, index=False, lineterminator="\n")
    return out


# --- shared preparation ---------------------------------------------------------------


def _check_arguments(reporting_type: str, sender: str) -> None:
    if reporting_type not in _REPORTING_TYPES:
        raise DataError(
            f"REPORTING_TYPE {reporting_type!r} is not in CL_REPORTING_TYPE; expected one "
            f"of {', '.join(_REPORTING_TYPES)}. Pass 'N' for nationally (or locally) "
            "produced data, 'G' for the global database's style."
        )
    if not _SENDER_RE.fullmatch(sender):
        raise DataError(
            f"sender {sender!r} is not an SDMX identifier; expected letters, digits and "
            "_@$- only. Pass an identifier such as 'URBANAGENDA'."
        )


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's columns as plain strings (codes) and floats (values), defaults filled."""
    missing = [c for c in ("series_code", "area_code", "year", "value") if c not in frame]
    if missing:
        raise DataError(
            f"The observation frame lacks the column(s) {', '.join(missing)}; expected the "
            f"columns {', '.join(COLUMNS)}. Build the frame with a reader or "
            "urbanagenda.model.observations.empty_frame()."
        )
    n = len(frame)
    rows: dict[str, Any] = {}
    for col in COLUMNS:
        if col in ("year", "value"):
            continue
        if col in frame:
            text = frame[col].astype(object).where(frame[col].notna(), "")
            rows[col] = text.map(str).to_numpy()
        else:
            rows[col] = [""] * n
    for col in ("sex", "age", "location"):
        rows[col] = [code or TOTAL for code in rows[col]]
    try:
        rows["year"] = frame["year"].astype("int64").to_numpy()
        rows["value"] = frame["value"].astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"The observation frame's year or value column is not numeric ({exc}); expected "
            "integer years and float values. Validate the frame before exporting it."
        ) from exc
    out = pd.DataFrame(rows, index=pd.RangeIndex(n))
    for col in ("series_code", "area_code"):
        empty = out[col] == ""
        if empty.any():
            raise DataError(
                f"{int(empty.sum())} row(s) of the frame have an empty {col} (first at "
                f"position {int(empty.to_numpy().argmax())}); SDMX keys need every "
                "dimension. Drop or complete those rows before exporting."
            )
    return out


def _breakdown_columns(breakdowns: Iterable[str]) -> dict[str, list[str]]:
    """One list of codes per breakdown dimension, ``_T`` where a row does not name it."""
    keys = list(breakdowns)
    parsed = {key: parse_breakdown(key) for key in set(keys)}
    unknown = {d for p in parsed.values() for d in p} - set(BREAKDOWN_DIMENSIONS)
    if unknown:
        raise DataError(
            f"breakdown dimension(s) {', '.join(sorted(unknown))} are not dimensions of the "
            f"SDG DSD; expected some of {', '.join(BREAKDOWN_DIMENSIONS)}. Map the "
            "breakdown to those dimensions before exporting."
        )
    return {dim: [parsed[key].get(dim) or TOTAL for key in keys] for dim in BREAKDOWN_DIMENSIONS}


def _dimension_column(
    dim: str, rows: pd.DataFrame, extra: Mapping[str, list[str]], reporting_type: str
) -> Any:
    n = len(rows)
    match dim:
        case "FREQ":
            return ["A"] * n
        case "REPORTING_TYPE":
            return [reporting_type] * n
        case "SERIES":
            return rows["series_code"].to_numpy()
        case "REF_AREA":
            return rows["area_code"].to_numpy()
        case "SEX":
            return rows["sex"].to_numpy()
        case "AGE":
            return rows["age"].to_numpy()
        case "URBANISATION":
            return rows["location"].to_numpy()
        case "TIME_PERIOD":
            return rows["year"].astype(str).to_numpy()
    return extra[dim]


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(float(value))


# --- SDMX-ML --------------------------------------------------------------------------


def _build_message(
    rows: pd.DataFrame,
    dsd: v21.DataStructureDefinition,
    *,
    structure_specific: bool,
    reporting_type: str,
    header: message.Header,
) -> message.DataMessage:
    dims = [d for d in dsd.dimensions.components if d.id != "TIME_PERIOD"]
    time_dim = dsd.dimensions.get("TIME_PERIOD")
    attributes = {a.id: a for a in dsd.attributes.components}
    measure = dsd.measures.get("OBS_VALUE")
    extra = _breakdown_columns(rows["breakdown"])
    columns = {d.id: _dimension_column(d.id, rows, extra, reporting_type) for d in dims}

    # Key and attribute objects are shared between observations: building one per row is
    # most of the cost of sdmx1's object model.
    values: dict[tuple[str, str], v21.AttributeValue] = {}

    def attribute_value(attr: str, code: str) -> v21.AttributeValue:
        found = values.get((attr, code))
        if found is None:
            found = values[attr, code] = v21.AttributeValue(value=code, value_for=attributes[attr])
        return found

    time_keys: dict[str, common.Key] = {}
    series: dict[tuple[str, ...], tuple[common.SeriesKey, list[v21.Observation]]] = {}
    units: dict[tuple[str, ...], str] = {}
    fixed = {a: attribute_value(a, v) for a, v in _FIXED_ATTRIBUTES.items()}
    key_columns = [list(columns[d.id]) for d in dims]
    obs_columns = [(attr, rows[col].tolist()) for col, attr in _OBS_ATTRIBUTES.items()]
    years = rows["year"].astype(str).tolist()
    obs_values = [_format_value(v) for v in rows["value"].tolist()]
    for i, (key, unit) in enumerate(
        zip(zip(*key_columns, strict=True), rows["unit"].tolist(), strict=True)
    ):
        entry = series.get(key)
        if entry is None:
            sk = common.SeriesKey(
                described_by=dsd.dimensions,
                values={
                    d.id: common.KeyValue(id=d.id, value=code, value_for=d)
                    for d, code in zip(dims, key, strict=True)
                },
            )
            if unit:
                sk.attrib["UNIT_MEASURE"] = attribute_value("UNIT_MEASURE", unit)
            entry = series[key] = (sk, [])
            units[key] = unit
        elif units[key] != unit:
            raise DataError(
                f"The series key {'.'.join(key)} has the units {units[key]!r} and {unit!r}; "
                "in the SDG DSD UNIT_MEASURE is attached to the series, so one key has one "
                "unit. Convert the values to one unit or split the series before exporting."
            )
        year = years[i]
        tk = time_keys.get(year)
        if tk is None:
            tk = time_keys[year] = common.Key(
                [common.KeyValue(id="TIME_PERIOD", value=year, value_for=time_dim)]
            )
        attached = dict(fixed)
        for attr, codes in obs_columns:
            if codes[i]:
                attached[attr] = attribute_value(attr, codes[i])
        entry[1].append(
            v21.Observation(
                series_key=entry[0],
                dimension=tk,
                value=obs_values[i],
                value_for=measure,
                attached_attribute=attached,
            )
        )

    ds_class = v21.StructureSpecificDataSet if structure_specific else v21.GenericDataSet
    ds = ds_class(structured_by=dsd)
    for sk, observations in series.values():
        ds.add_obs(observations, sk)
    return message.DataMessage(header=header, data=[ds], observation_dimension=time_dim)


def _standard_structure_specific(
    root: etree._Element, dsd: v21.DataStructureDefinition
) -> etree._Element:
    """Complete sdmx1's structure-specific output with what SDMX-ML 2.1 schemas require.

    sdmx1 2.28 writes ``structureRef`` unqualified and no ``xsi:type``; the standard (and
    sdmx1's own reader) use ``data:structureRef``, ``data:dataScope`` and an ``xsi:type``
    naming the DSD-specific schema namespace, also declared in the header.
    """
    namespace = f"{dsd.urn}:ObsLevelDim:TIME_PERIOD"
    new_root = etree.Element(root.tag, nsmap={**root.nsmap, "ns1": namespace})
    new_root.extend(list(root))
    for structure in new_root.iterfind(f"{{{_NS_MES}}}Header/{{{_NS_MES}}}Structure"):
        structure.set("namespace", namespace)
    for ds in new_root.iterfind(f"{{{_NS_MES}}}DataSet"):
        ref = ds.attrib.pop("structureRef", dsd.id)
        ds.set(f"{{{_NS_SS}}}structureRef", ref)
        ds.set(f"{{{_NS_SS}}}dataScope", "DataStructure")
        ds.set(f"{{{_NS_XSI}}}type", "ns1:DataSetType")
    return new_root
