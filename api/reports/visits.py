"""The drill-down's last steps: a worker's day visit by visit, planned against actual (by
the pairing of stops and visits in `api.reports.queries`), and the taps behind one visit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.reports.queries import PLANNED_AND_DONE, fetch_rows
from api.reports.schemas import Filters
from core.settings import get_settings

_VISITS = f"""
    WITH {PLANNED_AND_DONE}
    SELECT * FROM (
    -- the worker's own visits, each with the stop it was paired with (perhaps a colleague's)
    SELECT coalesce(st.seq, 0) AS seq, c.id AS client_id, c.full_name AS client_name, c.address,
           coalesce(f.due_start, st.start) AS planned_start,
           coalesce(f.planned_end, st."end") AS planned_end,
           f.id AS visit_id, f.arrived_at, f.arrival_source, f.departed_at, f.departure_source,
           f.standard_min, CASE WHEN f.done THEN round(f.on_site_s / 60.0, 1) END AS actual_min,
           coalesce(f.status, 'missed') AS status, f.services, coalesce(f.confirmed, false)
               AS confirmed, coalesce(f.flags, ARRAY[]::varchar[]) AS flags,
           f.max_distance_m, f.reason, f.review,
           f.corrected_minutes AS corrected_min, NULL::int AS done_by_id, NULL AS done_by
    FROM facts f
    LEFT JOIN all_stops st ON st.stop_id = f.stop_id
    JOIN client c ON c.id = f.client_id
    UNION ALL
    -- the worker's stops with no visit of their own: not started, missed, or done by another
    -- worker (a colleague covered): that visit is theirs, named here, not counted here
    SELECT st.seq, c.id, c.full_name, c.address,
           coalesce(v.planned_start, st.start), coalesce(v.planned_end, st."end"),
           NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           CASE WHEN v.status = 'done' THEN 'covered' ELSE coalesce(v.status, 'missed') END,
           NULL, false, ARRAY[]::varchar[], NULL, NULL, NULL, NULL,
           v.worker_id, w.full_name
    FROM stops st
    LEFT JOIN visit v ON v.id = st.visit_id
    LEFT JOIN worker w ON w.id = v.worker_id
    JOIN client c ON c.id = st.client_id
    WHERE v.id IS NULL OR v.worker_id <> st.worker_id
    ) day ORDER BY coalesce(arrived_at, planned_start), seq
"""


def visits_of_day(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """A worker's day visit by visit: planned against actual (the drill-down's last step).
    A planned visit another worker did reads "covered" with that worker's name."""
    rows = fetch_rows(session, _VISITS, filters)
    for row in rows:
        row["services"] = ", ".join(
            f"{s['code']} ({s.get('minutes', '')})" for s in row["services"] or []
        )
        row["flags"] = ", ".join(row["flags"])
        unvisited = row["arrived_at"] is None and row["seq"] and row["done_by_id"] is None
        if unvisited and row["status"] not in ("done", "no_show", "refused"):
            ahead = row["planned_end"] is not None and row["planned_end"] > datetime.now(UTC)
            row["status"] = "planned" if ahead else "missed"
    return rows


_EVENTS = """
    SELECT e.type, e.t, e.services, e.distance_m, e.outside_geofence, e.confirmed, e.reason
    FROM visit_event e JOIN visit v
      ON v.worker_id = e.worker_id AND v.client_id = e.client_id
    WHERE v.id = :visit
      AND e.t >= (v.day::timestamp AT TIME ZONE :tz)
      AND e.t < ((v.day + 1)::timestamp AT TIME ZONE :tz)
    ORDER BY e.t
"""


def visit_events(session: Session, *, visit_id: int) -> list[dict[str, Any]]:
    """The taps behind one visit, in time order."""
    result = session.execute(text(_EVENTS), {"visit": visit_id, "tz": get_settings().timezone})
    return [dict(row._mapping) for row in result]
