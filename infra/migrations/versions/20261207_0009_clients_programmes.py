"""clients and programmes: locations placed by hand, door codes, archive, the queue's last
look; programme versions with approval (draft -> approved -> closed), existing ones approved

Revision ID: 0009
Revises: 0015
Create Date: 2026-12-07 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = postgresql.ENUM("draft", "approved", "closed", name="care_plan_status")


def upgrade() -> None:
    # a location placed or moved on the map by a person (kept on downgrade: enum values stay)
    op.execute("ALTER TYPE location_status ADD VALUE IF NOT EXISTS 'manual'")
    op.add_column(
        "client", sa.Column("door_code", sa.String(40), nullable=False, server_default="")
    )
    op.add_column("client", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "client", sa.Column("queue_reviewed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "client",
        sa.Column(
            "queue_reviewed_by",
            sa.Integer,
            sa.ForeignKey("app_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    STATUS.create(op.get_bind(), checkfirst=True)
    # Programmes stored before approval existed were planned as they were: they stay in force.
    op.add_column(
        "care_plan",
        sa.Column(
            "status",
            postgresql.ENUM(name="care_plan_status", create_type=False),
            nullable=False,
            server_default="approved",
        ),
    )
    op.alter_column("care_plan", "status", server_default=None)
    op.add_column(
        "care_plan", sa.Column("version", sa.SmallInteger, nullable=False, server_default="1")
    )
    op.alter_column("care_plan", "version", server_default=None)
    op.add_column(
        "care_plan",
        sa.Column(
            "replaces_id",
            sa.Integer,
            sa.ForeignKey("care_plan.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.add_column("care_plan", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "care_plan",
        sa.Column(
            "approved_by",
            sa.Integer,
            sa.ForeignKey("app_user.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.add_column("care_plan", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE care_plan SET approved_at = created_at")


def downgrade() -> None:
    for column in ("closed_at", "approved_by", "approved_at", "replaces_id", "version", "status"):
        op.drop_column("care_plan", column)
    STATUS.drop(op.get_bind(), checkfirst=True)
    for column in ("queue_reviewed_by", "queue_reviewed_at", "archived_at", "door_code"):
        op.drop_column("client", column)
