"""The login page: Russian by default, English on request, and a wrong password said plainly."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import OfficeData


def test_login_page_languages_and_wrong_password(context: Any, office_data: OfficeData) -> None:
    page = context.new_page()
    page.goto("/")
    page.wait_for_selector("button[type=submit]:has-text('Войти')")
    page.fill("#username", office_data.supervisor)
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error:has-text('Неверный логин или пароль')")

    page.goto("/?lang=en")
    page.wait_for_selector("button[type=submit]:has-text('Sign in')")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.select_option("#lang", "ru")  # the switch brings Russian back
    page.wait_for_selector("button[type=submit]:has-text('Войти')")
