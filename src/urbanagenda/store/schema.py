"""The database schema (SQLAlchemy Core).  Migrations in ``store/migrations`` create it.

Observations are keyed by series × area × year × disaggregation; a changed value moves the
old one into ``observation_revision`` (never silently overwritten).  They are stored in
``observation_value`` with integer keys and read through the view ``observation``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["OBSERVATION_KEY", "OBSERVATION_VALUE_KEY", "metadata", "views"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

OBSERVATION_KEY = ("series_code", "area_code", "year", "sex", "age", "location", "breakdown")

catalogue_version = Table(
    "catalogue_version",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

goal = Table(
    "goal",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("title", Text, nullable=False),
)

target = Table(
    "target",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("goal_code", String(8), ForeignKey("goal.code"), nullable=False),
    Column("title", Text, nullable=False),
)

indicator = Table(
    "indicator",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("target_code", String(20), nullable=True),
    Column("name", Text, nullable=False),
)

unit = Table(
    "unit",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
)

unit_synonym = Table(
    "unit_synonym",
    metadata,
    Column("synonym", String(200), primary_key=True),
    Column("unit_code", String(64), ForeignKey("unit.code"), nullable=False),
)

series = Table(
    "series",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("direction", String(10), nullable=True),
    Column("target_2030", Float, nullable=True),
    Column("natural_limit", Float, nullable=True),
    Column("lower_limit", Float, nullable=True),
    Column("aggregation", String(64), nullable=False),
    Column("aggregation_weight", String(200), nullable=True),
    Column("global_series", Boolean, nullable=False),
    Column("details", JSON, nullable=True),
)

series_indicator = Table(
    "series_indicator",
    metadata,
    Column("series_code", String(64), ForeignKey("series.code"), primary_key=True),
    Column("indicator_code", String(20), primary_key=True),
)

framework_element = Table(
    "framework_element",
    metadata,
    Column("framework", String(20), primary_key=True),  # nua | umf
    Column("code", String(64), primary_key=True),
    Column("parent_code", String(64), nullable=True),
    Column("name", Text, nullable=False),
    Column("details", JSON, nullable=True),
)

framework_link = Table(
    "framework_link",
    metadata,
    Column("from_kind", String(20), primary_key=True),
    Column("from_code", String(64), primary_key=True),
    Column("to_kind", String(20), primary_key=True),
    Column("to_code", String(64), primary_key=True),
    Column("relation", String(64), nullable=False),
    Column("source", Text, nullable=True),
)

area = Table(
    "area",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("kind", String(24), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("iso2", String(2), nullable=True),
    Column("iso3", String(3), nullable=True),
    Column("country_code", String(64), nullable=True, index=True),
    Column("name_source", String(64), nullable=True),
)

area_name = Table(
    "area_name",
    metadata,
    Column("area_code", String(64), ForeignKey("area.code"), primary_key=True),
    Column("lang", String(5), primary_key=True),
    Column("name", Text, nullable=False),
)

area_parent = Table(
    "area_parent",
    metadata,
    Column("child", String(64), ForeignKey("area.code"), primary_key=True),
    Column("parent", String(64), ForeignKey("area.code"), primary_key=True),
    Column("hierarchy", String(12), primary_key=True),
)

load_run = Table(
    "load_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("sources", JSON, nullable=False),
    Column("formats", JSON, nullable=False),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("note", Text, nullable=True),
)

# Observations are stored with integer keys: ``observation_value`` holds one row per series ×
# area × year × breakdown, the codes live once in the small tables ``obs_series``, ``obs_area``
# and ``obs_breakdown``, and the attributes (unit, nature, source, footnote: a few dozen
# combinations in the whole UN database extract) once in ``obs_attributes`` (migration 0006).
# A narrow integer key keeps the unique index and the area index small, which is most of
# what a bulk load costs.  Code reads observations through the view ``observation`` (below),
# with the codes and attributes as text, as before.

obs_series = Table(
    "obs_series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), ForeignKey("series.code"), nullable=False, unique=True),
)

obs_area = Table(
    "obs_area",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), ForeignKey("area.code"), nullable=False, unique=True),
)

obs_breakdown = Table(
    "obs_breakdown",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sex", String(12), nullable=False),
    Column("age", String(24), nullable=False),
    Column("location", String(12), nullable=False),
    Column("breakdown", String(200), nullable=False),
    UniqueConstraint("sex", "age", "location", "breakdown", name="uq_obs_breakdown_key"),
)

obs_attributes = Table(
    "obs_attributes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(64), nullable=False),
    Column("nature", String(4), nullable=False),
    Column("source", Text, nullable=False),
    Column("footnote", Text, nullable=False),
    UniqueConstraint("unit", "nature", "source", "footnote", name="uq_obs_attributes_key"),
)

#: the integer key of an observation, in the order of its unique index
OBSERVATION_VALUE_KEY = ("series_id", "area_id", "year", "breakdown_id")

observation_value = Table(
    "observation_value",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_id", Integer, ForeignKey("obs_series.id"), nullable=False),
    Column("area_id", Integer, ForeignKey("obs_area.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("breakdown_id", Integer, ForeignKey("obs_breakdown.id"), nullable=False),
    Column("value", Float, nullable=False),
    Column("attributes_id", Integer, ForeignKey("obs_attributes.id"), nullable=False),
    Column("load_id", Integer, ForeignKey("load_run.id"), nullable=False),
    UniqueConstraint(*OBSERVATION_VALUE_KEY, name="uq_observation_value_key"),
)
Index(
    "ix_observation_value_area_series",
    observation_value.c.area_id,
    observation_value.c.series_id,
)

#: The view ``observation`` (created by migration 0006; not a table: described in its own
#: MetaData so that nothing ever creates it as one).  Read observations through it.
views = MetaData()
observation = Table(
    "observation",
    views,
    Column("id", Integer, primary_key=True),
    Column("series_code", String(64), nullable=False),
    Column("area_code", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sex", String(12), nullable=False),
    Column("age", String(24), nullable=False),
    Column("location", String(12), nullable=False),
    Column("breakdown", String(200), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("nature", String(4), nullable=False),
    Column("source", Text, nullable=False),
    Column("footnote", Text, nullable=False),
    Column("load_id", Integer, nullable=False),
)

observation_revision = Table(
    "observation_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "observation_id",
        Integer,
        ForeignKey("observation_value.id"),
        nullable=False,
        index=True,
    ),
    Column("value", Float, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("nature", String(4), nullable=False),
    Column("source", Text, nullable=False),
    Column("footnote", Text, nullable=False),
    Column("load_id", Integer, ForeignKey("load_run.id"), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Column("replaced_by_load", Integer, ForeignKey("load_run.id"), nullable=False),
)

# --- assessment, aggregation, computations, imported metadata (migration 0002) -----------

assessment_run = Table(
    "assessment_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("method", String(40), nullable=False),
    Column("edition", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # the newest load the assessed data come from, so a verdict can be reproduced
    Column("data_as_of_load", Integer, ForeignKey("load_run.id"), nullable=True),
    Column("as_of_year", Integer, nullable=True),
    Column("parameters", JSON, nullable=False),
    Column("scope", JSON, nullable=False),  # series, areas, levels asked for
    Column("n_results", Integer, nullable=False, default=0),
    Column("note", Text, nullable=True),
)

assessment_result = Table(
    "assessment_result",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("assessment_run.id"), nullable=False, index=True),
    Column("level", String(12), nullable=False),  # series | indicator | target | goal
    Column("code", String(64), nullable=False),
    Column("area_code", String(64), nullable=False),
    Column("sex", String(12), nullable=False, default="_T"),
    Column("age", String(24), nullable=False, default="_T"),
    Column("location", String(12), nullable=False, default="_T"),
    Column("breakdown", String(200), nullable=False, default=""),
    Column("aggregated", Boolean, nullable=False, default=False),
    Column("status", String(32), nullable=False),
    Column("label", Text, nullable=False),
    Column("score", Float, nullable=True),
    Column("cagr_actual", Float, nullable=True),
    Column("cagr_required", Float, nullable=True),
    Column("ratio", Float, nullable=True),
    Column("base_year", Integer, nullable=True),
    Column("base_value", Float, nullable=True),
    Column("latest_year", Integer, nullable=True),
    Column("latest_value", Float, nullable=True),
    Column("target_value", Float, nullable=True),
    Column("reason", Text, nullable=True),
)
Index(
    "ix_assessment_result_lookup",
    assessment_result.c.run_id,
    assessment_result.c.level,
    assessment_result.c.code,
    assessment_result.c.area_code,
)

aggregate_value = Table(
    "aggregate_value",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_code", String(64), ForeignKey("series.code"), nullable=False),
    Column("area_code", String(64), ForeignKey("area.code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("sex", String(12), nullable=False, default="_T"),
    Column("age", String(24), nullable=False, default="_T"),
    Column("location", String(12), nullable=False, default="_T"),
    Column("breakdown", String(200), nullable=False, default=""),
    Column("value", Float, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("weight_source", Text, nullable=True),
    Column("hierarchy", String(12), nullable=False),
    Column("member_kind", String(24), nullable=False),  # country | city
    Column("n_members", Integer, nullable=False),
    Column("n_with_data", Integer, nullable=False),
    Column("coverage_members", Float, nullable=False),
    Column("coverage_weight", Float, nullable=True),
    Column("parameters", JSON, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("data_as_of_load", Integer, ForeignKey("load_run.id"), nullable=True),
    UniqueConstraint(
        "series_code",
        "area_code",
        "year",
        "sex",
        "age",
        "location",
        "breakdown",
        "rule",
        "hierarchy",
        name="uq_aggregate_value_key",
    ),
)

computation_run = Table(
    "computation_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("method", String(64), nullable=False),  # e.g. sdg-11.2.1
    Column("method_version", String(40), nullable=False),
    Column("area_code", String(64), nullable=True),
    Column("parameters", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),  # file names and SHA-256 checksums
    Column("result", JSON, nullable=True),  # value and components
    Column("status", String(16), nullable=False),  # done | failed
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("load_id", Integer, ForeignKey("load_run.id"), nullable=True),
)

indicator_metadata = Table(
    "indicator_metadata",
    metadata,
    Column("area_code", String(64), ForeignKey("area.code"), primary_key=True),
    Column("indicator_code", String(40), primary_key=True),
    Column("source", String(40), primary_key=True),  # e.g. opensdg
    Column("metadata", JSON, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("load_id", Integer, ForeignKey("load_run.id"), nullable=True),
)

# --- reporting platform: accounts, documents, versions, workflow, search (migration 0003) --

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("email", String(254), nullable=True),
    Column("password_hash", Text, nullable=False),
    # administrator | reviewer | national_focal_point | local_focal_point
    Column("role", String(32), nullable=False),
    # the country (national focal point) or city / local government (local focal point)
    Column("area_code", String(64), ForeignKey("area.code"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex
    Column("prefix", String(16), nullable=False),  # shown in lists to tell tokens apart
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

user_session = Table(
    "user_session",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 hex of the cookie's secret
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
)
Index("ix_login_attempt_username_at", login_attempt.c.username, login_attempt.c.at)
Index("ix_login_attempt_client_at", login_attempt.c.client, login_attempt.c.at)

document = Table(
    "document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False, index=True),  # national_report | vlr | reference
    Column("title", Text, nullable=False),
    Column("country_code", String(64), ForeignKey("area.code"), nullable=True, index=True),
    Column("area_code", String(64), ForeignKey("area.code"), nullable=True, index=True),
    Column("year", Integer, nullable=True),
    Column("language", String(5), nullable=False),
    # draft | submitted | in_review | returned | published | withdrawn
    Column("status", String(16), nullable=False),
    # national reports: new | update | national_urban_forum | vnr | vlrs
    Column("modality", String(32), nullable=True),
    Column("template_version", String(40), nullable=True),
    Column("previous_document_id", Integer, ForeignKey("document.id"), nullable=True),
    Column("current_version", Integer, nullable=False, default=0),
    Column("published_version", Integer, nullable=True),
    Column("metadata", JSON, nullable=False),
    Column("is_example", Boolean, nullable=False, default=False),
    Column("created_by", Integer, ForeignKey("app_user.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

document_version = Table(
    "document_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("document.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("content", JSON, nullable=False),  # {"sections": [...]} as in reporting.documents
    Column("content_sha256", String(64), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_by", Integer, ForeignKey("app_user.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("document_id", "number", name="uq_document_version_number"),
)

document_event = Table(  # the audit log: who did what, when
    "document_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("document.id"), nullable=False, index=True),
    Column("version", Integer, nullable=True),
    Column("actor_id", Integer, ForeignKey("app_user.id"), nullable=True),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False),
)

review_comment = Table(
    "review_comment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("document.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("section_key", String(64), nullable=True),
    Column("author_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

attachment = Table(
    "attachment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("document.id"), nullable=False, index=True),
    Column("section_key", String(64), nullable=True),
    Column("filename", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("extracted_text", Text, nullable=True),
    Column("pages", Integer, nullable=True),
    Column("created_by", Integer, ForeignKey("app_user.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

search_passage = Table(  # what search finds: passages of public documents, tagged
    "search_passage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("document.id"), nullable=False, index=True),
    Column("version", Integer, nullable=True),
    Column("attachment_id", Integer, ForeignKey("attachment.id"), nullable=True),
    Column("section_key", String(64), nullable=True),
    Column("ordinal", Integer, nullable=False),
    Column("language", String(5), nullable=False),
    Column("text", Text, nullable=False),
    Column("tokens", Text, nullable=False),  # reporting.text.index_tokens(text), space-separated
    Column("targets", Text, nullable=False, default=""),  # " 11.1 11.3 " (tagger)
    Column("commitments", Text, nullable=False, default=""),  # " NUA.TC.1 NUA.EI.2 "
    # denormalised from the document so that filters need no join
    Column("kind", String(24), nullable=False),
    Column("country_code", String(64), nullable=True, index=True),
    Column("area_code", String(64), nullable=True),
    Column("year", Integer, nullable=True),
)

# --- Institutional records (the Secretary-General report's sections II-IV) -----------------
# Every fact carries its citation: the document it comes from (``source_doc``, a key of
# ``record_source``) and the paragraph (``source_para``, e.g. "6" or "14, fn 2").  A reload
# that changes a fact moves the old row into ``record_revision`` (never silently overwritten).

record_source = Table(  # the documents institutional facts are taken from
    "record_source",
    metadata,
    Column("code", String(64), primary_key=True),  # e.g. "A/79/SG-NUA-2024"
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=True),
    Column("symbol", String(64), nullable=True),  # e.g. "A/79/…" where the text prints it
    Column("period_start", String(10), nullable=True),  # the period a report covers (ISO)
    Column("period_end", String(10), nullable=True),
    Column("published", String(10), nullable=True),  # ISO date or year
    Column("language", String(5), nullable=True),
    Column("url", Text, nullable=True),
    Column("reference_document_id", Integer, ForeignKey("document.id"), nullable=True),
)

gov_body = Table(  # UN-Habitat Assembly, Executive Board, Committee of Permanent Representatives
    "gov_body",
    metadata,
    Column("code", String(32), primary_key=True),  # UNHA | EB | CPR
    Column("name", JSON, nullable=False),  # {"en": ..., "zh": ...}
    Column("description", JSON, nullable=False),  # {"en": ..., "zh": ...}
    Column("established_by", JSON, nullable=True),  # {"en": "General Assembly resolution …"}
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
)

gov_session = Table(
    "gov_session",
    metadata,
    Column("code", String(48), primary_key=True),  # e.g. "UNHA-2", "EB-2023-1", "CPR-OEM-2"
    Column("body_code", String(32), ForeignKey("gov_body.code"), nullable=False, index=True),
    Column("name", JSON, nullable=False),  # {"en": ..., "zh": ...}
    Column("start_date", String(10), nullable=False),  # ISO date
    Column("end_date", String(10), nullable=False),
    Column("place", JSON, nullable=True),  # {"en": "Nairobi", "zh": "内罗毕"}
    Column("status", String(16), nullable=False),  # held | planned | resumed
    Column("member_states_count", Integer, nullable=True),
    Column("participants", JSON, nullable=False),  # M49 codes where known, else []
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
)

gov_outcome = Table(  # resolutions, decisions, declarations adopted (or drafted) at a session
    "gov_outcome",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("body_code", String(32), ForeignKey("gov_body.code"), nullable=False, index=True),
    # the session that adopted it, where the source says which
    Column("session_code", String(48), ForeignKey("gov_session.code"), nullable=True, index=True),
    Column("year", Integer, nullable=True),
    # resolution | decision | declaration | draft_resolution | draft_decision | draft_declaration
    Column("kind", String(24), nullable=False),
    # "2/10", "2023/4"; None for a counted group ("10 resolutions"): a session's total of a
    # kind is its group row's count where there is one, else the number of its rows
    Column("number", String(32), nullable=True),
    Column("count", Integer, nullable=False, default=1),
    Column("title", JSON, nullable=False),
    Column("subject", String(64), nullable=True),  # e.g. finance, strategic_plan, smart_cities
    Column("adoption", String(24), nullable=True),  # consensus | vote | None
    Column("implementation_status", String(24), nullable=False),  # see records.STATUSES
    Column("document_symbol", String(64), nullable=True),  # e.g. "HSP/EB.2023/23"
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
    UniqueConstraint("body_code", "kind", "number", name="uq_gov_outcome_key"),
)

programme = Table(  # UN-Habitat global programmes
    "programme",
    metadata,
    Column("code", String(48), primary_key=True),  # e.g. "SAFER_CITIES"
    Column("name", JSON, nullable=False),
    Column("theme", String(48), nullable=True),
    Column("started", Integer, nullable=True),  # year
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
)

programme_result = Table(
    "programme_result",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_code", String(48), ForeignKey("programme.code"), nullable=False, index=True),
    # people_reached | countries | policy_reform_countries | partners | normative_products |
    # cities | local_governments | funds_usd | utilities | projects | members | …
    Column("metric", String(48), nullable=False),
    Column("value", Float, nullable=False),
    Column("qualifier", String(16), nullable=False),  # exact | more_than | about | nearly
    Column("period_years", Integer, nullable=True),  # "in the past 18 years"
    Column("period_start", Integer, nullable=True),
    Column("period_end", Integer, nullable=True),
    Column("as_of", String(10), nullable=False),  # reporting date, e.g. "2024-06-30"
    Column("note", JSON, nullable=True),
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
    UniqueConstraint("programme_code", "metric", "as_of", name="uq_programme_result_key"),
)

funding = Table(  # income by channel and year
    "funding",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    # total | regular_budget | foundation_non_earmarked | foundation_earmarked |
    # technical_cooperation
    Column("channel", String(32), nullable=False),
    Column("amount_usd", Float, nullable=True),
    Column("reported_change", Float, nullable=True),  # as published: 0.13 = +13 %, 2.0 = ×3
    Column("contributors_count", Integer, nullable=True),
    Column("note", JSON, nullable=True),
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
    UniqueConstraint("year", "channel", name="uq_funding_key"),
)

contribution = Table(  # contributors by year and channel (member states, others)
    "contribution",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("contributor", String(128), nullable=False),  # M49 code or a name
    Column("amount_usd", Float, nullable=True),
    Column("source_doc", String(64), ForeignKey("record_source.code"), nullable=False),
    Column("source_para", String(32), nullable=False),
    UniqueConstraint("year", "channel", "contributor", name="uq_contribution_key"),
)

record_load = Table(
    "record_load",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("counts", JSON, nullable=False),  # {"gov_session": 5, ...} inserted/updated
)

record_revision = Table(  # the previous state of a record a reload changed
    "record_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("table_name", String(32), nullable=False),
    Column("record_key", Text, nullable=False),  # JSON of the natural key
    Column("previous", JSON, nullable=False),
    Column("load_id", Integer, ForeignKey("record_load.id"), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
)

# --- local finance tools (migration 0005) --------------------------------------------------

finance_analysis = Table(  # one year of an own-source revenue analysis; a change adds a version
    "finance_analysis",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lg_key", String(120), nullable=False),  # the area code, else the name lower-cased
    Column("lg_name", Text, nullable=False),
    Column("area_code", String(64), ForeignKey("area.code"), nullable=True, index=True),
    Column("country_code", String(64), nullable=True, index=True),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("example", Boolean, nullable=False, default=False),
    Column("actual", Float, nullable=False),
    Column("potential", Float, nullable=False),
    Column("gap", Float, nullable=False),
    Column("population", Float, nullable=True),
    Column("osr_per_capita_usd", Float, nullable=True),
    Column("osr_share_gdp", Float, nullable=True),
    Column("input", JSON, nullable=False),  # OsrInput.to_dict() restricted to this year
    Column("result", JSON, nullable=False),  # YearResult.to_dict()
    Column("source_file", Text, nullable=True),
    Column("sha256", String(64), nullable=False),  # of the canonical input JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Integer, ForeignKey("app_user.id"), nullable=True),
    UniqueConstraint("lg_key", "year", "version", name="uq_finance_analysis_key"),
)

finance_plan = Table(  # a ranked capital investment plan; a change adds a version
    "finance_plan",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lg_key", String(120), nullable=False),
    Column("name", Text, nullable=False),
    Column("area_code", String(64), ForeignKey("area.code"), nullable=True, index=True),
    Column("version", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("example", Boolean, nullable=False, default=False),
    Column("envelope", Float, nullable=False),  # total over the horizon
    Column("funded", Integer, nullable=False),  # projects in the plan
    Column("input", JSON, nullable=False),  # PlanInput.to_dict()
    Column("result", JSON, nullable=False),  # PlanResult.to_dict()
    Column("source_file", Text, nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Integer, ForeignKey("app_user.id"), nullable=True),
    UniqueConstraint("lg_key", "name", "version", name="uq_finance_plan_key"),
)
