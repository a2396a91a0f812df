"""The records file format: vocabularies, sections and their fields, value checks.

Private to :mod:`urbanagenda.synthesis.records` (documented in data/records/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from urbanagenda.ingest.report import ISSUE_CODES
from urbanagenda.store import schema as s

# -- vocabularies (README.md of data/records documents each value) --------------------------

#: held: took place; planned: announced, not yet held at the source's date; resumed: the
#: resumed part of a session, held
SESSION_STATUSES = ("held", "planned", "resumed")
OUTCOME_KINDS = (
    "resolution",
    "decision",
    "declaration",
    "draft_resolution",
    "draft_decision",
    "draft_declaration",
)
ADOPTIONS = ("consensus", "vote")
#: implementation status of an outcome, as far as the source says: submitted (a draft put to
#: the body that decides), adopted (adopted; nothing more said), in_progress (the source says
#: it is being implemented), implemented (the source says it was carried out), planned
STATUSES = ("submitted", "adopted", "in_progress", "implemented", "planned")
#: how the source words a figure: "more than 100 million" = more_than, "nearly" = nearly
QUALIFIERS = ("exact", "more_than", "about", "nearly")
#: UN-Habitat's four funding channels (seed para 14), and "total" (all sources)
CHANNELS = (
    "total",
    "regular_budget",
    "foundation_non_earmarked",
    "foundation_earmarked",
    "technical_cooperation",
)
METRICS = (
    "people_reached",
    "countries",
    "policy_reform_countries",
    "new_policy_countries",
    "policy_reform_cities",
    "policy_reform_local_governments",
    "partners",
    "normative_products",
    "global_reports",
    "cities",
    "local_governments",
    "funds_usd",
    "investment_usd",
    "utilities",
    "institutional_members",
    "individual_members",
    "member_countries",
    "conferences",
    "projects",
    "sites",
    "campaign_cities",
)

#: the records of the seed Secretary-General's report, bundled
SEED_RECORDS = "records/sg_a79_nua_2024.yaml"

# Issue codes of this loader beyond the observation loaders' ones (the report type is shared).
for _code, _text in {
    "unknown-field": "A section or field name is not part of the records format.",
    "unknown-reference": "A row names a source, body, session or programme that is not known.",
    "invalid-value": "A value is not of the expected type or form.",
    "invalid-date": "A date is not an ISO date (YYYY-MM-DD) or not a real date.",
    "date-order": "A period starts after it ends.",
    "negative-value": "A number that cannot be negative is negative.",
    "unknown-paragraph": "The cited paragraph is not a paragraph number of the source's text.",
}.items():
    ISSUE_CODES.setdefault(_code, _text)


# -- the format: sections and their fields ---------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a section: its input name, kind, store column (None: not stored)."""

    name: str
    kind: str  # code | text | i18n | date | published | year | int | amount | change | enum |
    #            ref | source | participants | para
    column: str | None = None
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # the section a "ref" field names


@dataclass(frozen=True)
class Section:
    name: str
    table: Table | None  # None: checked, not stored (channels)
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # store columns (or input names for channels) of the natural key

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _src() -> Field:
    return Field("source", "source", required=True)


