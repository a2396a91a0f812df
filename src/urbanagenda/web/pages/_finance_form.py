"""The OSR analysis form of ``/{lang}/finance/osr``: its fields, the plain analysis
(``urbanagenda-osr/1``) built from what a user typed, and the validation issues placed back
next to the inputs they concern.

One year per form: the local government, its codes and currency, the fiscal context, property
tax (the properties there are and three category rows), business licences (three rows), user
charges (three rows, each with its kind and period) and other taxes (two rows).  A row left
blank is ignored; a number the form cannot read is passed on as typed, so the validation says
what is wrong with it.  Estimated counts and market values take an optional low and high value
(a range, propagated to the gap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from urbanagenda.ingest.report import Issue

__all__ = [
    "BL_FIELDS",
    "CHARGE_KINDS",
    "HEAD_FIELDS",
    "OT_FIELDS",
    "PT_FIELDS",
    "RANGED",
    "ROWS",
    "UC_FIELDS",
    "Built",
    "build_osr",
    "form_names",
    "place_issues",
]

#: How many rows each part of the form has.
ROWS = {"pt": 3, "bl": 3, "uc": 3, "ot": 2}
HEAD_FIELDS = ("local_government", "area", "currency", "year")
FISCAL_FIELDS = ("population", "gdp_per_capita", "household_size", "usd_rate")
PT_FIELDS = ("registered", "compliant", "assessed_value", "market_value", "rate",
             "legislated_rate")  # fmt: skip
BL_FIELDS = ("estimated", "registered", "compliant", "fee", "legislated_fee")
UC_FIELDS = ("users_estimated", "users_actual", "rate", "legislated_rate", "periods")
OT_FIELDS = ("users_estimated", "users_actual", "rate", "legislated_rate")
#: Fields with optional ``_low`` and ``_high`` inputs (estimates rather than counts on record).
RANGED = frozenset({"estimated", "market_value", "users_estimated"})
#: A user charge row's kind (the stream it joins).
CHARGE_KINDS = ("user_charge_short", "user_charge_long", "user_charge_mixed")
_STREAM_NAMES = {
    "property_tax": "Property tax",
    "business_licence": "Business licences",
    "user_charge_short": "User charges (short-term)",
    "user_charge_long": "User charges (long-term)",
    "user_charge_mixed": "User charges (mixed)",
    "other_tax": "Other taxes",
}


def form_names() -> list[str]:
    """Every field name the form may send."""
    names = [*HEAD_FIELDS, *FISCAL_FIELDS, "pt_name", "pt_estimated", "pt_estimated_low",
             "pt_estimated_high"]  # fmt: skip
    for prefix, fields in (("pt", PT_FIELDS), ("bl", BL_FIELDS), ("uc", UC_FIELDS),
                           ("ot", OT_FIELDS)):  # fmt: skip
        for i in range(1, ROWS[prefix] + 1):
            names.append(f"{prefix}{i}_name")
            for f in fields:
                names.append(f"{prefix}{i}_{f}")
                if f in RANGED:
                    names += [f"{prefix}{i}_{f}_low", f"{prefix}{i}_{f}_high"]
        if prefix == "uc":
            names += [f"uc{i}_{x}" for i in range(1, ROWS["uc"] + 1) for x in ("kind", "per")]
    return names


def _number(text: str) -> Any:
    """A typed number ("1 200", "0,5" in languages with a decimal comma), else the text as
    typed (the validation then reports it)."""
    raw = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    try:
        value = float(raw)
    except ValueError:
        if raw.count(",") == 1 and "." not in raw:
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                return text.strip()
        else:
            return text.strip()
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


@dataclass
class Built:
    """The analysis built from a form, and where each of its fields came from."""

    data: dict[str, Any]
    #: a path of the analysis ("years[0].streams[1].categories[0].compliant") → form field
    fields: dict[str, str] = field(default_factory=dict)


class _Builder:
    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.fields: dict[str, str] = {}

    def text(self, name: str) -> str:
        return str(self.form.get(name) or "").strip()

    def value(self, name: str, path: str, *, ranged: bool = False) -> Any:
        """The field's number (or ``{central, low, high}``), or None when blank."""
        self.fields[path] = name
        central = self.text(name)
        low = self.text(f"{name}_low") if ranged else ""
        high = self.text(f"{name}_high") if ranged else ""
        if ranged:
            self.fields[f"{path}.central"] = name
            self.fields[f"{path}.low"] = f"{name}_low"
            self.fields[f"{path}.high"] = f"{name}_high"
        if not (low or high):
            return _number(central) if central else None
        out: dict[str, Any] = {"central": _number(central) if central else None}
        if low:
            out["low"] = _number(low)
        if high:
            out["high"] = _number(high)
        return out

    def row(self, prefix: str, i: int, fields: tuple[str, ...], path: str) -> dict[str, Any]:
        """A category or charge row: only the fields given (blank rows give ``{}``)."""
        out: dict[str, Any] = {}
        for f in fields:
            value = self.value(f"{prefix}{i}_{f}", f"{path}.{f}", ranged=f in RANGED)
            if value is not None:
                out[f] = value
        return out

    def rows(
        self, prefix: str, fields: tuple[str, ...], at: str, key: str, default: str
    ) -> list[dict[str, Any]]:
        """The rows of a stream's ``key`` (``categories`` or ``charges``) that are not blank,
        each named (else ``default`` and its number) and placed at its first field."""
        out: list[dict[str, Any]] = []
        for i in range(1, ROWS[prefix] + 1):
            c = len(out)
            row = self.row(prefix, i, fields, f"{at}.{key}[{c}]")
            if row:
                self.fields[f"{at}.{key}[{c}]"] = f"{prefix}{i}_{fields[0]}"
                self.fields[f"{at}.{key}[{c}].name"] = f"{prefix}{i}_name"
                out.append({"name": self.text(f"{prefix}{i}_name") or f"{default} {i}", **row})
        return out


