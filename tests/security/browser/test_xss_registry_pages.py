"""Stored XSS on the registry pages: a worker, a login, a service and a device whose names are
HTML that would run script, shown on the administrator's page (users, organisation, audit log)
and the department's registers (services, workers, devices) in real Chromium, with the
Content-Security-Policy enforced and bypassed. Nothing runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from core import accounts
from core.db import get_engine
from core.models import Office, User
from registry.models import Service, Worker
from tests.browser.conftest import PASSWORD, OfficeData, log_in, purge
from tests.security.browser.test_xss_pages import Watch, new_page  # noqa: F401 (the fixture)
from tracking.devices import register_device

HOSTILE = "<img src=x onerror=\"document.body.dataset.xss='{}'\">"


@pytest.fixture
def hostile_registers(office_data: OfficeData) -> Iterator[tuple[OfficeData, str]]:
    """The office with hostile names everywhere the registry pages show them, and an admin."""
    with Session(get_engine()) as session:
        worker = session.get(Worker, office_data.workers[0]["id"])
        assert worker is not None
        worker.full_name = HOSTILE.format("worker")
        worker.skills = [HOSTILE.format("skill")]
        register_device(session, worker=worker, name=HOSTILE.format("device"), platform="osmand")
        session.add(
            Service(
                office_id=office_data.office_id, code="X1", name=HOSTILE.format("service"),
                category=HOSTILE.format("category"), standard_minutes=10,
            )
        )  # fmt: skip
        office = session.get(Office, office_data.office_id)
        assert office is not None
        office.centre = HOSTILE.format("centre")
        login = session.get(User, worker.user_id)
        assert login is not None
        login.full_name = HOSTILE.format("login")
        admin = accounts.create_admin(
            session, username=f"xss-admin-{office_data.office_id}", password=PASSWORD
        )
        admin_id, username = admin.id, admin.username
        session.commit()
    try:
        yield office_data, username
    finally:
        with get_engine().begin() as conn:
            purge(conn, "app_user", "id", [admin_id])


def test_hostile_names_run_nowhere_on_the_registry_pages(
    new_page: Any,  # noqa: F811
    hostile_registers: tuple[OfficeData, str],
) -> None:
    data, admin = hostile_registers
    page = new_page()
    watch = Watch(page)
    log_in(page, admin)
    page.wait_for_url("**/admin/**")
    page.wait_for_selector("body[data-ready='1']")
    for tab, shown in (("org", "#offices tr"), ("users", "#users tr"), ("audit", "#audit tr")):
        page.click(f"[data-tab={tab}]")
        page.locator(shown).first.wait_for()
        watch.assert_clean(f"admin {tab}")
    expect(page.locator("#users")).to_contain_text("<img src=x")

    page.goto(f"/office/?office={data.office_id}&tab=services")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#services tr[data-code='X1']")).to_contain_text("<img src=x")
    page.click("[data-tab=workers]")
    expect(page.locator(f"#workers tr[data-worker-id='{data.workers[0]['id']}']")).to_contain_text(
        "onerror"
    )
    page.locator(
        f"#workers tr[data-worker-id='{data.workers[0]['id']}'] [data-action=edit]"
    ).click()
    page.click("[data-tab=devices]")
    page.select_option("#device-worker", str(data.workers[0]["id"]))
    expect(page.locator("#devices tr[data-device-id]")).to_contain_text("<img src=x")
    watch.assert_clean("registers")
