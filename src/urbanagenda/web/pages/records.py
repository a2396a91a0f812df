"""Institutional records: UN-Habitat's governance bodies and their sessions (a timeline),
the resolutions and decisions (filtered by body, kind and status), the global programmes and
their results (with a chart of the people reached) and funding by year and channel (with a
chart).  Every fact shows its citation: the source document and paragraph, linked to the
document's page when the library holds it.

Texts are stored in English and Chinese; the other languages show the English text, marked
as such (``lang="en"``).  Dates and numbers follow the page's language (Babel).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from babel.dates import format_date, format_interval
from fastapi import APIRouter, Query, Request
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from urbanagenda.synthesis.records import Records
from urbanagenda.web import i18n
from urbanagenda.web.api.records import citation, records_of
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import check_lang, fmt, render, store_of

__all__ = ["router"]

router = APIRouter()

#: Metrics whose value is an amount of US dollars.
MONEY_METRICS = frozenset({"funds_usd", "investment_usd"})


def _labels() -> dict[str, dict[str, str]]:
    """Codes of the records in the page's language (unknown codes read as words)."""
    return {
        "kind": {
            "resolution": gettext("Resolution"),
            "decision": gettext("Decision"),
            "declaration": gettext("Declaration"),
            "draft_resolution": gettext("Draft resolution"),
            "draft_decision": gettext("Draft decision"),
            "draft_declaration": gettext("Draft declaration"),
        },
        "status": {
            "submitted": gettext("Submitted"),
            "adopted": gettext("Adopted"),
            "in_progress": gettext("Being implemented"),
            "implemented": gettext("Implemented"),
            "planned": gettext("Planned"),
            "held": gettext("Held"),
            "resumed": gettext("Resumed"),
        },
        "adoption": {"consensus": gettext("by consensus"), "vote": gettext("by vote")},
        "channel": {
            "total": gettext("Total income"),
            "regular_budget": gettext("United Nations regular budget"),
            "foundation_non_earmarked": gettext("Foundation, non-earmarked"),
            "foundation_earmarked": gettext("Foundation, earmarked"),
            "technical_cooperation": gettext("Technical cooperation"),
        },
        "metric": {
            "people_reached": gettext("People reached"),
            "countries": gettext("Countries"),
            "cities": gettext("Cities"),
            "local_governments": gettext("Local governments"),
            "partners": gettext("Partners"),
            "normative_products": gettext("Normative products"),
            "policy_reform_countries": gettext("Countries with policy reforms"),
            "policy_reform_cities": gettext("Cities with policy reforms"),
            "policy_reform_local_governments": gettext("Local governments with policy reforms"),
            "new_policy_countries": gettext("Countries with new policies"),
            "funds_usd": gettext("Funds mobilised"),
            "investment_usd": gettext("Investment"),
            "utilities": gettext("Utilities"),
            "projects": gettext("Projects"),
            "sites": gettext("Sites"),
            "conferences": gettext("Conferences"),
            "global_reports": gettext("Global reports"),
            "campaign_cities": gettext("Cities in the campaign"),
            "member_countries": gettext("Member countries"),
            "individual_members": gettext("Individual members"),
            "institutional_members": gettext("Institutional members"),
        },
    }


def _label(labels: dict[str, dict[str, str]], group: str, code: str | None) -> str:
    if not code:
        return ""
    return labels[group].get(code) or code.replace("_", " ").capitalize()


def local_text(value: Any, lang: str) -> Markup:
    """A stored multilingual text in ``lang``, else in English marked ``lang="en"``."""
    if not value:
        return Markup("")
    if isinstance(value, str):
        return Markup(escape(value))
    text = value.get(lang)
    if text:
        return Markup(escape(text))
    for other in ("en", "zh"):
        if value.get(other):
            return Markup(f'<span lang="{other}">{escape(value[other])}</span>')
    return Markup("")


#: Babel locales of the page languages whose default is not the UN's usage.
_DATE_LOCALES = {"en": "en_GB"}


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def date_range(start: str | None, end: str | None, lang: str) -> str:
    """'5–9 Jun 2023', '2023年6月5日至9日': Babel's interval formats for the locale (English
    as the United Nations writes it, the day before the month)."""
    first, last = _date(start), _date(end)
    if first is None:
        return str(start or "")
    locale = _DATE_LOCALES.get(lang, lang)
    if last is None or last == first:
        return str(format_date(first, "long", locale=locale))
    return str(format_interval(first, last, "yMMMd", locale=locale))


def amount(value: float | None, digits: int = 1) -> str:
    """US dollars in millions, in the page's language ("223.0" under "USD million")."""
    return "–" if value is None else fmt(value / 1e6, digits)


def result_value(row: dict[str, Any]) -> str:
    """A programme result as the source states it: "more than 100,000,000"."""
    value = row["value"]
    text = (
        gettext("USD %(n)s million", n=fmt(value / 1e6, 0 if value % 1e6 == 0 else 1))
        if row.get("metric") in MONEY_METRICS
        else fmt(value, 0 if float(value).is_integer() else 1)
    )
    qualifier = row.get("qualifier") or "exact"
    if qualifier == "more_than":
        return gettext("more than %(n)s", n=text)
    if qualifier == "about":
        return gettext("about %(n)s", n=text)
    if qualifier == "nearly":
        return gettext("nearly %(n)s", n=text)
    return text


