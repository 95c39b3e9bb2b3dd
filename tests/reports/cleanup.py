"""Removing an office made by a test that committed (ingest commits on its own connections)."""

from __future__ import annotations

from sqlalchemy import text

from core.db import get_engine

_STATEMENTS = [
    "DELETE FROM client_feedback WHERE office_id = :o",
    "DELETE FROM track_day WHERE worker_id = ANY(:w)",
    "DELETE FROM track_day_stale WHERE worker_id = ANY(:w)",
    "DELETE FROM visit_event WHERE worker_id = ANY(:w)",
    "DELETE FROM visit WHERE worker_id = ANY(:w)",
    "DELETE FROM travel_leg WHERE worker_id = ANY(:w)",
    "DELETE FROM ping WHERE worker_id = ANY(:w)",
    "DELETE FROM ping_drop WHERE worker_id = ANY(:w)",
    "DELETE FROM ping_refusal WHERE worker_id = ANY(:w)",
    "DELETE FROM device WHERE worker_id = ANY(:w)",
    "DELETE FROM plan WHERE office_id = :o",
    "DELETE FROM care_plan WHERE client_id IN (SELECT id FROM client WHERE office_id = :o)",
    "UPDATE client SET preferred_worker_id = NULL WHERE office_id = :o",
    "DELETE FROM client WHERE office_id = :o",
    "DELETE FROM service WHERE office_id = :o",
    "DELETE FROM worker WHERE office_id = :o",
    "DELETE FROM app_user WHERE region_id = :r OR id IN "
    "(SELECT user_id FROM user_office WHERE office_id = :o)",
    "DELETE FROM office WHERE id = :o",
    "DELETE FROM region WHERE id = :r AND NOT EXISTS (SELECT 1 FROM office WHERE region_id = :r)",
]


def wipe_office(office_id: int) -> None:
    """Delete the office with its workers, clients, plans, pings, visits and users."""
    with get_engine().begin() as conn:
        region_id = conn.scalar(
            text("SELECT region_id FROM office WHERE id = :o"), {"o": office_id}
        )
        workers = list(
            conn.scalars(text("SELECT id FROM worker WHERE office_id = :o"), {"o": office_id})
        )
        for statement in _STATEMENTS:
            conn.execute(text(statement), {"o": office_id, "w": workers, "r": region_id})
