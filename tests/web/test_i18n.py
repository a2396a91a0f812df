"""The six interface languages: message catalogues, catalogue names, pages and numbers.

What a reader of the platform relies on: every message of the interface is translated in
English and Chinese (and nearly all of it in the four other UN languages), a translation never
crashes a page with a wrong ``%(name)s`` placeholder, plural forms follow each language's rules,
the names of targets, indicators, series and statuses exist in every language and match the
catalogue, pages come out in the language of their URL (Arabic right-to-left) and numbers are
written the way each language writes them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from urbanagenda.web import i18n
from urbanagenda.web.pages.common import fmt

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "urbanagenda" / "web"
LOCALE = WEB / "locale"
LANGS = tuple(i18n.LANGUAGES)
COMPLETE = ("en", "zh")  # every message translated, nothing fuzzy
PARTIAL = tuple(lang for lang in LANGS if lang not in COMPLETE)
NAVIGATION = (
    "Progress",
    "Indicators",
    "Countries and regions",
    "API",
    "Search",
    "Search areas and indicators",
    "Language",
    "Skip to content",
    "Main",
)
# "Indicators" in the navigation of each language (the expected text is written out here, not
# read from the catalogues, so that an emptied or wrong translation fails)
INDICATORS = {
    "ar": "المؤشرات",
    "zh": "指标",
    "en": "Indicators",
    "fr": "Indicateurs",
    "ru": "Показатели",
    "es": "Indicadores",
}
SECTIONS = ("goal", "target", "indicator", "series", "status", "reason", "area", "unit")
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


# ----------------------------------------------------------------------------- helpers


def placeholders(text: str) -> set[str]:
    """The ``%(name)s`` placeholders of a message (``%%`` is not one); an unnamed ``%s`` is
    reported as ``"<positional>"`` since the pages always pass names."""
    found = set()
    for name, conversion in PLACEHOLDER.findall(text):
        if conversion == "%":
            continue
        found.add(f"{name}:{conversion}" if name else "<positional>")
    return found


def strings(message: Message) -> list[str]:
    value = message.string
    return [str(v or "") for v in value] if isinstance(value, (tuple, list)) else [value or ""]


def ids(message: Message) -> list[str]:
    value = message.id
    return [str(v) for v in value] if isinstance(value, (tuple, list)) else [value]


def translated(message: Message) -> bool:
    return not message.fuzzy and all(strings(message))


def read(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang, abort_invalid=True)


def template() -> Catalog:
    with (LOCALE / "messages.pot").open("rb") as fh:
        return read_po(fh, abort_invalid=True)


def messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def key(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def problems_with_placeholders(message: Message) -> list[str]:
    """Why a translation would not format with the variables its msgid is given."""
    if not translated(message):
        return []
    expected = set().union(*(placeholders(text) for text in ids(message)))
    out = []
    for form in strings(message):
        got = placeholders(form)
        if isinstance(message.id, tuple):
            # a plural form may leave the count out ("one city"), never add or rename one
            wrong = got - expected
            missing = (expected - got) - {"num:d"}
        else:
            wrong, missing = got - expected, expected - got
        if wrong or missing:
            out.append(f"{form!r}: unexpected {sorted(wrong)}, missing {sorted(missing)}")
    return out


@pytest.fixture
def language() -> Iterator[None]:
    """Tests that switch the request language leave it as they found it."""
    yield
    i18n.use(i18n.DEFAULT)


# ----------------------------------------------------------------------------- catalogues


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_parses_and_compiles(lang: str) -> None:
    catalog = read(lang)
    assert str(catalog.locale) == lang
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = Translations(buffer)
    assert compiled.ugettext("Indicators") == INDICATORS[lang]
    # what the application loads is the same catalogue
    assert i18n.translations(lang).ugettext("Indicators") == INDICATORS[lang]


def test_catalogues_are_up_to_date_with_the_code() -> None:
    """Every message marked in the code and the templates is in messages.pot and in the six
    catalogues: run scripts/i18n.sh after changing a message."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {
        "**/templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "true",
            "lstrip_blocks": "true",
            "newstyle_gettext": "true",
            "silent": "false",
        }
    }
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    in_code = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options, keywords=keywords
    ):
        in_code.add(message if isinstance(message, str) else tuple(message))
    in_template = {key(m) for m in messages(template())}
    assert in_code - in_template == set(), "messages missing from messages.pot: run scripts/i18n.sh"
    for lang in LANGS:
        in_po = {key(m) for m in messages(read(lang))}
        assert in_template - in_po == set(), f"{lang}: run scripts/i18n.sh"