SPECS: tuple[Section, ...] = (
    Section(
        "sources",
        s.record_source,
        (
            Field("code", "code", "code", True),
            Field("title", "i18n", "title", True),
            Field("publisher", "text", "publisher"),
            Field("published", "published", "published"),
            Field("language", "text", "language"),
            Field("url", "text", "url"),
            Field("reference_document_id", "int", "reference_document_id"),
            Field("symbol", "text", "symbol"),
            Field("session", "int"),
            Field("agenda_item", "text"),
            Field("period_start", "date", "period_start"),
            Field("period_end", "date", "period_end"),
            Field("text_file", "text"),
        ),
        ("code",),
    ),
    Section(
        "channels",
        None,
        (
            Field("code", "enum", None, True, CHANNELS[1:]),
            Field("name", "i18n", None, True),
            Field("definition", "i18n", None, True),
            _src(),
        ),
        ("code",),
    ),
    Section(
        "bodies",
        s.gov_body,
        (
            Field("code", "code", "code", True),
            Field("name", "i18n", "name", True),
            Field("description", "i18n", "description", True),
            Field("established_by", "i18n", "established_by"),
            _src(),
        ),
        ("code",),
    ),
    Section(
        "sessions",
        s.gov_session,
        (
            Field("code", "code", "code", True),
            Field("body", "ref", "body_code", True, ref="bodies"),
            Field("name", "i18n", "name", True),
            Field("start", "date", "start_date", True),
            Field("end", "date", "end_date", True),
            Field("place", "i18n", "place"),
            Field("status", "enum", "status", True, SESSION_STATUSES),
            Field("member_states_count", "int", "member_states_count"),
            Field("participants", "participants", "participants"),
            _src(),
        ),
        ("code",),
    ),
    Section(
        "outcomes",
        s.gov_outcome,
        (
            Field("body", "ref", "body_code", True, ref="bodies"),
            Field("session", "ref", "session_code", ref="sessions"),
            Field("year", "year", "year"),
            Field("kind", "enum", "kind", True, OUTCOME_KINDS),
            Field("number", "text", "number"),
            Field("count", "int", "count"),
            Field("title", "i18n", "title", True),
            Field("subject", "code", "subject"),
            Field("adoption", "enum", "adoption", choices=ADOPTIONS),
            Field("implementation_status", "enum", "implementation_status", True, STATUSES),
            Field("document_symbol", "text", "document_symbol"),
            _src(),
        ),
        ("body_code", "kind", "number", "session_code"),
    ),
    Section(
        "programmes",
        s.programme,
        (
            Field("code", "code", "code", True),
            Field("name", "i18n", "name", True),
            Field("theme", "code", "theme"),
            Field("started", "year", "started"),
            _src(),
        ),
        ("code",),
    ),
    Section(
        "results",
        s.programme_result,
        (
            Field("programme", "ref", "programme_code", True, ref="programmes"),
            Field("metric", "enum", "metric", True, METRICS),
            Field("value", "amount", "value", True),
            Field("qualifier", "enum", "qualifier", True, QUALIFIERS),
            Field("period_years", "int", "period_years"),
            Field("period_start", "year", "period_start"),
            Field("period_end", "year", "period_end"),
            Field("as_of", "date", "as_of", True),
            Field("note", "i18n", "note"),
            _src(),
        ),
        ("programme_code", "metric", "as_of"),
    ),
    Section(
        "funding",
        s.funding,
        (
            Field("year", "year", "year", True),
            Field("channel", "enum", "channel", True, CHANNELS),
            Field("amount_usd", "amount", "amount_usd"),
            Field("reported_change", "change", "reported_change"),
            Field("contributors_count", "int", "contributors_count"),
            Field("note", "i18n", "note"),
            _src(),
        ),
        ("year", "channel"),
    ),
    Section(
        "contributions",
        s.contribution,
        (
            Field("year", "year", "year", True),
            Field("channel", "enum", "channel", True, CHANNELS),
            Field("contributor", "text", "contributor", True),
            Field("amount_usd", "amount", "amount_usd"),
            _src(),
        ),
        ("year", "channel", "contributor"),
    ),
)
SPEC = {sec.name: sec for sec in SPECS}
SECTIONS = tuple(SPEC)
TOP_LEVEL = {"version", *SECTIONS}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARA = re.compile(r"^(\d{1,3}|fn \d{1,3})$")
_PARAGRAPH = re.compile(r"^(\d{1,3})\.\s", re.MULTILINE)
LANGS = ("en", "zh")


def paragraph_numbers(text: str) -> set[str]:
    """The numbers of the numbered paragraphs ("6. …" at the start of a line) of a text."""
    return set(_PARAGRAPH.findall(text))


def data_path(rel: str) -> Path:
    return Path(str(resources.files("urbanagenda.data").joinpath(rel)))


# -- checking rows ---------------------------------------------------------------------------


