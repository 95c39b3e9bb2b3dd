"""A worker goes home sick at 11:00: the supervisor records it on the day's events tab,
re-plans the rest of the day, reads what changes for whom, approves; the visits already done
stay, the rest go to the others, and a colleague's phone shows the new visit without a reload.
The re-plan runs on a real planning job worker."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client, Worker, WorkerShift
from tests.browser.conftest import OfficeData, log_in
from tests.browser.test_supervisor import open_supervisor
from tracking.models import Visit

SERVICES = [
    {"code": "A01", "name": "Покупка и доставка продуктов питания", "minutes": 30, "skill": None}
]
# each worker's visits (local start times); the first worker's two morning visits are done
STARTS = [["09:20", "10:20", "11:40", "13:10"], ["09:30", "10:30"], ["09:30", "10:30"]]


def _at(day: Any, hhmm: str, tz: ZoneInfo) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tz)


def approved_day(session: Session, data: OfficeData) -> dict[str, Any]:
    """Today's approved plan for the three workers (every weekday a working day for them);
    the first worker's first two visits are done. Returns client ids per worker."""
    tz = ZoneInfo(get_settings().timezone)
    today = datetime.now(tz).date()
    for row in data.workers:
        worker = session.get_one(Worker, row["id"])
        have = {s.weekday for s in worker.shifts}
        for weekday in set(range(1, 8)) - have:
            worker.shifts.append(
                WorkerShift(weekday=weekday, start=time(8), end=time(17), lunch_from=time(12),
                            lunch_to=time(14), lunch_minutes=45)
            )  # fmt: skip
    plan = Plan(office_id=data.office_id, day=today, version=1, status=PlanStatus.APPROVED)
    session.add(plan)
    session.flush()
    clients: dict[int, list[int]] = {}
    for index, starts in enumerate(STARTS):
        worker_id = data.workers[index]["id"]
        route = PlanRoute(
            plan_id=plan.id, worker_id=worker_id, start=_at(today, "09:00", tz),
            end=_at(today, "14:00", tz),
        )  # fmt: skip
        plan.routes.append(route)
        ids = data.client_ids[index::3][: len(starts)]
        clients[worker_id] = ids
        for seq, (client_id, hhmm) in enumerate(zip(ids, starts, strict=True), start=1):
            start = _at(today, hhmm, tz)
            route.stops.append(
                PlanStop(
                    plan_id=plan.id, worker_id=worker_id, client_id=client_id, seq=seq,
                    arrival=start, start=start, end=start + timedelta(minutes=30), travel_s=600,
                    services=SERVICES,
                )
            )  # fmt: skip
    session.flush()
    sick = data.workers[0]["id"]
    for stop in plan.routes[0].stops[:2]:
        session.add(
            Visit(
                office_id=data.office_id, worker_id=sick, client_id=stop.client_id, day=today,
                plan_stop_id=stop.id, planned_start=stop.start, planned_end=stop.end,
                status="done", arrived_at=stop.start, departed_at=stop.end, services=SERVICES,
                minutes=30, confirmed=True,
            )
        )  # fmt: skip
    session.flush()
    return {"plan_id": plan.id, "clients": clients, "day": today}


def _names(ids: list[int]) -> dict[int, str]:
    with Session(get_engine()) as session:
        rows = session.execute(select(Client.id, Client.full_name).where(Client.id.in_(ids)))
        return {client_id: name for client_id, name in rows}


def _draft_routes(office_id: int, day: Any) -> dict[int, list[int]]:
    with Session(get_engine()) as session:
        plan = session.scalars(
            select(Plan).where(Plan.office_id == office_id, Plan.day == day, Plan.version == 2)
        ).one()
        return {r.worker_id: [s.client_id for s in r.stops] for r in plan.routes}


