"""The cover and chapter I of the national report draft: the country profile."""

from __future__ import annotations

from sqlalchemy import select

from urbanagenda.store import schema as s
from urbanagenda.store.query import read_observations
from urbanagenda.synthesis.build._national_common import _DraftBase, headline_rows

#: The store's total population series (World Bank SP.POP.TOTL, a demo source).
POPULATION_SERIES = "SP_POP_TOTL"
#: Country groups named in the profile: LDCs, LLDCs, SIDS (M49 group codes).
GROUPS = ("199", "432", "722")


class _ProfilePart(_DraftBase):
    """The cover (notices and metadata) and the country profile."""

    # -- cover ---------------------------------------------------------------------------
    def cover(self) -> None:
        ph = self.ph
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.load_run.c.id, s.load_run.c.finished_at, s.load_run.c.started_at)
                .order_by(s.load_run.c.id.desc())
                .limit(1)
            ).first()
        data = (
            ph.t("data_version", load=row[0], date=self.fmt.date((row[1] or row[2]).date()))
            if row
            else ph.t("data_version_none")
        )
        self.doc.meta = {
            ph.t("meta_country"): self.country,
            ph.t("meta_code"): self.code,
            ph.t("meta_method"): self.ctx.method,
            ph.t("database_version"): data,
        }  # the generation time is the document's own (the renderers print it once)
        if self.ctx.notice:
            self.b.notice(self.ctx.notice)
        self.b.notice(
            ph.t("draft_notice", date=self.fmt.date(self.ctx.now.date()), country=self.country),
            tone="warning",
        )

    # ====================================================================== I. profile
    def profile(self) -> None:
        self.chapter_heading("h_profile", "profile")
        ph, parts = self.ph, []
        if self.region and self.subregion:
            parts.append(
                ph.t(
                    "profile_region",
                    country=self.country,
                    region=self.area_name(self.region),
                    subregion=self.area_name(self.subregion),
                )
            )
        elif self.region:
            parts.append(
                ph.t(
                    "profile_region_only", country=self.country, region=self.area_name(self.region)
                )
            )
        else:
            parts.append(ph.t("profile_no_region", country=self.country))
        groups = [g for g in GROUPS if g in self.areas.parents_of(self.code, "group")]
        names = ph.get("group_names", {})
        if groups:
            listed = self.fmt.listing([str(names.get(g) or self.area_name(g)) for g in groups])
            parts.append(ph.t("profile_groups", groups=listed))
        else:
            parts.append(ph.t("profile_no_groups"))
        self.b.para(self._join(parts))

        sources: list[str] = []
        pop = read_observations(self.engine, series=[POPULATION_SERIES], areas=[self.code])
        pop = headline_rows(pop)
        if not pop.empty:
            latest = pop.sort_values("year").iloc[-1]
            sources.append(
                self.series_source(POPULATION_SERIES, pop[pop["year"] == latest["year"]])
            )
            population = ph.t(
                "profile_population",
                population=self.fmt.people(float(latest["value"])),
                year=int(latest["year"]),
            )
        else:
            population = ph.t("profile_no_population")
        n_cities = len(self.city_frame()["area_code"].unique())
        cities = (
            ph.t("profile_cities", n=self.fmt.integer(n_cities))
            if n_cities
            else ph.t("profile_no_cities")
        )
        self.b.para(self._join([population, cities]), sources=sources)
