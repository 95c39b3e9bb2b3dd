"""Moving a visit without a mouse drag: picked by keyboard (Enter) or by a tap on a touch
screen, its new worker and place chosen from lists that name every worker. The move makes a
draft, the page says the change is not approved yet, and reopening the tab shows that draft.
A visit the worker's phone has begun is not moved: the page says why, in Russian."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import User
from planner import moves, plans
from planner.models import PlanStop
from planner.problem import SolveParams
from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import next_working_day, open_supervisor
from tracking.models import Visit


def _approved_plan(data: OfficeData) -> tuple[str, int, int, int]:
    """The office's next working day planned and approved; a move the rules allow, as
    (day, stop id, to worker id, position)."""
    day = next_working_day()
    with Session(get_engine()) as session:
        user = session.scalars(select(User).where(User.username == data.supervisor)).one()
        plan = plans.plan_day(
            session,
            office_id=data.office_id,
            day=date.fromisoformat(day),
            user_id=user.id,
            params=SolveParams(time_limit_s=2.0, workers=1),
        )
        plans.approve(session, plan_id=plan.id, user=user)
        routes = [r for r in plan.routes if r.stops]
        for route in routes:
            for stop in route.stops:
                for target in routes:
                    if target.worker_id == route.worker_id:
                        continue
                    for position in range(len(target.stops) + 1):
                        try:
                            moves.move_visit(
                                session,
                                plan_id=plan.id,
                                user=user,
                                stop_id=stop.id,
                                to_worker_id=target.worker_id,
                                position=position,
                                dry_run=True,
                            )
                        except plans.PlanRuleError:
                            continue
                        session.commit()
                        return day, stop.id, target.worker_id, position
    pytest.fail("no move fits the planned day")


def _moved(page: Any, worker_id: int, position: int, artifacts: Path, name: str) -> None:
    """After the move: the draft's message, the visit in its new row, the draft kept on reload."""
    message = page.locator("#plan-message")
    expect(message).to_contain_text("перенесено в черновике (версия 2)", timeout=30_000)
    expect(message).to_contain_text("ещё не утверждено")
    note = page.locator("#plan-draft-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Работники видят утверждённую версию 1")
    row = f".tl-row[data-worker-id='{worker_id}'] .tl-visit"
    moved_names = page.locator(row).nth(position).inner_text()
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#plan-draft-note")).to_contain_text("черновик (версия 2)")
    expect(page.locator(row).nth(position)).to_have_text(moved_names)
    assert not page.errors


def test_a_visit_moved_with_the_keyboard_alone(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    day, stop_id, worker_id, position = _approved_plan(zoned_office)
    page = open_supervisor(context, zoned_office.supervisor, f"?tab=plan&day={day}")
    visit = page.locator(f".tl-visit[data-stop-id='{stop_id}']")
    expect(visit).to_have_attribute("role", "button")
    visit.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#plan-move")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Перенос посещения")
    # every worker of the office is offered, not only the rows the timeline has room for
    assert page.locator("#plan-move-worker option").count() == len(zoned_office.workers)
    expect(page.locator("#plan-move-worker")).to_be_focused()
    page.locator("#plan-move-worker").select_option(str(worker_id))
    page.locator("#plan-move-position").select_option(str(position))
    page.locator("#plan-move-go").focus()
    page.keyboard.press("Enter")
    _moved(page, worker_id, position, artifacts, "plan-move-keyboard")


def test_escape_leaves_the_plan_as_it_was(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    day, stop_id, _, _ = _approved_plan(zoned_office)
    page = open_supervisor(context, zoned_office.supervisor, f"?tab=plan&day={day}")
    page.locator(f".tl-visit[data-stop-id='{stop_id}']").focus()
    page.keyboard.press("Space")
    expect(page.locator("#plan-move")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#plan-move")).to_be_hidden()
    expect(page.locator(f".tl-visit[data-stop-id='{stop_id}']")).to_be_focused()
    expect(page.locator("#plan-draft-note")).to_be_hidden()  # the approved plan is shown
    assert not page.errors


def test_a_visit_moved_on_a_touch_screen(
    browser: Any, server: str, zoned_office: OfficeData, artifacts: Path
) -> None:
    day, stop_id, worker_id, position = _approved_plan(zoned_office)
    tablet = browser.new_context(
        base_url=server, locale="ru-RU", timezone_id="Europe/Moscow",
        viewport={"width": 1024, "height": 768}, has_touch=True, is_mobile=True,
        bypass_csp=True,
    )  # fmt: skip
    tablet.set_default_timeout(10_000)
    try:
        page = open_supervisor(tablet, zoned_office.supervisor, f"?tab=plan&day={day}")
        page.locator(f".tl-visit[data-stop-id='{stop_id}']").tap()
        expect(page.locator("#plan-move")).to_be_visible()
        page.locator("#plan-move-worker").select_option(str(worker_id))
        page.locator("#plan-move-position").select_option(str(position))
        page.locator("#plan-move-go").tap()
        _moved(page, worker_id, position, artifacts, "plan-move-touch")
    finally:
        tablet.close()


def test_a_visit_begun_on_the_phone_is_not_moved(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    """The worker has checked in: the move is refused in Russian and no draft is made."""
    day, stop_id, worker_id, position = _approved_plan(zoned_office)
    with Session(get_engine()) as session:
        stop = session.get(PlanStop, stop_id)
        assert stop is not None
        begun = Visit(office_id=zoned_office.office_id, worker_id=stop.worker_id,
                      client_id=stop.client_id, day=date.fromisoformat(day),
                      status="in_progress", tapped_arrival=stop.start, services=[], minutes=0,
                      confirmed=False, reason="", flags=[])  # fmt: skip
        session.add(begun)
        session.commit()
        begun_id = begun.id
    try:
        page = open_supervisor(context, zoned_office.supervisor, f"?tab=plan&day={day}")
        page.locator(f".tl-visit[data-stop-id='{stop_id}']").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#plan-move")).to_be_visible()
        page.locator("#plan-move-worker").select_option(str(worker_id))
        page.locator("#plan-move-position").select_option(str(position))
        page.locator("#plan-move-go").click()
        message = page.locator("#plan-message")
        expect(message).to_contain_text(
            "Прибытие к получателю уже отмечено: начатое посещение не переносится",
            timeout=30_000,
        )
        page.screenshot(path=str(artifacts / "plan-move-begun.png"))
        expect(page.locator("#plan-draft-note")).to_be_hidden()  # nothing was stored
        assert not page.errors
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(Visit).where(Visit.id == begun_id))
            session.commit()
