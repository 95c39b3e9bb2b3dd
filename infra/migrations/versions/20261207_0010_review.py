"""review: the head of department's decision on each visit (accepted, rejected, corrected with
the original figures kept), the worker's monthly report and its states, and client ratings
stored once by the phone's id

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("visit", sa.Column("review", sa.String(10), nullable=True))
    op.add_column("visit", sa.Column("review_reason", sa.String(300), nullable=True))
    op.add_column(
        "visit",
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.add_column("visit", sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("visit", sa.Column("corrected_minutes", sa.Integer, nullable=True))
    op.add_column("visit", sa.Column("corrected_services", postgresql.JSONB, nullable=True))
    op.create_check_constraint(
        op.f("ck_visit_review"), "visit", "review IN ('accepted', 'rejected', 'corrected')"
    )
    op.add_column(
        "client_feedback", sa.Column("uuid", postgresql.UUID(as_uuid=True), nullable=True)
    )
    op.add_column(
        "client_feedback",
        sa.Column("recorded_by", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.add_column(
        "client_feedback",
        sa.Column("source", sa.String(10), nullable=False, server_default="phone"),
    )
    op.create_unique_constraint(op.f("uq_client_feedback_uuid"), "client_feedback", ["uuid"])
    op.create_table(
        "worker_month_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_id", sa.Integer, sa.ForeignKey("office.id", ondelete="CASCADE")),
        sa.Column("worker_id", sa.Integer, sa.ForeignKey("worker.id", ondelete="CASCADE")),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="draft"),
        sa.Column("worker_comment", sa.Text, nullable=False, server_default=""),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("head_comment", sa.Text, nullable=False, server_default=""),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Integer, sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("lines", postgresql.JSONB, nullable=True),
        sa.UniqueConstraint("worker_id", "office_id", "month", name=op.f("uq_worker_month_report")),
        sa.CheckConstraint(
            "state IN ('draft', 'completed', 'signed')", name=op.f("ck_worker_month_report_state")
        ),
    )


def downgrade() -> None:
    op.drop_table("worker_month_report")
    op.drop_constraint(op.f("uq_client_feedback_uuid"), "client_feedback")
    for column in ("source", "recorded_by", "uuid"):
        op.drop_column("client_feedback", column)
    op.drop_constraint(op.f("ck_visit_review"), "visit")
    for column in (
        "corrected_services",
        "corrected_minutes",
        "reviewed_at",
        "reviewed_by",
        "review_reason",
        "review",
    ):
        op.drop_column("visit", column)
