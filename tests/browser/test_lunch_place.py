"""Where lunch is taken, on the phone's route and the supervisor's timeline, in Russian and
English; a lunch that falls inside a walk is an exception the supervisor sees."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client
from tests.browser.conftest import OfficeData, open_phone
from tests.browser.test_supervisor import open_supervisor


def _route(
    session: Session, plan: Plan, worker_id: int, clients: list[int], lunch: tuple[time, int]
) -> None:
    """Visits at 10:00, 11:00, 13:00 (45 min each, 10-min walks); lunch at `lunch[0]`, stored
    as taken after the visit number `lunch[1]`."""
    tz = ZoneInfo(get_settings().timezone)
    day = plan.day
    at = lambda h, m=0: datetime.combine(day, time(h, m), tz)  # noqa: E731
    b0 = datetime.combine(day, lunch[0], tz)
    route = PlanRoute(
        worker_id=worker_id, start=at(9, 50), end=at(14, 0), break_start=b0,
        break_end=b0 + timedelta(minutes=45), travel_s=4 * 600, lunch_place="stop",
        lunch_after_client_id=clients[lunch[1] - 1],
    )  # fmt: skip
    plan.routes.append(route)
    session.flush()
    for seq, (client_id, hour) in enumerate(zip(clients, (10, 11, 13), strict=True), start=1):
        client = session.get(Client, client_id)
        assert client is not None
        start = at(hour)
        route.stops.append(
            PlanStop(
                plan_id=plan.id, worker_id=worker_id, client_id=client.id, seq=seq,
                arrival=start, start=start, end=start + timedelta(minutes=45), travel_s=600,
                services=[{"code": "A01", "name": "Покупка и доставка продуктов питания",
                           "minutes": 45}],
            )
        )  # fmt: skip
    session.flush()


def _plan(data: OfficeData) -> tuple[str, dict[str, Any]]:
    """Today's approved plan: the first worker eats 12:00-12:45 after visit 2 (at a place);
    the second 12:30-13:15 "after visit 2", which puts the lunch in the walk to the 13:00
    visit."""
    tz = ZoneInfo(get_settings().timezone)
    today = datetime.now(tz).date()
    with Session(get_engine()) as session:
        plan = Plan(office_id=data.office_id, day=today, version=1, status=PlanStatus.APPROVED)
        session.add(plan)
        session.flush()
        first, second = data.client_ids[0::3][:3], data.client_ids[1::3][:3]
        _route(session, plan, data.workers[0]["id"], first, (time(12), 2))
        _route(session, plan, data.workers[1]["id"], second, (time(12, 30), 2))
        names = {c: session.get(Client, c).full_name for c in first + second}  # type: ignore[union-attr]
        session.commit()
    return today.isoformat(), {"first": first, "second": second, "names": names}


def test_lunch_place_on_the_phone_and_the_timeline(
    context: Any, phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    day, made = _plan(office_data)
    names = made["names"]

    # The phone: the lunch stands after visit 2, at that client's.
    page, _ = open_phone(phone, office_data.workers[0]["username"])
    lunch = page.locator("#stops > li.lunch")
    expect(lunch).to_have_count(1)
    expect(lunch).to_have_attribute("data-place", "stop")
    expect(lunch.locator(".time")).to_have_text("12:00–12:45")
    expect(lunch.locator(".where")).to_contain_text("после визита 2")
    expect(lunch.locator(".where")).to_contain_text(names[made["first"][1]])
    order = page.eval_on_selector_all(
        "#stops > li", "els => els.map(e => e.classList.contains('lunch') ? 'L' : 'S')"
    )
    assert order == ["S", "S", "L", "S"], order
    page.screenshot(path=str(artifacts / "phone-lunch.png"), full_page=True)

    # The supervisor's timeline: the lunch says where; the lunch in a walk is an exception.
    sv = open_supervisor(context, office_data.supervisor, f"?tab=plan&day={day}")
    ok = sv.locator(f".tl-row[data-worker-id='{office_data.workers[0]['id']}'] .tl-break")
    expect(ok).to_have_attribute("data-place", "stop")
    expect(ok).to_have_attribute(
        "title", f"Обед 12:00–12:45: у клиента {names[made['first'][1]]}, после визита"
    )
    bad = sv.locator(f".tl-row[data-worker-id='{office_data.workers[1]['id']}'] .tl-break")
    expect(bad).to_have_attribute("data-place", "walk")
    expect(bad).to_have_class("tl-break in-walk")
    exception = sv.locator("#plan-exceptions li[data-code='lunch_in_walk']")
    expect(exception).to_have_count(1)
    expect(exception).to_contain_text(office_data.workers[1]["full_name"])
    expect(exception).to_contain_text("обед 12:30–13:15 приходится на дорогу")
    expect(exception).to_contain_text(names[made["second"][2]])
    expect(sv.locator("#plan-exceptions")).to_be_visible()
    sv.screenshot(path=str(artifacts / "supervisor-lunch-in-walk.png"))

    # The same in English.
    sv.goto(f"/supervisor/?tab=plan&day={day}&lang=en")
    sv.wait_for_selector("body[data-ready='1']")
    expect(sv.locator("#plan-exceptions li[data-code='lunch_in_walk']")).to_contain_text(
        "the lunch 12:30–13:15 falls on the way from"
    )
    expect(
        sv.locator(f".tl-row[data-worker-id='{office_data.workers[0]['id']}'] .tl-break")
    ).to_have_attribute(
        "title", f"Lunch 12:00–12:45: at {names[made['first'][1]]}'s, after the visit"
    )
    page.goto("/m/?lang=en")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#stops > li.lunch .where")).to_contain_text("after visit 2, at")
    assert not sv.errors
