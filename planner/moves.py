"""Moving a visit by hand. A move on a draft edits that draft in place (each move is audited);
a move on an approved or superseded plan first copies it into a new draft, so an approved plan
never changes under the workers.

A move re-times only the routes it touches (the worker the visit leaves, the one it joins,
and the partners of their two-worker visits), with the travel times the plan was made with
(`plans.plan_travel`); every other route stays as stored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sqlalchemy.orm import Session

from core import audit
from core.models import User
from planner import build, schedule
from planner.build import Built
from planner.copying import copy_plan
from planner.models import Plan, PlanStatus, PlanStop
from planner.plans import (
    PlanRuleError,
    finish,
    next_version,
    plan_drafts,
    plan_or_404,
    plan_travel,
    plan_workers,
    route_row,
    route_sequences,
    set_routes,
    visit_key,
)
from planner.problem import Route
from planner.travel import TravelTimeProvider

# --- moving a visit by hand ----------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class MoveResult:
    plan: Plan  # the edited draft (or, for a dry run, the unchanged plan)
    routes: list[Route]  # recomputed times of the routes the move touches
    built: Built
    dry_run: bool


def move_visit(
    session: Session,
    *,
    plan_id: int,
    user: User,
    to_worker_id: int,
    position: int,
    stop_id: int | None = None,
    client_id: int | None = None,
    dry_run: bool = False,
    provider: TravelTimeProvider | None = None,
    begun: Mapping[int, str] | None = None,
) -> MoveResult:
    """Move a planned stop (or an unplanned client's visit) to a worker at a position (0 =
    first); the times are recomputed and the first broken rule refuses the move (409).
    `begun`: the clients whose visit of the day a phone has begun, with its status (handed in
    by the layer that records visits); such a visit is not moved."""
    plan = plan_or_404(session, plan_id)
    client_id = _moved_client(plan, stop_id, client_id)
    refuse_begun(client_id, begun)
    pinned = {s.client_id for r in plan.routes for s in r.stops if s.pinned}
    if client_id in pinned:
        raise PlanRuleError("this visit is already under way or done", rule="pinned")
    stops = [s for r in plan.routes for s in r.stops]
    built = build.assemble(
        session,
        office_id=plan.office_id,
        day=plan.day,
        workers=plan_workers(session, plan),
        drafts=plan_drafts(session, plan, stops),
        provider=provider or plan_travel(plan),
    )
    for stop in stops:
        if stop.pinned:
            _pin(built, stop)
    target = str(to_worker_id)
    if target not in built.workers:
        raise PlanRuleError("that worker is not on duty that day", rule="off_duty")
    visit_id = visit_key(client_id, plan.day)
    if visit_id not in built.drafts:
        raise PlanRuleError("the client's address is not on the map", rule="no_location")
    sequences = route_sequences(plan)
    source = next((w for w, ids in sequences.items() if visit_id in ids), None)
    if (
        source is not None
        and source != target
        and len([i for i in sequences.values() if visit_id in i]) > 1
    ):
        raise PlanRuleError("a two-worker visit is moved by re-planning", rule="together")
    if source is not None:
        sequences[source].remove(visit_id)
    order = sequences.setdefault(target, [])
    order.insert(max(0, min(position, len(order))), visit_id)
    touched = _touched(built, sequences, {target} | ({source} if source else set()))
    day = schedule.schedule_day(
        dataclasses.replace(
            built.problem, workers=tuple(w for w in built.problem.workers if w.id in touched)
        ),
        {w: ids for w, ids in sequences.items() if w in touched},
    )
    if day.broken is not None:
        raise PlanRuleError(
            day.broken.message,
            rule=day.broken.code,
            details={"visit_id": day.broken.visit_id, "worker_id": day.broken.worker_id},
        )
    if dry_run:
        return MoveResult(plan, day.routes, built, dry_run=True)
    draft = plan if plan.status == PlanStatus.DRAFT else _copy_as_draft(session, plan, user)
    _replace_routes(session, draft, built, day.routes, moved=visit_id, user=user)
    audit.record(
        session,
        user=user,
        action="move",
        entity="plan",
        entity_id=draft.id,
        changes={
            "client_id": client_id,
            "from_worker_id": int(source) if source else None,
            "to_worker_id": to_worker_id,
            "position": position,
            "from_plan": plan.id,
        },
        office_id=plan.office_id,
    )
    session.flush()
    return MoveResult(draft, day.routes, built, dry_run=False)


def refuse_begun(client_id: int, begun: Mapping[int, str] | None) -> None:
    """409 when the client's visit has begun (checked in, done, no-show or refused)."""
    status = (begun or {}).get(client_id)
    if status is not None:
        raise PlanRuleError(
            f"the visit has begun ({status}): it cannot be moved",
            rule="started",
            details={"client_id": client_id, "visit_status": status},
        )


