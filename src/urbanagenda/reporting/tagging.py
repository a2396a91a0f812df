"""A transparent multilingual tagger: passages → SDG 11 targets and New Urban Agenda
commitments, from a lexicon (``lexicon.yaml``: terms per code per language, matched on
normalised tokens), every tag with the words that triggered it.  Precision and recall are
measured on the labelled sample in ``tests/reporting/data/tagging_sample.yaml``.
OWNER: search helper."""

from __future__ import annotations

from urbanagenda.reporting.model import Tag

__all__ = ["tag", "targets_for_query"]


def tag(text: str, language: str) -> list[Tag]:
    raise NotImplementedError


def targets_for_query(query: str) -> list[str]:
    """SDG 11 targets the query's words point to in any language ("贫民窟" → ["11.1"])."""
    raise NotImplementedError
