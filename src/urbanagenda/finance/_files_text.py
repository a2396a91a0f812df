"""The words of the Excel templates, in English and Chinese: the Instructions sheets and what
each field means (header notes, the explanation column of the key/value sheets).

Field names, sheet titles and drop-down values stay English in every language: they are
what the reader matches.  A language without texts falls back to English.
"""

from __future__ import annotations

__all__ = ["LANGS", "describe", "instructions"]

LANGS: tuple[str, ...] = ("en", "zh")

_FIELDS: dict[str, dict[str, str]] = {
    "en": {
        "local_government": "Name of the local government (required).",
        "area": "Code of the city or country in the platform's store, e.g. sl_freetown "
        "(optional; gives the population from the store).",
        "country": "M49 code of the country, e.g. 694 (optional; taken from the city).",
        "currency": "ISO 4217 code of the local currency, three capital letters (required).",
        "example": "true if the figures are an illustration, not an official analysis.",
        "note": "Free text.",
        "id": "Short id that streams and fiscal rows cite in their 'sources' column.",
        "citation": "Full citation: author (year) title, publisher.",
        "url": "Web address of the source (optional).",
        "year": "Reference year, four digits (required on every row).",
        "population": "Residents (optional: else from the store for the area).",
        "gdp_per_capita": "GDP per person per year, local currency (optional).",
        "household_size": "Average persons per household (optional).",
        "usd_rate": "Local currency units per US dollar (optional; for comparisons).",
        "sources": "Ids of the Sources sheet, separated by ';'.",
        "stream_name": "Name of the revenue stream; rows with the same year and name make "
        "one stream.",
        "stream_kind": "short (charges per day), long (per month or year) or mixed.",
        "item": "Name of the category (or charge) of this row.",
        "estimated@Property tax": "All properties in the area, registered or not (the stream's; "
        "give it on one row of the stream).",
        "estimated": "Businesses there are in the category, licensed or not.",
        "registered": "On the roll / holding a licence record.",
        "compliant": "Of the registered, those paying.",
        "assessed_value": "Average value on the valuation roll, local currency.",
        "market_value": "Average market value, local currency.",
        "rate@Property tax": "Rate applied, a fraction of the value (1.2 % → 0.012).",
        "legislated_rate@Property tax": "Rate the law sets, a fraction (blank: = rate).",
        "fee": "Average fee charged per business per year.",
        "legislated_fee": "Fee the by-law sets (blank: = fee).",
        "users_estimated": "Users (or taxpayers) there are.",
        "users_actual": "Of those, paying.",
        "rate": "Amount charged per user per period.",
        "legislated_rate": "Amount allowed per user per period (blank: = rate).",
        "periods": "Periods charged in the year (days ≤ 366, months ≤ 12, year 1).",
        "per": "The period: day, month or year.",
        "actual_reported": "Revenue the accounts record for the stream (optional; compared "
        "with the computed actual).",
        "low": "Low end of the range, when the figure is an estimate (optional).",
        "high": "High end of the range (optional).",
        "name": "Name of the plan (required).",
        "name@Projects": "Name of the project (required).",
        "start_year": "First year of the plan (blank: next calendar year).",
        "horizon": "Years of the plan, 1 to 10 (blank: 5).",
        "budget": "Total capital budget over the horizon, spread evenly (or the next rows).",
        "budget_by_year": "Budget of each year, separated by ';' (as many as the horizon).",
        "envelope.osr_analysis": "Id of a stored OSR analysis giving the envelope.",
        "envelope.capital_share": "Share of own-source revenue going to capital spending "
        "(blank: 0.2).",
        "envelope.gap_recovery": "Share of the revenue gap recovered in each year, separated "
        "by ';' (blank: 0.1;0.2;0.3;0.4;0.5).",
        "city_population": "Population of the city (optional).",
        "weights": "Weight of the criterion (blank: default; weights are rescaled to sum 1).",
        "sector": "Sector of the project (drop-down).",
        "cost": "Capital cost, local currency.",
        "years": "Years to build; the cost is spread evenly (blank: 1).",
        "location": "Area code, district name or 'lon,lat'.",
        "population_served": "People the project serves.",
        "sdg_targets": "SDG 11 targets addressed, separated by ';' (11.1 … 11.7, 11.a, 11.b, "
        "11.c; see the Codes sheet).",
        "umf_cells": "UMF cells addressed, separated by ';' (e.g. SOC-INCL; see the Codes sheet).",
        "stage": "Preparation stage (drop-down, least to most prepared).",
        "cost_recovery": "Share of the cost recovered from user revenue, 0 to 1.",
        "cofinancing": "Share of the cost committed by others, 0 to 1.",
        "land_secured": "true if the land is secured.",
        "environmental_clearance": "true if the environmental clearance is given.",
    },
    "zh": {
        "local_government": "地方政府名称（必填）。",
        "area": "平台数据库中城市或国家的代码，如 sl_freetown（可选；用于从数据库取人口）。",
        "country": "国家的 M49 代码，如 694（可选；城市的国家自动取得）。",
        "currency": "本币的 ISO 4217 代码，三个大写字母（必填）。",
        "example": "若数字仅为示例而非官方分析，填 true。",
        "note": "备注（自由文本）。",
        "id": "来源的简短标识，收入流和财政行在 sources 列中引用。",
        "citation": "完整引文：作者（年份）标题，出版者。",
        "url": "来源网址（可选）。",
        "year": "参考年份，四位数字（每行必填）。",
        "population": "常住人口（可选；否则从数据库取该地区人口）。",
        "gdp_per_capita": "人均年国内生产总值，本币（可选）。",
        "household_size": "平均每户人数（可选）。",
        "usd_rate": "每美元折合本币数（可选；用于比较）。",
        "sources": "Sources 表中的来源标识，用 ';' 分隔。",
        "stream_name": "收入流名称；年份和名称相同的行属于同一收入流。",
        "stream_kind": "short（按日收费）、long（按月或按年）或 mixed（混合）。",
        "item": "本行类别（或收费项目）的名称。",
        "estimated@Property tax": "区域内全部房产，无论是否登记（属于收入流；"
        "在该收入流的任一行填写一次）。",
        "estimated": "该类别的企业总数，无论是否持证。",
        "registered": "已列入税册／持有执照记录的数量。",
        "compliant": "已登记者中实际缴纳的数量。",
        "assessed_value": "估价册上的平均价值，本币。",
        "market_value": "平均市场价值，本币。",
        "rate@Property tax": "实际适用税率，以价值的小数表示（1.2% → 0.012）。",
        "legislated_rate@Property tax": "法定税率，小数（空白：等于实际税率）。",
        "fee": "每家企业每年平均收取的费用。",
        "legislated_fee": "地方法规规定的费用（空白：等于实际费用）。",
        "users_estimated": "用户（或纳税人）总数。",
        "users_actual": "其中实际缴费的数量。",
        "rate": "每个用户每期收取的金额。",
        "legislated_rate": "每个用户每期允许收取的金额（空白：等于实际金额）。",
        "periods": "一年中收费的期数（按日 ≤ 366，按月 ≤ 12，按年 1）。",
        "per": "期的单位：day（日）、month（月）或 year（年）。",
        "actual_reported": "账目记录的该收入流收入（可选；与计算的实际收入比较）。",
        "low": "数字为估计值时范围的下限（可选）。",
        "high": "范围的上限（可选）。",
        "name": "计划名称（必填）。",
        "name@Projects": "项目名称（必填）。",
        "start_year": "计划的第一年（空白：下一日历年）。",
        "horizon": "计划年数，1 至 10（空白：5）。",
        "budget": "计划期内资本预算总额，平均分配到各年（或填下一行）。",
        "budget_by_year": "各年预算，用 ';' 分隔（个数等于计划年数）。",
        "envelope.osr_analysis": "提供资金框架的已存自有收入分析的编号。",
        "envelope.capital_share": "自有收入中用于资本支出的比例（空白：0.2）。",
        "envelope.gap_recovery": "各年收回的收入缺口比例，用 ';' 分隔"
        "（空白：0.1;0.2;0.3;0.4;0.5）。",
        "city_population": "城市人口（可选）。",
        "weights": "该标准的权重（空白：默认值；权重重新缩放使总和为 1）。",
        "sector": "项目所属部门（下拉列表）。",
        "cost": "资本成本，本币。",
        "years": "建设年数；成本平均分摊（空白：1）。",
        "location": "地区代码、区名或“经度,纬度”。",
        "population_served": "项目服务的人口。",
        "sdg_targets": "涉及的可持续发展目标 11 的具体目标，用 ';' 分隔（11.1 … 11.7、11.a、11.b、"
        "11.c；见 Codes 表）。",
        "umf_cells": "涉及的城市监测框架（UMF）单元，用 ';' 分隔（如 SOC-INCL；见 Codes 表）。",
        "stage": "准备阶段（下拉列表，从最初到最成熟）。",
        "cost_recovery": "由用户收入收回的成本比例，0 至 1。",
        "cofinancing": "他方承诺出资的成本比例，0 至 1。",
        "land_secured": "土地已落实则填 true。",
        "environmental_clearance": "已获环境许可则填 true。",
    },
}

_INSTRUCTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "osr": (
            "Own-source revenue rapid analysis: how to fill in this workbook",
            "1. Analysis sheet: the local government, the currency (required) and the other facts "
            "in column B.",
            "2. Sources sheet: one row per cited source; the other sheets cite them by id.",
            "3. Fiscal sheet (optional): one row per year — population, GDP per capita, household "
            "size, US dollar rate.",
            "4. One sheet per kind of revenue stream: Property tax, Business licences, User "
            "charges (kind short/long/mixed), Other taxes. One row per category or charge; "
            "rows with the same year and stream name make one stream. Several years side by "
            "side: repeat the rows with each year.",
            "5. A number that is an estimate may have a range: fill <field>_low and <field>_high "
            "next to it (optional). Leave legislated rates and fees blank when they equal the "
            "applied ones.",
            "6. Rules checked: numbers ≥ 0; compliant ≤ registered ≤ estimated; users paying ≤ "
            "users; applied rate ≤ legislated rate; low ≤ value ≤ high.",
            "7. Hover a column header for what the field means. Blank rows are ignored.",
            "8. Save as .xlsx and run: urbanagenda osr analyse FILE (or upload it on the finance "
            "page). Every problem is reported with its sheet, row and column; nothing is "
            "computed until all are fixed.",
        ),
        "invest": (
            "Capital investment prioritisation: how to fill in this workbook",
            "1. Plan sheet: the plan's name (required) and, in column B, the budget (a total, or "
            "one per year) or the envelope from an OSR analysis, and the criteria weights.",
            "2. Projects sheet: one row per project. Sector and stage have drop-down lists; SDG "
            "targets and UMF cells are lists separated by ';' (valid codes on the Codes sheet).",
            "3. Shares (cost recovery, co-financing) are fractions from 0 to 1.",
            "4. Sources sheet: the sources of the figures (optional).",
            "5. Save as .xlsx and run: urbanagenda invest rank FILE (or upload it on the finance "
            "page). Every problem is reported with its sheet, row and column.",
        ),
    },
    "zh": {
        "osr": (
            "自有收入快速分析：填写说明",
            "1. Analysis 表：在 B 列填写地方政府名称、货币（必填）及其他信息。",
            "2. Sources 表：每个引用来源一行；其他表按标识引用来源。",
            "3. Fiscal 表（可选）：每年一行——人口、人均国内生产总值、户均人数、美元汇率。",
            "4. 每类收入流一张表：Property tax（房产税）、Business licences（营业执照）、"
            "User charges（用户收费，类型 short/long/mixed）、Other taxes（其他税）。"
            "每个类别或收费项目一行；年份和收入流名称相同的行属于同一收入流。多个年份：按年份重复各行。",
            "5. 估计值可给出范围：在旁边的 <字段>_low 和 <字段>_high 列填写（可选）。法定税率或费用"
            "与实际相同时留空。",
            "6. 检查的规则：数字 ≥ 0；缴纳数 ≤ 登记数 ≤ 估计总数；缴费用户 ≤ 用户总数；实际税率 ≤ "
            "法定税率；下限 ≤ 数值 ≤ 上限。",
            "7. 将鼠标移到列标题上可查看字段说明。空行会被忽略。",
            "8. 另存为 .xlsx 并运行：urbanagenda osr analyse 文件（或在财政页面上传）。每个问题都会"
            "指出所在的表、行和列；全部改正后才会计算。",
        ),
        "invest": (
            "资本投资优先排序：填写说明",
            "1. Plan 表：在 B 列填写计划名称（必填）、预算（总额或逐年）或来自自有收入分析的资金"
            "框架，以及各标准的权重。",
            "2. Projects 表：每个项目一行。部门和阶段有下拉列表；可持续发展目标和 UMF 单元以 ';' "
            "分隔（有效代码见 Codes 表）。",
            "3. 比例（成本回收、联合融资）为 0 至 1 的小数。",
            "4. Sources 表：数字的来源（可选）。",
            "5. 另存为 .xlsx 并运行：urbanagenda invest rank 文件（或在财政页面上传）。每个问题都会"
            "指出所在的表、行和列。",
        ),
    },
}


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def describe(field: str, sheet: str, lang: str) -> str:
    """What ``field`` of ``sheet`` means (``_low``/``_high`` columns: the range's ends)."""
    texts = _FIELDS[_lang(lang)]
    for suffix in ("_low", "_high"):
        if field.endswith(suffix):
            return texts[suffix[1:]]
    if field.startswith("weights."):
        return texts["weights"]
    return texts.get(f"{field}@{sheet}") or texts[field]


def instructions(which: str, lang: str) -> tuple[str, ...]:
    """The Instructions sheet's lines (``which``: ``osr`` or ``invest``)."""
    return _INSTRUCTIONS[_lang(lang)][which]
