"""A transparent multilingual tagger: passages → SDG 11 targets and New Urban Agenda
commitments, from a lexicon (``lexicon.yaml``: terms per code per language, matched on
normalised tokens), every tag with the words that triggered it.  Precision and recall are
measured on the labelled sample in ``tests/reporting/data/tagging_sample.yaml``.
OWNER: search helper.

Nothing is learnt: a tag says which lexicon terms matched, so a reader can check it and an
editor can change the lexicon.  Matching rules are described at the top of the YAML file;
in short, alphabetic terms match as consecutive Snowball stems ("informal settlement"
matches "informal settlements") and Chinese terms as substrings of the passage's runs of
Han characters (贫民窟 matches 参与式贫民窟改造方案).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from urbanagenda.errors import ConfigError
from urbanagenda.reporting.model import Tag
from urbanagenda.reporting.text import _WORD_RE, _stem, guess_language, normalise

__all__ = ["LEXICON_LANGUAGES", "lexicon_version", "tag", "targets_for_query"]

#: Languages whose terms depend on the passage's language (Latin script, stemmed per language).
_LATIN = frozenset({"en", "fr", "es", "pt", "de"})
LEXICON_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "zh", "ar", "ru")
_WEAK = 0.5


@dataclass(frozen=True, slots=True)
class _Term:
    code: str
    kind: str  # target | commitment
    text: str  # as written in the lexicon (the evidence)
    language: str
    weight: float
    cjk: bool
    pattern: str  # " stem stem " or a CJK substring


@dataclass(frozen=True, slots=True)
class _Canon:
    """A text as terms are matched against it."""

    words: str  # " stem stem | stem " ("|" where a CJK run or nothing separates words)
    cjk: str  # the CJK runs joined by "|"


def _canon(text: str, language: str | None) -> _Canon:
    words: list[str] = []
    runs: list[str] = []
    for m in _WORD_RE.finditer(normalise(text)):
        if m.group("cjk"):
            runs.append(m.group("cjk"))
            words.append("|")
        else:
            words.append(_stem(m.group("word"), language))
    return _Canon(" " + " ".join(words) + " ", "|".join(runs))


@cache
def _lexicon() -> tuple[dict[str, Any], tuple[_Term, ...]]:
    try:
        raw = resources.files("urbanagenda.reporting").joinpath("lexicon.yaml").read_text("utf-8")
        data = yaml.safe_load(raw)
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - a packaging error
        raise ConfigError(f"the tagger's lexicon could not be read: {exc}") from exc
    terms: list[_Term] = []
    for kind, section in (("target", "targets"), ("commitment", "commitments")):
        for code, entry in data[section].items():
            for weight, key in ((1.0, "strong"), (_WEAK, "weak")):
                for language, words in (entry.get(key) or {}).items():
                    for word in words:
                        terms.append(_compile(str(code), kind, str(word), language, weight))
    return data, tuple(terms)


def _compile(code: str, kind: str, word: str, language: str, weight: float) -> _Term:
    canon = _canon(word, language)
    if canon.cjk and not canon.words.replace("|", "").strip():
        return _Term(code, kind, word, language, weight, True, canon.cjk)
    if canon.cjk or "|" in canon.words or not canon.words.strip():
        raise ConfigError(
            f"lexicon term {word!r} ({code}, {language}) mixes Chinese characters and other "
            "words or has no letters; write it as two terms."
        )
    return _Term(code, kind, word, language, weight, False, canon.words)


def lexicon_version() -> str:
    return str(_lexicon()[0]["version"])


def _min_score(kind: str, code: str) -> float:
    data = _lexicon()[0]
    entry = data["targets" if kind == "target" else "commitments"][code]
    return float(entry.get("min_score", data.get("min_score", 1)))


def _applies(term: _Term, language: str) -> bool:
    """Latin-script terms only for passages of their language; the others everywhere."""
    return term.cjk or term.language not in _LATIN or term.language == language


def _matches(term: _Term, canon: _Canon) -> bool:
    return term.pattern in (canon.cjk if term.cjk else canon.words)


def tag(text: str, language: str) -> list[Tag]:
    """The targets and commitments ``text`` speaks of, each with the lexicon terms that
    matched (``evidence``) and their score; targets first, then commitments, by code."""
    language = (language or "").lower()[:2] or guess_language(text)
    if language not in LEXICON_LANGUAGES and language not in _LATIN:
        language = guess_language(text, default=language)
    canon = _canon(text, language)
    # per code, per matched pattern (two spellings of one stem count once): its best term
    found: dict[tuple[str, str], dict[str, _Term]] = {}
    for term in _lexicon()[1]:
        if _applies(term, language) and _matches(term, canon):
            seen = found.setdefault((term.kind, term.code), {})
            if term.pattern not in seen or seen[term.pattern].weight < term.weight:
                seen[term.pattern] = term
    tags = []
    for (kind, code), matched in found.items():
        score = sum(t.weight for t in matched.values())
        if score >= _min_score(kind, code):
            evidence = tuple(t.text for t in matched.values())
            tags.append(Tag(kind=kind, code=code, evidence=evidence, score=score))
    return sorted(tags, key=lambda t: (t.kind != "target", t.code))


def targets_for_query(query: str) -> list[str]:
    """SDG 11 targets the query's words point to in any language ("贫民窟" → ["11.1"])."""
    canons = {lang: _canon(query, lang) for lang in LEXICON_LANGUAGES}
    codes = {
        term.code
        for term in _lexicon()[1]
        if term.kind == "target" and _matches(term, canons[term.language])
    }
    return sorted(codes)