def result_period(row: dict[str, Any]) -> str:
    if row.get("period_start") and row.get("period_end"):
        return f"{row['period_start']}–{row['period_end']}"
    if row.get("period_start"):
        return gettext("since %(year)s", year=row["period_start"])
    if row.get("period_years"):
        return i18n.ngettext(
            "in the past year", "in the past %(num)d years", int(row["period_years"])
        )
    return ""


def cite(records: Records, row: dict[str, Any], lang: str) -> Markup:
    """The citation of a fact: the document (linked to its page in the library if it is
    there, its title on hover) and the paragraph."""
    c = citation(records, row, lang)
    if not c["document"]:
        return Markup("")
    doc = escape(c["document"])
    title = escape(c["title"] or c["document"])
    if c["page"]:
        doc = Markup(f'<a href="{escape(c["page"])}" title="{title}">{doc}</a>')
    elif c["url"]:
        doc = Markup(f'<a href="{escape(c["url"])}" title="{title}" rel="external">{doc}</a>')
    else:
        doc = Markup(f'<span title="{title}">{doc}</span>')
    para = escape(gettext("para. %(n)s", n=c["paragraph"])) if c["paragraph"] else ""
    return Markup(f'<cite class="source">{doc}{", " if para else ""}{para}</cite>')


def _choice(value: str | None, allowed: list[str], name: str) -> str:
    value = (value or "").strip()
    if value and value not in allowed:
        raise ApiError(
            422,
            gettext("unknown %(name)s %(value)r", name=name, value=value),
            where=f"query.{name}",
            fix=gettext("one of: %(values)s", values=", ".join(allowed)),
        )
    return value


def people_chart(records: Records, lang: str) -> dict[str, Any] | None:
    """A bar chart of the people each programme reached (as its latest result states)."""
    names = {p["code"]: p["name"] for p in records.programmes}
    rows = [
        {
            "programme": str(local_text(names.get(r["programme_code"]), lang).striptags())
            or r["programme_code"],
            "value": r["value"],
            "label": result_value(r),
        }
        for r in records.results
        if r["metric"] == "people_reached"
    ]
    if not rows:
        return None
    title = gettext("People reached")
    return {
        "description": gettext("People reached by each global programme"),
        "width": "container",
        "height": {"step": 24},
        "data": {"values": rows},
        "mark": {"type": "bar", "color": "#0b5cad"},
        "encoding": {
            "y": {"field": "programme", "type": "nominal", "sort": "-x", "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "value", "type": "quantitative", "title": title,
                  "scale": {"type": "log"}, "axis": {"format": "~s"}},
            "tooltip": [
                {"field": "programme", "title": gettext("Programme")},
                {"field": "label", "title": title},
            ],
        },
    }  # fmt: skip


def funding_chart(records: Records, labels: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """Income by year and channel, in millions of US dollars."""
    rows = [
        {
            "year": str(r["year"]),
            "channel": _label(labels, "channel", r["channel"]),
            "value": round(r["amount_usd"] / 1e6, 2),
        }
        for r in records.funding
        if r["amount_usd"] is not None
    ]
    if not rows:
        return None
    unit = gettext("USD million")
    return {
        "description": gettext("Income by year and channel"),
        "width": "container",
        "height": 220,
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": gettext("Year")},
            "xOffset": {"field": "channel"},
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "channel", "type": "nominal", "title": gettext("Channel"),
                      "legend": {"orient": "bottom", "columns": 2, "labelLimit": 320}},
            "tooltip": [
                {"field": "year", "title": gettext("Year")},
                {"field": "channel", "title": gettext("Channel")},
                {"field": "value", "title": unit, "format": ",.2f"},
            ],
        },
    }  # fmt: skip


@router.get("/{lang}/records", response_class=HTMLResponse, include_in_schema=False)
async def records_page(
    request: Request,
    lang: str,
    body: Annotated[str | None, Query(max_length=32)] = None,
    kind: Annotated[str | None, Query(max_length=24)] = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    records = await run_in_threadpool(records_of, store)
    labels = _labels()
    body = _choice(body, [b["code"] for b in records.bodies], "body")
    kind = _choice(kind, sorted({o["kind"] for o in records.outcomes}), "kind")
    status = _choice(
        status, sorted({o["implementation_status"] for o in records.outcomes}), "status"
    )
    outcomes = [
        o
        for o in records.outcomes
        if (not body or o["body_code"] == body)
        and (not kind or o["kind"] == kind)
        and (not status or o["implementation_status"] == status)
    ]
    bodies = {b["code"]: b for b in records.bodies}
    sessions = {s["code"]: s for s in records.sessions}
    programmes = {p["code"]: p for p in records.programmes}
    results: dict[str, list[dict[str, Any]]] = {}
    for r in records.results:
        results.setdefault(r["programme_code"], []).append(r)
    return render(
        request,
        "records.html",
        records=records,
        bodies=bodies,
        sessions=sessions,
        programmes=programmes,
        results=results,
        outcomes=outcomes,
        filters={"body": body, "kind": kind, "status": status},
        kinds=sorted({o["kind"] for o in records.outcomes}),
        statuses=sorted({o["implementation_status"] for o in records.outcomes}),
        people_spec=people_chart(records, lang),
        funding_spec=funding_chart(records, labels),
        label=lambda group, code: _label(labels, group, code),
        text=lambda value: local_text(value, lang),
        cite=lambda row: cite(records, row, lang),
        date_range=lambda start, end: date_range(start, end, lang),
        amount=amount,
        result_value=result_value,
        result_period=result_period,
    )
