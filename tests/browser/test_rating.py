"""Client ratings in a real browser: the client rates the visit on the worker's phone at
check-out (queued offline, sent once the network is back, stored once), the head of department
records a second rating taken by telephone, and both appear in the feedback report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from tests.browser.conftest import OfficeData, approved_route, log_in, open_phone


def _feedback_row(page: Any, worker_name: str) -> dict[str, str]:
    rows = page.eval_on_selector_all(
        "#table tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    heads = next(r for r in rows if "Средняя оценка" in r)  # the column names row
    row = next(r for r in rows if worker_name in r)
    return dict(zip(heads, row, strict=False))


def test_rating_on_the_phone_reaches_the_feedback_report(
    phone: Any, context: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    worker = office_data.workers[0]
    mobile, errors = open_phone(phone, worker["username"])
    card = mobile.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    card.wait_for()
    with mobile.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        card.locator("[data-action='phone.arrived']").click()

    # offline at check-out: the rating waits in the outbox with the visit's events
    phone.set_offline(True)
    mobile.wait_for_selector("#sync-state:has-text('Нет сети')")
    card = mobile.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    card.locator(".rating .star[data-rating='4']").click()
    assert card.locator(".rating .star.active").count() == 4
    card.locator(".rating-comment").fill("Вежливая, всё купила")
    mobile.screenshot(path=str(artifacts / "rating-1-phone.png"), full_page=True)
    card.locator("[data-action='phone.finish']").click()
    # services, departed and the rating wait (a position fix may wait with them)
    mobile.wait_for_function("Number(document.querySelector('#sync-state').dataset.queued) >= 3")
    phone.set_offline(False)
    mobile.wait_for_selector("#sync-state:has-text('Все данные отправлены')", timeout=15_000)
    with get_engine().connect() as conn:
        stored = conn.execute(
            text(
                "SELECT rating, comment, source, visit_id IS NOT NULL FROM client_feedback "
                "WHERE worker_id = :w"
            ),
            {"w": worker["id"]},
        ).all()
    assert [tuple(r) for r in stored] == [(4, "Вежливая, всё купила", "phone", True)]

    # the head records a rating the client gave by telephone, from the review tab
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, office_data.supervisor)
    page.wait_for_url("**/supervisor/**")
    page.goto(f"/supervisor/?office={office_data.office_id}&tab=review")
    page.wait_for_selector("#panel-review[data-loaded='1']")
    row = page.locator("tr.review-row").first
    row.wait_for()
    assert "4 · Вежливая, всё купила" in row.inner_text()
    row.locator("[data-action='rate']").click()
    form = page.locator("tr.review-editor form")
    form.locator("select[name=rating]").select_option("2")
    form.locator("input[name=comment]").fill("Звонила: пришла позже, чем обещала")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("tr.review-row:has-text('Звонила')")
    page.screenshot(path=str(artifacts / "rating-2-by-telephone.png"), full_page=True)

    # both in the feedback report
    page.goto("/reports/")
    page.wait_for_selector("#table tr")
    page.click("#tabs button:has-text('Оценки клиентов')")
    page.wait_for_selector("#table th:has-text('Средняя оценка')")  # the feedback table is in
    page.wait_for_selector(f"#table tr:has-text('{worker['full_name']}')")
    row_values = _feedback_row(page, worker["full_name"])
    assert row_values["Оценок"] == "2"
    assert row_values["Средняя оценка"] in ("3", "3,0", "3.0")
    assert row_values["Оценок 1–2"] == "1"
    assert row_values["Последний отзыв"] == "Звонила: пришла позже, чем обещала"
    page.screenshot(path=str(artifacts / "rating-3-feedback-report.png"), full_page=True)
    assert not errors