def test_a_worker_off_sick_at_eleven(
    context: Any,
    phone: Any,
    zoned_office: OfficeData,
    planning_worker: None,
    artifacts: Path,
) -> None:
    with Session(get_engine()) as session:
        setup = approved_day(session, zoned_office)
        session.commit()
    sick = zoned_office.workers[0]
    done, rest = setup["clients"][sick["id"]][:2], setup["clients"][sick["id"]][2:]
    names = _names(done + rest)

    page = open_supervisor(context, zoned_office.supervisor, "?tab=events")
    page.wait_for_selector("#events-base:has-text('версия 1')")
    page.fill("#events-now", "11:00")
    page.select_option("#event-kind", "sick")
    page.select_option("#event-worker", str(sick["id"]))
    page.click("#event-add")
    page.wait_for_selector("#events-list li[data-kind=sick]:has-text('уходит домой с 11:00')")
    page.screenshot(path=str(artifacts / "midday-1-event-recorded.png"))

    page.click("#events-replan")
    preview = page.locator("#events-preview")
    preview.wait_for(state="visible", timeout=60_000)
    off = page.locator(f".change-worker[data-worker-id='{sick['id']}']")
    off.locator(".badge:has-text('уходит домой')").wait_for()
    removed = {int(x) for x in off.locator("li.change.removed").evaluate_all(
        "items => items.map((li) => li.dataset.clientId)")}  # fmt: skip
    assert removed == set(rest)  # the finished visits are not taken away
    page.screenshot(path=str(artifacts / "midday-2-preview.png"))

    routes = _draft_routes(zoned_office.office_id, setup["day"])
    assert routes[sick["id"]] == done  # the sick worker keeps what was done, nothing more
    taker = next(w for w in zoned_office.workers[1:] if set(routes.get(w["id"], [])) & set(rest))
    moved = next(c for c in routes[taker["id"]] if c in rest)
    added = page.locator(
        f".change-worker[data-worker-id='{taker['id']}'] li.change.added[data-client-id='{moved}']"
    )
    added.wait_for()
    assert names[moved] in added.inner_text()
    for client_id in rest:  # each remaining visit went to a colleague or is listed with why
        if not any(client_id in routes.get(w["id"], []) for w in zoned_office.workers[1:]):
            page.locator(f"#events-unplanned li[data-client-id='{client_id}'] .reason").wait_for()

    mobile = phone.new_page()
    log_in(mobile, taker["username"])
    mobile.wait_for_url("**/m/")
    mobile.wait_for_selector("body[data-ready='1'][data-listening='1']")
    mobile.locator("li.stop").first.wait_for()
    assert mobile.locator(f"li.stop:has-text('{names[moved]}')").count() == 0

    page.click("#events-approve")
    page.wait_for_selector("#events-message.good:has-text('Версия 2 утверждена')")
    page.screenshot(path=str(artifacts / "midday-3-approved.png"))
    mobile.wait_for_selector(f"li.stop:has-text('{names[moved]}')", timeout=15_000)
    mobile.wait_for_selector("#plan-changed:not([hidden])")
    mobile.screenshot(path=str(artifacts / "midday-4-phone-new-visit.png"))

    with Session(get_engine()) as session:
        plans = {
            p.version: p.status
            for p in session.scalars(
                select(Plan).where(
                    Plan.office_id == zoned_office.office_id, Plan.day == setup["day"]
                )
            )
        }
    assert plans == {1: PlanStatus.SUPERSEDED, 2: PlanStatus.APPROVED}
    assert not page.errors


def test_a_closed_door_the_phone_reported_is_offered_as_an_event(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        setup = approved_day(session, zoned_office)
        worker_id = zoned_office.workers[1]["id"]
        client_id = setup["clients"][worker_id][1]
        session.add(
            Visit(
                office_id=zoned_office.office_id, worker_id=worker_id, client_id=client_id,
                day=setup["day"], status="no_show", services=[], reason="никого нет дома",
            )
        )  # fmt: skip
        session.commit()
    name = _names([client_id])[client_id]

    page = open_supervisor(context, zoned_office.supervisor, "?tab=events")
    offered = page.locator(f"#events-reported li[data-client-id='{client_id}']")
    offered.wait_for()
    assert name in offered.inner_text()
    assert page.locator("#events-replan").is_disabled()
    offered.locator("button").click()
    page.wait_for_selector(f"#events-list li[data-kind=no_access]:has-text('{name}')")
    offered.wait_for(state="detached")  # recorded once, no longer offered
    assert page.locator("#events-replan").is_enabled()
    page.screenshot(path=str(artifacts / "midday-closed-door-offered.png"))
    assert not page.errors
