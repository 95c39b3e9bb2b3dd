"""The head of department's review of visits: one decision per visit, audited.

A visit is unreviewed (`review` null), `accepted`, `rejected` or `corrected`. A correction
keeps the figures the worker reported (`minutes`, `services`, arrival and departure) and holds
the corrected ones beside them (`corrected_minutes`: time on site; `corrected_services`: the
services rendered with their minutes), so both can be shown. A later decision replaces the
earlier one; the audit log keeps each.

What the reports count (one home for the rule, used by `api.reports`):
- a rejected visit counts nowhere;
- an unverified visit (taps far from the address, `tracking.visits`) counts once the head has
  accepted or corrected it (`reviewed`), not before;
- a corrected visit counts with its corrected minutes and services;
- an unreviewed visit counts as reported, and the reports say how many there are.

Review flags beyond the visit's own (`tracking.visits`): `too_long` / `too_short` when the
time on site is above LONG_FACTOR or below SHORT_FACTOR times the standard minutes of the
services rendered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import User
from registry.models import Service
from tracking import evidence, visits
from tracking.models import Visit

DECISIONS = ("accepted", "rejected", "corrected")
LONG_FACTOR = 1.5
SHORT_FACTOR = 0.5
MAX_REASON = 300


def counted_sql(alias: str) -> str:
    """SQL: the visit `alias` counts in the reports (not rejected; unverified only once
    reviewed)."""
    return (
        f"(coalesce({alias}.review, '') <> 'rejected' AND NOT ('unverified' = ANY({alias}.flags)))"
    )


def on_site_seconds_sql(alias: str) -> str:
    """SQL: the visit's time on site in seconds, the corrected minutes when corrected
    (numeric; `on_site_float_sql` for sums over many visits)."""
    return (
        f"coalesce({alias}.corrected_minutes * 60.0, "
        f"extract(epoch FROM {alias}.departed_at - {alias}.arrived_at))"
    )


def on_site_float_sql(alias: str) -> str:
    """SQL: the same seconds in double precision: numeric from extract() is slower to compute
    and sum over a region's month of visits (a breakdown: about a tenth of its time)."""
    return (
        f"coalesce({alias}.corrected_minutes * 60.0::float8, "
        f"date_part('epoch', {alias}.departed_at - {alias}.arrived_at))"
    )


def services_sql(alias: str) -> str:
    """SQL: the visit's services as counted, the corrected ones when corrected."""
    return f"coalesce(nullif({alias}.corrected_services, 'null'::jsonb), {alias}.services)"


def unreviewed_sql(alias: str) -> str:
    """SQL: a done visit that no one has reviewed yet."""
    return f"({alias}.review IS NULL)"


def timing_flags(*, on_site_min: float | None, standard_min: float | None) -> list[str]:
    """`too_long` / `too_short` against the services' standard minutes."""
    if on_site_min is None or not standard_min:
        return []
    if on_site_min > LONG_FACTOR * standard_min:
        return ["too_long"]
    if on_site_min < SHORT_FACTOR * standard_min:
        return ["too_short"]
    return []


def _error(message: str, code: str, *, status: int = 422, field: str | None = None,
           **params: Any) -> DomainError:  # fmt: skip
    return DomainError(message, status=status, field=field, code=f"review.{code}", params=params)


def _snapshot(visit: Visit) -> dict[str, Any]:
    return {
        "review": visit.review,
        "review_reason": visit.review_reason,
        "corrected_minutes": visit.corrected_minutes,
        "corrected_services": visit.corrected_services,
    }


