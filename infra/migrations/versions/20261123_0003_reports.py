"""reports: client feedback, per-worker-day ping summaries kept fresh by a trigger, indexes

`track_day_stale` is filled by a statement-level trigger on `ping` (it sees every partition's
new rows through the transition table), so the reports recompute only the worker-days whose
pings changed. The local day is taken in the offices' time zone from the settings at the time
of the migration (`timezone`, Europe/Moscow by default).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.settings import get_settings

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _mark_stale_function(tz: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION mark_track_day_stale() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO track_day_stale (worker_id, day, marked_at)
        SELECT worker_id, day, clock_timestamp()
        FROM (SELECT DISTINCT worker_id, (t AT TIME ZONE '{tz}')::date AS day FROM new_pings) d
        ON CONFLICT (worker_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at;
        RETURN NULL;
    END $$
    """


def upgrade() -> None:
    tz = get_settings().timezone.replace("'", "")
    op.create_table(
        "client_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("plan_stop_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sa.String(length=20), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_client_feedback_rating")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_client_feedback_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_stop_id"],
            ["plan_stop.id"],
            name=op.f("fk_client_feedback_plan_stop_id_plan_stop"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
            name=op.f("fk_client_feedback_visit_id_visit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
            name=op.f("fk_client_feedback_worker_id_worker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_feedback")),
    )
    op.create_index("ix_client_feedback_office_at", "client_feedback", ["office_id", "at"])
    op.create_table(
        "track_day",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("first_ping", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_ping", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pings", sa.Integer(), nullable=False),
        sa.Column("moving_s", sa.Float(), nullable=False),
        sa.Column("path_m", sa.Float(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "day", name=op.f("pk_track_day")),
    )
    op.create_index("ix_track_day_office_day", "track_day", ["office_id", "day"])
    op.create_table(
        "track_day_stale",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "day", name=op.f("pk_track_day_stale")),
    )
    op.execute(_mark_stale_function(tz))
    op.execute(
        "CREATE TRIGGER ping_marks_track_day_stale AFTER INSERT ON ping "
        "REFERENCING NEW TABLE AS new_pings FOR EACH STATEMENT "
        "EXECUTE FUNCTION mark_track_day_stale()"
    )
    # the reports read visits by worker and day, and events by worker and time
    op.create_index("ix_visit_worker_day", "visit", ["worker_id", "day"])
    op.create_index("ix_visit_event_worker_t", "visit_event", ["worker_id", "t"])
    op.create_index("ix_plan_stop_route_id", "plan_stop", ["route_id"])


def downgrade() -> None:
    op.drop_index("ix_plan_stop_route_id", table_name="plan_stop")
    op.drop_index("ix_visit_event_worker_t", table_name="visit_event")
    op.drop_index("ix_visit_worker_day", table_name="visit")
    op.execute("DROP TRIGGER IF EXISTS ping_marks_track_day_stale ON ping")
    op.execute("DROP FUNCTION IF EXISTS mark_track_day_stale()")
    op.drop_table("track_day_stale")
    op.drop_index("ix_track_day_office_day", table_name="track_day")
    op.drop_table("track_day")
    op.drop_index("ix_client_feedback_office_at", table_name="client_feedback")
    op.drop_table("client_feedback")
