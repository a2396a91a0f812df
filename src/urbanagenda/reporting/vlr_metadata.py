"""The metadata of a Voluntary Local Review and its checks: every problem is found and
listed at once (:class:`InvalidVLR`), first those that need no database (:func:`validate`),
then those only the store can tell (:func:`check_in_store`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select

from urbanagenda.errors import DataError
from urbanagenda.store import schema as s

__all__ = [
    "ISO_639_1",
    "LEVELS",
    "InvalidVLR",
    "Problem",
    "VLRFields",
    "check_in_store",
    "validate",
]

LEVELS: tuple[str, ...] = ("local", "regional")
FIRST_YEAR = 2015  # the 2030 Agenda; VLRs begin with it
MAX_TITLE_CHARS = 300
MAX_GOVERNMENT_CHARS = 300
MAX_VNR_CHARS = 500
MAX_URL_CHARS = 2_000
MAX_SUMMARY_CHARS = 100_000

#: ISO 639-1 two-letter language codes (the 183 current ones).
_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu"""
ISO_639_1: frozenset[str] = frozenset(_ISO_639_1_CODES.split())


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    problem: str
    fix: str


class InvalidVLR(DataError):
    """The VLR's metadata has problems (every one is listed); nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = [f"{p.where}: {p.problem}; {p.fix}" for p in self.problems]
        n = len(lines)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} with the Voluntary Local Review; nothing was "
            "stored.\n" + "\n".join(f"- {line}" for line in lines)
        )


# -- validation ------------------------------------------------------------------------------


def _text_field(
    problems: list[Problem], value: Any, where: str, limit: int, *, required: bool
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(where, "is missing", f"write the {where}"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(where, f"must be text, got {type(value).__name__}", "send text"))
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in value:
        problems.append(Problem(where, "contains a NUL character", "remove it"))
        return None
    if len(value) > limit:
        problems.append(
            Problem(where, f"has {len(value):,} characters", f"shorten it to at most {limit:,}")
        )
        return None
    return value if where == "summary" else value.strip()  # Markdown keeps its indentation


def _languages(problems: list[Problem], languages: Any) -> tuple[str, ...]:
    if isinstance(languages, str) or not isinstance(languages, Sequence) or not languages:
        problems.append(
            Problem("languages", "no language given", "list the languages as ISO 639-1 codes")
        )
        return ()
    out: list[str] = []
    for raw in languages:
        code = str(raw).strip().lower()
        if code not in ISO_639_1:
            problems.append(
                Problem(
                    "languages",
                    f"{raw!r} is not an ISO 639-1 language code",
                    "use two-letter codes such as en, fr, es, zh, ar, ru, pt",
                )
            )
        elif code not in out:
            out.append(code)
    return tuple(out)


def _sdgs(problems: list[Problem], sdgs: Any) -> tuple[int, ...]:
    if isinstance(sdgs, str) or not isinstance(sdgs, Sequence):
        problems.append(Problem("sdgs", "is not a list", "list the Goals reviewed, e.g. [6, 11]"))
        return ()
    out: set[int] = set()
    for raw in sdgs:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            goal = None
        else:
            try:
                goal = int(raw)
            except ValueError:
                goal = None
        if goal is None or not 1 <= goal <= 17:
            problems.append(
                Problem("sdgs", f"{raw!r} is not a Sustainable Development Goal", "use 1 to 17")
            )
        else:
            out.add(goal)
    return tuple(sorted(out))


def _year(problems: list[Problem], year: Any, at: datetime) -> int | None:
    last = at.year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        problems.append(
            Problem("year", f"{year!r} is not a year of a VLR", f"use {FIRST_YEAR} to {last}")
        )
        return None
    return year


def _url(problems: list[Problem], url: Any) -> str | None:
    value = _text_field(problems, url, "source_url", MAX_URL_CHARS, required=False)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        problems.append(
            Problem(
                "source_url",
                f"{value!r} is not an http(s) address",
                "give the address where the government publishes the VLR, starting with https://",
            )
        )
        return None
    return value


@dataclass(frozen=True, slots=True)
class VLRFields:
    title: str
    government: str
    level: str
    country_code: str
    area_code: str | None
    year: int
    languages: tuple[str, ...]
    sdgs: tuple[int, ...]
    linked_vnr: str | None
    source_url: str | None
    feeds_report_id: int | None
    summary: str

    def metadata(self) -> dict[str, Any]:
        return {
            "government": self.government,
            "level": self.level,
            "languages": list(self.languages),
            "sdgs": list(self.sdgs),
            "linked_vnr": self.linked_vnr,
            "source_url": self.source_url,
            "feeds_report_id": self.feeds_report_id,
        }


def validate(values: Mapping[str, Any], at: datetime) -> tuple[VLRFields | None, list[Problem]]:
    """Every problem of the metadata that needs no database."""
    problems: list[Problem] = []
    title = _text_field(problems, values["title"], "title", MAX_TITLE_CHARS, required=True)
    government = _text_field(
        problems, values["government"], "government", MAX_GOVERNMENT_CHARS, required=True
    )
    level = values["level"]
    if level not in LEVELS:
        problems.append(Problem("level", f"{level!r} is not a level", "use local or regional"))
    country = values["country_code"]
    if not isinstance(country, str) or not country.strip():
        problems.append(Problem("country_code", "is missing", "give the country's M49 code"))
    area = values["area_code"]
    if area is not None and (not isinstance(area, str) or not area.strip()):
        area = None
    year = _year(problems, values["year"], at)
    languages = _languages(problems, values["languages"])
    sdgs = _sdgs(problems, values["sdgs"])
    vnr = _text_field(problems, values["linked_vnr"], "linked_vnr", MAX_VNR_CHARS, required=False)
    url = _url(problems, values["source_url"])
    feeds = values["feeds_report_id"]
    if feeds is not None and (isinstance(feeds, bool) or not isinstance(feeds, int)):
        problems.append(Problem("feeds_report_id", f"{feeds!r} is not a report id", "give an id"))
        feeds = None
    summary = _text_field(problems, values["summary"], "summary", MAX_SUMMARY_CHARS, required=False)
    if problems:
        return None, problems
    assert title and government and year is not None  # checked above
    return (
        VLRFields(
            title=title,
            government=government,
            level=str(level),
            country_code=str(country).strip(),
            area_code=area.strip() if isinstance(area, str) else None,
            year=year,
            languages=languages,
            sdgs=sdgs,
            linked_vnr=vnr,
            source_url=url,
            feeds_report_id=feeds,
            summary=summary or "",
        ),
        problems,
    )


def check_in_store(conn: Connection, fields: VLRFields) -> list[Problem]:
    """The problems only the database can tell: the country, the city, the national report."""
    problems: list[Problem] = []
    country = conn.execute(
        select(s.area.c.kind, s.area.c.name).where(s.area.c.code == fields.country_code)
    ).first()
    if country is None or country.kind != "country":
        problems.append(
            Problem(
                "country_code",
                f"{fields.country_code!r} is not a country of the store",
                "use the country's M49 code (404 for Kenya; `urbanagenda areas --kind country`)",
            )
        )
    if fields.area_code is not None:
        area = conn.execute(
            select(s.area.c.kind, s.area.c.country_code, s.area.c.name).where(
                s.area.c.code == fields.area_code
            )
        ).first()
        if area is None:
            problems.append(
                Problem(
                    "area_code",
                    f"{fields.area_code!r} is not a city or area of the store",
                    "use the city's code (ke_nairobi; `urbanagenda areas --kind city`) or none",
                )
            )
        elif country is not None and area.country_code != fields.country_code:
            problems.append(
                Problem(
                    "area_code",
                    f"{area.name} ({fields.area_code}) is not in country {fields.country_code} "
                    f"({country.name}); it is in {area.country_code}",
                    "give the city's own country, or the city of this country",
                )
            )
    if fields.feeds_report_id is not None:
        report = conn.execute(
            select(s.document.c.kind, s.document.c.country_code).where(
                s.document.c.id == fields.feeds_report_id
            )
        ).first()
        if report is None or report.kind != "national_report":
            problems.append(
                Problem(
                    "feeds_report_id",
                    f"there is no national report {fields.feeds_report_id}",
                    "give the id of the national report this VLR feeds, or none",
                )
            )
        elif report.country_code != fields.country_code:
            problems.append(
                Problem(
                    "feeds_report_id",
                    f"national report {fields.feeds_report_id} is a report of country "
                    f"{report.country_code}, not {fields.country_code}",
                    "a VLR feeds the national report of its own country",
                )
            )
    return problems
