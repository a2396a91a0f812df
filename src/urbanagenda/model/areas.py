"""Areas: countries and territories, regions, groups and cities, with their parents and names.

An area has one canonical code, a string: the M49 number without leading zeros for
countries, regions and groups (``"4"`` Afghanistan, ``"566"`` Nigeria, ``"202"``
Sub-Saharan Africa, ``"1"`` World) and the lower-case UN SDG database city id for cities
(``"ae_dubayy"``).  Each code has one kind (:data:`KINDS`); a code that is both an M49 and an
SDG region gets the SDG kind and the links of both hierarchies.

Parents are many-to-many, one table with a ``hierarchy`` column (:data:`HIERARCHIES`):

* ``m49``: country -> intermediate region or sub-region -> region -> World (UNSD M49);
* ``sdg``: country -> SDG sub-region -> SDG region -> World (the SDG regional groupings of
  UNSD, the regions of CL_AREA 1.14 of the global SDG DSD);
* ``group``: country -> LDC (199), LLDC (432), SIDS (722);
* ``city``: city -> country.

Names are in the six UN languages (:data:`LANGS`) for countries (OCHA Countries & Territories
Taxonomy, M49 names first) and in English for every area.  The English name of a city comes
from the UN-Habitat Urban Indicators Database workbooks where they have the city; otherwise
it is derived from the id (``name_source == "derived_from_city_id"``): the two-letter
country prefix is dropped (for Mexico and Colombia also the three-letter state or department
code after it) and each remaining ``_``-separated word gets an upper-case first letter,
except particles such as "de" inside the name.  So ``ae_dubayy`` reads "Dubayy",
``ae_abu_zaby`` "Abu Zaby" and ``mx_agu_san_jose_de_gracia`` "San Jose de Gracia"; accents
missing from the id stay missing.  The rule is ``city_name_from_id`` in
``scripts/build_areas.py``.  The id ``nociti`` ("no city", the national rows of the city
series) is not an area.

Former countries (e.g. 736 Sudan [former]) and parts of countries (e.g. 827 United Kingdom
(England and Wales)) are areas of kind ``country`` with no ``m49`` or ``sdg`` parent, so a sum
over :meth:`Areas.members` never counts them twice; a part's ``country_code`` is the country
it belongs to.

The tables are derived from the bundled real sources by ``scripts/build_areas.py`` and read
from ``urbanagenda/data/derived/areas/``:

>>> areas = load_areas()
>>> areas.resolve("004"), areas.resolve("NGA"), areas.resolve("AE_DUBAYY")
('4', '566', 'ae_dubayy')
>>> areas.get("566").name
'Nigeria'
>>> areas.ancestors("566", "sdg")
['11', '202', '1']
"""

from __future__ import annotations

import functools
import math
import os
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from urbanagenda.errors import ConfigError, DataError

__all__ = [
    "AREA_COLUMNS",
    "HIERARCHIES",
    "KINDS",
    "LANGS",
    "NAME_COLUMNS",
    "NAME_SOURCES",
    "PARENT_COLUMNS",
    "Area",
    "Areas",
    "UnknownAreaError",
    "load_areas",
    "read_areas",
]

#: Kinds of area, from the widest to the narrowest.
KINDS: tuple[str, ...] = (
    "world",
    "sdg_region",
    "sdg_subregion",
    "region",
    "subregion",
    "intermediate_region",
    "group",
    "other_group",
    "country",
    "city",
)
#: The hierarchies of the ``parents`` table.
HIERARCHIES: tuple[str, ...] = ("m49", "sdg", "group", "city")
#: The six UN languages, in the UN order.
LANGS: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
#: Where the English name of an area comes from.
NAME_SOURCES: tuple[str, ...] = (
    "unsd_m49_overview",
    "sdmx_cl_area_1.14",
    "sdg_geo_area",
    "unhabitat_open_spaces_2024",
    "unhabitat_green_areas_2024",
    "derived_from_city_id",
)

AREA_COLUMNS: tuple[str, ...] = (
    "code",
    "kind",
    "name",
    "iso2",
    "iso3",
    "country_code",
    "name_source",
)
NAME_COLUMNS: tuple[str, ...] = ("code", "lang", "name")
PARENT_COLUMNS: tuple[str, ...] = ("child", "parent", "hierarchy")