def _corrected_services(
    session: Session, *, office_id: int, services: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The corrected services checked against the office's catalogue, with their minutes."""
    codes = [str(s.get("code") or "") for s in services]
    known = dict(
        session.execute(
            select(Service.code, Service.standard_minutes).where(
                Service.office_id == office_id, Service.code.in_(codes)
            )
        ).all()
    )
    result: list[dict[str, Any]] = []
    for code, line in zip(codes, services, strict=True):
        if code not in known:
            raise _error(f"unknown service {code!r}", "unknown_service", field="services",
                         service=code)  # fmt: skip
        minutes = line.get("minutes")
        if minutes is None:
            minutes = known[code]
        if not isinstance(minutes, int) or not 0 <= minutes <= evidence.MAX_MINUTES:
            raise _error("bad minutes", "bad_minutes", field="services")
        result.append({"code": code, "minutes": minutes})
    if len({s["code"] for s in result}) != len(result):
        raise _error("a service is named twice", "duplicate_service", field="services")
    return result


def decide(
    session: Session,
    *,
    visit: Visit,
    user: User,
    decision: str,
    reason: str = "",
    minutes: int | None = None,
    services: list[dict[str, Any]] | None = None,
    geofence_m: float,
) -> Visit:
    """Record the head's decision on a visit (replacing an earlier one), audited."""
    reason = reason.strip()
    if decision not in DECISIONS:
        raise _error("decision must be accepted, rejected or corrected", "bad_decision",
                     field="decision")  # fmt: skip
    if month_signed(session, worker_id=visit.worker_id, office_id=visit.office_id, day=visit.day):
        raise _error("the worker's report of this month is signed", "month_signed", status=409)
    if decision in ("rejected", "corrected") and not reason:
        raise _error("a reason is required", "reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise _error("the reason is too long", "reason_too_long", field="reason")
    corrected_services = None
    if decision == "corrected":
        if visit.status != "done":
            raise _error("only a finished visit can be corrected", "not_done", status=409)
        if minutes is None and services is None:
            raise _error("a correction needs minutes or services", "nothing_corrected",
                         field="minutes")  # fmt: skip
        if minutes is not None and not 0 <= minutes <= evidence.MAX_MINUTES:
            raise _error("bad minutes", "bad_minutes", field="minutes")
        if services is not None:
            corrected_services = _corrected_services(
                session, office_id=visit.office_id, services=services
            )
    before = _snapshot(visit)
    visit.review = decision
    visit.review_reason = reason or None
    visit.reviewed_by = user.id
    visit.reviewed_at = datetime.now(UTC)
    visit.corrected_minutes = minutes if decision == "corrected" else None
    visit.corrected_services = corrected_services
    # reviewed: its far-away taps no longer hold it back, and the phone can no longer reopen it
    visits.review(visit, geofence_m=geofence_m)
    audit.record(
        session,
        user=user,
        action=f"visit.{decision}",
        entity="visit",
        entity_id=visit.id,
        changes=audit.diff(before, _snapshot(visit)),
        office_id=visit.office_id,
    )
    session.flush()
    return visit


def review_json(visit: Visit) -> dict[str, Any]:
    """The visit's review as the API answers it."""
    return {
        "review": visit.review,
        "review_reason": visit.review_reason,
        "reviewed_at": visit.reviewed_at.isoformat() if visit.reviewed_at else None,
        "corrected_minutes": visit.corrected_minutes,
        "corrected_services": visit.corrected_services,
    }


def month_signed(session: Session, *, worker_id: int, office_id: int, day: date) -> bool:
    """Whether the worker's report of the month of `day` is signed (its visits are final)."""
    row = session.execute(
        text(
            "SELECT 1 FROM worker_month_report WHERE worker_id = :w AND office_id = :o "
            "AND month = :m AND state = 'signed'"
        ),
        {"w": worker_id, "o": office_id, "m": day.replace(day=1)},
    ).first()
    return row is not None


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month of `month`."""
    first = month.replace(day=1)
    following = first.replace(year=first.year + 1, month=1) if first.month == 12 else (
        first.replace(month=first.month + 1))  # fmt: skip
    return first, date.fromordinal(following.toordinal() - 1)


_REVIEW_LIST = """
    SELECT v.id, v.worker_id, w.full_name AS worker_name, v.client_id,
           c.full_name AS client_name, c.address, v.day, v.status, v.planned_start,
           v.arrived_at, v.departed_at, v.services, v.minutes, v.confirmed, v.flags, v.reason,
           v.max_distance_m, v.review, v.review_reason, v.reviewed_at, v.corrected_minutes,
           v.corrected_services,
           round(extract(epoch FROM v.departed_at - v.arrived_at) / 60.0, 1) AS on_site_min,
           (SELECT sum(s.standard_minutes)
              FROM jsonb_array_elements(v.services) e
              JOIN service s ON s.office_id = v.office_id AND s.code = e ->> 'code')
               AS standard_min,
           r.rating, r.comment AS rating_comment
    FROM visit v
    JOIN worker w ON w.id = v.worker_id
    JOIN client c ON c.id = v.client_id
    LEFT JOIN (  -- each visit's latest rating (ratings come at or after the visit)
        SELECT DISTINCT ON (f.visit_id) f.visit_id, f.rating, f.comment
        FROM client_feedback f
        WHERE f.office_id = :office AND f.visit_id IS NOT NULL
          AND f.at >= CAST(:start AS date) - 1
        ORDER BY f.visit_id, f.at DESC) r ON r.visit_id = v.id
    WHERE v.office_id = :office AND v.day BETWEEN :start AND :end
      AND (CAST(:worker AS int) IS NULL OR v.worker_id = :worker)
    ORDER BY w.full_name, v.worker_id, v.day, coalesce(v.arrived_at, v.planned_start), v.id
"""


def visits_for_review(
    session: Session, *, office_id: int, start: date, end: date, worker_id: int | None = None
) -> list[dict[str, Any]]:
    """An office's visits of a period with their flags and review state, worker by worker."""
    session.execute(text("SET LOCAL jit = off"))
    rows = session.execute(
        text(_REVIEW_LIST), {"office": office_id, "start": start, "end": end, "worker": worker_id}
    )
    result = []
    for raw in rows:
        row = dict(raw._mapping)
        for key in ("on_site_min", "standard_min"):
            row[key] = None if row[key] is None else float(row[key])
        flags = [f for f in row["flags"] or [] if f != "reviewed"]
        flags += timing_flags(on_site_min=row["on_site_min"], standard_min=row["standard_min"])
        row["flags"] = flags
        result.append(row)
    return result


def accept_unflagged(
    session: Session,
    *,
    office_id: int,
    start: date,
    end: date,
    worker_id: int | None,
    user: User,
    geofence_m: float,
) -> int:
    """Accept every finished, unreviewed visit of the period that carries no flag; how many."""
    accepted = 0
    ids = [
        row["id"]
        for row in visits_for_review(
            session, office_id=office_id, start=start, end=end, worker_id=worker_id
        )
        if row["status"] == "done" and row["review"] is None and not row["flags"]
    ]
    if not ids:
        return 0
    query = select(Visit).where(Visit.id.in_(ids)).with_for_update()
    for visit in session.scalars(query):
        if month_signed(session, worker_id=visit.worker_id, office_id=office_id, day=visit.day):
            continue
        decide(session, visit=visit, user=user, decision="accepted", geofence_m=geofence_m)
        accepted += 1
    return accepted
