"""The reports' SQL: planned (approved plans) against actual (visit facts, ping summaries).

Definitions, one worker-day at a time:
- the plan is the office-day's newest approved plan version;
- actual start / end: the earlier of the first ping and the first arrival / the later of the
  last ping and the last departure;
- a visit is done when the worker departed (tapped or inferred) after arriving; it is late when
  the arrival is more than 15 minutes after the planned start; a planned visit whose planned
  end has passed without a done visit to that client that day is missed (one still to come is
  not); a done visit not in the plan is unplanned. A visit is the client's visit of the day,
  whichever plan version or worker it was done under (a visit moved to another worker after
  it was done is neither missed nor unplanned);
- on site, actual: departure - arrival of done visits; standard: the catalogue's minutes of the
  services rendered; planned: the plan's service time;
- travel, actual: time on the move from the pings (`api.reports.tracks`); planned: the plan's;
- idle, actual: the working day minus time on site and on the move (waiting, lunch, breaks);
  planned: the plan's waiting plus its lunch break.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.reports.schemas import Filters
from core.settings import get_settings
from planner import build
from tracking import review

LATE_MINUTES = 15


def _params(filters: Filters) -> dict[str, Any]:
    return {
        "offices": list(filters.office_ids),
        "start": filters.start,
        "end": filters.end,
        "worker": filters.worker_id,
        "tz": get_settings().timezone,
    }


def fetch_rows(session: Session, sql: str, filters: Filters, **extra: Any) -> list[dict[str, Any]]:
    # jsonb_array_elements is estimated at 100 rows a visit, which makes the planner JIT-compile
    # these small queries for a second; they run in tens of milliseconds without it
    session.execute(text("SET LOCAL jit = off"))
    result = session.execute(text(sql), {**_params(filters), **extra})
    return [
        {k: float(v) if isinstance(v, Decimal) else v for k, v in row._mapping.items()}
        for row in result
    ]


# The approved plan's stops and each visit fact with its standard minutes, for a period, each
# stop paired with the fact of the same visit (`visit_pairs`); a worker filter applies after
# the pairing, so a visit reads the same whichever worker's list it is read from.
PLANNED_AND_DONE = f"""
    approved AS (
        SELECT DISTINCT ON (office_id, day) id, office_id, day
        FROM plan
        WHERE status = 'approved' AND office_id = ANY(:offices) AND day BETWEEN :start AND :end
        ORDER BY office_id, day, version DESC
    ), all_stops AS (
        SELECT a.day, s.id AS stop_id, s.worker_id, s.client_id, s.start, s."end", s.seq
        FROM approved a JOIN plan_stop s ON s.plan_id = a.id
    ), all_facts AS (
        SELECT v.id, v.worker_id, v.client_id, v.day, v.status = 'done' AS finished
        FROM visit v
        WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end
    ), stray_stops AS (  -- stops with no fact of their own worker
        SELECT st.stop_id, st.client_id, st.day,
               row_number() OVER (PARTITION BY st.client_id, st.day ORDER BY st.worker_id) AS n
        FROM all_stops st
        WHERE NOT EXISTS (SELECT 1 FROM all_facts f WHERE f.worker_id = st.worker_id
                          AND f.client_id = st.client_id AND f.day = st.day)
    ), stray_facts AS (  -- facts of a worker with no stop of that client-day (a colleague
        -- covered, or the visit moved to another worker after it was done)
        SELECT f.id, f.client_id, f.day,
               row_number() OVER (PARTITION BY f.client_id, f.day
                                  ORDER BY f.finished DESC, f.id) AS n
        FROM all_facts f
        WHERE NOT EXISTS (SELECT 1 FROM all_stops st WHERE st.worker_id = f.worker_id
                          AND st.client_id = f.client_id AND st.day = f.day)
    ), visit_pairs AS (
        -- each worker's own fact matches their own stop; a stop left over takes a left-over
        -- fact of another worker for the same client and day, one to one
        SELECT st.stop_id, f.id AS visit_id
        FROM all_stops st JOIN all_facts f
          ON f.worker_id = st.worker_id AND f.client_id = st.client_id AND f.day = st.day
        UNION ALL
        SELECT s.stop_id, f.id
        FROM stray_stops s JOIN stray_facts f
          ON f.client_id = s.client_id AND f.day = s.day AND f.n = s.n
    ), stops AS (
        SELECT st.*, p.visit_id
        FROM all_stops st LEFT JOIN visit_pairs p ON p.stop_id = st.stop_id
        WHERE (CAST(:worker AS int) IS NULL OR st.worker_id = :worker)
    ), facts AS (
        SELECT v.*, st.stop_id, st.stop_id IS NOT NULL AS in_plan,
               coalesce(v.planned_start, st.start) AS due_start,
               v.status = 'done' AND v.arrived_at IS NOT NULL AND v.departed_at IS NOT NULL
                   AND {review.counted_sql("v")} AS done,
               v.status = 'done' AND v.review = 'rejected' AS rejected,
               {review.on_site_seconds_sql("v")} AS on_site_s,
               {review.services_sql("v")} AS counted_services,
               (SELECT coalesce(sum(c.standard_minutes), 0)
                  FROM jsonb_array_elements({review.services_sql("v")}) e
                  JOIN service c ON c.office_id = v.office_id AND c.code = e ->> 'code')
                   AS standard_min
        FROM visit v
        LEFT JOIN visit_pairs p ON p.visit_id = v.id
        LEFT JOIN all_stops st ON st.stop_id = p.stop_id
        WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end
          AND (CAST(:worker AS int) IS NULL OR v.worker_id = :worker)
    ), late_bound AS (SELECT interval '{LATE_MINUTES} minutes' AS late)