@pytest.mark.parametrize("lang", COMPLETE)
def test_english_and_chinese_translate_every_message(lang: str) -> None:
    catalog = read(lang)
    for message in messages(template()):
        entry = catalog.get(message.id)
        assert entry is not None, f"{lang}: {message.id!r} is missing"
        assert not entry.fuzzy, f"{lang}: {message.id!r} is fuzzy: review it"
        assert all(strings(entry)), f"{lang}: {message.id!r} is not translated"
        if isinstance(message.id, tuple):
            assert len(strings(entry)) == catalog.num_plurals


def test_english_is_the_identity() -> None:
    for message in messages(read("en")):
        assert strings(message) == ids(message), message.id


@pytest.mark.parametrize("lang", PARTIAL)
def test_other_languages_translate_navigation_and_nine_messages_in_ten(lang: str) -> None:
    catalog = read(lang)
    for text in NAVIGATION:
        entry = catalog.get(text)
        assert entry is not None and translated(entry), f"{lang}: {text!r} is not translated"
    pot = list(messages(template()))
    done = [m for m in pot if (e := catalog.get(m.id)) is not None and translated(e)]
    assert len(done) / len(pot) >= 0.9, f"{lang}: {len(done)}/{len(pot)} translated"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_of_every_translation_match_its_message(lang: str) -> None:
    catalog = read(lang)
    problems = [p for m in messages(catalog) for p in problems_with_placeholders(m)]
    assert problems == []
    # and each translation formats with the variables its message is given
    for message in messages(catalog):
        if not translated(message):
            continue
        names = {p.split(":")[0] for text in ids(message) for p in placeholders(text)}
        values = {name: 1 for name in names}
        for form in strings(message):
            assert isinstance(form % values, str)  # raises on a wrong placeholder


def test_the_placeholder_check_catches_a_wrong_translation() -> None:
    good = Message("Status of %(method)s", "État de %(method)s")
    renamed = Message("Status of %(method)s", "État de %(méthode)s")
    dropped = Message("%(n)s of %(total)s", "%(n)s")
    plural = Message(("%(num)d city", "%(num)d cities"), ("une ville", "%(num)d villes"))
    assert problems_with_placeholders(good) == []
    assert problems_with_placeholders(renamed) != []
    assert problems_with_placeholders(dropped) != []
    assert problems_with_placeholders(plural) == []
    assert placeholders("100%% of %(n)d") == {"n:d"}


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("en", {1: "1 member country", 2: "2 member countries", 5: "5 member countries"}),
        ("fr", {0: "0 pays membre", 1: "1 pays membre", 2: "2 pays membres"}),
        ("es", {1: "1 país miembro", 2: "2 países miembros"}),
        ("zh", {1: "1 个成员国", 5: "5 个成员国"}),
        (
            "ru",
            {
                1: "1 страна-член",
                3: "3 страны-члена",
                5: "5 стран-членов",
                11: "11 стран-членов",
                21: "21 страна-член",
                22: "22 страны-члена",
            },
        ),
        (
            "ar",
            {
                1: "بلد عضو واحد",
                2: "بلدان عضوان",
                3: "3 بلدان أعضاء",
                11: "11 بلداً عضواً",
                100: "100 بلد عضو",
            },
        ),
    ],
)
def test_plural_forms_follow_each_language(
    lang: str, counts: dict[int, str], language: None
) -> None:
    i18n.use(lang)
    for n, expected in counts.items():
        got = i18n.ngettext("%(num)d member country", "%(num)d member countries", n)
        assert got == expected


# ----------------------------------------------------------------------------- names


