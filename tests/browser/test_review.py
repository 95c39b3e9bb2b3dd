"""The head of department's review in a real browser: yesterday's visits of a worker with their
flags; one rejected, one corrected, the rest accepted; the worker confirms the monthly report on
the phone, the head signs it; the rejected visit is in neither the worker's report nor the
timing report, and the corrected one shows both figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from registry.models import Client
from tests.browser.conftest import OfficeData, log_in, open_phone
from tracking.models import Visit

TZ = ZoneInfo(get_settings().timezone)
SERVICES = [{"code": "A01", "minutes": 30}, {"code": "B02", "minutes": 20}]


@pytest.fixture
def yesterday_visits(office_data: OfficeData) -> Iterator[dict[str, Any]]:
    """Three finished visits of the first worker yesterday: a fine one, one of 90 minutes
    (standard 50), one with taps 9 km from the address."""
    day = datetime.now(TZ).date() - timedelta(days=1)
    worker_id = office_data.workers[0]["id"]
    made: dict[str, Any] = {"day": day}
    with Session(get_engine()) as session:
        spans = {"fine": (10, 0, 45), "long": (11, 0, 90), "far": (13, 0, 40)}
        for n, (name, (hour, minute, length)) in enumerate(spans.items()):
            client = session.get(Client, office_data.client_ids[3 * n])
            assert client is not None
            start = datetime.combine(day, time(hour, minute), TZ)
            end = start + timedelta(minutes=length)
            far = name == "far"
            visit = Visit(
                office_id=office_data.office_id, worker_id=worker_id, client_id=client.id,
                day=day, status="done", planned_start=start, tapped_arrival=start,
                tapped_departure=end, arrived_at=start, departed_at=end,
                arrival_source="tapped", departure_source="tapped", services=SERVICES,
                minutes=50, confirmed=True, reason="",
                flags=["geofence", "unverified"] if far else [],
                max_distance_m=9000.0 if far else 20.0,
            )  # fmt: skip
            session.add(visit)
            session.flush()
            made[name] = {"id": visit.id, "client": client.full_name}
        session.commit()
    yield made


def _cell(page: Any, row_text: str, header: str) -> str:
    """The reports table's cell in the row holding `row_text`, under the column `header`."""
    rows = page.eval_on_selector_all(
        "#table tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    heads = rows[0]
    row = next(r for r in rows[1:] if row_text in r)
    return str(row[heads.index(header)])


def _month_option(day: date) -> str:
    return f"{day:%Y-%m}"


def test_rejected_visit_leaves_the_report_and_the_timing(
    office_data: OfficeData,
    yesterday_visits: dict[str, Any],
    context: Any,
    phone: Any,
    artifacts: Path,
) -> None:
    day: date = yesterday_visits["day"]
    fine, long_, far = (yesterday_visits[k] for k in ("fine", "long", "far"))
    worker = office_data.workers[0]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, office_data.supervisor)
    page.wait_for_url("**/supervisor/**")
    page.goto(f"/supervisor/?office={office_data.office_id}&day={day}&tab=review")
    page.wait_for_selector("#panel-review[data-loaded='1']")
    page.select_option("#review-worker", str(worker["id"]))
    page.wait_for_selector("#review-month:not([hidden])")
    row = page.locator(f"tr[data-visit-id='{far['id']}']")
    assert "отметки далеко от адреса" in row.inner_text()
    assert "намного дольше норматива" in page.inner_text(f"tr[data-visit-id='{long_['id']}']")
    page.screenshot(path=str(artifacts / "review-1-flags.png"), full_page=True)

    # reject the far-away visit, with a reason (the form refuses to go without one)
    row.locator("[data-action='reject']").click()
    form = page.locator("tr.review-editor form")
    form.locator("input[name=reason]").fill("Отметки за 9 км от адреса, клиент визит не подтвердил")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr[data-visit-id='{far['id']}'][data-review='rejected']")

    # correct the long one to 50 minutes; both figures stay on screen
    page.locator(f"tr[data-visit-id='{long_['id']}'] [data-action='correct']").click()
    form = page.locator("tr.review-editor form")
    form.locator("input[name=minutes]").fill("50")
    form.locator("input[name=reason]").fill("Ушла в 11:50 по словам клиента")
    form.locator("button[type=submit]").click()
    corrected = page.locator(f"tr[data-visit-id='{long_['id']}'][data-review='corrected']")
    corrected.wait_for()
    assert corrected.locator("s").first.inner_text() == "90"
    assert corrected.locator("strong.corrected").first.inner_text() == "50"

    # the rest: accepted in one go
    page.click("#review-accept-clean")
    page.wait_for_selector(f"tr[data-visit-id='{fine['id']}'][data-review='accepted']")
    page.screenshot(path=str(artifacts / "review-2-decided.png"), full_page=True)

    # the worker confirms the monthly report on the phone: the rejected visit is not in it
    mobile, _ = open_phone(phone, worker["username"])
    mobile.click("#month-open")
    mobile.select_option("#month-pick", _month_option(day))
    mobile.wait_for_selector("#month-body[data-state='draft'] .month-lines")
    lines = mobile.inner_text("#month-body .month-lines")
    assert fine["client"] in lines and long_["client"] in lines
    assert far["client"] not in lines
    mobile.fill("#month-comment", "Всё верно")
    mobile.click("#month-complete")
    mobile.wait_for_selector("#month-body[data-state='completed']", state="attached")
    mobile.screenshot(path=str(artifacts / "review-3-worker-confirms.png"), full_page=True)

    # the head signs it off
    page.reload()
    page.wait_for_selector("#panel-review[data-loaded='1']")
    page.select_option("#review-worker", str(worker["id"]))
    page.wait_for_selector("#review-month[data-state='completed']")
    page.fill("#review-month-comment", "Проверено")
    page.click("#review-month-sign")
    page.wait_for_selector("#review-month[data-state='signed']")
    lines = page.inner_text("#review-month-lines")
    assert far["client"] not in lines and long_["client"] in lines
    page.screenshot(path=str(artifacts / "review-4-signed.png"), full_page=True)

    # the timing report: two visits done, the rejected one counted nowhere, named as rejected
    page.goto("/reports/")
    page.wait_for_selector("#table tr")
    page.click("#tabs button:has-text('Хронометраж')")
    page.select_option("#period", "custom")
    page.fill("#start", day.isoformat())
    page.fill("#end", day.isoformat())
    page.select_option("#office", str(office_data.office_id))
    page.click("#filters button[type=submit]")
    page.wait_for_selector(f"#status:has-text('{day:%d.%m.%Y}')")
    page.wait_for_selector(f"#table tr.rp-link:has-text('{worker['full_name']}')")
    assert _cell(page, worker["full_name"], "Посещений выполнено") == "2"
    assert _cell(page, worker["full_name"], "Отклонено заведующим (не учтено)") == "1"
    assert _cell(page, worker["full_name"], "Исправлено заведующим") == "1"
    page.screenshot(path=str(artifacts / "review-5-timing.png"), full_page=True)
    assert not errors
