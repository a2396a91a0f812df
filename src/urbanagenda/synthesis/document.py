"""The document model every generated report is built as, and every renderer reads.

One model, three renderers (HTML, PDF, DOCX): a builder (``synthesis/build/*``) assembles a
:class:`Document` through a :class:`DocumentBuilder`, which numbers paragraphs and footnotes as
they are added, so that the three formats agree on every number.  Nothing here formats
numbers or knows a language: builders put finished text in (see :mod:`.text`).

Traceability: every paragraph, table and figure that states a number names the sources it
comes from (``sources``: keys of :attr:`Document.sources`); a :class:`Source` says which data
(series, areas, years, load, record and paragraph) and where they came from, and the renderers
print the table of sources at the end with each item's back-references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Block",
    "Cell",
    "Document",
    "DocumentBuilder",
    "Figure",
    "Footnote",
    "Heading",
    "Inline",
    "List",
    "NoteRef",
    "Notice",
    "Paragraph",
    "Run",
    "Source",
    "Table",
]

Kind = Literal["synthesis", "sg-report", "national", "finance"]


@dataclass(frozen=True)
class Run:
    """A piece of running text."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class NoteRef:
    """A footnote mark; ``number`` indexes :attr:`Document.footnotes` (1-based)."""

    number: int


Inline = Run | NoteRef


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


@dataclass(frozen=True)
class Source:
    """Where numbers come from.  ``key`` is short and stable within a document ("S3").

    ``kind``: ``series`` (observations in the store: ``series_code``, ``areas``, ``years``,
    ``detail`` names the loads/publishers), ``assessment`` (a progress method run),
    ``record`` (an institutional record: ``detail`` cites the document and paragraph),
    ``document`` (a national report or VLR in the reporting library) or ``external``.
    """

    key: str
    kind: Literal["series", "assessment", "record", "document", "external"]
    title: str
    detail: str = ""
    series_code: str | None = None
    areas: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    url: str | None = None
    used_by: tuple[str, ...] = ()  # block ids that cite it (filled by the builder)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = chapter ("II. ..."), 2 = section ("A. ..."), 3 = sub-section
    text: str
    label: str = ""  # "II.", "A.", "11.1" — printed before the text
    id: str = ""  # anchor, unique in the document


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    number: int | None = None  # the report's running paragraph number, if numbered
    sources: tuple[str, ...] = ()
    id: str = ""

    @property
    def text(self) -> str:
        """Plain text without footnote marks (for tests and search)."""
        return "".join(i.text for i in self.inlines if isinstance(i, Run))


@dataclass(frozen=True)
class List:
    items: tuple[tuple[Inline, ...], ...]
    ordered: bool = False  # ordered lists are lettered (a), (b)… as in UN reports
    sources: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True)
class Cell:
    text: str  # formatted for the document's language
    value: float | None = None  # the raw number, where the cell is one
    status: str | None = None  # a progress status code, for colouring
    align: Literal["left", "right", "center"] = "left"


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    id: str = ""
    number: int = 0  # "Table 3"; filled by the builder


@dataclass(frozen=True)
class Figure:
    """A chart: a Vega-Lite spec with its data inline (renderers draw it offline)."""

    caption: str
    spec: Mapping[str, Any]
    alt: str  # text alternative: what the chart shows, with its key numbers
    sources: tuple[str, ...] = ()
    width_cm: float = 16.0
    id: str = ""
    number: int = 0  # "Figure 2"; filled by the builder


@dataclass(frozen=True)
class Notice:
    """A boxed note to the reader (e.g. "not available in this language; shown in English")."""

    text: str
    tone: Literal["info", "warning"] = "info"


Block = Heading | Paragraph | List | Table | Figure | Notice


@dataclass
class Document:
    kind: Kind
    lang: str  # the language the text is in ("en" or "zh")
    requested_lang: str  # the language asked for (may differ: fallback to English)
    title: str
    subtitle: str = ""
    symbol: str = ""  # e.g. the area code and date, printed on the cover line
    generated_at: datetime | None = None
    meta: dict[str, str] = field(default_factory=dict)  # label -> value, printed on the cover
    blocks: list[Block] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # "table", "figure", "sources", …

    def headings(self, max_level: int = 2) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= max_level]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def plain_text(self) -> str:
        """All the text of the document, for tests and checks."""
        out: list[str] = [self.title, self.subtitle]
        for b in self.blocks:
            if isinstance(b, Heading):
                out.append(f"{b.label} {b.text}".strip())
            elif isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, List):
                out.extend("".join(i.text for i in it if isinstance(i, Run)) for it in b.items)
            elif isinstance(b, Table):
                out.append(b.caption)
                out.append(" ".join(b.header))
                out.extend(" ".join(c.text for c in row) for row in b.rows)
            elif isinstance(b, Figure):
                out.extend((b.caption, b.alt))
            elif isinstance(b, Notice):
                out.append(b.text)
        out.extend(f.text for f in self.footnotes)
        out.extend(f"{s.title} {s.detail}" for s in self.sources.values())
        return "\n".join(x for x in out if x)


