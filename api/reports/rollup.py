"""The pilot's figures rolled up department -> centre -> region -> nation, per month.

One worker-month is one worker's month in one office (department): travel time (moving time
from the pings, `track_day`), time on site (departure - arrival of done visits), visits done and
services rendered. Every level above the worker has the sums, the number of workers and of
worker-months, and the averages per worker and month (sum / worker-months), which is how the
pilot judged itself (travel 168 -> 161 h, services 499 -> 582 per worker and month).

Time is bucketed by calendar month, or, with a `split` date, into the months before the month of
that date and the months from it on ("before" / "after"), so the averages stay per whole month.
A centre is `office.centre` (an office without one is its own centre); the nation is every
region the user may read. Subtotals come from one `GROUP BY ROLLUP` in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracking import review

LEVELS = ("nation", "region", "centre", "office", "worker")

# GROUPING(region_id, centre, office_id, worker_id) -> the level a row sums
_LEVEL_OF_GROUPING = {15: "nation", 7: "region", 3: "centre", 1: "office", 0: "worker"}


@dataclass(frozen=True, slots=True)
class RollupQuery:
    """Which offices (already checked against the user), period, how deep, how bucketed."""

    office_ids: tuple[int, ...]
    start: date
    end: date
    depth: str = "worker"  # the lowest level returned
    split: date | None = None  # before / after the month of this date instead of months


_SQL = f"""
    WITH v AS (
        SELECT office_id, worker_id, date_trunc('month', day::timestamp)::date AS month,
               count(*) AS visits,
               sum(jsonb_array_length({review.services_sql("visit")})) AS services,
               sum({review.on_site_seconds_sql("visit")}) AS on_site_s,
               count(*) FILTER (WHERE review IS NULL) AS unreviewed
        FROM visit
        WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
          AND status = 'done' AND arrived_at IS NOT NULL AND departed_at IS NOT NULL
          AND {review.counted_sql("visit")}
        GROUP BY 1, 2, 3
    ), t AS (
        SELECT office_id, worker_id, date_trunc('month', day::timestamp)::date AS month,
               sum(moving_s) AS travel_s
        FROM track_day
        WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
        GROUP BY 1, 2, 3
    ), wm AS (
        SELECT office_id, worker_id, month, coalesce(v.visits, 0) AS visits,
               coalesce(v.services, 0) AS services, coalesce(v.on_site_s, 0) AS on_site_s,
               coalesce(t.travel_s, 0) AS travel_s, coalesce(v.unreviewed, 0) AS unreviewed
        FROM v FULL JOIN t USING (office_id, worker_id, month)
    ), base AS (
        SELECT {{bucket}} AS bucket, o.region_id,
               coalesce(nullif(o.centre, ''), o.name) AS centre, wm.*
        FROM wm JOIN office o ON o.id = wm.office_id
    ), summed AS (
        SELECT bucket, region_id, centre, office_id, worker_id,
               GROUPING(region_id, centre, office_id, worker_id) AS g,
               count(DISTINCT worker_id) AS workers, count(*) AS worker_months,
               sum(visits) AS visits, sum(services) AS services,
               sum(on_site_s) AS on_site_s, sum(travel_s) AS travel_s,
               sum(unreviewed) AS visits_unreviewed
        FROM base
        GROUP BY ROLLUP (bucket), ROLLUP (region_id, centre, office_id, worker_id)
        HAVING GROUPING(region_id, centre, office_id, worker_id) >= :min_grouping
    )
    SELECT s.*, r.name AS region_name, o.name AS office_name, w.full_name AS worker_name
    FROM summed s
    LEFT JOIN region r ON r.id = s.region_id
    LEFT JOIN office o ON o.id = s.office_id
    LEFT JOIN worker w ON w.id = s.worker_id
    ORDER BY s.bucket NULLS LAST, r.name NULLS FIRST, s.region_id NULLS FIRST,
             s.centre NULLS FIRST, o.name NULLS FIRST, s.office_id NULLS FIRST,
             w.full_name NULLS FIRST, s.worker_id NULLS FIRST
"""

_MONTH = "to_char(wm.month, 'YYYY-MM')"
_PHASE = (
    "CASE WHEN wm.month < date_trunc('month', CAST(:split AS date)) THEN 'before' ELSE 'after' END"
)
_MIN_GROUPING = {"worker": 0, "office": 1, "centre": 3, "region": 7, "nation": 15}


def _minutes(seconds: Any) -> int:
    return round(float(seconds or 0) / 60)


def rollup(session: Session, *, query: RollupQuery) -> list[dict[str, Any]]:
    """The figures of every level down to `query.depth`, per bucket and for the whole period
    (bucket None); each row with sums and per-worker-month averages."""
    if not query.office_ids:
        return []
    session.execute(text("SET LOCAL jit = off"))  # small aggregates: compiling costs more
    # a region's month of visits sorted piecemeal took twice as long as one sort (measured)
    session.execute(text("SET LOCAL enable_incremental_sort = off"))
    sql = _SQL.format(bucket=_PHASE if query.split else _MONTH)
    result = session.execute(
        text(sql),
        {
            "offices": list(query.office_ids),
            "start": query.start,
            "end": query.end,
            "split": query.split,
            "min_grouping": _MIN_GROUPING[query.depth],
        },
    )
    rows = []
    for raw in result:
        row = {k: float(v) if isinstance(v, Decimal) else v for k, v in raw._mapping.items()}
        if not row["worker_months"]:
            continue  # the grand total of nothing (ROLLUP answers it even without rows)
        months = int(row["worker_months"])
        figures = {
            "visits": int(row["visits"]),
            "services": int(row["services"]),
            "on_site_min": _minutes(row["on_site_s"]),
            "travel_min": _minutes(row["travel_s"]),
            "visits_unreviewed": int(row["visits_unreviewed"] or 0),
        }
        rows.append(
            {
                "level": _LEVEL_OF_GROUPING[row["g"]],
                "bucket": row["bucket"],
                "region_id": row["region_id"],
                "region_name": row["region_name"],
                "centre": row["centre"],
                "office_id": row["office_id"],
                "office_name": row["office_name"],
                "worker_id": row["worker_id"],
                "worker_name": row["worker_name"],
                "workers": int(row["workers"]),
                "worker_months": int(row["worker_months"]),
                **figures,
                "visits_per_worker": round(figures["visits"] / months, 1),
                "services_per_worker": round(figures["services"] / months, 1),
                "on_site_min_per_worker": round(float(row["on_site_s"]) / 60 / months),
                "travel_min_per_worker": round(float(row["travel_s"]) / 60 / months),
            }
        )
    _add_changes(rows)
    return rows


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["level"], row["region_id"], row["centre"], row["office_id"], row["worker_id"])


def _add_changes(rows: list[dict[str, Any]]) -> None:
    """Each bucket's per-worker averages against the previous bucket of the same unit (month
    over month; "after" against "before"), as a difference."""
    order = sorted({r["bucket"] for r in rows if r["bucket"] is not None}, key=_bucket_order)
    previous_of = dict(zip(order[1:], order[:-1], strict=False))
    by_key = {(_key(r), r["bucket"]): r for r in rows}
    for row in rows:
        previous = previous_of.get(row["bucket"])
        before = None if previous is None else by_key.get((_key(row), previous))
        for name in ("visits", "services", "on_site_min", "travel_min"):
            measure = f"{name}_per_worker"
            row[f"{measure}_change"] = (
                None if before is None else round(row[measure] - before[measure], 1)
            )


def _bucket_order(bucket: str) -> str:
    return {"before": "0", "after": "1"}.get(bucket, bucket)
