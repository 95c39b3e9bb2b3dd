"""plan weeks: the day plans of one week or month planned together, linked to their week

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "office_id",
            sa.Integer(),
            sa.ForeignKey("office.id", name="fk_plan_week_office_id_office"),
            nullable=False,
        ),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("stats", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column(
            "created_by",
            sa.Integer(),
            sa.ForeignKey("app_user.id", name="fk_plan_week_created_by_app_user"),
            nullable=True,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_week")),
        sa.CheckConstraint('start <= "end"', name=op.f("ck_plan_week_period")),
    )
    op.create_index("ix_plan_week_office_start", "plan_week", ["office_id", "start"])
    op.add_column(
        "plan",
        sa.Column(
            "week_id",
            sa.Integer(),
            sa.ForeignKey("plan_week.id", ondelete="SET NULL", name="fk_plan_week_id_plan_week"),
            nullable=True,
        ),
    )
    op.create_index(op.f("ix_plan_week_id"), "plan", ["week_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_week_id"), table_name="plan")
    op.drop_column("plan", "week_id")
    op.drop_index("ix_plan_week_office_start", table_name="plan_week")
    op.drop_table("plan_week")
