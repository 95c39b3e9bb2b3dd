"""ping_refusal: each refused ping once per device, so a resend is not counted again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ping_refusal",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("device_id", "key", name=op.f("pk_ping_refusal")),
    )
    op.create_index(op.f("ix_ping_refusal_worker_id"), "ping_refusal", ["worker_id"], unique=False)
    op.create_index(
        op.f("ix_ping_refusal_received_at"), "ping_refusal", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ping_refusal_received_at"), table_name="ping_refusal")
    op.drop_index(op.f("ix_ping_refusal_worker_id"), table_name="ping_refusal")
    op.drop_table("ping_refusal")
