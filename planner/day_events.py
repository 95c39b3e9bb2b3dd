"""The day's events a mid-day re-plan takes in, besides workers going off duty: urgent visits
(a client, services from the catalogue, a deadline), visits that run long, clients who did not
open the door, and visits the phones report begun. Checked before a job is queued; turned into
visit drafts and unplanned rows while re-planning (`planner.replan`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import build
from planner.build import VisitDraft
from planner.models import Plan, PlanStop, PlanUnplanned
from planner.plans import PlanRuleError, visit_key
from registry.models import Client, Service

NO_ACCESS = "no_access"  # PlanUnplanned.code of a client who did not open the door
MAX_OVERRUN_MIN = 480


@dataclass(frozen=True, slots=True)
class UrgentVisit:
    """A visit that came in during the day: services by catalogue code (none: the client's
    care plan), to be over by `deadline` (None: by the end of the shift)."""

    client_id: int
    service_codes: tuple[str, ...] = ()
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class DayEvents:
    """What happened since the plan was approved, besides workers going off duty."""

    urgent: tuple[UrgentVisit, ...] = ()
    overrun_minutes: dict[int, int] = field(default_factory=dict)  # client id -> extra minutes
    no_access_client_ids: tuple[int, ...] = ()
    begun_client_ids: tuple[int, ...] = ()  # visits the phones say began (pinned wherever)

    def as_json(self) -> dict[str, object]:
        return {
            "urgent": [
                {
                    "client_id": u.client_id,
                    "service_codes": list(u.service_codes),
                    "deadline": u.deadline.isoformat() if u.deadline else None,
                }
                for u in self.urgent
            ],
            "overrun_minutes": {str(k): v for k, v in self.overrun_minutes.items()},
            "no_access_client_ids": list(self.no_access_client_ids),
            "begun_client_ids": list(self.begun_client_ids),
        }


def check(
    session: Session,
    source: Plan,
    now: datetime,
    exclude_worker_ids: Sequence[int],
    events: DayEvents,
) -> None:
    """Refuse events that name what the plan or the office does not have (PlanRuleError,
    with `rule` a code the pages translate)."""
    on_routes = {s.client_id: s for r in source.routes for s in r.stops}
    with_route = {r.worker_id for r in source.routes}
    for worker_id in exclude_worker_ids:
        if worker_id not in with_route:
            raise PlanRuleError(
                f"worker {worker_id} has no route in this plan",
                status=422,
                rule="replan.worker_not_in_plan",
                details={"worker_id": worker_id},
            )
    for client_id in (*events.no_access_client_ids, *events.overrun_minutes):
        if client_id not in on_routes:
            raise PlanRuleError(
                f"client {client_id} has no visit in this plan",
                status=422,
                rule="replan.client_not_in_plan",
                details={"client_id": client_id},
            )
    for client_id, minutes in events.overrun_minutes.items():
        if not 1 <= minutes <= MAX_OVERRUN_MIN:
            raise PlanRuleError(
                f"a visit runs long by 1..{MAX_OVERRUN_MIN} minutes",
                status=422,
                rule="replan.overrun_minutes",
                details={"client_id": client_id, "max": MAX_OVERRUN_MIN},
            )
    tz = build.local_tz()
    for urgent in events.urgent:
        client = session.get(Client, urgent.client_id)
        if client is None or client.office_id != source.office_id:
            raise PlanRuleError(
                f"client {urgent.client_id} is not served by this office",
                status=404,
                rule="replan.client_not_found",
                details={"client_id": urgent.client_id},
            )
        if urgent.service_codes:
            catalogue(session, source.office_id, urgent.service_codes)
        elif not has_programme(session, client, source):
            raise PlanRuleError(
                f"client {client.id} has no valid care plan: name the services",
                status=422,
                rule="replan.no_services",
                details={"client_id": client.id},
            )
        if urgent.deadline is not None:
            deadline = urgent.deadline.astimezone(tz)
            if deadline <= now or deadline.date() != source.day:
                raise PlanRuleError(
                    "the deadline must be later the same day",
                    status=422,
                    rule="replan.deadline",
                    details={"client_id": client.id},
                )


def has_programme(session: Session, client: Client, plan: Plan) -> bool:
    try:
        build.urgent_draft(session, client=client, day=plan.day)
    except ValueError:
        return False
    return True


def catalogue(session: Session, office_id: int, codes: Sequence[str]) -> list[Service]:
    """The office's active services with these codes, in the order asked."""
    rows = session.scalars(
        select(Service).where(
            Service.office_id == office_id, Service.code.in_(codes), Service.active.is_(True)
        )
    )
    by_code = {s.code: s for s in rows}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise PlanRuleError(
            f"no such service in the catalogue: {', '.join(missing)}",
            status=422,
            rule="replan.unknown_service",
            details={"code": missing[0]},
        )
    return [by_code[c] for c in dict.fromkeys(codes)]


def urgent_draft(
    session: Session,
    plan: Plan,
    visit: UrgentVisit,
    planned: VisitDraft | None,
    tz: ZoneInfo,
) -> VisitDraft:
    """An urgent visit's draft: the services asked (added to a visit already due today), or
    the care plan's; at the highest priority, over by the deadline."""
    client = session.get(Client, visit.client_id)
    if client is None or client.office_id != plan.office_id:
        raise PlanRuleError(f"client {visit.client_id} is not served by this office", status=404)
    if visit.service_codes:
        services = list(planned.services) if planned else []
        have = {s["code"] for s in services}
        for row in catalogue(session, plan.office_id, visit.service_codes):
            if row.code not in have:
                services.append(
                    {
                        "code": row.code,
                        "name": row.name,
                        "minutes": row.standard_minutes,
                        "skill": row.required_skill,
                    }
                )
        skills = set(client.required_skills or ()) | {s["skill"] for s in services if s["skill"]}
        draft = VisitDraft(
            id=visit_key(client.id, plan.day),
            client=client,
            services=services,
            required_skills=frozenset(skills),
            preferred_worker=planned.preferred_worker if planned else None,
            priority=build.URGENT,
        )
    elif planned is not None:
        draft = dataclasses.replace(planned, priority=build.URGENT)
    else:
        try:
            draft = build.urgent_draft(session, client=client, day=plan.day)
        except ValueError as exc:
            raise PlanRuleError(str(exc), rule="no_care_plan") from exc
    if visit.deadline is not None:
        deadline_s = build.seconds_since_midnight(visit.deadline.astimezone(tz), plan.day, tz)
        draft = dataclasses.replace(draft, deadline_s=deadline_s)
    return draft


def no_access_rows(source: Plan, events: DayEvents) -> list[PlanUnplanned]:
    """Clients who did not open the door: off the routes, listed with the reason."""
    gone = set(events.no_access_client_ids)
    seen: dict[int, PlanStop] = {}
    for route in source.routes:
        for stop in route.stops:
            if stop.client_id in gone:
                seen.setdefault(stop.client_id, stop)
    return [
        PlanUnplanned(
            client_id=client_id,
            code=NO_ACCESS,
            reason="the client did not open the door",
            services=stop.services,
        )
        for client_id, stop in seen.items()
    ]
