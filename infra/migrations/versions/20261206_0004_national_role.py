"""reports: a national role that reads the reports of every region

The hierarchy the reports roll up is department (`office`) -> centre (`office.centre`) ->
region (`region`) -> nation (the whole installation). A manager reads one region; a user with
the national role reads every region, and nothing else.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 22:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD VALUE may run in a transaction on PostgreSQL >= 12 as long as the value is not used
    # in the same transaction
    op.execute("ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'national' AFTER 'manager'")


def downgrade() -> None:
    op.execute("UPDATE app_user SET role = 'manager', region_id = NULL WHERE role = 'national'")
    op.execute("ALTER TYPE user_role RENAME TO user_role_old")
    op.execute("CREATE TYPE user_role AS ENUM ('admin', 'manager', 'supervisor', 'worker')")
    op.execute("ALTER TABLE app_user ALTER COLUMN role TYPE user_role USING role::text::user_role")
    op.execute("DROP TYPE user_role_old")