class Bad(Exception):
    def __init__(
        self, code: str, message: str, expected: str | None = None, fix: str | None = None
    ):
        super().__init__(message)
        self.code, self.message, self.expected, self.fix = code, message, expected, fix


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise Bad("invalid-value", "not a whole number.", "a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise Bad("non-numeric-value", "not a whole number.", "a whole number")


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        raise Bad("non-numeric-value", "not a number.", "a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace("_", ""))
        except ValueError:
            raise Bad(
                "non-numeric-value",
                "not a number.",
                "a number such as 223000000 (no thousands separators)",
            ) from None
    else:
        raise Bad("non-numeric-value", "not a number.", "a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise Bad("non-numeric-value", "not a finite number.", "a number")
    return number


def _as_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise Bad(
            "invalid-date",
            "not a valid ISO date.",
            "YYYY-MM-DD, e.g. 2023-06-05",
            "write the date as year-month-day",
        ) from None


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Bad("invalid-value", "not a text.", "a text")
    text = str(value).strip()
    if not text:
        raise Bad("missing-value", "the text is empty.", "a text")
    return text


def coerce(f: Field, value: Any) -> Any:
    kind = f.kind
    if kind == "text":
        return _as_text(value)
    if kind == "code":
        text = _as_text(value)
        if not _CODE.match(text):
            raise Bad(
                "invalid-value",
                "not a code.",
                "letters, digits, '_', '-', '.', starting with a letter or digit, no spaces",
            )
        return text
    if kind == "enum":
        text = str(value).strip()
        if text not in f.choices:
            raise Bad(
                "unknown-code",
                f"unknown {f.name}.",
                ", ".join(f.choices),
                "use one of the listed values (data/records/README.md)",
            )
        return text
    if kind == "ref":
        return _as_text(value)
    if kind == "i18n":
        if not isinstance(value, dict):
            raise Bad(
                "invalid-value",
                "not a text in English and Chinese.",
                "{en: ..., zh: ...} (CSV: columns NAME_en and NAME_zh)",
            )
        extra = sorted(set(value) - set(LANGS))
        if extra:
            raise Bad(
                "unknown-field", f"unknown language {', '.join(map(str, extra))}.", "en and zh"
            )
        missing = [lang for lang in LANGS if not str(value.get(lang) or "").strip()]
        if missing:
            raise Bad(
                "missing-value",
                f"the {' and '.join(missing)} text is missing.",
                "a text in English (en) and in Chinese (zh)",
                "every text is given in both languages",
            )
        return {lang: " ".join(str(value[lang]).split()) for lang in LANGS}
    if kind == "date":
        return _as_date(value)
    if kind == "published":
        text = str(value.isoformat() if isinstance(value, date) else value).strip()
        if re.fullmatch(r"\d{4}", text):
            return text
        return _as_date(text)
    if kind == "year":
        year = _as_int(value)
        if not 1900 <= year <= 2100:
            raise Bad("impossible-year", "not a plausible year.", "a year from 1900 to 2100")
        return year
    if kind == "int":
        number = _as_int(value)
        if number < 0:
            raise Bad("negative-value", "negative.", "a whole number, 0 or more")
        return number
    if kind == "amount":
        amount = _as_number(value)
        if amount < 0:
            raise Bad("negative-value", "negative.", "a number, 0 or more")
        return amount
    if kind == "change":
        change = _as_number(value)
        if change < -1:
            raise Bad(
                "invalid-value",
                "a fall of more than 100 %.",
                "a relative change of -1 or more (0.13 = +13 %, 2.0 = tripled)",
            )
        return change
    if kind == "participants":
        items = value if isinstance(value, list) else re.split(r"[;,\s]+", str(value))
        return [str(x).strip() for x in items if str(x).strip()]
    if kind == "source":
        if not isinstance(value, dict) or set(value) - {"doc", "para"}:
            raise Bad(
                "invalid-value",
                "not a source.",
                '{doc: SOURCE-CODE, para: "6"} (CSV: columns source_doc and source_para)',
            )
        doc, para = value.get("doc"), value.get("para")
        if doc is None or str(doc).strip() == "" or para is None or str(para).strip() == "":
            raise Bad(
                "missing-value",
                "the source needs a document and a paragraph.",
                '{doc: SOURCE-CODE, para: "6"}',
                "cite the paragraph the fact comes from",
            )
        tokens = [t.strip() for t in str(para).split(",")]
        if not all(_PARA.match(t) for t in tokens):
            raise Bad(
                "invalid-value",
                "not a paragraph reference.",
                'paragraph numbers separated by commas, e.g. "6" or "14, 92" or "17, fn 2"',
            )
        return {"doc": str(doc).strip(), "para": ", ".join(tokens)}
    raise AssertionError(kind)  # pragma: no cover


def expected(f: Field) -> str:
    return {
        "code": "a code (letters, digits, '_', '-', '.')",
        "text": "a text",
        "i18n": "{en: ..., zh: ...}",
        "date": "an ISO date YYYY-MM-DD",
        "published": "a year or an ISO date",
        "year": "a year",
        "int": "a whole number, 0 or more",
        "amount": "a number, 0 or more",
        "change": "a relative change (0.13 = +13 %)",
        "enum": ", ".join(f.choices),
        "ref": f"the code of one of the {f.ref}",
        "source": '{doc: SOURCE-CODE, para: "6"}',
        "participants": "a list of M49 codes",
    }[f.kind]