_OPTIONAL = ("iso2", "iso3", "country_code")
_FILES = {"areas": AREA_COLUMNS, "names": NAME_COLUMNS, "parents": PARENT_COLUMNS}
_REBUILD = (
    "rebuild them from the bundled sources with `.venv/bin/python scripts/build_areas.py` "
    "in a source checkout, or reinstall urbanagenda"
)
_NUMBER = re.compile(r"\d+(?:\.0*)?")
_CANONICAL = re.compile(r"[1-9]\d*|[a-z0-9]+(?:_[a-z0-9]+)+")


class UnknownAreaError(DataError, KeyError):
    """An area code or name that the area tables do not know."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Area:
    """One area.  ``name`` is English; ``country_code`` is the country the area is in (its own
    code for a country, the whole country for a part of one, None above country level)."""

    code: str
    kind: str
    name: str
    iso2: str | None = None
    iso3: str | None = None
    country_code: str | None = None
    name_source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CANONICAL.fullmatch(self.code):
            raise DataError(
                f"area code {self.code!r} is not canonical: expected an M49 number without "
                "leading zeros ('4') or a lower-case city id ('ae_dubayy')"
            )
        if self.kind not in KINDS:
            raise DataError(f"area {self.code}: kind {self.kind!r} is not one of {KINDS}")
        if not self.name:
            raise DataError(f"area {self.code}: the name is empty")


def code_sort_key(code: str) -> tuple[int, int, str]:
    """Numeric codes in numeric order first, then city ids in text order."""
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


# Typographic apostrophes and dashes read as their plain forms ("Côte d’Ivoire").
_PLAIN = str.maketrans(
    {c: "'" for c in "\u2018\u2019\u02bc\u00b4`"}
    | {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014"}
)


def _fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive form of a text, for search."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class Areas:
    """The areas, their names and their parents, with look-ups.

    ``frame`` (:data:`AREA_COLUMNS`), ``names`` (:data:`NAME_COLUMNS`) and ``parents``
    (:data:`PARENT_COLUMNS`) are data frames of ``object`` columns; missing values are None.
    Construction checks the tables and raises :class:`~urbanagenda.errors.DataError` listing
    every problem.
    """

    def __init__(self, frame: pd.DataFrame, names: pd.DataFrame, parents: pd.DataFrame) -> None:
        frame = _normalised(frame, AREA_COLUMNS, "areas")
        names = _normalised(names, NAME_COLUMNS, "names")
        parents = _normalised(parents, PARENT_COLUMNS, "parents")
        problems = _problems(frame, names, parents)
        if problems:
            shown = "\n".join(f"  - {p}" for p in problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise DataError(f"{len(problems)} problems in the area tables:\n{shown}{more}")
        self._frame = frame
        self._names = names
        self._parents = parents

        self._areas: dict[str, Area] = {
            row[0]: Area(*row) for row in frame.itertuples(index=False, name=None)
        }
        self._codes = frozenset(self._areas)
        self._kind = dict(zip(frame["code"], frame["kind"], strict=True))
        self._name = {(c, lang): n for c, lang, n in names.itertuples(index=False, name=None)}

        self._up: dict[str, dict[str, list[str]]] = {h: {} for h in HIERARCHIES}
        self._down: dict[str, dict[str, list[str]]] = {h: {} for h in HIERARCHIES}
        for child, parent, hierarchy in parents.itertuples(index=False, name=None):
            self._up[hierarchy].setdefault(child, []).append(parent)
            self._down[hierarchy].setdefault(parent, []).append(child)

        # Every key in lower case: codes, ISO alpha-2 and alpha-3 codes.
        alias: dict[str, str] = {}
        for code, iso2, iso3 in zip(frame["code"], frame["iso2"], frame["iso3"], strict=True):
            alias[code] = code
            for iso in (iso2, iso3):
                if iso:
                    alias.setdefault(iso.lower(), code)
        self._alias = alias

        self._search_codes = names["code"].to_numpy()
        self._search_langs = names["lang"].to_numpy()
        self._search_names = names["name"].map(_fold).astype(object)
        self._search_folded = self._search_names.to_numpy()

    # -- tables ---------------------------------------------------------------------------

    @property
    def frame(self) -> pd.DataFrame:
        """One row per area: :data:`AREA_COLUMNS`."""
        return self._frame.copy(deep=False)

    @property
    def names(self) -> pd.DataFrame:
        """Names by language: :data:`NAME_COLUMNS`, one row per area and language."""
        return self._names.copy(deep=False)

    @property
    def parents(self) -> pd.DataFrame:
        """Direct parent links: :data:`PARENT_COLUMNS`."""
        return self._parents.copy(deep=False)

    @property
    def codes(self) -> frozenset[str]:
        """Every canonical area code."""
        return self._codes

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        counts = self._frame["kind"].value_counts()
        parts = ", ".join(f"{counts[k]} {k}" for k in KINDS if k in counts)
        return f"<Areas: {parts}>"

    # -- look-ups -------------------------------------------------------------------------

    def resolve(self, raw: object) -> str | None:
        """The canonical code of a raw area code, or None if it is unknown.

        Accepts M49 numbers with or without leading zeros, blanks or a ``.0`` ("004",
        " 4 ", "4.0", 4), ISO 3166 alpha-2 and alpha-3 codes ("NG", "NGA") and city ids in
        any case ("AE_DUBAYY").  Names are not codes: use :meth:`search` for them.

        >>> areas = load_areas()
        >>> areas.resolve(" 004 "), areas.resolve("nga"), areas.resolve("XYZ")
        ('4', '566', None)
        """
        if isinstance(raw, str):
            text = raw.strip()
            if _NUMBER.fullmatch(text):
                return self._alias.get(str(int(text.split(".")[0])))
            return self._alias.get(text.lower())
        if isinstance(raw, bool | np.bool_) or raw is None:
            return None
        if isinstance(raw, int | np.integer):
            return self._alias.get(str(int(raw)))
        if (
            isinstance(raw, float | np.floating)
            and math.isfinite(raw)
            and float(raw).is_integer()
            and raw >= 0
        ):
            return self._alias.get(str(int(raw)))
        return None

    def resolve_series(self, values: pd.Series) -> pd.Series:
        """:meth:`resolve` for every value; unknown and missing values give None.

        Each distinct value is resolved once, so millions of rows take a fraction of a
        second.  The result has the index and name of ``values`` and ``object`` dtype.
        """
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        # The extra None at the end is what the sentinel -1 (missing value) picks.
        lookup = np.array([*(self.resolve(u) for u in uniques), None], dtype=object)
        return pd.Series(lookup[codes], index=values.index, name=values.name, dtype=object)

    def get(self, code: str) -> Area:
        """The area with this code (any form :meth:`resolve` accepts).

        Raises :class:`UnknownAreaError` (a ``DataError`` and a ``KeyError``) if unknown.
        """
        return self._areas[self._require(code)]

    def name(self, code: str, lang: str = "en") -> str:
        """The name of an area in a UN language, or its English name if there is none."""
        if lang not in LANGS:
            raise DataError(f"language {lang!r} is not one of the UN languages {LANGS}")
        canonical = self._require(code)
        return self._name.get((canonical, lang)) or self._areas[canonical].name

    def children(self, code: str, hierarchy: str | None = None) -> list[str]:
        """Direct children of an area, in one hierarchy or in all of them."""
        return self._step(self._down, self._require(code), hierarchy)

    def parents_of(self, code: str, hierarchy: str | None = None) -> list[str]:
        """Direct parents of an area, in one hierarchy or in all of them."""
        return self._step(self._up, self._require(code), hierarchy)

    def ancestors(self, code: str, hierarchy: str = "sdg") -> list[str]:
        """Every area above ``code`` in a hierarchy, nearest first.

        >>> load_areas().ancestors("4", "m49")
        ['34', '142', '1']
        """
        return self._walk(self._up[self._hierarchy(hierarchy)], self._require(code))

    def members(
        self, parent: str, hierarchy: str = "sdg", kind: str | None = "country"
    ) -> list[str]:
        """Every area below ``parent`` in a hierarchy (transitively) of a kind (None: any).

        >>> areas = load_areas()
        >>> "566" in areas.members("202"), "818" in areas.members("202")
        (True, False)
        >>> areas.members("784", "city", "city")[:2]
        ['ae_abu_zaby', 'ae_al_ayn']
        """
        if kind is not None and kind not in KINDS:
            raise DataError(f"kind {kind!r} is not one of {KINDS}")
        found = self._walk(self._down[self._hierarchy(hierarchy)], self._require(parent))
        kept = [c for c in found if kind is None or self._kind[c] == kind]
        return sorted(kept, key=code_sort_key)

    def search(self, text: str, lang: str | None = None) -> list[str]:
        """Codes of the areas whose name contains ``text``, ignoring case and accents.

        Names in every language are searched, or in ``lang`` only.  Exact matches come
        first, then names that start with the text, then the others; wider areas before
        narrower ones.

        >>> load_areas().search("nigeria")
        ['566']
        >>> load_areas().search("中国", lang="zh")[:1]
        ['156']
        """
        if lang is not None and lang not in LANGS:
            raise DataError(f"language {lang!r} is not one of the UN languages {LANGS}")
        needle = _fold(text.strip()) if isinstance(text, str) else ""
        if not needle:
            raise DataError(f"search text {text!r} is empty: give a part of an area's name")
        hit = self._search_names.str.contains(needle, regex=False).to_numpy(dtype=bool)
        if lang is not None:
            hit = hit & (self._search_langs == lang)
        rank: dict[str, int] = {}
        for code, name in zip(self._search_codes[hit], self._search_folded[hit], strict=True):
            r = 0 if name == needle else 1 if name.startswith(needle) else 2
            rank[code] = min(r, rank.get(code, 2))
        kind_rank = {k: i for i, k in enumerate(KINDS)}
        return sorted(rank, key=lambda c: (rank[c], kind_rank[self._kind[c]], code_sort_key(c)))

    # -- helpers ----------------------------------------------------------------------------

    def _require(self, raw: object) -> str:
        code = self.resolve(raw)
        if code is None:
            raise UnknownAreaError(
                f"unknown area {raw!r}: expected an M49 code ('566'), an ISO 3166 code "
                "('NGA') or a city id ('ae_dubayy'); find codes with Areas.search(name)"
            )
        return code

    @staticmethod
    def _hierarchy(hierarchy: str) -> str:
        if hierarchy not in HIERARCHIES:
            raise DataError(f"hierarchy {hierarchy!r} is not one of {HIERARCHIES}")
        return hierarchy

    def _step(
        self, links: dict[str, dict[str, list[str]]], code: str, hierarchy: str | None
    ) -> list[str]:
        chosen = HIERARCHIES if hierarchy is None else (self._hierarchy(hierarchy),)
        found = {c for h in chosen for c in links[h].get(code, ())}
        return sorted(found, key=code_sort_key)

    @staticmethod
    def _walk(links: dict[str, list[str]], start: str) -> list[str]:
        seen: dict[str, None] = {}
        queue = deque(links.get(start, ()))
        while queue:
            node = queue.popleft()
            if node in seen or node == start:
                continue
            seen[node] = None
            queue.extend(links.get(node, ()))
        return list(seen)


def _normalised(table: pd.DataFrame, columns: tuple[str, ...], label: str) -> pd.DataFrame:
    """The declared columns as ``object`` columns of stripped text, "" in optional ones as None."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(
            f"the {label} table lacks the columns {missing}: expected exactly {list(columns)}"
        )

    def clean(value: object, optional: bool) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value or None if optional else value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return None if value is pd.NA or value is pd.NaT else value

    return pd.DataFrame(
        {
            c: pd.Series([clean(v, c in _OPTIONAL) for v in table[c].tolist()], dtype=object)
            for c in columns
        }
    )


