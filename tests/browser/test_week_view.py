"""The supervisor's week view in real Chromium: workers x days with minutes and visits, days
off marked; a movable visit dragged to another day and worker (checked by the server and
stored), a fixed one refused in Russian through the keyboard way (choose, then day and
worker), the queue's fit panel and the same advice on the clients' queue, and the whole week
approved."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office
from planner.models import Plan, PlanStatus
from planner.week import plan_week
from planner.week_build import prepare_week
from planner.week_problem import WeekParams
from planner.week_store import store_week, week_days
from registry.models import CarePlan, CarePlanStatus, ClientStatus, Service
from tests import factories
from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import open_supervisor

QUICK = WeekParams(assign_time_limit_s=1, day_time_limit_s=0.5, repair_time_limit_s=0.3, workers=1)


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


def _plan(office: OfficeData, monday: date) -> tuple[int, int, date, date, int]:
    """The office's week planned and stored; (week id, movable client, its day, a day it may
    move to, the worker to take it)."""
    movable = office.client_ids[0]
    with Session(get_engine()) as session:
        care = session.scalars(select(CarePlan).where(CarePlan.client_id == movable)).one()
        care.lines[0].recurrence = "every:7;move;tol=2"
        care.lines = care.lines[:1]  # the visit holds the movable line alone
        session.flush()
        built = prepare_week(
            session, office_id=office.office_id, start=monday, end=monday + timedelta(days=6)
        )
        planned = plan_week(built.problem, QUICK)
        week = store_week(session, built, planned, user_id=None)
        days = week_days(session, week)
        on = {d: {s.client_id for r in p.routes for s in r.stops} for d, p in days.items()}
        task = next(t for t in built.problem.tasks if t.client_id == str(movable) and not t.fixed)
        placed = planned.task_days[task.id]
        target = next(
            d for d in task.allowed if d != placed and d.weekday() < 5 and movable not in on[d]
        )
        worker = office.workers[2]["id"]
        session.commit()
        return week.id, movable, placed, target, worker


def _queue_two(office: OfficeData) -> tuple[int, int]:
    """A queued client with a draft programme only, and a queued client with none."""
    with Session(get_engine()) as session:
        food = session.scalars(
            select(Service).where(Service.office_id == office.office_id, Service.code == "A01")
        ).one()
        drafted = factories.client(
            session, session.get(Office, office.office_id), lonlat=(37.764, 55.743),
            full_name="Очередная Черновикова", status=ClientStatus.QUEUED,
        )  # fmt: skip
        factories.care_plan(session, drafted, [(food, "weekly:1;move")], CarePlanStatus.DRAFT)
        bare = factories.client(
            session, session.get(Office, office.office_id), lonlat=(37.806, 55.746),
            full_name="Очередная Безпрограммная", status=ClientStatus.QUEUED,
        )  # fmt: skip
        session.commit()
        return drafted.id, bare.id


def test_week_view_moves_and_approves(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    monday = _next_monday()
    week_id, movable, placed, target, worker = _plan(zoned_office, monday)
    page = open_supervisor(context, zoned_office.supervisor, f"?tab=week&day={monday}")
    page.wait_for_selector("#week-table")
    cells = page.locator("#week-table td.week-cell")
    assert cells.count() == 3 * 7
    sunday = (monday + timedelta(days=6)).isoformat()
    page.wait_for_selector(f"td.week-cell.off[data-day='{sunday}']:has-text('выходной')")
    first = page.locator(f"td.week-cell[data-day='{monday.isoformat()}']").first
    assert "мин" in first.inner_text()
    page.screenshot(path=str(artifacts / "week_view.png"), full_page=True)

    # drag the movable visit to another day and another worker's cell
    chip = page.locator(f".week-visit[data-client='{movable}'][data-day='{placed.isoformat()}']")
    drop = page.locator(f"td.week-cell[data-day='{target.isoformat()}'][data-worker='{worker}']")
    chip.drag_to(drop)
    page.wait_for_selector("#week-message:has-text('Посещение перенесено')")
    page.wait_for_selector(
        f"td.week-cell[data-day='{target.isoformat()}'][data-worker='{worker}'] "
        f".week-visit[data-client='{movable}']"
    )
    with Session(get_engine()) as session:
        plan = session.scalars(
            select(Plan).where(Plan.week_id == week_id, Plan.day == target)
        ).one()
        assert any(
            s.client_id == movable and r.worker_id == worker for r in plan.routes for s in r.stops
        )

    # the keyboard way: a fixed visit (Mon/Wed/Fri food) cannot go to Tuesday
    fixed = zoned_office.client_ids[1]
    chip = page.locator(f".week-visit[data-client='{fixed}'][data-day='{monday.isoformat()}']")
    chip.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#week-move-box:not([hidden])")
    page.select_option("#week-to-day", (monday + timedelta(days=1)).isoformat())
    page.select_option("#week-to-worker", str(worker))
    page.click("#week-move")
    page.wait_for_selector("#week-message.bad:has-text('правило периодичности')")

    # the queue: nobody waiting in this office
    page.click("#week-fits-load")
    page.wait_for_selector("#week-fits li:has-text('В очереди никого нет')")
    # two clients join the queue: one with a draft programme fits, one with none does not
    drafted, bare = _queue_two(zoned_office)
    page.click("#week-fits-load")
    page.wait_for_selector(f"#week-fits li.fit[data-client='{drafted}']:has-text('мин')")
    page.wait_for_selector(
        f"#week-fits li.nofit[data-client='{bare}']:has-text('на эту неделю нет программы')"
    )

    # the clients' queue says the same beside each client, from the newest week not ended
    queue = context.new_page()  # signed in already: the same session's cookie
    queue.goto("/supervisor/?tab=clients")
    queue.wait_for_selector("body[data-ready='1']")
    queue.click("#clients-view-queue")
    queue.wait_for_selector("#cl-queue-week:has-text('по плану недели')")
    queue.wait_for_selector(f"[data-queue-client='{drafted}'] .fit[data-fit]:has-text('мин')")
    queue.wait_for_selector(
        f"[data-queue-client='{bare}'] .nofit[data-fit]:has-text('на эту неделю нет программы')"
    )
    queue.close()

    page.click("#week-approve")
    page.wait_for_selector("#week-message:has-text('Утверждено дней: 7')")
    page.wait_for_selector("#week-table th:has-text('утверждён')")
    with Session(get_engine()) as session:
        statuses = {
            p.status
            for p in session.scalars(select(Plan).where(Plan.week_id == week_id))
            if p.day >= monday
        }
    assert PlanStatus.DRAFT not in statuses
    page.screenshot(path=str(artifacts / "week_view_approved.png"), full_page=True)
    assert not page.errors