"""

_WORKER_TIMING = f"""
    WITH {PLANNED_AND_DONE},
    planned AS (
        SELECT a.day, r.worker_id, r.start AS planned_start, r."end" AS planned_end,
               r.travel_s, r.service_s,
               r.wait_s + coalesce(extract(epoch FROM r.break_end - r.break_start), 0) AS idle_s,
               (SELECT count(*) FROM plan_stop s WHERE s.route_id = r.id) AS visits_planned
        FROM approved a JOIN plan_route r ON r.plan_id = a.id
        WHERE (CAST(:worker AS int) IS NULL OR r.worker_id = :worker)
    ), actual AS (
        SELECT day, worker_id,
               min(arrived_at) AS first_arrival, max(departed_at) AS last_departure,
               count(*) FILTER (WHERE done) AS visits_done,
               count(*) FILTER (WHERE arrived_at > due_start + (SELECT late FROM late_bound))
                   AS visits_late,
               count(*) FILTER (WHERE done AND NOT in_plan) AS visits_unplanned,
               coalesce(sum(on_site_s) FILTER (WHERE done), 0) AS on_site_s,
               coalesce(sum(standard_min) FILTER (WHERE done), 0) AS standard_min,
               coalesce(sum(jsonb_array_length(counted_services)) FILTER (WHERE done), 0)
                   AS services,
               count(*) FILTER (WHERE done AND review IS NULL) AS visits_unreviewed,
               count(*) FILTER (WHERE done AND review = 'corrected') AS visits_corrected,
               count(*) FILTER (WHERE rejected) AS visits_rejected
        FROM facts GROUP BY day, worker_id
    ), missed AS (
        SELECT st.day, st.worker_id, count(*) AS visits_missed
        FROM stops st
        WHERE st."end" < now()  -- a visit still to come today is not missed yet
          AND NOT EXISTS (  -- the stop's own visit, whoever did it
            SELECT 1 FROM visit v
            WHERE v.id = st.visit_id AND v.status = 'done' AND v.arrived_at IS NOT NULL
              AND v.departed_at IS NOT NULL AND {review.counted_sql("v")})
        GROUP BY st.day, st.worker_id
    ), tracks AS (
        SELECT day, worker_id, first_ping, last_ping, moving_s, path_m
        FROM track_day
        WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
          AND (CAST(:worker AS int) IS NULL OR worker_id = :worker)
    ), keys AS (
        SELECT day, worker_id FROM planned
        UNION SELECT day, worker_id FROM actual
        UNION SELECT day, worker_id FROM tracks
    ), days AS (
        SELECT w.office_id, k.worker_id, k.day,
               p.planned_start, p.planned_end,
               least(t.first_ping, a.first_arrival) AS actual_start,
               greatest(t.last_ping, a.last_departure) AS actual_end,
               extract(epoch FROM p.planned_end - p.planned_start) AS span_planned_s,
               extract(epoch FROM greatest(t.last_ping, a.last_departure)
                                  - least(t.first_ping, a.first_arrival)) AS span_actual_s,
               p.service_s AS on_site_planned_s, a.standard_min, a.on_site_s,
               p.travel_s AS travel_planned_s, t.moving_s AS travel_actual_s, t.path_m,
               p.idle_s AS idle_planned_s,
               p.visits_planned, a.visits_done, a.visits_late, a.visits_unplanned,
               coalesce(m.visits_missed, 0) AS visits_missed, a.services,
               a.visits_unreviewed, a.visits_corrected, a.visits_rejected
        FROM keys k
        JOIN worker w ON w.id = k.worker_id
        LEFT JOIN planned p ON p.day = k.day AND p.worker_id = k.worker_id
        LEFT JOIN actual a ON a.day = k.day AND a.worker_id = k.worker_id
        LEFT JOIN missed m ON m.day = k.day AND m.worker_id = k.worker_id
        LEFT JOIN tracks t ON t.day = k.day AND t.worker_id = k.worker_id
    ), summed AS (
        SELECT office_id, worker_id, day,
               GROUPING(office_id, worker_id, day) AS grouping,
               min(planned_start) AS planned_start, min(actual_start) AS actual_start,
               max(planned_end) AS planned_end, max(actual_end) AS actual_end,
               sum(span_planned_s) AS span_planned_s,
               sum(greatest(span_actual_s, 0)) AS span_actual_s,
               sum(on_site_planned_s) AS on_site_planned_s,
               sum(standard_min) AS standard_min, sum(on_site_s) AS on_site_s,
               sum(travel_planned_s) AS travel_planned_s, sum(travel_actual_s) AS travel_actual_s,
               sum(path_m) AS path_m, sum(idle_planned_s) AS idle_planned_s,
               sum(greatest(coalesce(span_actual_s, 0) - coalesce(on_site_s, 0)
                            - coalesce(travel_actual_s, 0), 0)) AS idle_actual_s,
               sum(visits_planned) AS visits_planned, sum(visits_done) AS visits_done,
               sum(visits_late) AS visits_late, sum(visits_missed) AS visits_missed,
               sum(visits_unplanned) AS visits_unplanned, sum(services) AS services,
               sum(visits_unreviewed) AS visits_unreviewed,
               sum(visits_corrected) AS visits_corrected,
               sum(visits_rejected) AS visits_rejected,
               count(*) AS worker_days
        FROM days
        GROUP BY GROUPING SETS ((office_id, worker_id, day), (office_id, worker_id),
                                (office_id), (day), ())
    )
    SELECT s.*, o.name AS office_name, w.full_name AS worker_name
    FROM summed s
    LEFT JOIN office o ON o.id = s.office_id
    LEFT JOIN worker w ON w.id = s.worker_id
    ORDER BY s.grouping, o.name, w.full_name, s.day
