"""Nobody gets lost, in a real browser: a queued client refused without an end date stays on
the queue, the head of department marks them looked at (the date shows), and a client with a
history is archived from their card, never deleted, and is still found in the archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from core.db import get_engine
from registry.models import Client, ClientStatus
from tests.browser.conftest import PASSWORD, OfficeData
from tests.browser.test_supervisor import open_supervisor


def api_as(server: str, username: str) -> httpx.Client:
    """An API client logged in as the user (not yet opened)."""
    token = httpx.post(
        f"{server}/api/auth/token", data={"username": username, "password": PASSWORD}
    ).json()["access_token"]
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"})


def test_nobody_gets_lost(
    context: Any, office_data: OfficeData, server: str, artifacts: Path
) -> None:
    with api_as(server, office_data.supervisor) as api:
        answer = api.post(
            f"/api/offices/{office_data.office_id}/clients",
            json={
                "full_name": "Ожидающая Очереди Антонина Петровна",
                "address": "Москва, ул. Плеханова, д. 30, кв. 4",
                "location": {"lon": 37.79, "lat": 55.75},
                "status": "queued",
            },
        )
        assert answer.status_code == 201, answer.text
        client_id = answer.json()["id"]
        # deleting a queued client is refused: they have a history, so they are archived
        refused = api.delete(f"/api/clients/{client_id}")
        assert refused.status_code == 409
        assert refused.json()["code"] == "clients.has_history"

    page = open_supervisor(context, office_data.supervisor, "?tab=clients")
    page.click("#clients-view-queue")
    row = page.locator(f"[data-queue-client='{client_id}']")
    expect(row).to_contain_text("в очереди")
    expect(row).to_contain_text("Ещё ни разу не просмотрено")
    # no week is planned in this office: the queue says how to see who fits
    expect(page.locator("#cl-queue-week")).to_contain_text("Нет плана недели")
    page.screenshot(path=str(artifacts / "clients-queue.png"))

    # refused by phone, with no end date: the client stays on the queue
    row.locator("button.link").click()
    expect(page.locator("#cl-name")).to_contain_text("Ожидающая Очереди")
    page.select_option("#cl-new-status", "refused")
    page.fill("#cl-status-reason", "отказ по телефону, перезвонить")
    page.click("#cl-change-status")
    expect(page.locator("#cl-history")).to_contain_text("отказ по телефону")
    page.click("#cl-back")
    row = page.locator(f"[data-queue-client='{client_id}']")
    expect(row).to_contain_text("отказ")
    expect(row).to_contain_text("без даты окончания")
    expect(row).to_contain_text("Ещё ни разу не просмотрено")

    # looked at today: the date and who stay on the row
    row.locator("[data-review]").click()
    expect(row.locator(".seen")).to_contain_text("Просмотрено")
    expect(row.locator(".seen")).to_contain_text(str(date.today().day))
    page.screenshot(path=str(artifacts / "clients-queue-looked-at.png"))
    with Session(get_engine()) as session:
        stored = session.get(Client, client_id)
        assert stored is not None and stored.queue_reviewed_at is not None
        assert stored.status == ClientStatus.REFUSED

    # decided: archived from the card; out of the queue, kept in the archive with its history
    row.locator("button.link").click()
    page.fill("#cl-archive-reason", "переехала в другой округ")
    page.click("#cl-archive")
    expect(page.locator("#cl-name")).to_contain_text("в архиве")
    expect(page.locator("#cl-history")).to_contain_text("переехала в другой округ")
    page.click("#cl-back")
    expect(page.locator("#cl-queue-count")).to_be_visible()
    expect(page.locator(f"[data-queue-client='{client_id}']")).to_have_count(0)
    page.click("#clients-view-list")
    page.check("#cl-archived")
    expect(page.locator(f"#cl-list [data-client='{client_id}']")).to_be_visible()
    page.screenshot(path=str(artifacts / "clients-archive.png"))
    with Session(get_engine()) as session:
        stored = session.get(Client, client_id)
        assert stored is not None and stored.archived_at is not None
    assert page.errors == []
