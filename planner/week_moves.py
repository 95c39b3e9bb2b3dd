"""Moving a visit of a week plan to another day (and worker), checked at once.

The move is allowed when every care-plan line of the visit may take the new day (its rule's
day, or within its tolerance when the line is movable), the worker is on duty that day by the
working calendar, and the visit fits the worker's day with travel: it goes where it adds the
least travel in the worker's route, and the whole day is scheduled again (shift, lunch,
windows, daily maximum). A refused move answers 409 with a code the pages say in the user's
language, and stores nothing. A move edits the two days' drafts (an approved day is first
copied into a new draft), in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import User
from planner import build, schedule
from planner.build import Built, VisitDraft
from planner.duty import office_calendar, on_duty, shift_on
from planner.models import Plan, PlanStatus
from planner.moves import _copy_as_draft, _replace_routes
from planner.plans import plan_drafts, route_sequences, visit_key
from planner.problem import Route
from planner.recurrence import CareClient
from planner.week_build import _lines_in
from planner.week_problem import RuleError, tasks_for_period
from planner.week_store import day_of, week_or_404
from registry.models import CarePlan, Client, Worker


@dataclass(slots=True)
class WeekMove:
    routes: list[Route]  # the new day's routes, times recomputed
    worker_id: int
    day: date
    added_travel_s: int
    plans: list[Plan]  # the edited drafts (none for a dry run)


def _refuse(message: str, code: str, **params: Any) -> DomainError:
    return DomainError(message, status=409, code=f"week.{code}", params=params)


def move_to_day(
    session: Session,
    *,
    week_id: int,
    user: User,
    client_id: int,
    from_day: date,
    to_day: date,
    to_worker_id: int,
    dry_run: bool = False,
    begun: Mapping[int, str] | None = None,
) -> WeekMove:
    """`begun`: the clients whose visit of `from_day` a phone has begun, with its status
    (handed in by the layer that records visits); such a visit stays on its day."""
    week = week_or_404(session, week_id)
    source = day_of(session, week, from_day)
    target = day_of(session, week, to_day)
    client = session.get(Client, client_id)
    stop = next((s for r in source.routes for s in r.stops if s.client_id == client_id), None)
    left = next((u for u in source.unplanned if u.client_id == client_id), None)
    if client is None or (stop is None and left is None):
        raise DomainError(
            "the client has no visit on that day of the week plan",
            status=404,
            code="week.no_visit",
            params={"client_id": client_id, "day": from_day.isoformat()},
        )
    status = (begun or {}).get(client_id)
    if status is not None:
        raise _refuse(
            f"the visit has begun ({status}): it cannot be moved",
            f"started.{status}",
            client_id=client_id,
            status=status,
        )
    if stop is not None and stop.pinned:
        raise _refuse("this visit is under way or done", "pinned", client_id=client_id)
    services = stop.services if stop is not None else (left.services if left else [])
    _check_rule(session, client, services, from_day, to_day, week.start, week.end)
    worker = session.get(Worker, to_worker_id)
    calendar = office_calendar(to_day, to_day)
    if (
        worker is None
        or worker.office_id != week.office_id
        or shift_on(worker, to_day, calendar) is None
    ):
        raise _refuse(
            "that worker is not on duty that day",
            "off_duty",
            worker_id=to_worker_id,
            day=to_day.isoformat(),
        )
    if to_day == from_day:
        raise _refuse("the visit is already on that day", "same_day", day=to_day.isoformat())
    built, routes, added = _fit(session, target, client, services, worker)
    if dry_run:
        return WeekMove(routes, worker.id, to_day, added, [])
    edited_target = _draft_of(session, target, user)
    visit_id = visit_key(client.id, to_day)
    _replace_routes(session, edited_target, built, routes, moved=visit_id, user=user)
    edited_source = _draft_of(session, source, user)
    _remove(session, edited_source, client.id, user)
    audit.record(
        session,
        user=user,
        action="move-day",
        entity="plan_week",
        entity_id=week.id,
        changes={
            "client_id": client.id,
            "from_day": from_day.isoformat(),
            "to_day": to_day.isoformat(),
            "to_worker_id": worker.id,
            "plans": [edited_source.id, edited_target.id],
        },
        office_id=week.office_id,
    )
    session.flush()
    return WeekMove(routes, worker.id, to_day, added, [edited_source, edited_target])


def _check_rule(
    session: Session,
    client: Client,
    services: list[dict[str, Any]],
    from_day: date,
    to_day: date,
    start: date,
    end: date,
) -> None:
    """Each line of the visit may take `to_day` (its rule's day or within its tolerance)."""
    plans = list(session.scalars(select(CarePlan).where(CarePlan.client_id == client.id)))
    calendar = office_calendar(start, end)
    lines = tuple(_lines_in(plans, start, end))
    care = CareClient(id=str(client.id), name=client.full_name, lines=lines)
    try:
        tasks = tasks_for_period([care], start, end, calendar)
    except RuleError as exc:
        raise DomainError(
            str(exc), status=422, code="week.rule", params={"detail": str(exc)}
        ) from None
    for service in services:
        code = service.get("code")
        mine = [t for t in tasks if t.service_code == code and from_day in t.allowed]
        if not mine:
            continue  # an urgent or hand-added service: no rule holds it to a day
        task = min(mine, key=lambda t: abs((t.day - from_day).days))
        if to_day not in task.allowed:
            fixed = "a fixed line keeps its rule's day" if task.fixed else "outside its tolerance"
            raise _refuse(
                f"client {client.id} ({client.full_name}), service {code}: {to_day.isoformat()} "
                f"is not allowed by the line's rule ({fixed})",
                "rule_day",
                client=client.full_name,
                service=str(code),
                day=to_day.isoformat(),
            )


def _fit(
    session: Session, plan: Plan, client: Client, services: list[dict[str, Any]], worker: Worker
) -> tuple[Built, list[Route], int]:
    """The day with the visit in the worker's route where it adds the least travel; 409
    naming the broken rule when it fits nowhere."""
    day = plan.day
    stops = [s for r in plan.routes for s in r.stops]
    drafts = {d.client.id: d for d in plan_drafts(session, plan, stops)}
    visit_id = visit_key(client.id, day)
    mine = drafts.get(client.id)
    merged = [*(mine.services if mine is not None else []), *services]
    skills = set(client.required_skills or ()) | {s["skill"] for s in merged if s.get("skill")}
    preferred = client.preferred_worker_id
    drafts[client.id] = VisitDraft(
        id=visit_id,
        client=client,
        services=merged,
        required_skills=frozenset(skills),
        preferred_worker=str(preferred) if preferred else None,
    )
    workers = {w.id: w for w in on_duty(session, office_id=plan.office_id, day=day)}
    workers.update({r.worker_id: session.get(Worker, r.worker_id) for r in plan.routes})  # type: ignore[misc]
    workers[worker.id] = worker
    built = build.assemble(
        session,
        office_id=plan.office_id,
        day=day,
        workers=[workers[k] for k in sorted(workers)],
        drafts=list(drafts.values()),
    )
    lacking = set(skills) - set(worker.skills or ())
    if lacking:
        raise _refuse(
            f"{worker.full_name} lacks the skill {', '.join(sorted(lacking))}",
            "skill",
            worker=worker.full_name,
            skill=", ".join(sorted(lacking)),
        )
    if visit_id not in built.drafts:
        raise _refuse("the client's address is not on the map", "no_location", client_id=client.id)
    sequences = {w: ids for w, ids in route_sequences(plan).items() if w in built.workers}
    for ids in sequences.values():
        if visit_id in ids:
            ids.remove(visit_id)
    before = schedule.schedule_day(built.problem, sequences)
    travel_before = sum(r.travel for r in before.routes)
    own = sequences.setdefault(str(worker.id), [])
    best: tuple[int, list[Route]] | None = None
    broken = None
    for position in range(len(own) + 1):
        trial = {**sequences, str(worker.id): [*own[:position], visit_id, *own[position:]]}
        day_plan = schedule.schedule_day(built.problem, trial)
        if day_plan.broken is not None:
            broken = broken or day_plan.broken
            continue
        travel = sum(r.travel for r in day_plan.routes)
        if best is None or travel < best[0]:
            best = (travel, day_plan.routes)
    if best is None:
        message = broken.message if broken is not None else "the visit does not fit"
        raise _refuse(
            f"{client.full_name} does not fit {worker.full_name}'s day on {day.isoformat()}: "
            f"{message}",
            "no_fit",
            client=client.full_name,
            worker=worker.full_name,
            day=day.isoformat(),
            reason=message,
        )
    return built, best[1], best[0] - travel_before


def _draft_of(session: Session, plan: Plan, user: User) -> Plan:
    if plan.status == PlanStatus.DRAFT:
        return plan
    return _copy_as_draft(session, plan, user)


def _remove(session: Session, plan: Plan, client_id: int, user: User) -> None:
    """The client's visit taken out of the day; the routes it left scheduled again."""
    stops = [s for r in plan.routes for s in r.stops]
    built = build.assemble(
        session,
        office_id=plan.office_id,
        day=plan.day,
        workers=[session.get(Worker, r.worker_id) for r in plan.routes],  # type: ignore[misc]
        drafts=plan_drafts(session, plan, stops),
    )
    visit_id = visit_key(client_id, plan.day)
    sequences = {w: [i for i in ids if i != visit_id] for w, ids in route_sequences(plan).items()}
    day_plan = schedule.schedule_day(built.problem, sequences)
    _replace_routes(session, plan, built, day_plan.routes, moved=visit_id, user=user)
    plan.unplanned = [u for u in plan.unplanned if u.client_id != client_id]