def _problems(frame: pd.DataFrame, names: pd.DataFrame, parents: pd.DataFrame) -> list[str]:
    problems: list[str] = []

    def report(table: str, bad: pd.Series, what: str, values: Iterable[object]) -> None:
        if bad.any():
            shown = [str(v) for v in list(values)[:5]]
            problems.append(f"{table}: {int(bad.sum())} rows {what}, e.g. {shown}")

    for table, cols in (
        ("areas", ("code", "kind", "name", "name_source")),
        ("names", NAME_COLUMNS),
        ("parents", PARENT_COLUMNS),
    ):
        data = {"areas": frame, "names": names, "parents": parents}[table]
        for col in cols:
            empty = data[col].map(lambda v: not isinstance(v, str) or not v)
            report(table, empty, f"with an empty {col}", data.index[empty])
    if problems:
        return problems

    codes = frame["code"]
    report("areas", codes.duplicated(), "repeat a code", codes[codes.duplicated()])
    bad = ~codes.map(lambda c: bool(_CANONICAL.fullmatch(c)))
    report("areas", bad, "have a code that is not canonical", codes[bad])
    bad = ~frame["kind"].isin(KINDS)
    report("areas", bad, f"have a kind not in {KINDS}", frame["kind"][bad])
    bad = ~frame["name_source"].isin(NAME_SOURCES)
    report("areas", bad, f"have a name_source not in {NAME_SOURCES}", frame["name_source"][bad])
    kind = dict(zip(codes, frame["kind"], strict=True))
    cc = frame["country_code"]
    bad = cc.notna() & ~cc.map(lambda c: kind.get(c) == "country")
    report("areas", bad, "have a country_code that is not a country", cc[bad])
    for col in ("iso2", "iso3"):
        iso = frame[col].dropna()
        report("areas", iso.duplicated(), f"repeat an {col} code", iso[iso.duplicated()])

    known = set(codes)
    bad = ~names["code"].isin(known)
    report("names", bad, "name unknown areas", names["code"][bad])
    bad = ~names["lang"].isin(LANGS)
    report("names", bad, f"have a lang not in {LANGS}", names["lang"][bad])
    dup = names.duplicated(["code", "lang"])
    report("names", dup, "repeat a (code, lang) pair", names["code"][dup])

    for col in ("child", "parent"):
        bad = ~parents[col].isin(known)
        report("parents", bad, f"have a {col} that is not an area", parents[col][bad])
    bad = ~parents["hierarchy"].isin(HIERARCHIES)
    report("parents", bad, f"have a hierarchy not in {HIERARCHIES}", parents["hierarchy"][bad])
    bad = parents["child"] == parents["parent"]
    report("parents", bad, "link an area to itself", parents["child"][bad])
    dup = parents.duplicated()
    report("parents", dup, "repeat a link", parents["child"][dup])
    return problems


