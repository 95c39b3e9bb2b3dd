"""Stored plans: solve into versions, approve, move by hand, re-plan mid-day (real PostGIS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEntry, Office, Role, User
from planner import moves, plans, replan
from planner.build import local_tz
from planner.models import PlanStatus
from planner.problem import SolveParams
from registry.models import Client, Worker
from tests import factories as f

pytestmark = pytest.mark.db

MONDAY = date(2026, 3, 2)
QUICK = SolveParams(time_limit_s=1.0, workers=1)


@dataclass
class Day:
    office: Office
    supervisor: User
    anna: Worker
    boris: Worker
    clients: list[Client]
    nurse_client: Client
    unmapped: Client


def make_day(db: Session) -> Day:
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    anna = f.worker(db, office, full_name="Анна", skills=["medical"])
    boris = f.worker(db, office, full_name="Борис")
    shopping = f.service(db, office, "C01", 30)
    nursing = f.service(db, office, "M01", 20)
    nursing.required_skill = "medical"
    clients = []
    for n in range(6):
        c = f.client(db, office, lonlat=(37.775 + 0.004 * n, 55.745 + 0.002 * n))
        f.care_plan(db, c, [(shopping, "daily")])
        clients.append(c)
    nurse_client = f.client(db, office, lonlat=(37.79, 55.755))
    f.care_plan(db, nurse_client, [(nursing, "daily")])
    unmapped = f.client(db, office)
    unmapped.location = None
    f.care_plan(db, unmapped, [(shopping, "daily")])
    db.flush()
    return Day(office, supervisor, anna, boris, clients, nurse_client, unmapped)


@pytest.fixture
def day(db: Session) -> Day:
    return make_day(db)


def _plan(db: Session, day: Day):  # type: ignore[no-untyped-def]
    return plans.plan_day(
        db, office_id=day.office.id, day=MONDAY, user_id=day.supervisor.id, params=QUICK
    )


def test_plan_day_stores_versions_with_explanations(db: Session, day: Day) -> None:
    plan = _plan(db, day)
    assert (plan.version, plan.status) == (1, PlanStatus.DRAFT)
    stops = [s for r in plan.routes for s in r.stops]
    assert {s.client_id for s in stops} == {c.id for c in day.clients} | {day.nurse_client.id}
    assert all(s.why for s in stops)
    nurse_stop = next(s for s in stops if s.client_id == day.nurse_client.id)
    assert nurse_stop.worker_id == day.anna.id  # the only one with the skill
    assert "medical" in nurse_stop.why
    assert nurse_stop.services[0]["code"] == "M01"
    tz = local_tz()
    for route in plan.routes:
        assert [s.seq for s in route.stops] == list(range(1, len(route.stops) + 1))
        assert route.start.astimezone(tz).time() >= time(8)
        assert route.end.astimezone(tz).time() <= time(17)
        for a, b in zip(route.stops, route.stops[1:], strict=False):
            assert a.end <= b.arrival
    assert [(u.client_id, u.code) for u in plan.unplanned] == [(day.unmapped.id, "no_location")]
    assert plan.stats["planned"] == 7
    assert _plan(db, day).version == 2
    assert [p.version for p in plans.list_plans(db, office_id=day.office.id, day=MONDAY)] == [
        2,
        1,
    ]


def test_approve_supersedes_the_previous_version(db: Session, day: Day) -> None:
    first, second = _plan(db, day), _plan(db, day)
    plans.approve(db, plan_id=first.id, user=day.supervisor)
    assert first.status == PlanStatus.APPROVED
    assert first.approved_by == day.supervisor.id and first.approved_at is not None
    plans.approve(db, plan_id=second.id, user=day.supervisor)
    db.refresh(first)
    assert (first.status, second.status) == (PlanStatus.SUPERSEDED, PlanStatus.APPROVED)
    with pytest.raises(plans.PlanRuleError, match="only a draft"):
        plans.approve(db, plan_id=first.id, user=day.supervisor)
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "plan", AuditEntry.office_id == day.office.id)
        .order_by(AuditEntry.id)
    ).all()  # this office's only: other tests' approvals may be in the database
    assert actions == ["approve", "supersede", "approve"]


def test_move_edits_a_draft_and_copies_an_approved_plan(db: Session, day: Day) -> None:
    plan = _plan(db, day)
    boris_route = next(r for r in plan.routes if r.worker_id == day.boris.id)
    moved = boris_route.stops[-1]
    result = moves.move_visit(
        db,
        plan_id=plan.id,
        user=day.supervisor,
        stop_id=moved.id,
        to_worker_id=day.anna.id,
        position=0,
    )
    assert result.plan.id == plan.id  # a draft is edited in place
    anna_route = next(r for r in plan.routes if r.worker_id == day.anna.id)
    first = anna_route.stops[0]
    assert (first.client_id, first.seq) == (moved.client_id, 1)
    assert first.why.startswith("moved by hand")
    assert all(
        a.end <= b.arrival for a, b in zip(anna_route.stops, anna_route.stops[1:], strict=False)
    )
    assert plan.stats["edited"] is True
    audit = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "move", AuditEntry.office_id == day.office.id)
    ).one()
    assert audit.changes["to_worker_id"] == day.anna.id

    plans.approve(db, plan_id=plan.id, user=day.supervisor)
    back = moves.move_visit(
        db,
        plan_id=plan.id,
        user=day.supervisor,
        client_id=moved.client_id,
        to_worker_id=day.boris.id,
        position=99,
    )
    assert back.plan.id != plan.id and back.plan.version == 2
    assert back.plan.status == PlanStatus.DRAFT
    assert plan.status == PlanStatus.APPROVED
    assert any(
        s.client_id == moved.client_id
        for s in next(r for r in plan.routes if r.worker_id == day.anna.id).stops
    )


def test_move_refused_with_the_rule_broken(db: Session, day: Day) -> None:
    plan = _plan(db, day)
    nurse_stop = next(s for r in plan.routes for s in r.stops if s.client_id == day.nurse_client.id)
    with pytest.raises(plans.PlanRuleError) as refused:
        moves.move_visit(
            db,
            plan_id=plan.id,
            user=day.supervisor,
            stop_id=nurse_stop.id,
            to_worker_id=day.boris.id,
            position=0,
        )
    assert refused.value.rule == "skill"
    assert "'medical'" in refused.value.message
    assert refused.value.details["worker_id"] == str(day.boris.id)
    early = day.clients[0]
    early.window_start, early.window_end = time(8), time(8, 20)
    db.flush()
    stop = next(s for r in plan.routes for s in r.stops if s.client_id == early.id)
    with pytest.raises(plans.PlanRuleError) as late:
        moves.move_visit(
            db,
            plan_id=plan.id,
            user=day.supervisor,
            stop_id=stop.id,
            to_worker_id=day.anna.id,
            position=99,
            dry_run=True,
        )
    assert late.value.rule == "window"
    assert "08:20" in late.value.message


def test_move_of_an_unmapped_client_is_refused(db: Session, day: Day) -> None:
    plan = _plan(db, day)
    with pytest.raises(plans.PlanRuleError) as refused:
        moves.move_visit(
            db,
            plan_id=plan.id,
            user=day.supervisor,
            client_id=day.unmapped.id,
            to_worker_id=day.anna.id,
            position=0,
        )
    assert refused.value.rule == "no_location"


def test_replan_keeps_started_visits_and_sends_a_sick_worker_home(db: Session, day: Day) -> None:
    plan = _plan(db, day)
    boris_route = next(r for r in plan.routes if r.worker_id == day.boris.id)
    first = boris_route.stops[0]
    now = first.start.astimezone(local_tz())
    urgent = f.client(db, day.office, lonlat=(37.78, 55.75))
    f.care_plan(db, urgent, [(_shopping(db, day), "weekdays:5")])  # nothing due on Monday
    new = replan.replan(
        db,
        plan_id=plan.id,
        now=now,
        user_id=day.supervisor.id,
        exclude_worker_ids=[day.boris.id],
        urgent_client_ids=[urgent.id],
        params=QUICK,
    )
    assert (new.version, new.status) == (2, PlanStatus.DRAFT)
    assert new.params["kind"] == "replan" and new.params["from_plan"] == plan.id
    boris_new = next(r for r in new.routes if r.worker_id == day.boris.id)
    assert [(s.client_id, s.pinned) for s in boris_new.stops] == [(first.client_id, True)]
    assert boris_new.stops[0].start == first.start
    planned = {s.client_id for r in new.routes for s in r.stops}
    unplanned = {u.client_id for u in new.unplanned}
    everyone = {c.id for c in day.clients} | {day.nurse_client.id, urgent.id, day.unmapped.id}
    assert planned | unplanned == everyone
    assert urgent.id in planned  # urgent visits come first
    anna_new = next(r for r in new.routes if r.worker_id == day.anna.id)
    assert all(s.start >= now for s in anna_new.stops if not s.pinned)


def _shopping(db: Session, day: Day):  # type: ignore[no-untyped-def]
    from registry.models import Service

    return db.scalars(
        select(Service).where(Service.office_id == day.office.id, Service.code == "C01")
    ).one()
