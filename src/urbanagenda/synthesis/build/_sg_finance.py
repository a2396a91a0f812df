"""Section III of the Secretary-General's report (:mod:`.sg_report`): financial performance —
the funding channels, the income of each and its change on the year before, contributors, the
funding table and chart, each figure cited to its record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from urbanagenda.synthesis import charts
from urbanagenda.synthesis.build._sg_common import SgWriter, _text
from urbanagenda.synthesis.document import Cell, Inline
from urbanagenda.synthesis.records import channel_definitions

#: The order of the funding channels (seed para 14); "total" is all of them.
CHANNEL_ORDER = (
    "total",
    "regular_budget",
    "foundation_non_earmarked",
    "foundation_earmarked",
    "technical_cooperation",
)


class FinanceSection(SgWriter):
    """III. Financial performance."""

    def _channel_rank(self, channel: str) -> tuple[int, str]:
        return (CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else 99, channel)

    def _finance(self) -> None:
        b, p, f = self.b, self.p, self.fmt
        b.heading(1, p.t("h_fin"), "III.", id="finance")
        funding = self.rec.funding
        if not funding:
            b.notice(p.t("no_records") if self.rec.is_empty() else p.t("no_records_of"))
            return
        channels = self._channel_list()
        if channels:
            names, rows = channels
            letters = "abcdefghijklmnopqrstuvwxyz"
            if self.lang == "zh":
                items = "；".join(f"({letters[i]}) {n}" for i, n in enumerate(names))
            else:
                items = "; ".join(f"({letters[i]}) {n}" for i, n in enumerate(names))
            self.para_cited(p.t("fin_channels", n=f.integer(len(names)), items=items), rows)
        by_key = {(int(r["year"]), str(r["channel"])): r for r in funding}
        ordered = sorted(funding, key=lambda r: (self._channel_rank(r["channel"]), r["year"]))
        for ch in sorted({str(r["channel"]) for r in funding}, key=self._channel_rank):
            rows = [r for r in ordered if r["channel"] == ch]
            with_amount = [r for r in rows if r.get("amount_usd") is not None]
            if with_amount:
                self._change_paragraph(with_amount[-1], by_key)
            for r in rows:
                if r.get("contributors_count") is not None:
                    text = p.t(
                        "fin_contributors",
                        year=r["year"],
                        channel=self._channel_word("channels", ch),
                        n=f.integer(int(r["contributors_count"])),
                    )
                    self.para_cited(text, [r])
        self._funding_table(ordered, by_key)

    def _channel_list(self) -> tuple[list[str], list[dict[str, Any]]] | None:
        """The funding channels: the definitions of the records file where there are, else the
        channels with funding rows."""
        try:
            defs = {
                code: d
                for code, d in channel_definitions().items()
                if isinstance(d.get("source"), Mapping)
                and d["source"].get("doc") in self.rec.sources  # the seed's records are loaded
            }
        except (OSError, ValueError, yaml.YAMLError):
            defs = {}
        used = {str(r["channel"]) for r in self.rec.funding} - {"total"}
        codes = sorted(set(defs) | used, key=self._channel_rank)
        if not codes:
            return None
        names = [self._channel_word("channels", c) for c in codes]
        cite_rows = [
            {"source_doc": d["source"].get("doc"), "source_para": d["source"].get("para")}
            for d in defs.values()
        ]
        cite_rows += [r for r in self.rec.funding if r["channel"] != "total" and not defs]
        return names, cite_rows

    def _channel_word(self, group: str, channel: str) -> str:
        return str(self.p.get(group, {}).get(channel, channel.replace("_", " ")))

    def _verb(self, change: float) -> str:
        p, f = self.p, self.fmt
        factor = 1 + change
        if change >= 0.995 and abs(factor - round(factor)) < 0.01:
            words = p.get("fin_times", {})
            return str(
                words.get(str(round(factor)))
                or p.t("fin_times_other", factor=f.integer(round(factor)))
            )
        if abs(change) < 0.0005:
            return p.t("fin_same")
        return p.t("fin_up" if change > 0 else "fin_down", change=f.change(abs(change)))

    def _change_paragraph(
        self, row: Mapping[str, Any], by_key: Mapping[tuple[int, str], Mapping[str, Any]]
    ) -> None:
        p = self.p
        year, ch = int(row["year"]), str(row["channel"])
        amount = float(row["amount_usd"])
        prev = by_key.get((year - 1, ch))
        subject = self._channel_word("channel_income", ch)
        cited: list[Mapping[str, Any]] = [row]
        if prev is not None and prev.get("amount_usd"):
            change: float | None = amount / float(prev["amount_usd"]) - 1
            note = p.t(
                "fin_computed",
                prev=year - 1,
                prev_amount=self._usd(float(prev["amount_usd"])),
                year=year,
                amount=self._usd(amount),
            )
            cited.append(prev)
        elif row.get("reported_change") is not None:
            change = float(row["reported_change"])
            note = p.t("fin_reported", prev=year - 1)
        else:
            change, note = None, ""
        if change is None:
            text = p.t("fin_level", year=year, subject=subject, amount=self._usd(amount))
        else:
            text = p.t(
                "fin_change",
                year=year,
                subject=subject,
                verb=self._verb(change),
                amount=self._usd(amount),
            )
        keys, src_note = self.cite(cited)
        content: list[str | Inline] = [text]
        if src_note is not None:
            content.append(src_note)
        if note:
            content.append(self.b.note(note))
        self.b.para(content, sources=keys)

    def _funding_table(
        self,
        ordered: Sequence[Mapping[str, Any]],
        by_key: Mapping[tuple[int, str], Mapping[str, Any]],
    ) -> None:
        b, p, f = self.b, self.p, self.fmt
        rows = []
        for r in sorted(ordered, key=lambda r: (r["year"], self._channel_rank(r["channel"]))):
            amount = r.get("amount_usd")
            prev = by_key.get((int(r["year"]) - 1, str(r["channel"])))
            if amount is not None and prev is not None and prev.get("amount_usd"):
                ch = f.change(float(amount) / float(prev["amount_usd"]) - 1)
            elif r.get("reported_change") is not None:
                ch = p.t("change_reported", change=f.change(float(r["reported_change"])))
            else:
                ch = "—"
            n = r.get("contributors_count")
            rows.append(
                [
                    Cell(str(r["year"])),
                    Cell(self._channel_word("channel_short", str(r["channel"]))),
                    Cell(
                        self._usd(float(amount)) if amount is not None else "—",
                        value=float(amount) if amount is not None else None,
                        align="right",
                    ),
                    Cell(ch, align="right"),
                    Cell(f.integer(int(n)) if n is not None else "—", align="right"),
                ]
            )
        notes = [
            p.t(
                "funding_note",
                year=r["year"],
                channel=self._channel_word("channel_short", str(r["channel"])),
                note=_text(r.get("note"), self.lang),
            )
            for r in ordered
            if _text(r.get("note"), self.lang)
        ]
        keys = self._keys(ordered)
        b.table(
            p.t("t_funding"),
            [
                p.t("col_year"),
                p.t("col_channel"),
                p.t("col_income"),
                p.t("col_change"),
                p.t("col_contributors"),
            ],
            rows,
            sources=keys,
            notes=notes,
        )
        amounts = [r for r in ordered if r.get("amount_usd") is not None]
        if len(amounts) > 1:
            data = [
                {
                    "label": self._channel_word("channel_short", str(r["channel"]))
                    + f" {r['year']}",
                    "value": round(float(r["amount_usd"]) / 1e6, 2),
                    "channel": self._channel_word("channel_short", str(r["channel"])),
                }
                for r in sorted(
                    amounts, key=lambda r: (r["year"], self._channel_rank(r["channel"]))
                )
            ]
            alt = p.t(
                "fig_funding_alt",
                items=("；" if self.lang == "zh" else "; ").join(
                    f"{d['label']}: {self._usd(float(r['amount_usd']))}"
                    for d, r in zip(
                        data,
                        sorted(
                            amounts, key=lambda r: (r["year"], self._channel_rank(r["channel"]))
                        ),
                        strict=True,
                    )
                ),
            )
            spec = charts.bar_chart(data, value_title=p.t("usd_millions"), value_format=",.2~f")
            b.figure(p.t("fig_funding"), spec, alt, sources=keys)
