"""The plan tab on a public holiday in real Chromium: the page names the holiday and says
nobody is on duty (in Russian, and in English), the day planned through the page keeps every
visit unplanned with the holiday as the reason (named in the page's language), and a Saturday
worked by decree says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import open_supervisor

NEW_YEAR = "2027-01-01"
MOVED_SATURDAY = "2027-02-20"


def _again(context: Any, query: str) -> Any:
    """Another page of the logged-in supervisor."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(f"/supervisor/{query}")
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_plan_tab_on_a_holiday(
    context: Any, office_data: OfficeData, planning_worker: None, artifacts: Path, monkeypatch: Any
) -> None:
    from core.settings import get_settings

    monkeypatch.setattr(get_settings(), "plan_time_limit_s", 1.0)
    page = open_supervisor(context, office_data.supervisor, f"?tab=plan&day={NEW_YEAR}")
    note = page.locator("#plan-day-kind")
    expect(note).to_be_visible()
    expect(note).to_contain_text("праздничный нерабочий день: Новогодние каникулы")
    expect(note).to_contain_text("Дежурных нет")

    page.click("#plan-start")
    page.wait_for_selector("#plan-message:has-text('План составлен')", timeout=90_000)
    rows = page.locator("#plan-unplanned li.unplanned")
    expect(rows).to_have_count(len(office_data.client_ids))
    expect(rows.first).to_contain_text(
        "Праздничный нерабочий день (Новогодние каникулы), дежурных нет"
    )
    expect(page.locator(".tl-row")).to_have_count(0)
    page.screenshot(path=str(artifacts / "plan-holiday.png"), full_page=True)
    assert not page.errors

    english = _again(context, f"?tab=plan&day={NEW_YEAR}&lang=en")
    expect(english.locator("#plan-day-kind")).to_contain_text("public holiday: New Year Holidays")
    english_rows = english.locator("#plan-unplanned li.unplanned")
    expect(english_rows).to_have_count(len(office_data.client_ids))
    expect(english_rows.first).to_contain_text("Public holiday (New Year Holidays), nobody on duty")
    expect(english_rows.first).not_to_contain_text("Новогодние")
    english.screenshot(path=str(artifacts / "plan-holiday-en.png"), full_page=True)
    assert not english.errors

    query = f"?tab=plan&day={MOVED_SATURDAY}&lang=ru"
    moved = _again(context, query)
    expect(moved.locator("#plan-day-kind")).to_contain_text("рабочий день, перенесённый")
    assert not moved.errors