"""


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 1)


def worker_timing(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Per worker per day, per worker, per office, per date and in total: planned vs actual."""
    rows = fetch_rows(session, _WORKER_TIMING, filters)
    result = []
    for row in rows:
        level = {0: "day", 1: "worker", 3: "office", 6: "date", 7: "total"}[row["grouping"]]
        is_day = level == "day"
        delay = None
        if is_day and row["planned_start"] and row["actual_start"]:
            delay = _minutes((row["actual_start"] - row["planned_start"]).total_seconds())
        result.append(
            {
                "level": level,
                "office_id": row["office_id"],
                "office_name": row["office_name"],
                "worker_id": row["worker_id"],
                "worker_name": row["worker_name"],
                "day": row["day"],
                "worker_days": int(row["worker_days"]),
                "planned_start": row["planned_start"] if is_day else None,
                "actual_start": row["actual_start"] if is_day else None,
                "start_delay_min": delay,
                "planned_end": row["planned_end"] if is_day else None,
                "actual_end": row["actual_end"] if is_day else None,
                "span_planned_min": _minutes(row["span_planned_s"]),
                "span_actual_min": _minutes(row["span_actual_s"]),
                "on_site_planned_min": _minutes(row["on_site_planned_s"]),
                "on_site_standard_min": _num(row["standard_min"]),
                "on_site_actual_min": _minutes(row["on_site_s"]),
                "travel_planned_min": _minutes(row["travel_planned_s"]),
                "travel_actual_min": _minutes(row["travel_actual_s"]),
                "distance_km": None if row["path_m"] is None else round(row["path_m"] / 1000, 2),
                "idle_planned_min": _minutes(row["idle_planned_s"]),
                "idle_actual_min": _minutes(row["idle_actual_s"]),
                "visits_planned": _int(row["visits_planned"]),
                "visits_done": _int(row["visits_done"]),
                "visits_late": _int(row["visits_late"]),
                "visits_missed": _int(row["visits_missed"]),
                "visits_unplanned": _int(row["visits_unplanned"]),
                "services": _int(row["services"]),
                "visits_unreviewed": _int(row["visits_unreviewed"]),
                "visits_corrected": _int(row["visits_corrected"]),
                "visits_rejected": _int(row["visits_rejected"]),
            }
        )
    return result


