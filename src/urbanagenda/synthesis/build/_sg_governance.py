"""Section II of the Secretary-General's report (:mod:`.sg_report`): the governing bodies —
their sessions, the resolutions, decisions and declarations they adopted, and the tables of
sessions and outcomes, each fact cited to its record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from urbanagenda.synthesis.build._sg_common import SgWriter, _cap, _plural, _text
from urbanagenda.synthesis.document import Cell

#: The order governing bodies are presented in (others follow, by code).
BODY_ORDER = ("UNHA", "EB", "CPR")
_ORDINALS = re.compile(
    r"^(First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth|"
    r"Resumed|Special|Extraordinary|Open-ended)\b"
)


def _mid(text: str, lang: str) -> str:
    """A name placed inside an English sentence: "Second session of …" -> "second session of …"."""
    if lang == "en" and _ORDINALS.match(text):
        return text[0].lower() + text[1:]
    return text


class GovernanceSection(SgWriter):
    """II. The governing bodies."""

    def _bodies(self) -> list[dict[str, Any]]:
        rank = {c: i for i, c in enumerate(BODY_ORDER)}
        return sorted(self.rec.bodies, key=lambda r: (rank.get(r["code"], 99), r["code"]))

    def _totals(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        """Outcomes per kind: a group row's ``count`` where there is one (number null), else
        the number of rows — in the order the kinds first appear."""
        out: dict[str, int] = {}
        groups: dict[str, int] = {}
        for r in rows:
            kind = str(r["kind"])
            out.setdefault(kind, 0)
            if r.get("number") is None:
                groups[kind] = groups.get(kind, 0) + int(r.get("count") or 1)
            else:
                out[kind] += 1
        return {k: groups.get(k, v) for k, v in out.items()}

    def _adopted_total(self) -> int:
        """Resolutions, decisions and declarations adopted (drafts not counted): the totals of
        each session (or body and year, where the source names no session)."""
        groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
        for o in self.rec.outcomes:
            if not str(o["kind"]).startswith("draft_"):
                key = (
                    str(o["body_code"]),
                    str(o.get("session_code") or ""),
                    int(o.get("year") or 0),
                )
                groups[key].append(o)
        return sum(sum(self._totals(rows).values()) for rows in groups.values())

    def _kind_word(self, kind: str, n: int) -> str:
        forms = self.p.get("kinds", {}).get(kind, kind.replace("_", " "))
        return _plural(forms, n)

    def _count_items(self, rows: Sequence[Mapping[str, Any]]) -> str:
        items = []
        for kind, n in self._totals(rows).items():
            text = self.p.t("count_item", n=self.fmt.integer(n), word=self._kind_word(kind, n))
            of_kind = [r for r in rows if r["kind"] == kind]
            if of_kind and all(r.get("adoption") == "consensus" for r in of_kind):
                text += self.p.t("by_consensus")
            items.append(text)
        return self.fmt.listing(items)

    def _outcome_name(self, row: Mapping[str, Any]) -> str:
        """How a named outcome is referred to: "resolution 2/10 (title)", or its title where
        the title names it already, quoted where it does not start with its kind."""
        title = _text(row.get("title"), self.lang)
        word = self._kind_word(str(row["kind"]), 1)
        subject = str(self.p.get("subjects", {}).get(row.get("subject") or "", ""))
        if subject.endswith(word):  # "ministerial declaration" / "部长级宣言"
            word = subject
        number = row.get("number")
        if self.lang == "en" and title.lower().startswith(f"{word.lower()} {number or ''}".strip()):
            return title[0].lower() + title[1:]
        if number and str(number) in title:
            return title if self.lang == "zh" else self.p.t("quoted", title=title)
        if number:
            return self.p.t("out_numbered", kind=word, number=number, title=title)
        if word.lower() in title.lower():
            return self.p.t("quoted", title=title)
        return self.p.t("out_entitled", kind=word, title=title)

    def _named(self, rows: Sequence[Mapping[str, Any]]) -> str:
        names: list[str] = []
        for r in rows:
            if r.get("number") is not None or (
                int(r.get("count") or 1) == 1 and not str(r["kind"]).startswith("draft_")
            ):
                name = self._outcome_name(r)
                if name not in names:
                    names.append(name)
        return self.fmt.listing(names) if self.lang == "en" else "、".join(names)

    def _symbols(self, rows: Sequence[Mapping[str, Any]]) -> str:
        found: list[str] = []
        for r in rows:
            for sym in re.split(r"[;,]\s*", str(r.get("document_symbol") or "")):
                if sym and sym not in found:
                    found.append(sym)
        if not found:
            return ""
        sep = "和" if self.lang == "zh" else " and "
        return self.p.t("see", symbols=sep.join(found))

    def _governance(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        bodies = self._bodies()
        names = [self._the(_text(r["name"], self.lang)) for r in bodies]
        listed = "、".join(names) if self.lang == "zh" else f.listing(names)
        b.heading(
            1, p.t("h_gov", bodies=listed) if names else p.t("h_gov_none"), "II.", id="governance"
        )
        if not bodies:
            b.notice(p.t("no_records"))
            return
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        b.heading(2, p.t("h_gov_bg"), f"{next(letters)}.", id="governance-background")
        self.para_cited(p.t("gov_bodies", n=f.integer(len(bodies)), names=listed), bodies)
        for body in bodies:
            desc = _text(body.get("description"), self.lang)
            if desc:
                if self.lang == "en" and desc[1:2].islower():
                    desc = desc[0].lower() + desc[1:]
                text = p.t("gov_description", name=_text(body["name"], self.lang), description=desc)
                self.para_cited(text, [body])
        for body in bodies:
            self._body_section(body, next(letters))
        self._governance_tables(bodies)

    def _body_section(self, body: Mapping[str, Any], letter: str) -> None:
        b, p, f = self.b, self.p, self.fmt
        code = body["code"]
        name = _text(body["name"], self.lang)
        b.heading(2, name, f"{letter}.", id=f"body-{code.lower()}")
        subject = self._the(name)
        sessions = [s for s in self.rec.sessions if s["body_code"] == code]
        outcomes = [o for o in self.rec.outcomes if o["body_code"] == code]
        by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in outcomes:
            if o.get("session_code"):
                by_session[str(o["session_code"])].append(o)
        grouped = [
            s
            for s in sessions
            if not self._is_future(s)
            and s.get("member_states_count") is None
            and not by_session.get(s["code"])
        ]
        if len(grouped) > 1:
            dates = [f.date_range(s["start_date"], s["end_date"]) for s in grouped]
            listed = (
                "、".join(dates[:-1]) + "和" + dates[-1] if self.lang == "zh" else f.listing(dates)
            )
            self.para_cited(p.t("sess_met", body=subject, dates=listed), grouped)
        else:
            grouped = []
        for s in sessions:
            if s in grouped:
                continue
            self._session_paragraph(subject, s, by_session.get(s["code"], []))
        loose = [o for o in outcomes if not o.get("session_code")]
        for year in sorted({o.get("year") or 0 for o in loose}):
            rows = [o for o in loose if (o.get("year") or 0) == year]
            items = self._named(rows) or self._count_items(rows)
            key = "out_body_year" if year else "out_body"
            text = _cap(p.t(key, year=year, body=subject, items=items)) + self._see(rows)
            self.para_cited(text, rows)
        if not sessions and not outcomes:
            b.notice(p.t("no_records_of"))

    def _session_paragraph(
        self, body: str, s: Mapping[str, Any], outcomes: Sequence[Mapping[str, Any]]
    ) -> None:
        p, f = self.p, self.fmt
        session = _mid(_text(s["name"], self.lang), self.lang)
        place = _text(s.get("place"), self.lang)
        dates = f.date_range(s["start_date"], s["end_date"])
        suffix = "" if place else "_noplace"
        ms = s.get("member_states_count")
        if self._is_future(s):
            text = p.t("sess_planned" + suffix, session=session, place=place, dates=dates)
            self.para_cited(_cap(text), [s])
            return
        drafts = [o for o in outcomes if str(o["kind"]).startswith("draft_")]
        adopted = [o for o in outcomes if not str(o["kind"]).startswith("draft_")]
        sentences: list[str] = []
        if ms is not None:
            sentences.append(
                p.t(
                    "sess_held_ms" + suffix,
                    ms=f.integer(int(ms)),
                    session=session,
                    place=place,
                    dates=dates,
                )
            )
            if adopted:
                sentences.append(
                    p.t("out_after", body=body, items=self._count_items(adopted))
                    + self._see(adopted)
                )
            if drafts:
                sentences.append(
                    p.t("prepared_after", items=self._count_items(drafts)) + self._see(drafts)
                )
        else:
            # a name that carries its dates ("… (29–31 May and 2 June 2023)") needs no others
            held = "" if re.search(r"\d{4}", session) else p.t("held_on", dates=dates)
            if not outcomes:
                sentences.append(
                    _cap(p.t("sess_held" + suffix, session=session, place=place, dates=dates))
                )
            if adopted:
                sentences.append(
                    _cap(
                        p.t(
                            "sess_out_adopted",
                            session=session,
                            held=held,
                            body=body,
                            items=self._count_items(adopted),
                        )
                    )
                    + self._see(adopted)
                )
            if drafts:
                sentences.append(
                    _cap(
                        p.t(
                            "sess_out_prepared",
                            session=session,
                            held=held,
                            items=self._count_items(drafts),
                        )
                    )
                    + self._see(drafts)
                )
        named = self._named(
            [o for o in outcomes if o.get("number") is not None or int(o.get("count") or 1) == 1]
        )
        if named:
            sentences.append(p.t("out_named", items=named))
        self.para_cited(self.sep.join(x for x in sentences if x), [s, *outcomes])

    def _see(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The end of a sentence with its documents' symbols: "… (see X and Y)."."""
        symbols = self._symbols(rows)
        end = "。" if self.lang == "zh" else "."
        return symbols + end

    def _governance_tables(self, bodies: Sequence[Mapping[str, Any]]) -> None:
        b, p, f = self.b, self.p, self.fmt
        body_name = {r["code"]: _text(r["name"], self.lang) for r in bodies}
        session_name = {s["code"]: _text(s["name"], self.lang) for s in self.rec.sessions}
        rank = {c: i for i, c in enumerate(r["code"] for r in bodies)}
        sessions = sorted(
            self.rec.sessions, key=lambda s: (rank.get(s["body_code"], 99), s["start_date"])
        )
        if sessions:
            rows = []
            for s in sessions:
                outs = [o for o in self.rec.outcomes if o.get("session_code") == s["code"]]
                status = p.get("session_status", {}).get(
                    "planned" if self._is_future(s) else s["status"], s["status"]
                )
                ms = s.get("member_states_count")
                rows.append(
                    [
                        Cell(body_name.get(s["body_code"], s["body_code"])),
                        Cell(session_name[s["code"]]),
                        Cell(f.date_range(s["start_date"], s["end_date"])),
                        Cell(_text(s.get("place"), self.lang) or "—"),
                        Cell(
                            f.integer(ms) if ms is not None else "—",
                            value=float(ms) if ms is not None else None,
                            align="right",
                        ),
                        Cell(self._count_items_plain(outs) or "—"),
                        Cell(str(status)),
                    ]
                )
            keys = self._keys(sessions)
            b.table(
                p.t("t_sessions"),
                [
                    p.t("col_body"),
                    p.t("col_session"),
                    p.t("col_dates"),
                    p.t("col_place"),
                    p.t("col_member_states"),
                    p.t("col_outcomes"),
                    p.t("col_status"),
                ],
                rows,
                sources=keys,
            )
        if self.rec.outcomes:
            rows = []
            starts = {s["code"]: str(s["start_date"]) for s in self.rec.sessions}
            ordered = sorted(
                self.rec.outcomes,
                key=lambda o: (
                    rank.get(o["body_code"], 99),
                    starts.get(o.get("session_code") or "", str(o.get("year") or "")),
                    int(o["id"]),
                ),
            )
            for o in ordered:
                where = (
                    session_name.get(o["session_code"], o["session_code"])
                    if o.get("session_code")
                    else p.t(
                        "body_year",
                        body=body_name.get(o["body_code"], o["body_code"]),
                        year=o["year"],
                    )
                    if o.get("year")
                    else body_name.get(o["body_code"], o["body_code"])
                )
                kind = str(o["kind"])
                if o.get("number") is not None:
                    ident = p.t("out_ident", kind=self._kind_word(kind, 1), number=o["number"])
                else:
                    n = int(o.get("count") or 1)
                    ident = p.t("count_item", n=f.integer(n), word=self._kind_word(kind, n))
                subject = o.get("subject")
                status = o.get("implementation_status") or "unknown"
                rows.append(
                    [
                        Cell(ident),
                        Cell(_text(o["title"], self.lang)),
                        Cell(where),
                        Cell(
                            str(p.get("subjects", {}).get(subject, subject.replace("_", " ")))
                            if subject
                            else "—"
                        ),
                        Cell(str(p.get("implementation", {}).get(status, status))),
                    ]
                )
            keys = self._keys(self.rec.outcomes)
            b.table(
                p.t("t_outcomes"),
                [
                    p.t("col_number"),
                    p.t("col_title"),
                    p.t("col_adopted_by"),
                    p.t("col_subject"),
                    p.t("col_implementation"),
                ],
                rows,
                sources=keys,
            )

    def _count_items_plain(self, rows: Sequence[Mapping[str, Any]]) -> str:
        items = [
            self.p.t("count_item", n=self.fmt.integer(n), word=self._kind_word(k, n))
            for k, n in self._totals(rows).items()
        ]
        return ("、" if self.lang == "zh" else ", ").join(items)
