"""Markdown to HTML through a sanitiser: markdown-it-py renders (raw HTML off), nh3
(ammonia) keeps only an allow-list of tags and attributes, so stored XSS comes out inert.

Two locks, because either alone has been bypassed somewhere before: markdown-it escapes
raw HTML and refuses ``javascript:`` links; nh3 then parses the result as a browser would
and drops every tag, attribute and URL scheme that is not on the list below, whatever
markdown-it let through.  Headings are kept between ``h2`` and ``h4`` (the page owns
``h1``; a ``#`` heading in a section becomes ``h2``).  OWNER: uploads helper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "render_markdown"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "blockquote", "code", "pre",
        "a", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


def _clamp_headings(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(max(int(token.tag[1]), 2), 4)
            token.tag = f"h{level}"


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def clamp(state: Any) -> None:
        _clamp_headings(state.tokens)

    md.core.ruler.push("clamp_headings", clamp)
    return md


_MD = _renderer()


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a section's Markdown narrative (empty for no text)."""
    if not text:
        return Markup("")
    html = _MD.render(text.replace("\x00", "\ufffd"))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(clean)  # sanitised by nh3 just above
