"""The supervisor's map in a real browser: zones, moves with what-if bars, save, plan, live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import OfficeData, log_in


def open_supervisor(context: Any, username: str) -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    log_in(page, username)
    page.wait_for_url("**/supervisor/**")
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_zones_are_shown_in_russian(context: Any, office_data: OfficeData, artifacts: Path) -> None:
    page = open_supervisor(context, office_data.supervisor)
    page.wait_for_selector(".zone-row")
    assert page.locator(".zone-row").count() == 3
    assert page.locator("[data-tab=zones]").inner_text() == "Зоны обслуживания"
    page.screenshot(path=str(artifacts / "supervisor-zones.png"))
    assert not page.errors
