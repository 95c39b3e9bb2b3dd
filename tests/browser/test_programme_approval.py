"""A care programme's approval in a real browser: the head of department changes a client's
programme in the editor (the recurrence chosen in words); the change is saved as a draft and is
not planned (the approved version still is); after approval it is planned, the old version
closes the day before, and the printable programme says who approved it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from planner.build import due_visits
from registry.models import CarePlan, CarePlanStatus
from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import open_supervisor


def _planned(office_id: int, client_id: int, day: date) -> bool:
    """Whether the planner finds a visit due for the client on the day (what it plans from)."""
    with Session(get_engine()) as session:
        due = due_visits(session, office_id=office_id, start=day, end=day)
        return client_id in {client.id for client, _ in due}


def test_an_unapproved_change_is_not_planned_and_after_approval_it_is(
    context: Any, office_data: OfficeData, artifacts: Path
) -> None:
    office_id, client_id = office_data.office_id, office_data.client_ids[0]
    monday = date.today() + timedelta(days=7 - date.today().weekday())  # the next Monday
    saturday = monday + timedelta(days=5)
    # in force: A01 on Mon, Wed, Fri and B02 on Tue, Thu
    assert _planned(office_id, client_id, monday)
    assert not _planned(office_id, client_id, saturday)

    page = open_supervisor(context, office_data.supervisor)
    page.goto(f"/supervisor/programme?client={client_id}")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#prog-versions")).to_contain_text("утверждена")
    expect(page.locator("#prog-approve")).to_be_hidden()
    expect(page.locator("#prog-words-0")).to_contain_text("пн")

    # the change: from next Monday, only B02, on Saturdays
    page.fill("#prog-from", monday.isoformat())
    page.locator(".prog-line[data-line='0'] button.danger").click()
    line = page.locator(".prog-line[data-line='0']")
    line.locator(".prog-kind").select_option("weekdays")
    for day in (2, 4):
        line.locator(f"input[data-day='{day}']").uncheck()
    line.locator("input[data-day='6']").check()
    expect(page.locator("#prog-words-0")).to_contain_text("сб")
    page.screenshot(path=str(artifacts / "programme-editor.png"))
    page.click("#prog-save")
    expect(page.locator("#prog-saved")).to_contain_text("черновик версии 2")
    expect(page.locator("#prog-draft-note")).to_be_visible()
    expect(page.locator("#prog-approve")).to_be_visible()
    page.screenshot(path=str(artifacts / "programme-draft.png"))

    # not approved: never planned; the approved version still is
    assert _planned(office_id, client_id, monday)
    assert not _planned(office_id, client_id, saturday)

    page.click("#prog-approve")
    expect(page.locator("#prog-saved")).to_contain_text("утверждена")
    expect(page.locator("#prog-versions li").first).to_contain_text("утверждена")
    expect(page.locator("#prog-versions")).to_contain_text("закрыта")
    page.screenshot(path=str(artifacts / "programme-approved.png"))
    assert not _planned(office_id, client_id, monday)
    assert _planned(office_id, client_id, saturday)
    with Session(get_engine()) as session:
        versions = session.scalars(
            select(CarePlan).where(CarePlan.client_id == client_id).order_by(CarePlan.version)
        ).all()
        assert [(v.version, v.status) for v in versions] == [
            (1, CarePlanStatus.CLOSED),
            (2, CarePlanStatus.APPROVED),
        ]
        assert versions[0].valid_to == monday - timedelta(days=1)
        new_id = versions[1].id

    # the printable programme: the client, the services in words, minutes, who approved it
    page.goto(f"/supervisor/programme?client={client_id}&plan={new_id}&print=1")
    page.wait_for_selector("body[data-ready='1']")
    document = page.locator("#prog-document")
    expect(document).to_contain_text("Аксёнова Вера Николаевна")
    expect(document.locator("tbody tr")).to_have_count(1)
    expect(document.locator("tbody")).to_contain_text("B02")
    expect(document.locator("tbody")).to_contain_text("сб")
    expect(document.locator("tbody")).to_contain_text("20")
    expect(page.locator("#prog-stamp")).to_contain_text("Утверждена: Тестовый Пользователь")
    page.emulate_media(media="print")
    expect(page.locator("#prog-do-print")).to_be_hidden()
    page.screenshot(path=str(artifacts / "programme-print.png"), full_page=True)
    assert page.errors == []
