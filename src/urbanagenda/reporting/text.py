"""Tokens for indexing and querying, the same on every database: Unicode normalisation
(NFKC, case folding, Latin diacritics and Arabic vowel marks removed), words stemmed by
Snowball (PyStemmer) in the passage's language, Chinese, Japanese and Korean runs as
character bigrams (and single characters), with offsets so snippets can be highlighted.

Choices, and why:

* Terms are runs of letters and digits only (no underscore, no marks, no punctuation), so
  neither SQLite's ``unicode61`` tokenizer nor PostgreSQL's ``simple`` parser splits or
  alters them: both engines index exactly the terms made here.
* Latin letters lose their diacritics (``é`` → ``e``) *before* stemming, so a query typed
  without accents finds accented text; other scripts keep their marks (Japanese dakuten,
  Cyrillic ``й``) because there they change the letter.
* Arabic: vowel marks (tashkeel), the superscript alef and tatweel are removed and the
  hamza forms of alef (أ إ آ ٱ) become ا.  Ta marbuta (ة) is kept: the Snowball Arabic
  stemmer strips it as a suffix (مدينة and مدينه both give مدين), while folding it to ه first
  would stop the stemmer recognising feminine endings (الرسمية → رسم, الرسميه → رسميه).
  Arabic-Indic digits become ASCII digits.  A query word in Arabic is also tried with and
  without the article ال, because the stemmer reads a leading ف or و as a conjunction when
  the article is missing (فقيرة → قير but الفقيرة → فقير).
* Stemming follows the word's script: Arabic words through the Arabic stemmer and Cyrillic
  words through the Russian one whatever the passage's language; Latin words through the
  stemmer of the passage's language when it has one (en, fr, es, pt, de), unstemmed
  otherwise.
* Han, Kana and Hangul have no spaces between words: a run is indexed as its single
  characters and its overlapping bigrams (贫民窟 → 贫 民 窟 贫民 民窟), and queried as its
  bigrams (all required), or as the character itself for a one-character query.
* Stop words stay in the index (BM25 and cover density weigh them down) but are dropped
  from queries in English, French and Spanish when the query has other words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer

__all__ = [
    "STEMMERS",
    "Token",
    "guess_language",
    "index_tokens",
    "is_cjk",
    "normalise",
    "query_terms",
    "query_tokens",
    "term_spans",
    "tokenize",
]

#: Snowball algorithm per language code; other languages are not stemmed.
STEMMERS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "arabic",
    "pt": "portuguese",
    "de": "german",
}
_LATIN_LANGUAGES = frozenset({"en", "fr", "es", "pt", "de"})
#: Languages a Latin word of a query is stemmed in when the query's language is unknown.
QUERY_LATIN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})
#: Longest term kept (longer runs are cut): well under PostgreSQL's 2047-byte lexeme limit.
MAX_TERM_CHARS = 60

# Han (with extensions and compatibility ideographs), Hiragana, Katakana, Hangul.
_CJK_RANGES = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\u1100-\u11ff\u3130-\u318f\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
_WORD_RE = re.compile(rf"(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>[^\W_{_CJK_RANGES}]+)")
_CJK_RE = re.compile(f"[{_CJK_RANGES}]+")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z\u00c0-\u024f]")

_ARABIC_MAP = {
    **{cp: None for cp in range(0x064B, 0x0660)},  # tashkeel (fathatan … wavy hamza below)
    0x0670: None,  # superscript alef
    **{cp: None for cp in range(0x06D6, 0x06EE)},  # Quranic annotation marks
    0x0640: None,  # tatweel
    0x0623: "\u0627",  # أ
    0x0625: "\u0627",  # إ
    0x0622: "\u0627",  # آ
    0x0671: "\u0627",  # ٱ
    **{0x0660 + d: str(d) for d in range(10)},  # Arabic-Indic digits
    **{0x06F0 + d: str(d) for d in range(10)},  # Eastern Arabic-Indic digits
}


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Small stop lists for queries only (the index keeps every word).
_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "a an and are as at be by for from has have in is it its of on or that the their "
        "this to was were which with not"
    ),
    "fr": _words(
        "a au aux avec ce ces dans de des du elle en et est il ils la le les leur leurs mais "
        "ou par pas pour qui que sa se ses son sont sur un une"
    ),
    "es": _words(
        "a al como con de del el en es esta este la las lo los o para por que se su sus un una y"
    ),
}
# Words that tell the Latin languages apart when guessing (distinctive, frequent).
_GUESS_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in is that for with are by this which"),
    "fr": _words("le les et des du est une dans pour sur au aux qui ces"),
    "es": _words("el los las y del en es una para por con que se su"),
}


@dataclass(frozen=True, slots=True)
class Token:
    """A term and where it comes from in the original text (``text[start:end]``)."""

    term: str
    start: int
    end: int


@cache
def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(algorithm)


@lru_cache(maxsize=65536)
def _fold_unit(unit: str) -> str:
    """One character (with its combining marks) as it is matched: NFKC, case folding,
    Latin diacritics dropped, Arabic marks and alef forms unified."""
    folded = unicodedata.normalize("NFKC", unit).casefold()
    out = []
    for ch in folded:
        if ch.isascii():
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        if unicodedata.name(decomposed[0], "").startswith("LATIN"):
            out.append("".join(c for c in decomposed if unicodedata.category(c) != "Mn"))
        else:
            out.append(ch)
    return "".join(out).translate(_ARABIC_MAP)


def _normalise_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """The normalised text and, for every character of it, the start and end offsets in
    ``text`` of the character (with its marks) it comes from."""
    n = len(text)
    if text.isascii():
        return text.lower(), list(range(n)), list(range(1, n + 1))
    combining = unicodedata.combining
    if not any(map(combining, text)):
        # the common case: one unit per character; offsets are trivial when every unit
        # folds to one character
        pieces = list(map(_fold_unit, text))
        norm = "".join(pieces)
        if len(norm) == n:
            return norm, list(range(n)), list(range(1, n + 1))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < n:
        j = i + 1
        while j < n and combining(text[j]):
            j += 1
        piece = _fold_unit(text[i:j])
        parts.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(parts), starts, ends


def normalise(text: str) -> str:
    """The text as terms are cut from it (NFKC, case folded, marks removed as above)."""
    return _normalise_with_offsets(text)[0]


def is_cjk(term: str) -> bool:
    """Whether ``term`` is made of Han, Kana or Hangul characters only."""
    return _CJK_RE.fullmatch(term) is not None


def _script_stemmer(word: str, language: str | None) -> str | None:
    """The Snowball algorithm for ``word`` in a passage of ``language``."""
    if _ARABIC_RE.search(word):
        return "arabic"
    if _CYRILLIC_RE.search(word):
        return "russian"
    if language in _LATIN_LANGUAGES and _LATIN_RE.search(word):
        return STEMMERS[language]
    return None


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str | None) -> str:
    algorithm = _script_stemmer(word, language)
    stem = _stemmer(algorithm).stemWord(word) if algorithm else word
    if not stem.isalnum():  # Snowball keeps letters; guard so terms stay letters/digits
        stem = "".join(c for c in stem if c.isalnum()) or word
    return stem[:MAX_TERM_CHARS]


def _iter_spans(text: str, language: str | None) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of every indexed term: plain tuples, as this runs for every
    passage indexed and every snippet."""
    norm, starts, ends = _normalise_with_offsets(text)
    for m in _WORD_RE.finditer(norm):
        a, b = m.span()
        run = m.group("cjk")
        if run:
            for k, ch in enumerate(run):
                yield ch, starts[a + k], ends[a + k]
            for k in range(len(run) - 1):
                yield run[k : k + 2], starts[a + k], ends[a + k + 1]
        else:
            yield _stem(m.group("word")[:MAX_TERM_CHARS], language), starts[a], ends[b - 1]


