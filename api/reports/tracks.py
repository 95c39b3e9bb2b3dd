"""Per-worker-day ping summaries (`track_day`): recomputed in SQL for the stale worker-days.

Moving time: consecutive pings (accurate ones only) at most MAX_STEP_S apart whose straight-line
speed is at least MOVING_MPS; a longer silence is not counted (the phone was off). Distances use
the equirectangular approximation, exact to well under a metre at a city's scale.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import get_settings

MOVING_MPS = 0.5  # slower than a slow walk is standing still (GPS drift indoors)
MAX_STEP_S = 300  # a longer gap between pings is not known to be travel

_REFRESH = text(
    f"""
    WITH todo AS (
        SELECT s.worker_id, s.day, s.marked_at
        FROM track_day_stale s JOIN worker w ON w.id = s.worker_id
        WHERE w.office_id = ANY(:offices) AND s.day BETWEEN :start AND :end
    ), pts AS (
        SELECT p.worker_id, todo.day, p.office_id, p.t,
               ST_X(p.location) AS x, ST_Y(p.location) AS y
        FROM todo JOIN ping p
          ON p.worker_id = todo.worker_id
         AND p.t >= (todo.day::timestamp AT TIME ZONE :tz)
         AND p.t < ((todo.day + 1)::timestamp AT TIME ZONE :tz)
        WHERE p.flags & 1 = 0
    ), steps AS (
        SELECT worker_id, day, office_id, t,
               extract(epoch FROM t - lag(t) OVER w) AS dt,
               111195.0 * sqrt(power((x - lag(x) OVER w) * cos(radians(y)), 2)
                               + power(y - lag(y) OVER w, 2)) AS dm
        FROM pts
        WINDOW w AS (PARTITION BY worker_id, day ORDER BY t)
    ), summed AS (
        SELECT worker_id, day, max(office_id) AS office_id, min(t) AS first_ping,
               max(t) AS last_ping, count(*) AS pings,
               coalesce(sum(dt) FILTER (WHERE dt <= {MAX_STEP_S} AND dm >= {MOVING_MPS} * dt), 0)
                   AS moving_s,
               coalesce(sum(dm) FILTER (WHERE dt <= {MAX_STEP_S} AND dm >= {MOVING_MPS} * dt), 0)
                   AS path_m
        FROM steps GROUP BY worker_id, day
    ), written AS (
        INSERT INTO track_day AS d (worker_id, day, office_id, first_ping, last_ping, pings,
                                    moving_s, path_m, refreshed_at)
        SELECT worker_id, day, office_id, first_ping, last_ping, pings, moving_s, path_m, now()
        FROM summed
        ON CONFLICT (worker_id, day) DO UPDATE SET
            office_id = EXCLUDED.office_id, first_ping = EXCLUDED.first_ping,
            last_ping = EXCLUDED.last_ping, pings = EXCLUDED.pings,
            moving_s = EXCLUDED.moving_s, path_m = EXCLUDED.path_m, refreshed_at = now()
        RETURNING 1
    ), cleared AS (
        -- a mark set again after this statement began stays for the next refresh
        DELETE FROM track_day_stale s USING todo
        WHERE s.worker_id = todo.worker_id AND s.day = todo.day AND s.marked_at <= todo.marked_at
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM cleared)
    """
)


def refresh(session: Session, *, office_ids: Collection[int], start: date, end: date) -> int:
    """Recompute the stale ping summaries of these offices' workers in the period; returns how
    many worker-days were recomputed."""
    row = session.execute(
        _REFRESH,
        {
            "offices": list(office_ids),
            "start": start,
            "end": end,
            "tz": get_settings().timezone,
        },
    ).one()
    return int(row[0])


def refresh_all(session: Session) -> int:
    """Recompute every stale summary (after a bulk load)."""
    offices = list(session.scalars(text("SELECT id FROM office")))
    return refresh(session, office_ids=offices, start=date(1970, 1, 1), end=date(2999, 12, 31))
