"""The OSR input format (``urbanagenda-osr/1``) as plain data ↔ :class:`~.model.OsrInput`,
with every problem reported at once (file, field path, found, expected, fix).

The format (YAML and JSON are this; the CSV and Excel readers build it)::

    format: urbanagenda-osr/1          # optional
    local_government: …                # required
    area: sl_freetown                  # optional store code; country: "694" optional M49
    currency: SLE                      # required, ISO 4217
    example: true                      # optional; note: "…"
    sources: [{id, citation, url}]     # optional; streams and fiscal cite them by id
    years:
      - year: 2019
        fiscal: {population, gdp_per_capita, household_size, usd_rate, sources}
        streams:
          - {kind: property_tax, name, estimated, actual_reported, sources, note,
             categories: [{name, registered, compliant, assessed_value, market_value, rate,
                           legislated_rate}]}
          - {kind: business_licence, categories: [{name, estimated, registered, compliant,
                                                   fee, legislated_fee}]}
          - {kind: user_charge_short | user_charge_long | user_charge_mixed | other_tax,
             charges: [{name, users_estimated, users_actual, rate, legislated_rate,
                        periods, per}]}

Any number may be an estimate ``{central, low, high}``.  ``per`` defaults to day (short
charges), month (long charges) or year (other taxes, whose ``periods`` default to 1); mixed
charges must say it.  A stream without a name is named after its kind.  Years are sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from urbanagenda.errors import ValidationFailed
from urbanagenda.finance._fields import SOURCE_FIELDS
from urbanagenda.finance._osr_read import Reader, dump_estimate
from urbanagenda.finance._osr_streams import KIND_NAMES, dump_stream, read_stream
from urbanagenda.finance.model import FiscalInput, OsrInput, SourceRef, YearInput

__all__ = ["FORMAT", "dump_osr", "parse_osr"]

FORMAT = "urbanagenda-osr/1"
_TOP = (
    "format",
    "local_government",
    "area",
    "country",
    "currency",
    "example",
    "note",
    "sources",
    "years",
)
FISCAL_FIELDS = ("population", "gdp_per_capita", "household_size", "usd_rate", "sources")


def parse_osr(data: Mapping[str, Any], *, file: str | None = None) -> OsrInput:
    """Validate and convert; raise :class:`~urbanagenda.errors.ValidationFailed` listing every
    problem."""
    r = Reader(file)
    top = r.mapping(
        data,
        "",
        allowed=_TOP,
        required=("local_government", "currency", "years"),
        what="an OSR analysis",
    )
    if top is None:
        _fail(r)
    top = cast(Mapping[str, Any], top)
    form = top.get("format")
    if form is not None and form != FORMAT:
        r.add(
            "unknown-format",
            "format",
            f"format is {form!r}; this reader knows {FORMAT!r}.",
            found=form,
            expected=FORMAT,
            fix=f"write format: {FORMAT} (or leave it out)",
        )
    name = r.text(top.get("local_government"), "local_government")
    if name == "":
        r.add("missing-value", "local_government", "local_government is empty.",
              fix="name the local government (e.g. Freetown City Council)")  # fmt: skip
    sources = _sources(r, top.get("sources"))
    ids = {s.id for s in sources}
    years = []
    seen: dict[int, int] = {}
    for i, item in enumerate(r.items(top.get("years"), "years", what="years")):
        number, year = _year(r, item, f"years[{i}]", ids)
        if number in seen:
            r.add(
                "duplicate-key",
                f"years[{i}].year",
                f"years[{i}] repeats the year {number} of years[{seen[number]}].",
                found=number,
                expected="each year once",
                fix="merge the two entries or correct the year",
            )
        elif number is not None:
            seen[number] = i
        if year is not None:
            years.append(year)
    inp = OsrInput(
        name=name or "",
        years=tuple(sorted(years, key=lambda y: y.year)),
        currency=_currency(r, top.get("currency")),
        area_code=r.text(top.get("area"), "area") or None,
        country_code=_country(r, top.get("country")),
        example=bool(r.flag(top.get("example"), "example")),
        note=r.text(top.get("note"), "note") or "",
        sources=sources,
    )
    if r.issues:
        _fail(r)
    return inp


def _fail(r: Reader) -> None:
    raise ValidationFailed(r.report())


def _currency(r: Reader, value: Any) -> str:
    code = (r.text(value, "currency") or "").upper()
    if value is not None and not (len(code) == 3 and code.isascii() and code.isalpha()):
        r.add(
            "out-of-range",
            "currency",
            f"currency is {value!r}; it must be an ISO 4217 code of 3 letters.",
            found=value,
            expected="3 letters, e.g. SLE, KES, MWK, KGS",
            fix="write the ISO 4217 code of the local currency",
        )
    return code


def _country(r: Reader, value: Any) -> str | None:
    code = r.text(value, "country")
    if not code:
        return None
    if not code.isdigit() or len(code) > 3:
        r.add(
            "unknown-area",
            "country",
            f"country is {value!r}; it must be an M49 country code.",
            found=value,
            expected='digits, e.g. "694" (Sierra Leone)',
            fix="write the country's numeric M49 code, or leave country out",
        )
        return None
    return str(int(code))


def _sources(r: Reader, value: Any) -> tuple[SourceRef, ...]:
    out: list[SourceRef] = []
    if value is None:
        return ()
    for i, item in enumerate(r.items(value, "sources", what="sources", required=False)):
        path = f"sources[{i}]"
        data = r.mapping(item, path, allowed=SOURCE_FIELDS,
                         required=("id", "citation"), what="a source")  # fmt: skip
        if data is None:
            continue
        sid = r.text(data.get("id"), f"{path}.id")
        citation = r.text(data.get("citation"), f"{path}.citation")
        if not sid or not citation:
            continue
        if any(s.id == sid for s in out):
            r.add("duplicate-key", f"{path}.id", f"{path}: the source id {sid!r} is used twice.",
                  found=sid, fix="give each source its own id")  # fmt: skip
            continue
        out.append(SourceRef(sid, citation, r.text(data.get("url"), f"{path}.url") or None))
    return tuple(out)


def _year(r: Reader, value: Any, path: str, ids: set[str]) -> tuple[int | None, YearInput | None]:
    """The year's number (when it is one) and the year (when all in it is right)."""
    data = r.mapping(value, path, allowed=("year", "fiscal", "streams"),
                     required=("year", "streams"), what="a year")  # fmt: skip
    if data is None:
        return None, None
    year = _year_number(r, data.get("year"), f"{path}.year")
    fiscal = _fiscal(r, data.get("fiscal"), f"{path}.fiscal", ids)
    streams = []
    names: dict[str, int] = {}
    for j, item in enumerate(r.items(data.get("streams"), f"{path}.streams", what="streams")):
        where = f"{path}.streams[{j}]"
        stream = read_stream(r, item, where, ids)
        name = _stream_name(item)
        if name in names:
            r.add(
                "duplicate-key",
                f"{where}.name",
                f"{where}: the stream name {name!r} is used twice in the year "
                f"(also {path}.streams[{names[name]}]).",
                found=name,
                expected="stream names unique within a year",
                fix="name the two streams apart (e.g. Market dues, Parking fees)",
            )
        elif name is not None:
            names[name] = j
        if stream is not None:
            streams.append(stream)
    if year is None or fiscal is None:
        return year, None
    return year, YearInput(year, tuple(streams), fiscal)