def english_reference() -> dict[str, dict[str, str]]:
    """What the English catalogue.yaml must say: the catalogue and the methods' own labels."""
    from urbanagenda.assess.methods._common import load_method_config
    from urbanagenda.model.areas import load_areas
    from urbanagenda.model.catalogue import load_catalogue

    catalogue = load_catalogue()
    config = load_method_config()
    status: dict[str, str] = {}
    for method, spec in config["methods"].items():
        for code, label in spec["statuses"].items():
            status[f"{method}.{code}"] = str(label["en"])
        for code, label in spec.get("no_target_labels", {}).items():
            status[f"{method}.{code}.no_target"] = str(label["en"])
    status["insufficient_data"] = str(config["insufficient_data"]["en"])
    areas = load_areas().frame
    store_names = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
    named = i18n.catalogue_names("en").get("area", {})
    return {
        "goal": {code: goal.title for code, goal in catalogue.goals.items()},
        "target": {code: target.title for code, target in catalogue.targets.items()},
        "indicator": {code: ind.name for code, ind in catalogue.indicators.items()},
        "series": {code: series.name for code, series in catalogue.series.items()},
        "status": status,
        "reason": {code: str(label["en"]) for code, label in config["reasons"].items()},
        # regions and groups the OCHA taxonomy names in English only: the store's names
        "area": {code: store_names.get(code, "not an area of the store") for code in named},
        # the units of the SDG 11 series, by the catalogue's names
        "unit": {s.unit: catalogue.units[s.unit].name for s in catalogue.series.values()},
    }


def test_english_names_are_the_catalogue_and_the_method_labels() -> None:
    english = i18n.catalogue_names("en")
    reference = english_reference()
    assert set(english) == set(SECTIONS)
    for section in SECTIONS:
        assert english[section] == reference[section], section
    assert len(english["target"]) == 10
    assert len(english["indicator"]) == 15
    # the eight SDG regions of the progress chart are named in every language
    for code in ("202", "419", "513", "53", "543", "62", "747", "753"):
        assert all(code in i18n.catalogue_names(lang)["area"] for lang in LANGS), code
    assert i18n.catalogue_names("zh")["area"]["202"] == "撒哈拉以南非洲"
    assert i18n.catalogue_names("fr")["area"]["419"] == "Amérique latine et Caraïbes"


@pytest.mark.parametrize("lang", LANGS)
def test_names_have_no_stale_key(lang: str) -> None:
    path = LOCALE / lang / "catalogue.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(raw) <= set(SECTIONS), f"{path}: unknown sections {set(raw) - set(SECTIONS)}"
    english = i18n.catalogue_names("en")
    names = i18n.catalogue_names(lang)
    for section, entries in names.items():
        stale = set(entries) - set(english[section])
        assert stale == set(), f"{lang}: {section} keys not in the English catalogue: {stale}"
        assert all(text.strip() for text in entries.values())


@pytest.mark.parametrize("lang", LANGS)
def test_goal_targets_and_indicators_are_named_in_every_language(lang: str) -> None:
    names = i18n.catalogue_names(lang)
    english = i18n.catalogue_names("en")
    for section in ("goal", "target", "indicator"):
        assert set(names[section]) == set(english[section]), f"{lang}: {section}"


def test_chinese_names_are_complete_and_chinese() -> None:
    names = i18n.catalogue_names("zh")
    english = i18n.catalogue_names("en")
    han = re.compile(r"[\u4e00-\u9fff]")
    for section in SECTIONS:
        assert set(names[section]) == set(english[section]), section
        untranslated = [k for k, text in names[section].items() if not han.search(text)]
        assert untranslated == [], f"zh {section} not in Chinese: {untranslated}"


def test_official_wording_of_a_target_in_each_language() -> None:
    target = {lang: i18n.catalogue_names(lang)["target"]["11.1"] for lang in LANGS}
    assert target["zh"].startswith("到2030年，确保人人获得适当、安全和负担得起的住房")
    assert target["fr"].startswith("D’ici à 2030, assurer l’accès de tous à un logement")
    assert target["es"].startswith("De aquí a 2030, asegurar el acceso de todas las personas")
    assert target["ru"].startswith("К 2030 году обеспечить всеобщий доступ к достаточному")
    assert target["ar"].startswith("كفالة حصول الجميع على مساكن وخدمات أساسية")
    assert "\u0640" not in "".join(i18n.catalogue_names("ar")["target"].values())  # no tatweel