def _read_table(directory: Traversable, stem: str) -> pd.DataFrame:
    resource = directory.joinpath(f"{stem}.csv")
    if not resource.is_file():
        raise ConfigError(f"the bundled area table {resource} is missing; {_REBUILD}")
    try:
        with resource.open("rb") as handle:
            # keep_default_na=False: "NA" is Namibia's ISO code, not a missing value.
            table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ConfigError(
            f"the bundled area table {resource} cannot be read as UTF-8 CSV ({exc}); {_REBUILD}"
        ) from exc
    expected = list(_FILES[stem])
    if list(table.columns) != expected:
        raise ConfigError(
            f"the bundled area table {resource} has the columns {list(table.columns)}, "
            f"expected {expected}; {_REBUILD}"
        )
    return table


def read_areas(directory: str | os.PathLike[str] | Traversable) -> Areas:
    """Read ``areas.csv``, ``names.csv`` and ``parents.csv`` from a folder (not cached).

    Raises :class:`~urbanagenda.errors.ConfigError` naming the file when one is missing or
    wrong, or when the tables do not agree with each other.
    """
    folder = directory if isinstance(directory, Traversable) else Path(directory)
    tables = {stem: _read_table(folder, stem) for stem in _FILES}
    try:
        return Areas(tables["areas"], tables["names"], tables["parents"])
    except DataError as exc:
        raise ConfigError(
            f"the bundled area tables in {folder} are wrong: {exc}\n{_REBUILD}"
        ) from exc


@functools.cache
def load_areas() -> Areas:
    """The areas bundled with urbanagenda (read once, then cached)."""
    return read_areas(resources.files("urbanagenda").joinpath("data", "derived", "areas"))