def _touched(built: Built, sequences: dict[str, list[str]], workers: set[str]) -> set[str]:
    """The workers whose routes a move re-times: those given, and the partners of their
    two-worker visits (they start together), on duty that day."""
    shared = {v.id for v in built.problem.visits if v.workers_needed > 1}
    touched = {w for w in workers if w in built.workers}
    while True:
        visits = {v for w in touched for v in sequences.get(w, ()) if v in shared}
        more = {w for w, ids in sequences.items() if w in built.workers and visits & set(ids)}
        if more <= touched:
            return touched
        touched |= more


def _moved_client(plan: Plan, stop_id: int | None, client_id: int | None) -> int:
    if stop_id is not None:
        stop = next((s for r in plan.routes for s in r.stops if s.id == stop_id), None)
        if stop is None:
            raise PlanRuleError("no such stop in this plan", status=404)
        return stop.client_id
    if client_id is None or not (
        any(u.client_id == client_id for u in plan.unplanned)
        or any(s.client_id == client_id for r in plan.routes for s in r.stops)
    ):
        raise PlanRuleError("no such visit in this plan", status=404)
    return client_id


def _pin(built: Built, stop: PlanStop) -> None:
    visit_id = visit_key(stop.client_id, built.day)
    draft = built.drafts.get(visit_id)
    if draft is None:
        return
    start = build.seconds_since_midnight(stop.start, built.day, built.tz)
    pinned = dataclasses.replace(draft, pinned_worker=str(stop.worker_id), pinned_start=start)
    built.drafts[visit_id] = pinned
    visits = tuple(
        dataclasses.replace(v, pinned_worker=pinned.pinned_worker, pinned_start=start)
        if v.id == visit_id
        else v
        for v in built.problem.visits
    )
    built.problem = dataclasses.replace(built.problem, visits=visits)


def _copy_as_draft(session: Session, plan: Plan, user: User) -> Plan:
    """A new draft version with the same routes, to edit an approved plan without changing it."""
    return copy_plan(
        session,
        plan,
        version=next_version(session, plan.office_id, plan.day),
        status=PlanStatus.DRAFT,
        params={**plan.params, "kind": "edit", "from_plan": plan.id},
        created_by=user.id,
    )


def _replace_routes(
    session: Session, plan: Plan, built: Built, routes: list[Route], moved: str, user: User
) -> None:
    """Routes of the workers in `built` replaced by the recomputed ones, explanations kept."""
    old_why = {
        (visit_key(s.client_id, plan.day), str(s.worker_id)): s.why
        for r in plan.routes
        for s in r.stops
    }
    pinned = {visit_key(s.client_id, plan.day) for r in plan.routes for s in r.stops if s.pinned}
    touched = {route.worker_id for route in routes}
    kept = [r for r in plan.routes if str(r.worker_id) not in touched]
    fresh = []
    for route in routes:
        if not route.stops:
            continue
        why = {s.visit_id: old_why.get((s.visit_id, route.worker_id), "") for s in route.stops}
        who = user.full_name or user.username
        why[moved] = f"moved by hand by {who}" if moved in why else ""
        fresh.append(route_row(built, route, pinned, why))
    set_routes(session, plan, kept + fresh)
    moved_client = built.drafts[moved].client.id
    plan.unplanned = [u for u in plan.unplanned if u.client_id != moved_client]
    finish(plan, None)
    plan.stats["edited"] = True
