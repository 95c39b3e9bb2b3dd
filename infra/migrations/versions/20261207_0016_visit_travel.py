"""visit travel: the seconds of the measured trips that ended at each visit, kept on the visit

Reports broke travel down by service, category or zone by summing a month of `travel_leg`
rows per worker, day and client and joining them to the visits; the visit now carries that
sum (`tracking.inference.attach_travel` keeps it whenever legs are stored).

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-07 14:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("visit", sa.Column("travel_s", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE visit v SET travel_s = l.seconds
        FROM (SELECT worker_id, day, to_client_id,
                     round(extract(epoch FROM sum(arrive - depart)))::int AS seconds
              FROM travel_leg GROUP BY worker_id, day, to_client_id) l
        WHERE v.worker_id = l.worker_id AND v.day = l.day AND v.client_id = l.to_client_id
        """
    )


def downgrade() -> None:
    op.drop_column("visit", "travel_s")
