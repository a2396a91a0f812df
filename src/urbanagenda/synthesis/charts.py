"""Charts of the generated reports: Vega-Lite specs with their data inline, drawn offline.

The same Vega-Lite grammar as the web platform's charts; :func:`to_svg` (HTML, PDF) and
:func:`to_png` (DOCX) draw a spec with ``vl-convert`` (a self-contained Vega engine: no browser
and no network).  Specs never reference a URL: data, including the world map's TopoJSON
(bundled from Natural Earth via world-atlas), is inline.

The spec builders take tidy rows and labels already in the report's language.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "STATUS_COLOURS",
    "bar_chart",
    "base_spec",
    "choropleth",
    "line_chart",
    "to_png",
    "to_svg",
    "world_topology",
]

VL_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier, never fetched

#: Status colours (the web platform's progress chart uses the same).
STATUS_COLOURS = {
    "met": "#1a9850",
    "on_track": "#1a9850",
    "moderate": "#91cf60",
    "fair": "#91cf60",
    "progress": "#91cf60",
    "marginal": "#fee08b",
    "stagnation": "#fc8d59",
    "deterioration": "#d73027",
    "regression": "#d73027",
    "insufficient_data": "#bdbdbd",
}

FONT = "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
_FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts/opentype")
_lock = threading.Lock()


@cache
def _fonts_registered() -> bool:
    import vl_convert

    for d in _FONT_DIRS:
        if Path(d).is_dir():
            vl_convert.register_font_directory(d)
    return True


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridColor": "#e5e5e5"},
        "legend": {"labelFontSize": 11, "titleFontSize": 11},
        "title": {"fontSize": 13, "anchor": "start"},
    }


def to_svg(spec: Mapping[str, Any]) -> str:
    """Draw a Vega-Lite spec as SVG text."""
    import vl_convert

    _fonts_registered()
    with _lock:  # the converter is not documented as thread-safe
        return str(vl_convert.vegalite_to_svg(dict(spec), vl_version="5.21"))


def to_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    """Draw a Vega-Lite spec as PNG bytes (``scale`` 2 ≈ 144 dpi)."""
    import vl_convert

    _fonts_registered()
    with _lock:
        return bytes(vl_convert.vegalite_to_png(dict(spec), vl_version="5.21", scale=scale))


@cache
def _topology_text() -> str:
    path = resources.files("urbanagenda.data").joinpath("boundaries/countries-110m.json")
    return path.read_text(encoding="utf-8")


def world_topology() -> dict[str, Any]:
    """Natural Earth 1:110m countries as TopoJSON (a fresh copy; ids are M49 codes)."""
    return dict(json.loads(_topology_text()))


def base_spec(title: str | None, width: int, height: int) -> dict[str, Any]:
    """A Vega-Lite spec with the reports' schema, size, title, fonts and colours; charts of
    every report (and the finance summaries) start from it."""
    spec: dict[str, Any] = {
        "$schema": VL_SCHEMA,
        "width": width,
        "height": height,
        "config": _config(),
        "background": "white",
    }
    if title:
        spec["title"] = title
    return spec


def line_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    x: str = "year",
    y: str = "value",
    series: str = "area",
    y_title: str = "",
    title: str | None = None,
    target: float | None = None,
    target_label: str = "",
    width: int = 520,
    height: int = 260,
) -> dict[str, Any]:
    """Lines over years, one per ``series`` value (e.g. World and regions), points marked;
    a dashed rule at ``target`` (the 2030 target) if given."""
    spec = base_spec(title, width, height)
    line = {
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": x,
                "type": "quantitative",
                "title": None,
                "axis": {"format": "d"},
                "scale": {"zero": False},
            },
            "y": {"field": y, "type": "quantitative", "title": y_title},
            "color": {
                "field": series,
                "type": "nominal",
                "title": None,
                "legend": {"orient": "right", "labelLimit": 220},
            },
        },
    }
    layers: list[dict[str, Any]] = [line]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"t": target, "label": target_label}]},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#555"},
                "encoding": {"y": {"field": "t", "type": "quantitative"}},
            }
        )
    spec["data"] = {"values": [dict(r) for r in rows]}
    spec["layer"] = layers
    return spec


def bar_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    category: str = "label",
    value: str = "value",
    colour: str | None = None,
    colours: Mapping[str, str] | None = None,
    value_title: str = "",
    title: str | None = None,
    horizontal: bool = True,
    stack: bool = False,
    width: int = 480,
    height: int | None = None,
    value_format: str = ",.1f",
) -> dict[str, Any]:
    """Bars per category (horizontal by default, in the order given), coloured by
    ``colour`` (a field) with ``colours`` (value -> hex) if given; labels at the bar ends."""
    n = len({r[category] for r in rows}) or 1
    spec = base_spec(title, width, height or max(60, 22 * n))
    cat_enc = {
        "field": category,
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 260},
    }
    val_enc: dict[str, Any] = {"field": value, "type": "quantitative", "title": value_title}
    if stack:
        val_enc["stack"] = "zero"
    enc: dict[str, Any] = (
        {"y": cat_enc, "x": val_enc} if horizontal else {"x": cat_enc, "y": val_enc}
    )
    if colour:
        colour_enc: dict[str, Any] = {"field": colour, "type": "nominal", "title": None}
        if colours:
            colour_enc["scale"] = {"domain": list(colours), "range": list(colours.values())}
        enc["color"] = colour_enc
    bars = {"mark": {"type": "bar"}, "encoding": enc}
    layers: list[dict[str, Any]] = [bars]
    if not stack:
        text_enc = dict(enc)
        text_enc.pop("color", None)
        text_enc["text"] = {"field": value, "type": "quantitative", "format": value_format}
        layers.append(
            {
                "mark": {
                    "type": "text",
                    "align": "left" if horizontal else "center",
                    "baseline": "middle" if horizontal else "bottom",
                    "dx": 3 if horizontal else 0,
                    "dy": 0 if horizontal else -3,
                    "fontSize": 10,
                },
                "encoding": text_enc,
            }
        )
    spec["data"] = {"values": [dict(r) for r in rows]}
    spec["layer"] = layers
    return spec


def choropleth(
    values: Mapping[str, float],
    *,
    legend_title: str = "",
    title: str | None = None,
    scheme: str = "yelloworangered",
    reverse: bool = False,
    no_data_label: str = "No data",
    width: int = 620,
    height: int = 320,
) -> dict[str, Any]:
    """A world map of countries coloured by value (``values``: M49 code -> number);
    countries without a value are grey.  ``reverse`` flips the colour scheme (use it where
    higher is better so that worse is always the darker red)."""
    topo = world_topology()
    lookup = [
        {"id": str(int(code)), "value": float(v)}
        for code, v in values.items()
        if str(code).isdigit()
    ]
    spec = base_spec(title, width, height)
    spec["projection"] = {"type": "equalEarth"}
    spec["data"] = {"values": topo, "format": {"type": "topojson", "feature": "countries"}}
    spec["transform"] = [
        {"calculate": "toString(toNumber(datum.id))", "as": "m49"},
        {"lookup": "m49", "from": {"data": {"values": lookup}, "key": "id", "fields": ["value"]}},
    ]
    spec["layer"] = [
        {"mark": {"type": "geoshape", "fill": "#e0e0e0", "stroke": "white", "strokeWidth": 0.3}},
        {
            "transform": [{"filter": "isValid(datum.value)"}],
            "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3},
            "encoding": {
                "color": {
                    "field": "value",
                    "type": "quantitative",
                    "title": legend_title,
                    "scale": {"scheme": scheme, "reverse": reverse},
                    "legend": {"orient": "bottom-left", "gradientLength": 160},
                },
            },
        },
    ]
    spec["description"] = no_data_label
    return spec