def _stream_name(item: Any) -> str | None:
    """The name a stream has or will have (its kind's when it has none), as written."""
    if not isinstance(item, Mapping):
        return None
    name = item.get("name")
    return str(name).strip() if name else KIND_NAMES.get(str(item.get("kind")))


def _year_number(r: Reader, value: Any, path: str) -> int | None:
    if value is None:
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if isinstance(value, bool) or not 1950 <= year <= 2100:
        r.add(
            "impossible-year",
            path,
            f"{path} is {value!r}; it must be a year from 1950 to 2100.",
            found=value,
            expected="a year 1950–2100",
            fix="write the fiscal year as four digits (the year it ends in, e.g. 2019)",
        )
        return None
    return year


def _fiscal(r: Reader, value: Any, path: str, ids: set[str]) -> FiscalInput | None:
    if value is None:
        return FiscalInput()
    data = r.mapping(value, path, allowed=FISCAL_FIELDS, what="the fiscal context")
    if data is None:
        return None
    before = len(r.issues)
    usd = data.get("usd_rate")
    if isinstance(usd, Mapping):
        r.add("non-numeric-value", f"{path}.usd_rate", f"{path}.usd_rate takes one number.",
              found=dict(usd), expected="a number (local currency units per US dollar)",
              fix="give the year's average exchange rate as one number")  # fmt: skip
        usd = None
    fiscal = FiscalInput(
        population=r.estimate(data.get("population"), f"{path}.population", positive=True),
        gdp_per_capita=r.estimate(
            data.get("gdp_per_capita"), f"{path}.gdp_per_capita", positive=True
        ),
        household_size=r.estimate(
            data.get("household_size"), f"{path}.household_size", positive=True
        ),
        usd_rate=r.number(usd, f"{path}.usd_rate", positive=True),
        sources=r.cite(data.get("sources"), f"{path}.sources", ids),
    )
    return fiscal if len(r.issues) == before else None


# ---------------------------------------------------------------------------- dump


def dump_osr(inp: OsrInput) -> dict[str, Any]:
    """The canonical plain form of ``inp`` (``parse_osr(dump_osr(x)) == x``)."""
    out: dict[str, Any] = {"format": FORMAT, "local_government": inp.name}
    if inp.area_code:
        out["area"] = inp.area_code
    if inp.country_code:
        out["country"] = inp.country_code
    out["currency"] = inp.currency
    out["example"] = inp.example
    if inp.note:
        out["note"] = inp.note
    if inp.sources:
        out["sources"] = [
            {"id": s.id, "citation": s.citation, **({"url": s.url} if s.url else {})}
            for s in inp.sources
        ]
    out["years"] = [_dump_year(y) for y in inp.years]
    return out


def _dump_year(year: YearInput) -> dict[str, Any]:
    out: dict[str, Any] = {"year": year.year}
    f = year.fiscal
    fiscal: dict[str, Any] = {}
    for name in ("population", "gdp_per_capita", "household_size"):
        value = getattr(f, name)
        if value is not None:
            fiscal[name] = dump_estimate(value)
    if f.usd_rate is not None:
        fiscal["usd_rate"] = f.usd_rate
    if f.sources:
        fiscal["sources"] = list(f.sources)
    if fiscal:
        out["fiscal"] = fiscal
    out["streams"] = [dump_stream(s) for s in year.streams]
    return out