def tokenize(text: str, language: str) -> list[Token]:
    """Every indexed term of ``text`` with its offsets in ``text``, in reading order
    (a CJK run gives its characters, then its bigrams)."""
    return [Token(term, a, b) for term, a, b in _iter_spans(text, language)]


def term_spans(text: str, language: str) -> list[tuple[str, int, int]]:
    """:func:`tokenize` as plain ``(term, start, end)`` tuples (cheaper, for snippets)."""
    return list(_iter_spans(text, language))


def index_tokens(text: str, language: str) -> str:
    """The space-separated terms stored in ``search_passage.tokens``."""
    return " ".join(term for term, _, _ in _iter_spans(text, language))


def _word_alternatives(word: str, language: str | None) -> tuple[str, ...]:
    """The terms one query word may be indexed as (its OR-group)."""
    variants = [word[:MAX_TERM_CHARS]]
    if _ARABIC_RE.search(word):
        # The Arabic stemmer reads a leading ف or و as a conjunction when the article is
        # missing (فقيرة → قير, الفقيرة → فقير): try the word with and without ال.
        bare = word[2:] if word.startswith("\u0627\u0644") and len(word) > 3 else word
        variants.extend(_stem(w, None) for w in (word, bare, "\u0627\u0644" + bare))
    elif _CYRILLIC_RE.search(word):
        variants.append(_stem(word, None))
    elif _LATIN_RE.search(word):
        if language in _LATIN_LANGUAGES:
            variants.append(_stem(word, language))
        elif language is None:
            variants.extend(_stem(word, lang) for lang in QUERY_LATIN_LANGUAGES)
    return tuple(dict.fromkeys(variants))


