"""observations stored with integer keys, read through the view ``observation``

Until now every observation carried its key as seven text columns (series code, area code,
year, sex, age, location, breakdown) under a unique index on all seven and an index on
(area, series): most of a bulk load's time went into keeping those two text indexes.  From
here the codes are stored once, in ``obs_series``, ``obs_area`` and ``obs_breakdown``, the
attributes (unit, nature, source, footnote) once per combination in ``obs_attributes``, and an
observation is a row of ``observation_value`` keyed by four integers.  The view
``observation`` joins them back, with the same columns as the old table, so reading code does
not change.  Observation ids are kept (revisions refer to them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_VALUE_COLUMNS = ("value", "unit", "nature", "source", "footnote", "load_id")
_VIEW = (
    "CREATE VIEW observation AS SELECT v.id AS id, s.code AS series_code, a.code AS area_code, "
    "v.year AS year, b.sex AS sex, b.age AS age, b.location AS location, "
    "b.breakdown AS breakdown, v.value AS value, t.unit AS unit, t.nature AS nature, "
    "t.source AS source, t.footnote AS footnote, v.load_id AS load_id "
    "FROM observation_value v "
    "JOIN obs_series s ON s.id = v.series_id "
    "JOIN obs_area a ON a.id = v.area_id "
    "JOIN obs_breakdown b ON b.id = v.breakdown_id "
    "JOIN obs_attributes t ON t.id = v.attributes_id"
)
_CHANGED = ("value", "unit", "nature", "source", "footnote")
_NEW_CHANGED = ("value", "attributes_id")
# the old row with its attributes, as observation_revision keeps them
_NEW_REVISION_INSERT = (
    "INSERT INTO observation_revision (observation_id, value, unit, nature, source, footnote, "
    "load_id, replaced_at, replaced_by_load) SELECT OLD.id, OLD.value, t.unit, t.nature, "
    "t.source, t.footnote, OLD.load_id, CURRENT_TIMESTAMP, NEW.load_id "
    "FROM obs_attributes t WHERE t.id = OLD.attributes_id"
)
_REVISION_INSERT = (
    "INSERT INTO observation_revision (observation_id, value, unit, nature, source, footnote, "
    "load_id, replaced_at, replaced_by_load) VALUES (OLD.id, OLD.value, OLD.unit, OLD.nature, "
    "OLD.source, OLD.footnote, OLD.load_id, CURRENT_TIMESTAMP, NEW.load_id)"
)
_OLD_FK = "fk_observation_revision_observation_id_observation"
_NEW_FK = "fk_observation_revision_observation_id_observation_value"


def _dialect() -> str:
    return op.get_bind().dialect.name


def _create_revision_trigger(table: str) -> None:
    """Keep every replaced value: the old row goes to observation_revision before an update."""
    changed = _NEW_CHANGED if table == "observation_value" else _CHANGED
    keep = _NEW_REVISION_INSERT if table == "observation_value" else _REVISION_INSERT
    if _dialect() == "postgresql":
        old = ", ".join(f"OLD.{c}" for c in changed)
        new = ", ".join(f"NEW.{c}" for c in changed)
        op.execute(
            "CREATE FUNCTION observation_keep_revision() RETURNS trigger AS $$ BEGIN "
            f"IF ({old}) IS DISTINCT FROM ({new}) THEN {keep}; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER observation_keep_revision BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION observation_keep_revision()"
        )
    else:
        differs = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in changed)
        op.execute(
            f"CREATE TRIGGER observation_keep_revision BEFORE UPDATE ON {table} "
            f"FOR EACH ROW WHEN {differs} BEGIN {keep}; END"
        )


def _drop_revision_trigger(table: str) -> None:
    if _dialect() == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS observation_keep_revision ON {table}")
        op.execute("DROP FUNCTION IF EXISTS observation_keep_revision()")
    else:
        op.execute("DROP TRIGGER IF EXISTS observation_keep_revision")


def _point_revisions_at(table: str, drop: str, create: str) -> None:
    with op.batch_alter_table("observation_revision", schema=None) as batch_op:
        batch_op.drop_constraint(drop, type_="foreignkey")
        batch_op.create_foreign_key(create, table, ["observation_id"], ["id"])


def _restart_sequence(table: str) -> None:
    if _dialect() == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


def upgrade() -> None:
    op.create_table(
        "obs_series",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["series.code"], name=op.f("fk_obs_series_code_series")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obs_series")),
        sa.UniqueConstraint("code", name=op.f("uq_obs_series_code")),
    )
    op.create_table(
        "obs_area",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["area.code"], name=op.f("fk_obs_area_code_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obs_area")),
        sa.UniqueConstraint("code", name=op.f("uq_obs_area_code")),
    )
    op.create_table(
        "obs_breakdown",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sex", sa.String(length=12), nullable=False),
        sa.Column("age", sa.String(length=24), nullable=False),
        sa.Column("location", sa.String(length=12), nullable=False),
        sa.Column("breakdown", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obs_breakdown")),
        sa.UniqueConstraint("sex", "age", "location", "breakdown", name="uq_obs_breakdown_key"),
    )
    op.create_table(
        "obs_attributes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("nature", sa.String(length=4), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("footnote", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obs_attributes")),
        sa.UniqueConstraint("unit", "nature", "source", "footnote", name="uq_obs_attributes_key"),
    )
    op.create_table(
        "observation_value",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("breakdown_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("attributes_id", sa.Integer(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["obs_area.id"], name=op.f("fk_observation_value_area_id_obs_area")
        ),
        sa.ForeignKeyConstraint(
            ["attributes_id"],
            ["obs_attributes.id"],
            name=op.f("fk_observation_value_attributes_id_obs_attributes"),
        ),
        sa.ForeignKeyConstraint(
            ["breakdown_id"],
            ["obs_breakdown.id"],
            name=op.f("fk_observation_value_breakdown_id_obs_breakdown"),
        ),
        sa.ForeignKeyConstraint(
            ["load_id"], ["load_run.id"], name=op.f("fk_observation_value_load_id_load_run")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["obs_series.id"], name=op.f("fk_observation_value_series_id_obs_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_value")),
        sa.UniqueConstraint(
            "series_id", "area_id", "year", "breakdown_id", name="uq_observation_value_key"
        ),
    )
    op.create_index(
        "ix_observation_value_area_series", "observation_value", ["area_id", "series_id"]
    )

    # the codes once each, then every observation with its id
    op.execute(
        "INSERT INTO obs_series (code) SELECT DISTINCT series_code FROM observation "
        "ORDER BY series_code"
    )
    op.execute(
        "INSERT INTO obs_area (code) SELECT DISTINCT area_code FROM observation ORDER BY area_code"
    )
    op.execute(
        "INSERT INTO obs_breakdown (sex, age, location, breakdown) "
        "SELECT DISTINCT sex, age, location, breakdown FROM observation "
        "ORDER BY sex, age, location, breakdown"
    )
    op.execute(
        "INSERT INTO obs_attributes (unit, nature, source, footnote) "
        "SELECT DISTINCT unit, nature, source, footnote FROM observation "
        "ORDER BY unit, nature, source, footnote"
    )
    op.execute(
        "INSERT INTO observation_value (id, series_id, area_id, year, breakdown_id, value, "
        "attributes_id, load_id) SELECT o.id, s.id, a.id, o.year, b.id, o.value, t.id, o.load_id "
        "FROM observation o JOIN obs_series s ON s.code = o.series_code "
        "JOIN obs_area a ON a.code = o.area_code "
        "JOIN obs_breakdown b ON b.sex = o.sex AND b.age = o.age AND b.location = o.location "
        "AND b.breakdown = o.breakdown "
        "JOIN obs_attributes t ON t.unit = o.unit AND t.nature = o.nature "
        "AND t.source = o.source AND t.footnote = o.footnote ORDER BY o.id"
    )
    for table in ("obs_series", "obs_area", "obs_breakdown", "obs_attributes", "observation_value"):
        _restart_sequence(table)

    _drop_revision_trigger("observation")
    _point_revisions_at("observation_value", _OLD_FK, _NEW_FK)
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_area_series")
    op.drop_table("observation")
    op.execute(_VIEW)
    _create_revision_trigger("observation_value")


def downgrade() -> None:
    _drop_revision_trigger("observation_value")
    op.execute("DROP VIEW observation")
    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("series_code", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=12), nullable=False),
        sa.Column("age", sa.String(length=24), nullable=False),
        sa.Column("location", sa.String(length=12), nullable=False),
        sa.Column("breakdown", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("nature", sa.String(length=4), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("footnote", sa.Text(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_observation_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["load_id"], ["load_run.id"], name=op.f("fk_observation_load_id_load_run")
        ),
        sa.ForeignKeyConstraint(
            ["series_code"], ["series.code"], name=op.f("fk_observation_series_code_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint(
            "series_code",
            "area_code",
            "year",
            "sex",
            "age",
            "location",
            "breakdown",
            name="uq_observation_key",
        ),
    )
    op.create_index("ix_observation_area_series", "observation", ["area_code", "series_code"])
    op.execute(
        "INSERT INTO observation (id, series_code, area_code, year, sex, age, location, "
        f"breakdown, {', '.join(_VALUE_COLUMNS)}) SELECT v.id, s.code, a.code, v.year, b.sex, "
        "b.age, b.location, b.breakdown, v.value, t.unit, t.nature, t.source, t.footnote, "
        "v.load_id FROM observation_value v "
        "JOIN obs_series s ON s.id = v.series_id JOIN obs_area a ON a.id = v.area_id "
        "JOIN obs_breakdown b ON b.id = v.breakdown_id "
        "JOIN obs_attributes t ON t.id = v.attributes_id ORDER BY v.id"
    )
    _restart_sequence("observation")
    _point_revisions_at("observation", _NEW_FK, _OLD_FK)
    op.drop_index("ix_observation_value_area_series", table_name="observation_value")
    op.drop_table("observation_value")
    op.drop_table("obs_attributes")
    op.drop_table("obs_breakdown")
    op.drop_table("obs_area")
    op.drop_table("obs_series")
    _create_revision_trigger("observation")