class DocumentBuilder:
    """Assembles a :class:`Document`, numbering paragraphs, footnotes, tables and figures.

    >>> b = DocumentBuilder(Document(kind="synthesis", lang="en", requested_lang="en", title="T"))
    >>> s = b.source("series", "Proportion of urban population living in slums",
    ...              series_code="EN_LND_SLUM")
    >>> p = b.para(["In 2020, ", b.note("Official aggregate."), "24.2 %"], sources=[s])
    >>> p.number, b.doc.footnotes[0].number, b.doc.sources[s].used_by
    (1, 1, ('p1',))
    """

    def __init__(self, doc: Document, *, numbered: bool = True) -> None:
        self.doc = doc
        self.numbered = numbered
        self._para = 0
        self._table = 0
        self._figure = 0
        self._ids: set[str] = set()
        self._source_keys: dict[tuple[Any, ...], str] = {}

    # -- sources and notes -------------------------------------------------------------
    def source(
        self,
        kind: Literal["series", "assessment", "record", "document", "external"],
        title: str,
        *,
        detail: str = "",
        series_code: str | None = None,
        areas: Iterable[str] = (),
        years: Iterable[int] = (),
        url: str | None = None,
    ) -> str:
        """Register a source (once per identical description) and return its key."""
        areas_t = tuple(sorted({str(a) for a in areas}))
        years_t = tuple(sorted({int(y) for y in years}))
        ident = (kind, title, detail, series_code, areas_t, years_t, url)
        if ident in self._source_keys:
            return self._source_keys[ident]
        key = f"S{len(self.doc.sources) + 1}"
        self.doc.sources[key] = Source(key, kind, title, detail, series_code, areas_t, years_t, url)
        self._source_keys[ident] = key
        return key

    def note(self, text: str) -> NoteRef:
        """A footnote; put the returned mark where it belongs in a paragraph."""
        number = len(self.doc.footnotes) + 1
        self.doc.footnotes.append(Footnote(number, text))
        return NoteRef(number)

    def _cite(self, block_id: str, sources: Sequence[str]) -> tuple[str, ...]:
        for key in sources:
            src = self.doc.sources[key]  # KeyError: a block citing an unregistered source
            if block_id not in src.used_by:
                self.doc.sources[key] = Source(
                    **{**src.__dict__, "used_by": (*src.used_by, block_id)}
                )
        return tuple(dict.fromkeys(sources))

    def _id(self, prefix: str, wanted: str = "") -> str:
        base = wanted or prefix
        ident, n = base, 1
        while ident in self._ids:
            n += 1
            ident = f"{base}-{n}"
        self._ids.add(ident)
        return ident

    # -- blocks ------------------------------------------------------------------------
    def heading(self, level: int, text: str, label: str = "", id: str = "") -> Heading:
        h = Heading(level, text, label, self._id("h", id))
        self.doc.blocks.append(h)
        return h

    def para(
        self,
        content: str | Sequence[str | Inline],
        *,
        sources: Sequence[str] = (),
        numbered: bool | None = None,
    ) -> Paragraph:
        """A paragraph; strings become runs.  Numbered by default when the builder is."""
        parts = [content] if isinstance(content, str) else list(content)
        inlines = tuple(Run(p) if isinstance(p, str) else p for p in parts)
        number = None
        if self.numbered if numbered is None else numbered:
            self._para += 1
            number = self._para
        ident = self._id(f"p{number}" if number else "p")
        p = Paragraph(inlines, number, self._cite(ident, sources), ident)
        self.doc.blocks.append(p)
        return p

    def bullets(
        self,
        items: Sequence[str | Sequence[str | Inline]],
        *,
        ordered: bool = False,
        sources: Sequence[str] = (),
    ) -> List:
        runs = tuple(
            tuple(
                Run(p) if isinstance(p, str) else p for p in ([it] if isinstance(it, str) else it)
            )
            for it in items
        )
        ident = self._id("list")
        block = List(runs, ordered, self._cite(ident, sources), ident)
        self.doc.blocks.append(block)
        return block

    def table(
        self,
        caption: str,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell | str]],
        *,
        sources: Sequence[str] = (),
        notes: Sequence[str] = (),
    ) -> Table:
        self._table += 1
        ident = self._id(f"table-{self._table}")
        cells = tuple(tuple(c if isinstance(c, Cell) else Cell(str(c)) for c in r) for r in rows)
        for r in cells:
            if len(r) != len(header):
                raise ValueError(
                    f"table {caption!r}: a row has {len(r)} cells, header {len(header)}"
                )
        t = Table(
            caption,
            tuple(header),
            cells,
            self._cite(ident, sources),
            tuple(notes),
            ident,
            self._table,
        )
        self.doc.blocks.append(t)
        return t

    def figure(
        self,
        caption: str,
        spec: Mapping[str, Any],
        alt: str,
        *,
        sources: Sequence[str] = (),
        width_cm: float = 16.0,
    ) -> Figure:
        self._figure += 1
        ident = self._id(f"figure-{self._figure}")
        f = Figure(caption, spec, alt, self._cite(ident, sources), width_cm, ident, self._figure)
        self.doc.blocks.append(f)
        return f

    def notice(self, text: str, tone: Literal["info", "warning"] = "info") -> Notice:
        n = Notice(text, tone)
        self.doc.blocks.append(n)
        return n
