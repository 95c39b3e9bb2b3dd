"""The devices tab in a real browser: the head of department issues a token for a worker's
GPS app (shown once; only its hash is stored), the app reports with it and the tab shows the
last contact, an identifier is bound, and a revoked device is refused. Also the catalogue and
a worker's absence on the same page, and a worker kept out of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import AuditEntry
from core.security import hash_device_token
from registry.models import Service, WorkerAbsence
from tests.browser import admin_setup  # noqa: F401 (longer timeouts for these pages)
from tests.browser.admin_setup import logged_in, open_page
from tests.browser.conftest import NEIGHBOURHOODS, OfficeData
from tracking.models import Device


def test_issue_bind_and_revoke_a_device(
    context: Any, office_data: OfficeData, server: str, artifacts: Path
) -> None:
    logged_in(context, office_data.supervisor, "supervisor")
    page = open_page(context, f"/office/?office={office_data.office_id}&tab=devices")
    worker = office_data.workers[1]
    page.select_option("#device-worker", str(worker["id"]))
    expect(page.locator("#devices")).to_contain_text("Устройств нет")
    page.fill("#device-form [name=name]", "телефон Samsung")
    page.select_option("#device-form [name=platform]", "osmand")
    page.click("#device-issue")
    expect(page.locator("#token-box")).to_be_visible()
    token = page.inner_text("#device-token").strip()
    assert len(token) >= 20
    expect(page.locator("#device-howto")).to_contain_text("/api/gps/osmand")
    row = page.locator("#devices tr[data-device-id]")
    expect(row).to_have_count(1)
    expect(row.locator(".last-contact")).to_have_text("ещё не было")
    page.screenshot(path=str(artifacts / "devices-token-shown-once.png"))
    device_id = int(row.get_attribute("data-device-id") or 0)
    with Session(get_engine()) as session:
        device = session.get(Device, device_id)
        assert device is not None and device.worker_id == worker["id"]
        assert device.token_hash == hash_device_token(token) and token not in device.token_hash

    # the token is not shown again once hidden, nor after a reload
    page.click("#token-hide")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#device-worker", str(worker["id"]))
    expect(page.locator(f"#devices tr[data-device-id='{device_id}']")).to_be_visible()
    assert token not in page.content()

    # Traccar Client reports with the token; the tab shows the contact
    lon, lat = NEIGHBOURHOODS[1]
    fix = {"id": token, "lat": lat, "lon": lon, "accuracy": 8}
    assert httpx.get(f"{server}/api/gps/osmand", params=fix).status_code == 200
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#device-worker", str(worker["id"]))
    row = page.locator(f"#devices tr[data-device-id='{device_id}']")
    expect(row.locator(".last-contact")).not_to_have_text("ещё не было")

    # bind the identifier the app sends
    row.locator("input[name=external_id]").fill("traccar-5512")
    with page.expect_response(lambda r: r.url.endswith(f"/api/devices/{device_id}")) as bound:
        row.locator("[data-action=bind]").click()
    assert bound.value.status == 200, bound.value.text()
    # the session commits as the answer goes out: read it back as the page does, afresh
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("#device-worker", str(worker["id"]))
    expect(page.locator(f"#devices tr[data-device-id='{device_id}'] input")).to_have_value(
        "traccar-5512"
    )
    with Session(get_engine()) as session:
        assert session.get(Device, device_id).external_id == "traccar-5512"  # type: ignore[union-attr]

    # revoked: the app is refused from now on
    page.locator(f"#devices tr[data-device-id='{device_id}'] [data-action=revoke]").click()
    row = page.locator(f"#devices tr[data-device-id='{device_id}']")
    expect(row.locator(".state")).to_have_text("отозван")
    page.screenshot(path=str(artifacts / "devices-revoked.png"))
    assert httpx.get(f"{server}/api/gps/osmand", params=fix).status_code == 403
    with Session(get_engine()) as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "device", AuditEntry.entity_id == str(device_id))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["create", "update", "revoke"]
    assert not page.errors


def test_catalogue_and_absence_on_the_registers_page(
    context: Any, office_data: OfficeData, artifacts: Path
) -> None:
    logged_in(context, office_data.supervisor, "supervisor")
    page = open_page(context, f"/office/?office={office_data.office_id}&tab=services")
    expect(page.locator("#services tr[data-code='A01']")).to_be_visible()
    # a bad standard time is refused and its field marked; nothing is stored
    form = page.locator("#service-form")
    form.locator("[name=code]").fill("C03")
    form.locator("[name=name]").fill("Уборка жилого помещения")
    form.locator("[name=standard_minutes]").fill("900")
    form.locator("button[type=submit]").click()
    expect(page.locator("#service-msg")).to_contain_text("Проверьте введённые данные")
    expect(form.locator("[name=standard_minutes]")).to_have_attribute("aria-invalid", "true")
    form.locator("[name=standard_minutes]").fill("45")
    form.locator("[name=required_skill]").fill("bedridden")
    form.locator("button[type=submit]").click()
    row = page.locator("#services tr[data-code='C03']")
    expect(row).to_contain_text("уход за лежачими")
    # edit, then take out of use
    row.locator("[data-action=edit]").click()
    form.locator("[name=standard_minutes]").fill("50")
    form.locator("button[type=submit]").click()
    expect(page.locator("#services tr[data-code='C03'] td.num").first).to_have_text("50")
    page.locator("#services tr[data-code='C03'] [data-action=deactivate]").click()
    expect(page.locator("#services tr[data-code='C03']")).to_have_count(0)
    page.check("#svc-inactive")
    expect(page.locator("#services tr[data-code='C03']")).to_contain_text("не используется")
    page.screenshot(path=str(artifacts / "registers-catalogue.png"))
    with Session(get_engine()) as session:
        service = session.scalars(
            select(Service).where(Service.office_id == office_data.office_id, Service.code == "C03")
        ).one()
        assert (service.standard_minutes, service.active) == (50, False)

    # sick leave for a worker
    page.click("[data-tab=workers]")
    worker = office_data.workers[0]
    page.locator(f"#workers tr[data-worker-id='{worker['id']}'] [data-action=edit]").click()
    absence = page.locator("#absence-form")
    absence.locator("[name=kind]").select_option("sick")
    absence.locator("[name=date_from]").fill("2026-12-14")
    absence.locator("[name=date_to]").fill("2026-12-18")
    absence.locator("button[type=submit]").click()
    expect(page.locator("#absences li[data-absence-id]")).to_contain_text("больничный")
    page.screenshot(path=str(artifacts / "registers-sick-leave.png"))
    with Session(get_engine()) as session:
        reasons = session.scalars(
            select(WorkerAbsence.reason).where(WorkerAbsence.worker_id == worker["id"])
        ).all()
    assert reasons == ["больничный"]
    assert not page.errors


def test_a_worker_is_sent_to_the_phone_page(context: Any, office_data: OfficeData) -> None:
    page = logged_in(context, office_data.workers[0]["username"], "m")
    for path in ("/office/", "/admin/"):
        page.goto(path)
        page.wait_for_url("**/m/")
