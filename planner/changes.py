"""What a new plan version changes for whom: per worker, the visits added, taken away and
re-timed against the version it replaces, and the visits left out that were planned before.
The supervisor reads this before approving a re-plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.models import Plan, PlanStop
from registry.models import Client, Worker

RETIMED_AFTER = timedelta(minutes=5)  # a visit moved less than this is not news to a worker


@dataclass(frozen=True, slots=True)
class StopChange:
    client_id: int
    client_name: str
    start: datetime | None  # in the new version (None: taken away)
    old_start: datetime | None  # in the old version (None: added)
    other_worker_id: int | None = None  # added: from whom; removed: to whom (None: nobody)


@dataclass(slots=True)
class WorkerChanges:
    worker_id: int
    worker_name: str
    added: list[StopChange] = field(default_factory=list)
    removed: list[StopChange] = field(default_factory=list)
    retimed: list[StopChange] = field(default_factory=list)
    kept: int = 0
    off_duty: bool = False  # the re-plan sent the worker home

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.retimed or self.off_duty)


@dataclass(frozen=True, slots=True)
class LeftOut:
    client_id: int
    client_name: str
    code: str
    reason: str
    was_worker_id: int | None  # whose route the visit was on in the old version


@dataclass(frozen=True, slots=True)
class PlanChanges:
    plan_id: int
    against_id: int
    workers: list[WorkerChanges]
    unplanned: list[LeftOut]


def base_of(session: Session, plan: Plan) -> Plan | None:
    """The version a plan is compared with: the one it was re-planned from, else the day's
    approved version (never the plan itself)."""
    from_plan = (plan.params or {}).get("from_plan")
    if from_plan:
        found = session.get(Plan, int(from_plan))
        if found is not None and found.office_id == plan.office_id:
            return found
    from planner.plans import approved_plan

    approved = approved_plan(session, office_id=plan.office_id, day=plan.day)
    return approved if approved is not None and approved.id != plan.id else None


def plan_changes(session: Session, *, plan: Plan, against: Plan) -> PlanChanges:
    """Per worker, what `plan` changes against `against` (workers with no change left out)."""
    old = _by_client(against)
    new = _by_client(plan)
    ids = {c for c in old} | {c for c in new} | {u.client_id for u in plan.unplanned}
    rows = session.execute(select(Client.id, Client.full_name).where(Client.id.in_(ids or {-1})))
    names: dict[int, str] = {client_id: name for client_id, name in rows}
    worker_ids = {r.worker_id for r in against.routes} | {r.worker_id for r in plan.routes}
    workers = {
        w.id: WorkerChanges(w.id, w.full_name)
        for w in session.scalars(select(Worker).where(Worker.id.in_(worker_ids or {-1})))
    }
    for client_id, stop in new.items():
        was = old.get(client_id)
        name = names.get(client_id, "")
        if was is None or was.worker_id != stop.worker_id:
            workers[stop.worker_id].added.append(
                StopChange(client_id, name, stop.start, None, was.worker_id if was else None)
            )
        elif abs(stop.start - was.start) >= RETIMED_AFTER:
            workers[stop.worker_id].retimed.append(
                StopChange(client_id, name, stop.start, was.start)
            )
        else:
            workers[stop.worker_id].kept += 1
    for client_id, was in old.items():
        now_at = new.get(client_id)
        if now_at is None or now_at.worker_id != was.worker_id:
            workers[was.worker_id].removed.append(
                StopChange(
                    client_id,
                    names.get(client_id, ""),
                    None,
                    was.start,
                    now_at.worker_id if now_at else None,
                )
            )
    for worker_id in (plan.params or {}).get("exclude_worker_ids", []):
        if worker_id in workers:
            workers[worker_id].off_duty = True
    before = {u.client_id for u in against.unplanned}
    left_out = [
        LeftOut(
            u.client_id,
            names.get(u.client_id, ""),
            u.code,
            u.reason,
            old[u.client_id].worker_id if u.client_id in old else None,
        )
        for u in plan.unplanned
        if u.client_id not in before or u.client_id in old
    ]
    for w in workers.values():
        for changes in (w.added, w.removed, w.retimed):
            changes.sort(key=_when)
    changed = sorted((w for w in workers.values() if w.changed), key=lambda w: w.worker_name)
    return PlanChanges(plan.id, against.id, changed, left_out)


def _when(change: StopChange) -> datetime:
    moment = change.start or change.old_start
    assert moment is not None  # a change has a time in one version at least
    return moment


def _by_client(plan: Plan) -> dict[int, PlanStop]:
    """Each client's visit in the plan (the first, should a client have two)."""
    found: dict[int, PlanStop] = {}
    for route in plan.routes:
        for stop in route.stops:
            found.setdefault(stop.client_id, stop)
    return found
