"""Build the derived area tables of urbanagenda from the bundled real sources.

Writes ``src/urbanagenda/data/derived/areas/{areas,names,parents}.csv``, which
:mod:`urbanagenda.model.areas` reads at start.  Reading the UN-Habitat workbooks takes
seconds, so they are read here once and not at every start.  The output depends only on the
bundled files: running the script twice gives the same bytes.

Run from a source checkout::

    .venv/bin/python scripts/build_areas.py            # write the tables
    .venv/bin/python scripts/build_areas.py --check    # exit 1 if the committed tables differ

Sources (all under ``src/urbanagenda/data/``):

* ``m49/unsd_m49_overview.csv``: countries and territories, M49 regions, sub-regions and
  intermediate regions, ISO codes, LDC / LLDC / SIDS flags (UNSD);
* ``m49/hdx_countries_territories_taxonomy.csv``: country names in the six UN languages (OCHA);
* ``sdmx/CL_AREA_1.14_from_DSD.csv``: CL_AREA of the global SDG DSD 1.14 (codes, English
  names, parent links) - the set of SDG regions and the parents of codes the overview lacks;
* ``un_sdg_goal11_ddf/ddf--entities--geo_area.csv``: the geo areas of the UN SDG database;
* ``un_sdg_goal11_ddf/ddf--entities--cities.csv`` and the ``--by--cities--`` datapoints: city
  ids and each city's country (``geo_area``);
* ``unhabitat/unhabitat_sdg11-7-1_open_spaces_by_city_2024.xlsx`` and
  ``unhabitat/unhabitat_green_areas_by_city_1990-2020_2024.xlsx``: readable city names, city
  countries, and each country's SDG region and sub-region (used to check the SDG grouping).
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from urbanagenda.model.areas import KINDS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "urbanagenda" / "data"
OUT = DATA / "derived" / "areas"

OVERVIEW = "m49/unsd_m49_overview.csv"
OCHA = "m49/hdx_countries_territories_taxonomy.csv"
CL_AREA = "sdmx/CL_AREA_1.14_from_DSD.csv"
GEO_AREA = "un_sdg_goal11_ddf/ddf--entities--geo_area.csv"
CITIES = "un_sdg_goal11_ddf/ddf--entities--cities.csv"
CITY_DATAPOINTS = "un_sdg_goal11_ddf/ddf--datapoints--*--by--cities--*.csv"
OPEN_SPACES = "unhabitat/unhabitat_sdg11-7-1_open_spaces_by_city_2024.xlsx"
GREEN_AREAS = "unhabitat/unhabitat_green_areas_by_city_1990-2020_2024.xlsx"

LANGS = ("ar", "zh", "en", "fr", "ru", "es")
_OCHA_LANG = {
    "ar": "Arabic",
    "zh": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}


# Values of the ``name_source`` column: where the English name of an area comes from.
SRC_OVERVIEW = "unsd_m49_overview"
SRC_CL_AREA = "sdmx_cl_area_1.14"
SRC_GEO_AREA = "sdg_geo_area"
SRC_OPEN_SPACES = "unhabitat_open_spaces_2024"
SRC_GREEN_AREAS = "unhabitat_green_areas_2024"
SRC_CITY_ID = "derived_from_city_id"

WORLD = "1"

# The SDG regional groupings of UNSD (the regions of the Sustainable Development Goals
# Report, https://unstats.un.org/sdgs/indicators/regional-groups/): SDG region -> SDG
# sub-regions, which are M49 sub-regions or intermediate regions.  CL_AREA 1.14 names the
# eight regions and links only some sub-regions to them (11, 14, 17, 18 -> 202; 5, 13, 29 ->
# 419); the build checks that those links and the "SDG Region" / "SDG Sub-Region" columns of
# the UN-Habitat workbooks agree with this table.  Australia and New Zealand has no
# sub-region: its countries belong to it directly.
SDG_GROUPING: dict[str, tuple[str, ...]] = {
    "202": ("11", "14", "17", "18"),
    "747": ("15", "145"),
    "62": ("143", "34"),
    "753": ("30", "35"),
    "419": ("5", "13", "29"),
    "53": (),
    "543": ("54", "57", "61"),
    "513": ("151", "154", "39", "155", "21"),
}

# The groups with a membership flag in the M49 overview: group code -> flag column.
GROUP_FLAGS = {
    "199": "Least Developed Countries (LDC)",
    "432": "Land Locked Developing Countries (LLDC)",
    "722": "Small Island Developing States (SIDS)",
}

# Channel Islands: an M49 intermediate region (parent of Guernsey, Jersey and Sark in
# CL_AREA) that the overview file leaves out.
EXTRA_INTERMEDIATE_REGIONS = ("830",)

# Country-level codes of CL_AREA that the M49 overview lacks and that the UN SDG database
# reports as areas of their own; linked into the hierarchies through their CL_AREA parent.
EXTRA_COUNTRIES = ("158", "412", "680")

# Former countries and parts of countries (CL_AREA / geo_area codes).  They are country
# level, so their kind is ``country``, but they are left out of the regional hierarchies so
# that an aggregate over the members of a region never counts an area twice.  The value is
# the current country the part belongs to (its ``country_code``), or None for a former one.
UNLINKED_COUNTRY_LEVEL: dict[str, str | None] = {
    "369": "368",  # Iraq (Central Iraq)
    "370": "368",  # Iraq (Kurdistan Region)
    "530": None,  # Netherlands Antilles [former]
    "736": None,  # Sudan [former]
    "827": "826",  # United Kingdom (England and Wales)
    "828": "826",  # United Kingdom (Northern Ireland)
    "829": "826",  # United Kingdom (Scotland)
    "835": "834",  # United Republic of Tanzania (Mainland)
    "836": "834",  # United Republic of Tanzania (Zanzibar)
    "890": None,  # Yugoslavia [former]
    "891": None,  # Serbia and Montenegro [former]
    "920": "620",  # Azores Islands
}

# The DDF and the 11.7.1 workbook use "NOCITI..." for rows that are not about a city (the
# national value); they are not areas.
NO_CITY_PREFIX = "nociti"


class BuildError(Exception):
    """The sources are missing or disagree; the message says which and where."""


# ---------------------------------------------------------------------------------------
# reading


def _read_csv(data: Path, rel: str) -> pd.DataFrame:
    path = data / rel
    if not path.is_file():
        raise BuildError(f"missing source file {path}; copy it from /work/shared/data ({rel})")
    # keep_default_na=False: "NA" is Namibia's ISO code, not a missing value.
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _read_workbook(data: Path, rel: str, sheet: str | int, columns: list[str]) -> pd.DataFrame:
    path = data / rel
    if not path.is_file():
        raise BuildError(f"missing source file {path}; copy it from /work/shared/data ({rel})")
    with warnings.catch_warnings():
        # openpyxl warns about the workbooks' default style; it does not affect values.
        warnings.simplefilter("ignore")
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BuildError(f"{path} sheet {sheet!r} lacks the columns {missing}")
    return frame[columns].fillna("")


def _records(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The rows of a frame read with ``dtype=str`` as plain dicts."""
    return [{str(k): str(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _clean(text: str) -> str:
    """Collapse runs of white space (geo_area writes "Netherlands Antilles  [former]")."""
    return " ".join(text.split())


def _code(text: str) -> str:
    """An M49 code without leading zeros."""
    text = text.strip()
    return str(int(text)) if text.isdigit() else text


def code_sort_key(code: str) -> tuple[int, int, str]:
    """Numeric M49 codes in numeric order first, then the city ids in text order."""
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


# ---------------------------------------------------------------------------------------
# names


# City ids of these countries carry the ISO 3166-2 state or department code after the
# country prefix (mx_oax_..., co_ant_...); a derived name leaves it out.
SUBDIVISION_PREFIXES = ("mx", "co")
# Words written in lower case inside a derived name (Spanish, Portuguese, French, Italian).
PARTICLES = frozenset(
    {"a", "da", "das", "de", "del", "des", "di", "do", "dos", "du", "e", "la", "las", "los", "y"}
)


def city_name_from_id(city_id: str) -> str:
    """The readable name derived from a city id when no source gives one.

    The two-letter ISO country prefix is dropped, and for Mexico and Colombia the
    three-letter state or department code after it.  The remaining ``_``-separated words
    get an upper-case first letter, except the particles of :data:`PARTICLES` inside the
    name, and are joined with spaces.  Accents lost in the id stay lost.

    >>> city_name_from_id("ae_dubayy")
    'Dubayy'
    >>> city_name_from_id("ae_abu_zaby")
    'Abu Zaby'
    >>> city_name_from_id("mx_agu_san_jose_de_gracia")
    'San Jose de Gracia'
    """
    words = [w for w in city_id.split("_") if w]
    if len(words) > 1 and len(words[0]) == 2:
        if words[0] in SUBDIVISION_PREFIXES and len(words) > 2 and len(words[1]) == 3:
            words = words[1:]
        words = words[1:]
    return " ".join(
        w if i and w in PARTICLES else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def _fold(text: str) -> str:
    """Lower case, no accents, words only: to compare names written in different ways."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("exc.", "excluding")
    return " ".join(sorted(set(re.findall(r"[a-z]+", text))))


# ---------------------------------------------------------------------------------------
# build


def build(data: Path = DATA) -> dict[str, pd.DataFrame]:
    """The three derived tables ``areas``, ``names`` and ``parents``, sorted."""
    overview = _read_csv(data, OVERVIEW)
    ocha = _read_csv(data, OCHA)
    cl_area = _read_csv(data, CL_AREA)
    geo_area = _read_csv(data, GEO_AREA)
    for rel, frame, cols in (
        (
            OVERVIEW,
            overview,
            ["Global Code", "M49 Code", "Country or Area", "ISO-alpha2 Code", "ISO-alpha3 Code"],
        ),
        (CL_AREA, cl_area, ["code", "name_en", "parent_code"]),
        (GEO_AREA, geo_area, ["geo_area", "name"]),
        (OCHA, ocha, ["m49 numerical code", "Preferred Term", "M49 Chinese", "Chinese Short"]),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise BuildError(f"{data / rel} lacks the columns {missing}")

    kinds: dict[str, str] = {}
    names_en: dict[str, tuple[str, str]] = {}  # code -> (name, source)
    iso2: dict[str, str] = {}
    iso3: dict[str, str] = {}
    country_of: dict[str, str] = {}
    links: set[tuple[str, str, str]] = set()  # (child, parent, hierarchy)
    notes: list[str] = []

    cl_numeric = cl_area[cl_area["code"].str.isdigit()]
    cl_name = {
        _code(c): _clean(n) for c, n in zip(cl_numeric["code"], cl_numeric["name_en"], strict=True)
    }
    cl_parent = {
        _code(c): _code(p)
        for c, p in zip(cl_numeric["code"], cl_numeric["parent_code"], strict=True)
        if p
    }
    ga_name = {
        _code(c): _clean(n) for c, n in zip(geo_area["geo_area"], geo_area["name"], strict=True)
    }

    # -- kinds of the aggregates ----------------------------------------------------------
    kinds[WORLD] = "world"
    for region, subregions in SDG_GROUPING.items():
        kinds[region] = "sdg_region"
        for sub in subregions:
            kinds[sub] = "sdg_subregion"
    for col, kind in (
        ("Region Code", "region"),
        ("Sub-region Code", "subregion"),
        ("Intermediate Region Code", "intermediate_region"),
    ):
        name_col = col.replace("Code", "Name")
        for code, name in zip(overview[col], overview[name_col], strict=True):
            if code:
                kinds.setdefault(_code(code), kind)
                names_en.setdefault(_code(code), (_clean(name), SRC_OVERVIEW))
    for code in EXTRA_INTERMEDIATE_REGIONS:
        kinds.setdefault(code, "intermediate_region")
    for code in GROUP_FLAGS:
        kinds[code] = "group"
    for code in ("1", *SDG_GROUPING, *(s for v in SDG_GROUPING.values() for s in v)):
        if code not in cl_name:
            raise BuildError(f"SDG region or sub-region {code} is not in {data / CL_AREA}")

    # -- countries and territories -------------------------------------------------------
    for rec in _records(overview):
        code = _code(rec["M49 Code"])
        kinds[code] = "country"
        names_en[code] = (_clean(rec["Country or Area"]), SRC_OVERVIEW)
        if rec["ISO-alpha2 Code"]:
            iso2[code] = rec["ISO-alpha2 Code"]
        if rec["ISO-alpha3 Code"]:
            iso3[code] = rec["ISO-alpha3 Code"]
        country_of[code] = code
    overview_countries = [_code(c) for c in overview["M49 Code"]]
    for code in (*EXTRA_COUNTRIES, *UNLINKED_COUNTRY_LEVEL):
        if code not in cl_name and code not in ga_name:
            raise BuildError(f"country-level code {code} is in neither CL_AREA nor geo_area")
        kinds[code] = "country"
        part_of = UNLINKED_COUNTRY_LEVEL.get(code)
        country_of[code] = part_of or code

    # -- every other code of the SDG database is an other group ---------------------------
    for code in sorted({*cl_name, *ga_name}, key=code_sort_key):
        kinds.setdefault(code, "other_group")
    for code in kinds:
        if code not in names_en:
            if code in cl_name:
                names_en[code] = (cl_name[code], SRC_CL_AREA)
            elif code in ga_name:
                names_en[code] = (ga_name[code], SRC_GEO_AREA)
            else:
                raise BuildError(f"no English name for area {code}")
    # Names of the SDG database for aggregates: CL_AREA first (the DSD), then geo_area.
    for code, kind in kinds.items():
        if kind != "country" and names_en[code][1] == SRC_OVERVIEW and code in cl_name:
            names_en[code] = (cl_name[code], SRC_CL_AREA)

    # -- ISO codes of the extra countries: OCHA by M49 code or by name, then CL_AREA -------
    ocha_by_m49 = {
        _code(r["m49 numerical code"]): r for r in _records(ocha) if r["m49 numerical code"]
    }
    ocha_by_name = {_clean(r["Preferred Term"]): r for r in _records(ocha)}
    for code in EXTRA_COUNTRIES:
        entry = ocha_by_m49.get(code) or ocha_by_name.get(names_en[code][0])
        if entry:
            a2 = entry["ISO 3166-1 Alpha 2-Codes"] or entry["x Alpha2 codes"]
            a3 = entry["ISO 3166-1 Alpha 3-Codes"] or entry["x Alpha3 codes"]
            if a2:
                iso2.setdefault(code, a2)
            if a3:
                iso3.setdefault(code, a3)
    # CL_AREA also lists alpha-2 codes with the names of the numeric ones.
    by_name: dict[str, str] = {}
    for code, name in cl_name.items():
        by_name.setdefault(name, code)
    taken = set(iso2.values())
    for alpha, name in zip(cl_area["code"], cl_area["name_en"], strict=True):
        if alpha.isdigit():
            continue
        code = by_name.get(_clean(name))
        if code is None:
            notes.append(f"CL_AREA alpha code {alpha} ({name}) has no numeric twin")
        elif code not in iso2 and alpha not in taken and kinds.get(code) == "country":
            iso2[code] = alpha
            taken.add(alpha)
        elif iso2.get(code) != alpha:
            notes.append(
                f"CL_AREA alpha code {alpha} ({name}) left out: {code} has ISO2 {iso2.get(code)}"
            )

    # -- M49 hierarchy ---------------------------------------------------------------------
    def finest(rec: dict[str, str]) -> str:
        for col in ("Intermediate Region Code", "Sub-region Code", "Region Code"):
            if rec[col]:
                return _code(rec[col])
        return _code(rec["Global Code"])

    for rec in _records(overview):
        code = _code(rec["M49 Code"])
        parent = finest(rec)
        # CL_AREA is finer for some (Guernsey, Jersey -> 830 Channel Islands -> 154): take its
        # parent when that parent sits directly below the overview's.
        cl = cl_parent.get(code)
        if cl and cl != parent and cl_parent.get(cl) == parent and kinds.get(cl):
            parent = cl
        elif cl and cl != parent:
            notes.append(
                f"CL_AREA puts {code} ({names_en[code][0]}) under {cl}; "
                f"the M49 overview under {parent}: the overview is followed"
            )
        links.add((code, parent, "m49"))
        chain = [
            _code(rec[c])
            for c in ("Intermediate Region Code", "Sub-region Code", "Region Code", "Global Code")
            if rec[c]
        ]
        for child, par in itertools.pairwise(chain):
            links.add((child, par, "m49"))
    for code in (*EXTRA_COUNTRIES, *EXTRA_INTERMEDIATE_REGIONS):
        if code not in cl_parent:
            raise BuildError(f"{code} has no parent in {data / CL_AREA}")
        links.add((code, cl_parent[code], "m49"))

    m49_parent: dict[str, str] = {}
    for child, parent, hier in links:
        if hier == "m49":
            m49_parent.setdefault(child, parent)

    # -- SDG hierarchy ---------------------------------------------------------------------
    sdg_region_of = {s: r for r, subs in SDG_GROUPING.items() for s in subs}
    for region in SDG_GROUPING:
        links.add((region, WORLD, "sdg"))
    for sub, region in sdg_region_of.items():
        links.add((sub, region, "sdg"))
        cl = cl_parent.get(sub)
        if cl in SDG_GROUPING and cl != region:
            raise BuildError(f"CL_AREA puts SDG sub-region {sub} under {cl}, not {region}")
    linked_countries = [*overview_countries, *EXTRA_COUNTRIES]
    sdg_parent: dict[str, str] = {}
    for code in linked_countries:
        node = m49_parent[code]
        while node != WORLD and kinds.get(node) not in ("sdg_region", "sdg_subregion"):
            node = m49_parent[node]
        sdg_parent[code] = node
        links.add((code, node, "sdg"))
        cl = cl_parent.get(code)
        if cl and cl != node and cl_parent.get(cl) != node:
            notes.append(
                f"CL_AREA puts {code} ({names_en[code][0]}) under {cl}; "
                f"its SDG parent is {node} ({names_en[node][0]}) after the M49 overview"
            )

    # -- groups ------------------------------------------------------------------------------
    for group, col in GROUP_FLAGS.items():
        if col not in overview.columns:
            raise BuildError(f"{data / OVERVIEW} lacks the column {col!r}")
        for code, flag in zip(overview["M49 Code"], overview[col], strict=True):
            if flag.strip():
                links.add((_code(code), group, "group"))

    # -- the SDG grouping agrees with the UN-Habitat workbooks -----------------------------
    open_spaces = _read_workbook(
        data,
        OPEN_SPACES,
        0,
        [
            "Country or Territory Code",
            "Country or Territory Name",
            "SDG Region",
            "SDG Sub-Region",
            "City Code",
            "City Name",
        ],
    )
    green = _read_workbook(
        data,
        GREEN_AREAS,
        "Data",
        ["Country or Territory Name", "City Code", "City Name", "SDG Sub-Region", "SDG Region"],
    )
    open_spaces = open_spaces[open_spaces["City Code"] != ""]
    green = green[green["City Code"] != ""]
    country_by_name = {names_en[c][0]: c for c in overview_countries}
    green["country"] = green["Country or Territory Name"].map(_clean).map(country_by_name)
    unknown = sorted(set(green.loc[green["country"].isna(), "Country or Territory Name"]))
    if unknown:
        raise BuildError(f"{data / GREEN_AREAS}: countries not in the M49 overview: {unknown}")
    open_spaces["country"] = open_spaces["Country or Territory Code"].map(_code)
    checks = pd.concat(
        [
            open_spaces[["country", "SDG Region", "SDG Sub-Region"]],
            green[["country", "SDG Region", "SDG Sub-Region"]],
        ]
    ).drop_duplicates()
    disagree = []
    for country, region_name, sub_name in checks.itertuples(index=False):
        node = sdg_parent[country]
        region = node if kinds[node] == "sdg_region" else sdg_region_of[node]
        want = {_fold(region_name), _fold(sub_name)}
        have = {_fold(names_en[region][0]), _fold(names_en[node][0])}
        if want != have:
            disagree.append(f"{country}: workbook {region_name!r}/{sub_name!r}, built {have}")
    if disagree:
        raise BuildError(
            "SDG grouping disagrees with the UN-Habitat workbooks:\n" + "\n".join(disagree)
        )

    # -- cities ------------------------------------------------------------------------------
    ddf_cities = _read_csv(data, CITIES)
    city_ids = [c for c in ddf_cities["cities"] if c and not c.startswith(NO_CITY_PREFIX)]
    city_country: dict[str, str] = {}
    files = sorted(data.glob(CITY_DATAPOINTS))
    if not files:
        raise BuildError(f"no city datapoints {data / CITY_DATAPOINTS}")
    for path in files:
        rel = str(path.relative_to(data))
        frame = _read_csv(data, rel)[["cities", "geo_area"]].drop_duplicates()
        for city, country in zip(frame["cities"], frame["geo_area"], strict=True):
            if city.startswith(NO_CITY_PREFIX):
                continue
            country = _code(country)
            if city_country.setdefault(city, country) != country:
                raise BuildError(f"{path}: city {city} in {country} and {city_country[city]}")
    city_name: dict[str, tuple[str, str]] = {}
    for frame, source in ((open_spaces, SRC_OPEN_SPACES), (green, SRC_GREEN_AREAS)):
        for raw, name, country in zip(
            frame["City Code"], frame["City Name"], frame["country"], strict=True
        ):
            city = raw.strip().lower()
            if city.startswith(NO_CITY_PREFIX):
                continue
            if city_country.setdefault(city, country) != country:
                raise BuildError(f"{source}: city {city} in {country} and {city_country[city]}")
            if _clean(name):
                city_name.setdefault(city, (_clean(name), source))
    all_cities = sorted({*city_ids, *city_name})
    mismatched_prefix = 0
    for city in all_cities:
        if city in kinds:
            raise BuildError(f"city id {city} collides with another area code")
        kinds[city] = "city"
        names_en[city] = city_name.get(city) or (city_name_from_id(city), SRC_CITY_ID)
        country = city_country.get(city)
        if country:
            if kinds.get(country) != "country":
                raise BuildError(f"city {city} is in {country}, which is not a country")
            country_of[city] = country
            links.add((city, country, "city"))
            if iso2.get(country, "").lower() != city[:2]:
                mismatched_prefix += 1
    if mismatched_prefix:
        notes.append(f"{mismatched_prefix} city ids do not start with their country's ISO2 code")

    # -- the tables ------------------------------------------------------------------------
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    codes = sorted(kinds, key=lambda c: (kind_rank[kinds[c]], code_sort_key(c)))
    areas = pd.DataFrame(
        {
            "code": codes,
            "kind": [kinds[c] for c in codes],
            "name": [names_en[c][0] for c in codes],
            "iso2": [iso2.get(c, "") for c in codes],
            "iso3": [iso3.get(c, "") for c in codes],
            "country_code": [country_of.get(c, "") for c in codes],
            "name_source": [names_en[c][1] for c in codes],
        }
    )

    name_rows: list[tuple[str, str, str]] = []
    for code in codes:
        name_rows.append((code, "en", names_en[code][0]))
        taxonomy = ocha_by_m49.get(code)
        if kinds[code] != "country" or taxonomy is None:
            continue
        for lang in LANGS:
            if lang == "en":
                continue
            label = _OCHA_LANG[lang]
            name = _clean(taxonomy[f"M49 {label}"] or taxonomy[f"{label} Short"])
            if name:
                name_rows.append((code, lang, name))
    lang_rank = {lang: i for i, lang in enumerate(LANGS)}
    name_rows.sort(key=lambda r: (code_sort_key(r[0]), lang_rank[r[1]]))
    names = pd.DataFrame(name_rows, columns=["code", "lang", "name"])

    hier_rank = {h: i for i, h in enumerate(("m49", "sdg", "group", "city"))}
    link_rows = sorted(
        links, key=lambda r: (hier_rank[r[2]], code_sort_key(r[0]), code_sort_key(r[1]))
    )
    parents = pd.DataFrame(link_rows, columns=["child", "parent", "hierarchy"])
    dangling = set(parents["child"]).union(parents["parent"]) - set(kinds)
    if dangling:
        raise BuildError(f"links to unknown areas: {sorted(dangling, key=code_sort_key)}")

    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return {"areas": areas, "names": names, "parents": parents}


def to_csv(frame: pd.DataFrame) -> str:
    """The CSV text written for a table: UTF-8, ``\\n`` line ends, no index."""
    return frame.to_csv(index=False, lineterminator="\n")


def write(tables: dict[str, pd.DataFrame], out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        path.write_text(to_csv(frame), encoding="utf-8", newline="")
        written.append(path)
    return written


def differences(tables: dict[str, pd.DataFrame], out: Path = OUT) -> list[str]:
    """Names of the committed tables that differ from ``tables`` (or are missing)."""
    diff = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        if not path.is_file() or path.read_text(encoding="utf-8") != to_csv(frame):
            diff.append(str(path))
    return diff


def summary(tables: dict[str, pd.DataFrame]) -> Iterable[str]:
    areas = tables["areas"]
    for kind, n in areas["kind"].value_counts().reindex(KINDS, fill_value=0).items():
        yield f"{kind:>20}: {n}"
    cities = areas[areas["kind"] == "city"]
    yield f"cities with a readable name: {(cities['name_source'] != SRC_CITY_ID).sum()}"
    yield f"cities with a country: {(cities['country_code'] != '').sum()}"
    yield f"names: {len(tables['names'])}, parent links: {len(tables['parents'])}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="bundled data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the tables")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the tables differ"
    )
    args = parser.parse_args(argv)
    try:
        tables = build(args.data)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in summary(tables):
        print(line)
    if args.check:
        diff = differences(tables, args.out)
        for changed in diff:
            print(f"differs from a fresh build: {changed}", file=sys.stderr)
        return 1 if diff else 0
    for path in write(tables, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
