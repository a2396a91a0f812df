"""Diffs of report versions: section by section, the narrative word by word (CJK character
by character), the frozen indicators and good practices before and after."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from urbanagenda.reporting.model import Section
from urbanagenda.reporting.records import _load, _load_version

__all__ = ["SectionDiff", "diff_versions", "word_diff"]


@dataclass(frozen=True, slots=True)
class SectionDiff:
    key: str
    title: str
    changed: bool
    #: ``[(op, text)]`` with op in ``"equal" | "insert" | "delete"``, word-level
    narrative: tuple[tuple[str, str], ...]
    indicators_before: tuple[dict[str, Any], ...] = ()
    indicators_after: tuple[dict[str, Any], ...] = ()
    good_practices_before: tuple[dict[str, Any], ...] = ()
    good_practices_after: tuple[dict[str, Any], ...] = ()


# Han, kana, Hangul and CJK punctuation are compared character by character (they are
# written without spaces); other text word by word; whitespace is kept as its own token so
# that the pieces join back into the texts.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """``[(op, text)]`` turning ``before`` into ``after``, word by word (CJK: character by
    character); joining the ``equal`` and ``delete`` texts gives ``before``, the ``equal``
    and ``insert`` texts ``after``."""
    a, b = _tokens(before), _tokens(after)
    ops: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(a[i1:i2]))
        else:
            push("delete", "".join(a[i1:i2]))
            push("insert", "".join(b[j1:j2]))
    return tuple(ops)


def diff_versions(
    engine: Engine, document_id: int, a: int, b: int, *, other_document_id: int | None = None
) -> list[SectionDiff]:
    """Section by section, version ``a`` → ``b`` of the document (or version ``a`` of
    ``other_document_id``, the previous report, → version ``b`` of this one).  Sections
    only in ``a`` come last, as removed."""
    with engine.connect() as conn:
        _load(conn, document_id)
        before = _load_version(conn, other_document_id or document_id, a)
        after = _load_version(conn, document_id, b)
    out = []
    for sec in after.sections:
        out.append(_section_diff(before.section(sec.key), sec))
    for gone in before.sections:
        if after.section(gone.key) is None:
            out.append(_section_diff(gone, None))
    return out


def _section_diff(old: Section | None, new: Section | None) -> SectionDiff:
    ref = new or old
    assert ref is not None
    old_text = old.narrative if old else ""
    new_text = new.narrative if new else ""
    ind_a = old.indicators if old else ()
    ind_b = new.indicators if new else ()
    gp_a = old.good_practices if old else ()
    gp_b = new.good_practices if new else ()
    changed = (
        old is None
        or new is None
        or old_text != new_text
        or ind_a != ind_b
        or gp_a != gp_b
        or old.attachments != new.attachments
    )
    return SectionDiff(
        key=ref.key,
        title=ref.title,
        changed=changed,
        narrative=word_diff(old_text, new_text),
        indicators_before=ind_a,
        indicators_after=ind_b,
        good_practices_before=gp_a,
        good_practices_after=gp_b,
    )
