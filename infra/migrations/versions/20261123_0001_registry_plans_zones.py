"""registry plans zones

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:25:41.708611
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "geocode_cache",
        sa.Column("query", sa.String(length=300), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("query", name=op.f("pk_geocode_cache")),
    )
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("name", name=op.f("uq_region_name")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "manager", "supervisor", "worker", name="user_role"),
            nullable=False,
        ),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_app_user_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("centre", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "service_area",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_office_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("region_id", "name", name=op.f("uq_office_region_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_audit_log_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_entity", "audit_log", ["entity", "entity_id"], unique=False)
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("draft", "approved", "superseded", name="plan_status"), nullable=False
        ),
        sa.Column("cost", sa.Integer(), nullable=False),
        sa.Column("stats", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["app_user.id"], name=op.f("fk_plan_approved_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_plan_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_plan_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("office_id", "day", "version", name=op.f("uq_plan_office_id")),
    )
    op.create_index("ix_plan_office_day", "plan", ["office_id", "day"], unique=False)
    op.create_table(
        "service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("standard_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("required_skill", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "standard_minutes BETWEEN 1 AND 600", name=op.f("ck_service_standard_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_service_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_service_office_id")),
    )
    op.create_index(op.f("ix_service_office_id"), "service", ["office_id"], unique=False)
    op.create_table(
        "user_office",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_user_office_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_office_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "office_id", name=op.f("pk_user_office")),
    )
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=120), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column(
            "travel_mode", sa.Enum("walk", "transit", "car", name="travel_mode"), nullable=False
        ),
        sa.Column(
            "start_location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "end_location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("weekly_hours", sa.Double(), nullable=False),
        sa.Column("max_minutes_per_day", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_worker_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_worker_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("user_id", name=op.f("uq_worker_user_id")),
    )
    op.create_index(op.f("ix_worker_office_id"), "worker", ["office_id"], unique=False)
    op.create_table(
        "zone_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status", sa.Enum("draft", "active", "archived", name="zone_set_status"), nullable=False
        ),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("stats", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["app_user.id"], name=op.f("fk_zone_set_created_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_zone_set_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_set")),
        sa.UniqueConstraint("office_id", "version", name=op.f("uq_zone_set_office_id")),
    )
    op.create_index(op.f("ix_zone_set_office_id"), "zone_set", ["office_id"], unique=False)
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "location_status",
            sa.Enum("ok", "geocoded", "needs_location", name="location_status"),
            nullable=False,
        ),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "enrolled", "queued", "refused", "suspended", "discharged", name="client_status"
            ),
            nullable=False,
        ),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("required_skills", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("preferred_worker_id", sa.Integer(), nullable=True),
        sa.Column("workers_needed", sa.SmallInteger(), nullable=False),
        sa.Column("confirmation_code", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("workers_needed BETWEEN 1 AND 2", name=op.f("ck_client_workers_needed")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_client_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["preferred_worker_id"],
            ["worker.id"],
            name=op.f("fk_client_preferred_worker_id_worker"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    op.create_index(op.f("ix_client_office_id"), "client", ["office_id"], unique=False)
    op.create_table(
        "plan_route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("break_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("break_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("service_s", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_route_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_plan_route_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_route")),
    )
    op.create_index(op.f("ix_plan_route_plan_id"), "plan_route", ["plan_id"], unique=False)
    op.create_table(
        "worker_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("date_from <= date_to", name=op.f("ck_worker_absence_dates")),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
            name=op.f("fk_worker_absence_worker_id_worker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_absence")),
    )
    op.create_table(
        "worker_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("lunch_from", sa.Time(), nullable=True),
        sa.Column("lunch_to", sa.Time(), nullable=True),
        sa.Column("lunch_minutes", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_worker_shift_start_before_end")),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_worker_shift_weekday")),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
            name=op.f("fk_worker_shift_worker_id_worker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_shift")),
        sa.UniqueConstraint("worker_id", "weekday", name=op.f("uq_worker_shift_worker_id")),
    )
    op.create_table(
        "zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_set_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column(
            "polygon",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_zone_worker_id_worker")
        ),
        sa.ForeignKeyConstraint(
            ["zone_set_id"],
            ["zone_set.id"],
            name=op.f("fk_zone_zone_set_id_zone_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone")),
    )
    op.create_index(op.f("ix_zone_zone_set_id"), "zone", ["zone_set_id"], unique=False)
    op.create_table(
        "care_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_care_plan_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan")),
    )
    op.create_index(op.f("ix_care_plan_client_id"), "care_plan", ["client_id"], unique=False)
    op.create_table(
        "client_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "enrolled", "queued", "refused", "suspended", "discharged", name="client_status"
            ),
            nullable=False,
        ),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["app_user.id"],
            name=op.f("fk_client_status_change_changed_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_client_status_change_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_status_change")),
    )
    op.create_index(
        op.f("ix_client_status_change_client_id"),
        "client_status_change",
        ["client_id"],
        unique=False,
    )
    op.create_table(
        "plan_stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("arrival", sa.DateTime(timezone=True), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_s", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=False),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("why", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_plan_stop_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_stop_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["plan_route.id"],
            name=op.f("fk_plan_stop_route_id_plan_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_plan_stop_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_stop")),
    )
    op.create_index(op.f("ix_plan_stop_client_id"), "plan_stop", ["client_id"], unique=False)
    op.create_index(op.f("ix_plan_stop_plan_id"), "plan_stop", ["plan_id"], unique=False)
    op.create_index(op.f("ix_plan_stop_worker_id"), "plan_stop", ["worker_id"], unique=False)
    op.create_table(
        "plan_unplanned",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_plan_unplanned_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_unplanned_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_unplanned")),
    )
    op.create_index(op.f("ix_plan_unplanned_plan_id"), "plan_unplanned", ["plan_id"], unique=False)
    op.create_table(
        "zone_client",
        sa.Column("zone_set_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_zone_client_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"], ["zone.id"], name=op.f("fk_zone_client_zone_id_zone"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["zone_set_id"],
            ["zone_set.id"],
            name=op.f("fk_zone_client_zone_set_id_zone_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("zone_set_id", "client_id", name=op.f("pk_zone_client")),
    )
    op.create_index(op.f("ix_zone_client_zone_id"), "zone_client", ["zone_id"], unique=False)
    op.create_table(
        "care_plan_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("recurrence", sa.String(length=60), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["care_plan_id"],
            ["care_plan.id"],
            name=op.f("fk_care_plan_line_care_plan_id_care_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_care_plan_line_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan_line")),
    )
    op.create_index(
        op.f("ix_care_plan_line_care_plan_id"), "care_plan_line", ["care_plan_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_care_plan_line_care_plan_id"), table_name="care_plan_line")
    op.drop_table("care_plan_line")
    op.drop_index(op.f("ix_zone_client_zone_id"), table_name="zone_client")
    op.drop_table("zone_client")
    op.drop_index(op.f("ix_plan_unplanned_plan_id"), table_name="plan_unplanned")
    op.drop_table("plan_unplanned")
    op.drop_index(op.f("ix_plan_stop_worker_id"), table_name="plan_stop")
    op.drop_index(op.f("ix_plan_stop_plan_id"), table_name="plan_stop")
    op.drop_index(op.f("ix_plan_stop_client_id"), table_name="plan_stop")
    op.drop_table("plan_stop")
    op.drop_index(op.f("ix_client_status_change_client_id"), table_name="client_status_change")
    op.drop_table("client_status_change")
    op.drop_index(op.f("ix_care_plan_client_id"), table_name="care_plan")
    op.drop_table("care_plan")
    op.drop_index(op.f("ix_zone_zone_set_id"), table_name="zone")
    op.drop_table("zone")
    op.drop_table("worker_shift")
    op.drop_table("worker_absence")
    op.drop_index(op.f("ix_plan_route_plan_id"), table_name="plan_route")
    op.drop_table("plan_route")
    op.drop_index(op.f("ix_client_office_id"), table_name="client")
    op.drop_table("client")
    op.drop_index(op.f("ix_zone_set_office_id"), table_name="zone_set")
    op.drop_table("zone_set")
    op.drop_index(op.f("ix_worker_office_id"), table_name="worker")
    op.drop_table("worker")
    op.drop_table("user_office")
    op.drop_index(op.f("ix_service_office_id"), table_name="service")
    op.drop_table("service")
    op.drop_index("ix_plan_office_day", table_name="plan")
    op.drop_table("plan")
    op.drop_index("ix_audit_entity", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("office")
    op.drop_table("app_user")
    op.drop_table("region")
    op.drop_table("geocode_cache")
    for enum_type in (
        "user_role",
        "travel_mode",
        "client_status",
        "location_status",
        "plan_status",
        "zone_set_status",
    ):
        op.execute(f"DROP TYPE IF EXISTS {enum_type}")