def test_status_labels_depend_on_the_method(language: None) -> None:
    assert i18n.status_label("unsd-2024", "met", "en") == "Target met or almost met"
    assert i18n.status_label("unsd-2023", "met", "en").startswith("Target met or on track")
    assert i18n.status_label("unsd-2024", "met", "zh", no_target=True) == "进展显著（无数值目标）"
    assert i18n.status_label("unsd-2024", "regression", "fr") == "Régression"
    assert i18n.status_label("sdsn", "insufficient_data", "ru") == "Недостаточно данных"
    # a code with no label anywhere reads as words rather than disappearing
    assert i18n.status_label("unsd-2024", "not_a_status", "es") == "not a status"
    assert i18n.reason_label("fewer_than_2_points", "zh") == "基准年起的观测值少于2个"


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("lang", "share", "large"),
    [
        ("en", "49.0", "1,234,567.9"),
        ("zh", "49.0", "1,234,567.9"),
        ("fr", "49,0", "1\u202f234\u202f567,9"),
        ("es", "49,0", "1.234.567,9"),
        ("ru", "49,0", "1\xa0234\xa0567,9"),
        ("ar", "49.0", "1,234,567.9"),
    ],
)
def test_numbers_are_written_the_way_each_language_writes_them(
    lang: str, share: str, large: str, language: None
) -> None:
    i18n.use(lang)
    assert fmt(48.98206) == share  # Nigeria's 2020 slum share
    assert fmt(1234567.89) == large
    assert fmt(None) == "–"


# ----------------------------------------------------------------------------- pages


@pytest.mark.parametrize("lang", LANGS)
def test_pages_come_out_in_the_language_of_their_url(client, lang: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(f"/{lang}/")
    assert resp.status_code == 200
    html = resp.text
    assert resp.headers["content-language"] == lang
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    nav = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert re.search(rf"<a href=\"/{lang}/indicators\"[^>]*>{INDICATORS[lang]}</a>", nav)
    if lang != "en":
        assert ">Indicators</a>" not in html


def test_arabic_pages_are_right_to_left_and_chinese_pages_chinese(client) -> None:  # type: ignore[no-untyped-def]
    arabic = client.get("/ar/").text
    assert 'dir="rtl"' in arabic
    assert "المؤشرات" in arabic
    chinese = client.get("/zh/").text
    assert 'dir="ltr"' in chinese
    assert "指标" in chinese and "跳到正文" in chinese


def test_the_language_switcher_keeps_the_page_and_its_query(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/fr/", params={"method": "escap"}).text
    switcher = html.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    for code, language in i18n.LANGUAGES.items():
        assert f'href="/{code}/?method=escap"' in switcher
        assert language.native in switcher
    assert re.search(r'href="/fr/\?method=escap"[^>]*aria-current="(page|true)"', switcher)
    for code in LANGS:  # and search engines get the same alternates
        assert f'hreflang="{code}" href="/{code}/?method=escap"' in html


def test_plural_messages_in_templates_take_more_variables_than_num() -> None:
    """Jinja formats ngettext's result with every variable of the call: the callables it is
    given must return the form unformatted (formatting with ``num`` alone raised KeyError)."""
    from urbanagenda.web import i18n
    from urbanagenda.web.pages.common import env

    template = env().from_string(
        '{{ ngettext("%(num)s city in %(country)s", "%(num)s cities in %(country)s", n, '
        'country=name) }}'
    )
    i18n.use("en")
    try:
        assert template.render(n=1, name="Nigeria") == "1 city in Nigeria"
        assert template.render(n=15, name="Nigeria") == "15 cities in Nigeria"
        assert template.render(n=2, name="<b>") == "2 cities in &lt;b&gt;"
    finally:
        i18n.use("en")
