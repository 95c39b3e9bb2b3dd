"""tracking: devices, pings partitioned by day, visit events and facts, travel legs

The daily partitions of `ping` are created by the application as pings arrive
(`tracking.partitions.ensure_partitions`); dropping `ping` drops them all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:30:16.881719
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ping",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("t", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("accuracy", sa.Float(precision=24), nullable=True),
        sa.Column("speed", sa.Float(precision=24), nullable=True),
        sa.Column("bearing", sa.Float(precision=24), nullable=True),
        sa.Column("altitude", sa.Float(precision=24), nullable=True),
        sa.Column("battery", sa.Float(precision=24), nullable=True),
        sa.Column("flags", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("uuid", sa.UUID(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("device_id", "t", name=op.f("pk_ping")),
        postgresql_partition_by="RANGE (t)",
    )
    op.create_index("ix_ping_worker_t", "ping", ["worker_id", "t"], unique=False)
    op.create_table(
        "ping_drop",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "day", "reason", name=op.f("pk_ping_drop")),
    )
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["app_user.id"], name=op.f("fk_device_revoked_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
            name=op.f("fk_device_worker_id_worker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("external_id", name=op.f("uq_device_external_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_token_hash")),
    )
    op.create_index(op.f("ix_device_worker_id"), "device", ["worker_id"], unique=False)
    op.create_table(
        "travel_leg",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_client_id", sa.Integer(), nullable=False),
        sa.Column("to_client_id", sa.Integer(), nullable=False),
        sa.Column("depart", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrive", sa.DateTime(timezone=True), nullable=False),
        sa.Column("straight_m", sa.Float(), nullable=False),
        sa.Column("path_m", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
            name=op.f("fk_travel_leg_worker_id_worker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_leg")),
        sa.UniqueConstraint(
            "worker_id",
            "day",
            "from_client_id",
            "to_client_id",
            name=op.f("uq_travel_leg_worker_id"),
        ),
    )
    op.create_index(
        "ix_travel_leg_office_mode", "travel_leg", ["office_id", "mode", "day"], unique=False
    )
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_stop_id", sa.Integer(), nullable=True),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tapped_arrival", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tapped_departure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inferred_arrival", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inferred_departure", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrival_source", sa.String(length=10), nullable=True),
        sa.Column("departure_source", sa.String(length=10), nullable=True),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("max_distance_m", sa.Float(), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_visit_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["plan_stop_id"],
            ["plan_stop.id"],
            name=op.f("fk_visit_plan_stop_id_plan_stop"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_visit_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("worker_id", "client_id", "day", name=op.f("uq_visit_worker_id")),
    )
    op.create_index("ix_visit_office_day", "visit", ["office_id", "day"], unique=False)
    op.create_table(
        "visit_event",
        sa.Column("uuid", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("t", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("plan_stop_id", sa.Integer(), nullable=True),
        sa.Column(
            "location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("outside_geofence", sa.Boolean(), nullable=False),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("confirmation_code", sa.String(length=12), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_visit_event_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_visit_event_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["plan_stop_id"],
            ["plan_stop.id"],
            name=op.f("fk_visit_event_plan_stop_id_plan_stop"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_visit_event_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_visit_event")),
    )
    op.create_index(op.f("ix_visit_event_client_id"), "visit_event", ["client_id"], unique=False)
    op.create_index(op.f("ix_visit_event_office_id"), "visit_event", ["office_id"], unique=False)
    op.create_index(op.f("ix_visit_event_worker_id"), "visit_event", ["worker_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_visit_event_worker_id"), table_name="visit_event")
    op.drop_index(op.f("ix_visit_event_office_id"), table_name="visit_event")
    op.drop_index(op.f("ix_visit_event_client_id"), table_name="visit_event")
    op.drop_table("visit_event")
    op.drop_index("ix_visit_office_day", table_name="visit")
    op.drop_table("visit")
    op.drop_index("ix_travel_leg_office_mode", table_name="travel_leg")
    op.drop_table("travel_leg")
    op.drop_index(op.f("ix_device_worker_id"), table_name="device")
    op.drop_table("device")
    op.drop_table("ping_drop")
    op.drop_index("ix_ping_worker_t", table_name="ping")
    op.drop_table("ping")
