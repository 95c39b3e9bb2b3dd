"""accounts: one-time codes to set a password, and each login's last use

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("reset_code_hash", sa.String(200), nullable=True))
    op.add_column(
        "app_user", sa.Column("reset_code_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("app_user", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ("last_login_at", "reset_code_expires_at", "reset_code_hash"):
        op.drop_column("app_user", column)
