"""token version: a login's tokens are revoked when its password changes or it is disabled

Every access token carries the user's `token_version`; a new password or a disabled login
raises it, so tokens issued before stop working at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("app_user", "token_version")