def build_osr(form: Mapping[str, str]) -> Built:
    """The plain analysis (``urbanagenda-osr/1``) of a submitted form."""
    b = _Builder(form)
    data: dict[str, Any] = {"format": "urbanagenda-osr/1"}
    for name in ("local_government", "area", "currency"):
        b.fields[name] = name
        if b.text(name):
            data[name] = b.text(name).upper() if name == "currency" else b.text(name)
    b.fields["years[0].year"] = "year"
    year: dict[str, Any] = {"year": _number(b.text("year")) if b.text("year") else None}
    fiscal: dict[str, Any] = {}
    for name in FISCAL_FIELDS:
        value = b.value(name, f"years[0].fiscal.{name}")
        if value is not None:
            fiscal[name] = value
    if fiscal:
        year["fiscal"] = fiscal
    streams: list[dict[str, Any]] = []

    def path(n: int) -> str:
        return f"years[0].streams[{n}]"

    # property tax: the properties there are and the category rows
    at = path(len(streams))
    estimated = b.value("pt_estimated", f"{at}.estimated", ranged=True)
    categories = b.rows("pt", PT_FIELDS, at, "categories", "category")
    if estimated is not None or categories:
        b.fields[at] = "pt_estimated"
        b.fields[f"{at}.name"] = "pt_name"
        stream: dict[str, Any] = {
            "kind": "property_tax",
            "name": b.text("pt_name") or _STREAM_NAMES["property_tax"],
        }
        if estimated is not None:
            stream["estimated"] = estimated
        streams.append({**stream, "categories": categories})

    # business licences
    at = path(len(streams))
    categories = b.rows("bl", BL_FIELDS, at, "categories", "category")
    if categories:
        streams.append({"kind": "business_licence", "name": _STREAM_NAMES["business_licence"],
                        "categories": categories})  # fmt: skip

    # user charges: one stream per kind, in the order the kinds first appear
    by_kind: dict[str, tuple[int, list[int]]] = {}
    for i in range(1, ROWS["uc"] + 1):
        if not any(b.text(f"uc{i}_{f}") for f in UC_FIELDS):
            continue
        kind = b.text(f"uc{i}_kind") or "user_charge_short"
        if kind not in by_kind:
            by_kind[kind] = (len(streams) + len(by_kind), [])
        by_kind[kind][1].append(i)
    for kind, (n, rows) in by_kind.items():
        at = path(n)
        b.fields[f"{at}.kind"] = f"uc{rows[0]}_kind"
        charges: list[dict[str, Any]] = []
        for c, i in enumerate(rows):
            row = b.row("uc", i, UC_FIELDS, f"{at}.charges[{c}]")
            b.fields[f"{at}.charges[{c}]"] = f"uc{i}_users_estimated"
            b.fields[f"{at}.charges[{c}].name"] = f"uc{i}_name"
            b.fields[f"{at}.charges[{c}].per"] = f"uc{i}_per"
            charge = {"name": b.text(f"uc{i}_name") or f"charge {i}", **row}
            if b.text(f"uc{i}_per"):
                charge["per"] = b.text(f"uc{i}_per")
            charges.append(charge)
        streams.append({"kind": kind, "name": _STREAM_NAMES.get(kind, kind), "charges": charges})

    # other taxes
    at = path(len(streams))
    charges = b.rows("ot", OT_FIELDS, at, "charges", "tax")
    if charges:
        streams.append({"kind": "other_tax", "name": _STREAM_NAMES["other_tax"],
                        "charges": charges})  # fmt: skip

    year["streams"] = streams
    data["years"] = [year]
    return Built(data, b.fields)


def fix_word() -> str:
    """The word before an issue's fix, in the page's language."""
    from urbanagenda.web.i18n import gettext

    return gettext("how to fix it")


def place_issues(issues: list[Issue], fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Each issue's message under the form field it concerns (the longest known path that
    starts its ``column``); issues of no field go under ``""`` (shown above the form)."""
    placed: dict[str, list[str]] = {}
    for issue in issues:
        column = issue.column or ""
        target = ""
        best = -1
        for path, name in fields.items():
            if (column == path or column.startswith((path + ".", path + "["))) and len(path) > best:
                target, best = name, len(path)
        text = issue.message + (f" ({fix_word()}: {issue.fix})" if issue.fix else "")
        placed.setdefault(target, []).append(text)
    return placed
