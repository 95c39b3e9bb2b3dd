"""lunch place: where each route's lunch is taken (at the start point, or after a visit)

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # 'start' (at the start point, before leaving) or 'stop' (at a client's, after the visit);
    # NULL: no lunch, or a plan stored before the place was recorded.
    op.add_column("plan_route", sa.Column("lunch_place", sa.String(8), nullable=True))
    op.add_column(
        "plan_route",
        sa.Column(
            "lunch_after_client_id",
            sa.Integer(),
            sa.ForeignKey("client.id", name=op.f("fk_plan_route_lunch_after_client_id_client")),
            nullable=True,
        ),
    )
    op.create_check_constraint(
        op.f("ck_plan_route_lunch_place"), "plan_route", "lunch_place IN ('start', 'stop')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_plan_route_lunch_place"), "plan_route", type_="check")
    op.drop_column("plan_route", "lunch_after_client_id")
    op.drop_column("plan_route", "lunch_place")