def _int(value: Any) -> int:
    return int(value or 0)


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


_CALIBRATION = f"""
    WITH {PLANNED_AND_DONE},
    items AS (
        SELECT f.id, f.on_site_s / 60.0 AS visit_min, e ->> 'code' AS code,
               c.name, c.standard_minutes AS standard_min
        FROM facts f
        CROSS JOIN LATERAL jsonb_array_elements(f.counted_services) e
        JOIN service c ON c.office_id = f.office_id AND c.code = e ->> 'code'
        WHERE f.done
    ), shares AS (
        -- a visit's measured time shared among its services in proportion to their standards
        SELECT code, name, standard_min,
               visit_min * standard_min / sum(standard_min) OVER (PARTITION BY id) AS minutes
        FROM items
    )
    SELECT code AS service_code, min(name) AS service_name, standard_min,
           count(*) AS observations,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_min,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS p90_min
    FROM shares GROUP BY code, standard_min ORDER BY code, standard_min
"""


def calibration(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Per catalogue service: measured minutes (median, 90th percentile) against the standard."""
    rows = fetch_rows(session, _CALIBRATION, filters)
    for row in rows:
        row["median_min"] = _num(row["median_min"])
        row["p90_min"] = _num(row["p90_min"])
        row["ratio"] = round(row["median_min"] / row["standard_min"], 2)
    return rows


_RENDERED_ITEMS = f"""
    WITH {PLANNED_AND_DONE},
    items AS (
        SELECT f.office_id, f.worker_id, f.client_id, f.id AS visit_id, e ->> 'code' AS code,
               coalesce((e ->> 'minutes')::numeric, c.standard_minutes) AS minutes,
               c.standard_minutes, c.name, c.category
        FROM facts f
        CROSS JOIN LATERAL jsonb_array_elements(f.counted_services) e
        LEFT JOIN service c ON c.office_id = f.office_id AND c.code = e ->> 'code'
        WHERE f.done
    )
"""

_SERVICES = (
    _RENDERED_ITEMS
    + """
    SELECT o.name AS office_name, coalesce(i.category, '') AS category, i.code AS service_code,
           coalesce(i.name, i.code) AS service_name, count(*) AS rendered,
           count(DISTINCT i.client_id) AS clients, sum(i.minutes) AS minutes
    FROM items i JOIN office o ON o.id = i.office_id
    GROUP BY ROLLUP ((o.name, i.category, i.code, i.name))
    ORDER BY o.name NULLS LAST, i.category, i.code
"""
)

_CLIENTS = f"""
    WITH {PLANNED_AND_DONE}
    SELECT o.name AS office_name, c.full_name AS client_name, c.address,
           count(*) AS visits, sum(jsonb_array_length(f.counted_services)) AS services,
           round(sum(f.on_site_s) / 60.0, 1) AS minutes,
           string_agg(DISTINCT w.full_name, ', ') AS workers
    FROM facts f
    JOIN client c ON c.id = f.client_id
    JOIN office o ON o.id = f.office_id
    JOIN worker w ON w.id = f.worker_id
    WHERE f.done
    GROUP BY o.name, c.id ORDER BY o.name, c.full_name
"""

_WORKERS = (
    _RENDERED_ITEMS
    + """
    SELECT o.name AS office_name, w.full_name AS worker_name, i.code AS service_code,
           coalesce(i.name, i.code) AS service_name, count(*) AS rendered,
           count(DISTINCT i.client_id) AS clients, sum(i.standard_minutes) AS minutes
    FROM items i JOIN office o ON o.id = i.office_id JOIN worker w ON w.id = i.worker_id
    GROUP BY o.name, w.full_name, w.id, i.code, i.name
    ORDER BY o.name, w.full_name, i.code
"""
)


def services_rendered(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Services rendered by office and service, with a grand total row (the internal form)."""
    rows = fetch_rows(session, _SERVICES, filters)
    for row in rows:
        if row["office_name"] is None:
            row["office_name"] = "Итого"
        row["minutes"] = _num(row["minutes"])
    return rows


def clients_served(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Each client served in the period: visits, services, time on site, who came."""
    return fetch_rows(session, _CLIENTS, filters)


def workers_report(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Each worker's services rendered by service (the worker's report)."""
    return fetch_rows(session, _WORKERS, filters)


_FEEDBACK = """
    SELECT o.name AS office_name, w.full_name AS worker_name, f.service_code,
           coalesce(min(c.name), 'посещение в целом') AS service_name,
           count(*) AS ratings, round(avg(f.rating), 2) AS average,
           count(*) FILTER (WHERE f.rating <= 2) AS low,
           (array_agg(f.comment ORDER BY f.at DESC) FILTER (WHERE f.comment <> ''))[1]
               AS last_comment
    FROM client_feedback f
    JOIN office o ON o.id = f.office_id
    JOIN worker w ON w.id = f.worker_id
    LEFT JOIN service c ON c.office_id = f.office_id AND c.code = f.service_code
    WHERE f.office_id = ANY(:offices)
      AND f.at >= (CAST(:start AS date)::timestamp AT TIME ZONE :tz)
      AND f.at < ((CAST(:end AS date) + 1)::timestamp AT TIME ZONE :tz)
      AND (CAST(:worker AS int) IS NULL OR f.worker_id = :worker)
    GROUP BY o.name, w.full_name, w.id, f.service_code
    ORDER BY o.name, w.full_name, f.service_code NULLS FIRST
"""


def feedback(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Client ratings by worker and service."""
    rows = fetch_rows(session, _FEEDBACK, filters)
    for row in rows:
        row["average"] = _num(row["average"])
    return rows


_RENDERED_BY_CLIENT = f"""
    WITH {PLANNED_AND_DONE}
    SELECT f.client_id, e ->> 'code' AS code, count(*) AS rendered
    FROM facts f CROSS JOIN LATERAL jsonb_array_elements(f.counted_services) e
    WHERE f.done
    GROUP BY f.client_id, e ->> 'code'
"""


def care_plan_fulfilment(session: Session, *, filters: Filters) -> list[dict[str, Any]]:
    """Per client and service: due by the care plan in the period against rendered."""
    due: dict[tuple[int, str], int] = defaultdict(int)
    names: dict[tuple[int, str], str] = {}
    clients: dict[int, Any] = {}
    offices: dict[int, str] = dict(
        session.execute(
            text("SELECT id, name FROM office WHERE id = ANY(:ids)"),
            {"ids": list(filters.office_ids)},
        ).all()
    )
    for office_id in filters.office_ids:
        visits = build.due_visits(
            session, office_id=office_id, start=filters.start, end=filters.end
        )
        for client, visit in visits:
            clients[client.id] = client
            for line in visit.services:
                due[(client.id, line.service_code)] += 1
                names[(client.id, line.service_code)] = line.service_name
    rendered = {
        (row["client_id"], row["code"]): int(row["rendered"])
        for row in fetch_rows(session, _RENDERED_BY_CLIENT, filters)
    }
    rows = []
    for key in sorted(due, key=lambda k: (clients[k[0]].full_name, k[1])):
        client = clients[key[0]]
        done = rendered.get(key, 0)
        rows.append(
            {
                "office_name": offices.get(client.office_id, ""),
                "client_id": client.id,
                "client_name": client.full_name,
                "service_code": key[1],
                "service_name": names[key],
                "due": due[key],
                "rendered": done,
                "shortfall": max(due[key] - done, 0),
                "percent": round(100 * min(done, due[key]) / due[key], 1),
            }
        )
    return rows
