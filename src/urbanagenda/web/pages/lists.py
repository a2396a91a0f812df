"""The list pages: every SDG 11 target with its indicators and series (``/{lang}/indicators``)
and every area a visitor can open (``/{lang}/areas``): the World, the SDG regions and
sub-regions, the LDC, LLDC and SIDS groups, and the countries by SDG region."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from urbanagenda.model.areas import code_sort_key
from urbanagenda.web.data import WebStore
from urbanagenda.web.pages.common import check_lang, render, store_of

router = APIRouter()

GROUPS = ("199", "432", "722")  # LDCs, LLDCs, SIDS


def _target_key(code: str) -> tuple[bool, str]:
    """11.1 … 11.7 before 11.a … 11.c."""
    last = code.split(".")[1]
    return (last.isalpha(), last.zfill(2))


def targets_with_series(store: WebStore) -> list[dict[str, Any]]:
    cat = store.catalogue
    counts = store.series_counts()
    out = []
    for target in sorted((t for t in cat.targets if t.startswith("11.")), key=_target_key):
        indicators = []
        for ind in cat.indicators_of_target(target):
            series = [
                {"code": s.code, "count": counts.get(s.code, 0)}
                for s in cat.series_of_indicator(ind.code)
            ]
            total = sum(counts.get(s.code, 0) for s in cat.series_of_indicator(ind.code))
            indicators.append({"code": ind.code, "series": series, "count": total})
        out.append({"code": target, "indicators": indicators})
    return out


@router.get("/{lang}/indicators", response_class=HTMLResponse, include_in_schema=False)
async def indicators_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    return render(request, "indicators.html", targets=targets_with_series(store))


def area_tree(store: WebStore) -> dict[str, Any]:
    """The areas of the list page, by code; names are looked up per language."""

    def build() -> dict[str, Any]:
        areas = store.areas
        kinds = store.area_kinds()
        with_data = store.areas_with_data()
        regions = [c for c in areas.children("1", "sdg") if kinds.get(c) == "sdg_region"]
        placed: set[str] = set()
        by_region = []
        for region in regions:
            below = areas.children(region, "sdg")
            subregions = [c for c in below if kinds.get(c) == "sdg_subregion"]
            countries = areas.members(region, "sdg", "country")
            placed.update(countries)
            by_region.append({"code": region, "subregions": subregions, "countries": countries})
        others = sorted(
            (c for c, k in kinds.items() if k == "country" and c not in placed),
            key=code_sort_key,
        )
        return {
            "regions": by_region,
            "groups": [g for g in GROUPS if g in kinds],
            "others": others,
            "with_data": with_data,
        }

    return store.computed(("area-tree",), build)


@router.get("/{lang}/areas", response_class=HTMLResponse, include_in_schema=False)
async def areas_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    tree = area_tree(store)
    names = store.area_names(lang)

    def by_name(codes: list[str]) -> list[str]:
        return sorted(codes, key=lambda c: names.get(c, c))

    regions = [
        {
            "code": r["code"],
            "subregions": by_name(r["subregions"]),
            "countries": by_name(r["countries"]),
        }
        for r in tree["regions"]
    ]
    regions.sort(key=lambda r: names.get(r["code"], r["code"]))
    return render(
        request,
        "areas.html",
        regions=regions,
        groups=tree["groups"],
        others=by_name(tree["others"]),
        with_data=tree["with_data"],
    )
