"""The administrator's accounts page in a real browser: a login is created with a one-time
code (shown once), the person sets a password with it and logs in; a disabled login cannot log
in; a new code sets a new password; one's own password changes on /account/; each change is in
the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import AuditEntry, Office, User
from tests.browser.admin_setup import (
    Made,
    logged_in,
    made_fixture,  # noqa: F401 (the fixture `made`)
    set_password_with_code,
)
from tests.browser.conftest import PASSWORD, OfficeData, log_in

FIRST = "first-password-1"
SECOND = "second-password-2"


def create_login(page: Any, username: str, office_name: str) -> str:
    """A head of department for the office, through the users tab; returns the code shown."""
    page.click("[data-tab=users]")
    page.fill("#user-form [name=username]", username)
    page.fill("#user-form [name=full_name]", "Смирнова Анна Павловна")
    page.select_option("#user-form [name=role]", "supervisor")
    page.locator("#user-offices").get_by_label(office_name, exact=True).check()
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("#code-box:not([hidden])")
    expect(page.locator(f"#users tr[data-username='{username}']")).to_be_visible()
    return page.inner_text("#one-time-code").strip()


def fresh(context: Any) -> Any:
    """A new browser profile like `context` (no login kept in its storage)."""
    other = context.browser.new_context(
        base_url=context.careroute_url, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    other.careroute_url = context.careroute_url
    other.set_default_timeout(10_000)
    return other


def login_refused(context: Any, username: str, password: str) -> None:
    other = fresh(context)
    try:
        page = other.new_page()
        log_in(page, username, password)
        expect(page.locator("#login-error")).to_have_text("Неверный логин или пароль")
    finally:
        other.close()


def test_create_disable_and_reset_a_login(
    context: Any, office_data: OfficeData, made: Made, artifacts: Path, server: str
) -> None:
    context.careroute_url = server
    with Session(get_engine()) as session:
        office_name = session.scalar(select(Office.name).where(Office.id == office_data.office_id))
    username = f"head-{made.tag}"
    made.usernames.append(username)
    admin = logged_in(context, made.admin, "admin")
    code = create_login(admin, username, str(office_name))
    assert len(code) == 14 and code.count("-") == 2
    admin.screenshot(path=str(artifacts / "accounts-code-shown-once.png"))
    row = admin.locator(f"#users tr[data-username='{username}']")
    expect(row.locator(".last-login")).to_have_text("не входил(а)")
    admin.click("#code-hide")
    expect(admin.locator("#one-time-code")).to_have_text("")

    # the person sets a password with the code, and logs in as a head of department
    person = fresh(context)
    try:
        page = person.new_page()
        set_password_with_code(page, username, code, FIRST)
        page.screenshot(path=str(artifacts / "accounts-password-set-with-code.png"))
        page.fill("#password", FIRST)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/supervisor/**")
    finally:
        person.close()
    # the same code a second time is spent
    person = fresh(context)
    try:
        page2 = person.new_page()
        page2.goto("/")
        page2.wait_for_selector("body[data-ready='1']")
        page2.click("#code-open")
        page2.fill("#code-username", username)
        page2.fill("#code", code)
        page2.fill("#code-password", "third-password-3")
        page2.fill("#code-repeat", "third-password-3")
        page2.click("#code-form button[type=submit]")
        expect(page2.locator("#code-error")).to_contain_text("Код неверный или истёк")
    finally:
        person.close()

    admin.reload()
    admin.wait_for_selector("body[data-ready='1']")
    row = admin.locator(f"#users tr[data-username='{username}']")
    expect(row.locator(".last-login")).not_to_have_text("не входил(а)")

    # disabled: the login is refused
    row.locator("[data-action=disable]").click()
    expect(row.locator(".state")).to_have_text("отключён")
    admin.screenshot(path=str(artifacts / "accounts-disabled.png"))
    login_refused(context, username, FIRST)

    # enabled again, and a new code sets a new password; the old one stops working
    row.locator("[data-action=enable]").click()
    expect(row.locator(".state")).to_have_text("действует")
    row.locator("[data-action=reset-code]").click()
    expect(admin.locator("#code-for")).to_contain_text(username)
    new_code = admin.inner_text("#one-time-code").strip()
    assert new_code and new_code != code
    other = fresh(context)
    try:
        page = other.new_page()
        set_password_with_code(page, username, new_code, SECOND)
        login_refused(other, username, FIRST)
        ok = other.new_page()
        log_in(ok, username, SECOND)
        ok.wait_for_url("**/supervisor/**")
    finally:
        other.close()

    # the audit log holds every change of the login
    admin.click("[data-tab=audit]")
    admin.select_option("#audit-entity", "user")
    expect(admin.locator("#audit tr[data-action=reset_code]").first).to_be_visible()
    admin.screenshot(path=str(artifacts / "accounts-audit.png"))
    with Session(get_engine()) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id)
            )
        ).all()
    assert sorted(actions) == sorted(
        ["create", "password", "update", "update", "reset_code", "password"]
    )
    assert not admin.errors


def test_own_password_and_a_wrong_code(
    context: Any, made: Made, artifacts: Path, server: str
) -> None:
    context.careroute_url = server
    page = logged_in(context, made.admin, "admin")
    page.goto("/account/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("[name=old_password]", "not-the-password")
    page.fill("[name=new_password]", SECOND)
    page.fill("[name=repeat]", SECOND)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-msg")).to_have_text("Текущий пароль введён неверно.")
    expect(page.locator("[name=old_password]")).to_have_attribute("aria-invalid", "true")
    page.fill("[name=old_password]", PASSWORD)
    page.fill("[name=new_password]", "short")
    page.fill("[name=repeat]", "short")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-msg")).to_have_text("Пароль должен быть не короче 10 символов.")
    page.fill("[name=new_password]", SECOND)
    page.fill("[name=repeat]", SECOND)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-msg")).to_have_text("Пароль изменён.")
    page.screenshot(path=str(artifacts / "account-password-changed.png"))
    # the page logged in again with the new password: it still works
    page.goto("/admin/")
    page.wait_for_selector("body[data-ready='1']")
    login_refused(context, made.admin, PASSWORD)
    other = fresh(context)
    try:
        again = other.new_page()
        log_in(again, made.admin, SECOND)
        again.wait_for_url("**/admin/**")
    finally:
        other.close()
    assert not page.errors
