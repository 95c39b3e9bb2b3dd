"""What a care programme makes due: the one rule that zones, the planner and the demo share."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from registry.models import CarePlan, CarePlanLine, CarePlanStatus, Service
from registry.programme import lines_if_approved, lines_on, minutes_due, weekly_load
from tests import factories as f
from zones.service import load_office

MONDAY = date(2026, 12, 7)


def _plan(
    valid_to: date | None,
    *lines: tuple[Service, str],
    status: CarePlanStatus = CarePlanStatus.APPROVED,
) -> CarePlan:
    plan = CarePlan(valid_from=date(2026, 1, 1), valid_to=valid_to, status=status)
    plan.lines = [
        CarePlanLine(service=s, recurrence=r, valid_from=date(2026, 1, 1)) for s, r in lines
    ]
    return plan


def _service(code: str, minutes: int, active: bool = True) -> Service:
    return Service(code=code, name=code, standard_minutes=minutes, active=active)


def test_expired_plans_and_retired_services_make_nothing_due() -> None:
    shopping, cleaning = _service("S1", 30), _service("S2", 45, active=False)
    current = _plan(None, (shopping, "weekdays:1,3"), (cleaning, "daily"))
    expired = _plan(date(2026, 11, 30), (shopping, "daily"))
    assert [line.service_code for line in lines_on([current, expired], MONDAY)] == ["S1"]
    assert minutes_due([current, expired], MONDAY) == 30
    assert minutes_due([current, expired], date(2026, 12, 8)) == 0  # a Tuesday
    assert weekly_load([current, expired], MONDAY) == (60.0, 2.0)


def test_only_approved_programmes_make_anything_due() -> None:
    shopping, cleaning = _service("S1", 30), _service("S2", 45)
    approved = _plan(None, (shopping, "weekdays:1,3"))
    draft = _plan(None, (cleaning, "daily"), status=CarePlanStatus.DRAFT)
    assert [line.service_code for line in lines_on([approved, draft], MONDAY)] == ["S1"]
    assert minutes_due([draft], MONDAY) == 0
    assert weekly_load([draft], MONDAY) == (0.0, 0.0)
    # closed on Sunday: in force up to its valid_to, nothing after
    closed = _plan(date(2026, 12, 6), (cleaning, "daily"), status=CarePlanStatus.CLOSED)
    assert minutes_due([closed], date(2026, 12, 6)) == 45
    assert minutes_due([closed], MONDAY) == 0


def test_a_queued_clients_programme_is_the_newest_draft_as_if_approved() -> None:
    shopping, cleaning, meals = _service("S1", 30), _service("S2", 45), _service("S3", 20)
    approved = _plan(None, (shopping, "daily"))
    older = _plan(None, (meals, "daily"), status=CarePlanStatus.DRAFT)
    newest = _plan(None, (cleaning, "weekdays:1,4"), status=CarePlanStatus.DRAFT)
    older.version, newest.version = 2, 3
    newest.valid_from = date(2026, 12, 9)  # from Wednesday
    plans = [approved, older, newest]
    # before the draft starts, the programme in force, ending the day before the draft
    before = lines_if_approved(plans, MONDAY)
    assert [(ln.service_code, ln.valid_to) for ln in before] == [("S1", date(2026, 12, 8))]
    assert not before[0].due_on(date(2026, 12, 10))
    # from its start, the newest draft's lines alone (the older draft is not the programme)
    assert [ln.service_code for ln in lines_if_approved(plans, date(2026, 12, 10))] == ["S2"]
    # no draft: what is in force; a draft alone: its lines, though nothing is planned from it
    assert lines_if_approved([approved], MONDAY) == lines_on([approved], MONDAY)
    assert [ln.service_code for ln in lines_if_approved([older], MONDAY)] == ["S3"]
    assert lines_on([older], MONDAY) == []


def test_zones_weigh_clients_by_the_work_that_still_exists(db: Session) -> None:
    office = f.office(db)
    shopping = f.service(db, office, code="S1", minutes=30)
    retired = f.service(db, office, code="S2", minutes=45)
    retired.active = False
    client = f.client(db, office)
    f.care_plan(db, client, [(shopping, "weekdays:1,3"), (retired, "daily")])
    old = f.care_plan(db, client, [(shopping, "daily")])
    old.valid_to = date(2026, 11, 30)
    db.flush()
    zoning = load_office(db, office_id=office.id, today=MONDAY)
    (weighed,) = zoning.clients
    assert weighed.weekly_minutes == 60.0
    draft = f.care_plan(db, client, [(shopping, "daily")], status=CarePlanStatus.DRAFT)
    db.flush()
    (weighed,) = load_office(db, office_id=office.id, today=MONDAY).clients
    assert weighed.weekly_minutes == 60.0, "an unapproved programme weighs nothing"
    draft.status = CarePlanStatus.APPROVED
    db.flush()
    (weighed,) = load_office(db, office_id=office.id, today=MONDAY).clients
    assert weighed.weekly_minutes == 60.0 + 7 * 30.0  # daily, every day of the week