def _is_stop_word(word: str, language: str | None) -> bool:
    if language is None:
        return any(word in _STOP_WORDS[lang] for lang in QUERY_LATIN_LANGUAGES)
    return word in _STOP_WORDS.get(language, ())


def query_terms(query: str, language: str | None = None) -> list[tuple[str, ...]]:
    """The query as AND-groups of OR-alternatives: one group per word (its stems in
    ``language`` or, when ``language`` is None, in English, French and Spanish, plus the
    word itself), one group per bigram of a CJK run.  Stop words are dropped unless the
    query has nothing else.  Duplicated groups are kept once."""
    norm = normalise(query)
    groups: list[tuple[str, ...]] = []
    stops: list[tuple[str, ...]] = []
    for m in _WORD_RE.finditer(norm):
        if m.group("cjk"):
            run = m.group("cjk")
            if len(run) == 1:
                groups.append((run,))
            groups.extend((run[k : k + 2],) for k in range(len(run) - 1))
        else:
            word = m.group("word")
            target = stops if _is_stop_word(word, language) else groups
            target.append(_word_alternatives(word, language))
    result = groups or stops
    return list(dict.fromkeys(result))


def query_tokens(query: str, language: str | None = None) -> list[str]:
    """The terms of a query (stemmed in ``language`` or, when unknown, in every language
    whose script the query is written in), each once, in order."""
    return list(dict.fromkeys(term for group in query_terms(query, language) for term in group))


def guess_language(text: str, default: str = "en") -> str:
    """By script: Han → zh, Arabic → ar, Cyrillic → ru; Latin → ``default`` (or en/fr/es
    by stop words when ``default`` is not Latin)."""
    counts = {"zh": 0, "ja": 0, "ko": 0, "ar": 0, "ru": 0, "latin": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF:
            counts["ja"] += 1
        elif 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF:
            counts["ko"] += 1
        elif 0x3400 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x3134F or 0xF900 <= cp <= 0xFAFF:
            counts["zh"] += 1
        elif 0x0600 <= cp <= 0x077F:
            counts["ar"] += 1
        elif 0x0400 <= cp <= 0x04FF:
            counts["ru"] += 1
        elif cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
            counts["latin"] += 1
    if counts["ja"]:  # kana only occur in Japanese, even amid kanji
        counts["ja"] += counts["zh"]
    script = max(counts, key=lambda k: counts[k])
    if counts[script] == 0:
        return default
    if script != "latin":
        return script
    if default in _LATIN_LANGUAGES:
        return default
    words = re.findall(r"[^\W\d_]+", text.casefold())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _GUESS_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "en"
