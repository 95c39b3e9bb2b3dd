"""The demo history's figures, measured on the stored facts: what a manager looks at before
believing the reports (late and missed shares, time on site against the standard, travel and
visits per worker-day, ratings, what the plans left unplanned). Definitions as the reports':
late = arrived more than 15 minutes after the planned start, among done visits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

WORKDAYS_A_MONTH = 21

_VISITS = text(
    """
    SELECT count(*) AS visits,
           count(DISTINCT (worker_id, day)) AS worker_days,
           count(DISTINCT (office_id, day)) AS office_days,
           count(*) FILTER (WHERE status = 'done') AS done,
           count(*) FILTER (WHERE status = 'no_show') AS no_show,
           count(*) FILTER (WHERE status = 'done'
                              AND arrived_at > planned_start + interval '15 minutes') AS late,
           count(*) FILTER (WHERE status = 'done' AND tapped_departure IS NULL) AS untapped,
           count(*) FILTER (WHERE 'geofence' = ANY(flags)) AS geofence,
           count(*) FILTER (WHERE status = 'done' AND NOT confirmed) AS unconfirmed,
           coalesce(sum(extract(epoch FROM departed_at - arrived_at))
                    FILTER (WHERE status = 'done'), 0) AS on_site_s,
           coalesce(sum(minutes) FILTER (WHERE status = 'done'), 0) AS standard_min,
           coalesce(sum(jsonb_array_length(services)) FILTER (WHERE status = 'done'), 0)
               AS services
    FROM visit
    WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
    """
)
_TRAVEL = text(
    """
    SELECT coalesce(avg(moving_s), 0) FROM track_day
    WHERE office_id = ANY(:offices) AND day BETWEEN :start AND :end
    """
)
_UNPLANNED = text(
    """
    SELECT coalesce(avg((stats ->> 'unplanned')::int), 0),
           coalesce(max((stats ->> 'unplanned')::int), 0)
    FROM (SELECT DISTINCT ON (office_id, day) stats FROM plan
          WHERE status = 'approved' AND office_id = ANY(:offices) AND day BETWEEN :start AND :end
          ORDER BY office_id, day, version DESC) newest
    """
)
_RATINGS = text(
    """
    SELECT f.rating, count(*) FROM client_feedback f JOIN visit v ON v.id = f.visit_id
    WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end GROUP BY f.rating
    """
)


@dataclass(frozen=True, slots=True)
class HistoryFigures:
    office_days: int = 0
    worker_days: int = 0
    visits: int = 0
    late_pct: float = 0.0  # of done visits
    no_show_pct: float = 0.0  # of all visits
    on_site_ratio: float = 0.0  # minutes on site / standard minutes, done visits
    untapped_departure_pct: float = 0.0  # of done visits
    geofence_pct: float = 0.0  # of all visits
    unconfirmed_pct: float = 0.0  # of done visits
    visits_per_worker_day: float = 0.0
    on_site_h_per_worker_day: float = 0.0
    travel_min_per_worker_day: float = 0.0  # time on the move, from the pings
    services_per_worker_month: float = 0.0  # per worker-day x 21 working days
    unplanned_per_office_day: float = 0.0  # what the approved plans left out, on average
    unplanned_most: int = 0  # ...and on the worst office-day
    ratings: dict[int, int] = field(default_factory=dict)


def _pct(part: Any, whole: Any) -> float:
    return round(100.0 * float(part) / float(whole), 1) if whole else 0.0


def history_figures(
    session: Session, *, office_ids: list[int], start: date, end: date
) -> HistoryFigures:
    """The figures of the offices' visits from `start` to `end` (inclusive)."""
    params = {"offices": office_ids, "start": start, "end": end}
    v = session.execute(_VISITS, params).one()._mapping
    if not v["visits"]:
        return HistoryFigures()
    travel_s = float(session.scalar(_TRAVEL, params) or 0)
    unplanned_mean, unplanned_most = session.execute(_UNPLANNED, params).one()
    ratings = {int(r): int(n) for r, n in session.execute(_RATINGS, params)}
    worker_days = int(v["worker_days"]) or 1
    return HistoryFigures(
        office_days=int(v["office_days"]),
        worker_days=int(v["worker_days"]),
        visits=int(v["visits"]),
        late_pct=_pct(v["late"], v["done"]),
        no_show_pct=_pct(v["no_show"], v["visits"]),
        on_site_ratio=round(float(v["on_site_s"]) / 60 / float(v["standard_min"] or 1), 3),
        untapped_departure_pct=_pct(v["untapped"], v["done"]),
        geofence_pct=_pct(v["geofence"], v["visits"]),
        unconfirmed_pct=_pct(v["unconfirmed"], v["done"]),
        visits_per_worker_day=round(v["visits"] / worker_days, 1),
        on_site_h_per_worker_day=round(float(v["on_site_s"]) / 3600 / worker_days, 2),
        travel_min_per_worker_day=round(travel_s / 60, 1),
        services_per_worker_month=round(float(v["services"]) / worker_days * WORKDAYS_A_MONTH),
        unplanned_per_office_day=round(float(unplanned_mean), 1),
        unplanned_most=int(unplanned_most),
        ratings=dict(sorted(ratings.items(), reverse=True)),
    )


def format_figures(f: HistoryFigures) -> str:
    """A short table for the command line."""
    rated = sum(f.ratings.values()) or 1
    ratings = ", ".join(f"{r}: {_pct(n, rated):.0f} %" for r, n in f.ratings.items())
    rows = [
        ("office-days / worker-days / visits", f"{f.office_days} / {f.worker_days} / {f.visits}"),
        ("late (>15 min) / no-show", f"{f.late_pct} % / {f.no_show_pct} %"),
        ("on site / standard", f"{f.on_site_ratio:.2f}"),
        ("departure not tapped / outside geofence / unconfirmed",
         f"{f.untapped_departure_pct} % / {f.geofence_pct} % / {f.unconfirmed_pct} %"),
        ("per worker-day: visits, hours on site, minutes on the move",
         f"{f.visits_per_worker_day}, {f.on_site_h_per_worker_day}, "
         f"{f.travel_min_per_worker_day}"),
        ("services per worker-month", f"{f.services_per_worker_month:.0f}"),
        ("unplanned per office-day (worst)", f"{f.unplanned_per_office_day} ({f.unplanned_most})"),
        ("ratings", ratings or "none"),
    ]  # fmt: skip
    return "\n".join(f"  {name:<60} {value}" for name, value in rows)
