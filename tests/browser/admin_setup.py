"""What the registry-page tests share: the first administrator as `careroute create-admin`
makes it, opening a page and waiting for its script, setting a password with a one-time code on
the login page, and removing what a test made (regions by name, logins by username)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import accounts
from core.db import get_engine
from core.models import Office, Region, User
from tests.browser.conftest import PASSWORD, _forget_live_positions, log_in, purge

# Logins hash passwords and codes on purpose slowly, and the machine may be busy: the pages'
# answers get longer than Playwright's default five seconds.
expect.set_options(timeout=15_000)


@dataclass
class Made:
    """The administrator, and what a test creates through the pages (removed afterwards)."""

    admin: str
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    regions: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)

    def name(self, base: str) -> str:
        return f"{base} {self.tag}"


@pytest.fixture(name="made")
def made_fixture(server: str) -> Iterator[Made]:
    """A new installation's administrator, made as `careroute create-admin` makes it."""
    tag = secrets.token_hex(3)
    username = f"admin-{tag}"
    with Session(get_engine()) as session:
        accounts.create_admin(session, username=username, password=PASSWORD, full_name="Админ")
        session.commit()
    data = Made(admin=username, tag=tag, usernames=[username])
    try:
        yield data
    finally:
        with Session(get_engine()) as session:
            region_ids = list(
                session.scalars(select(Region.id).where(Region.name.in_(data.regions or [""])))
            )
            user_ids = list(
                session.scalars(select(User.id).where(User.username.in_(data.usernames)))
            )
            office_ids = list(
                session.scalars(select(Office.id).where(Office.region_id.in_(region_ids or [-1])))
            )
        with get_engine().begin() as conn:
            purge(conn, "region", "id", region_ids)
            purge(conn, "app_user", "id", user_ids)
        for office_id in office_ids:
            _forget_live_positions(office_id)


def open_page(context: Any, path: str) -> Any:
    """A page at `path` once its script has run (body[data-ready]); script errors collected
    in `page.errors`."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(path)
    page.wait_for_selector("body[data-ready='1']")
    return page


def logged_in(context: Any, username: str, home: str, password: str = PASSWORD) -> Any:
    """A page logged in as `username`, at the role's home page (`home`, e.g. "admin")."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    log_in(page, username, password)
    page.wait_for_url(f"**/{home}/**")
    if home != "supervisor":  # the map page is not what these tests look at
        page.wait_for_selector("body[data-ready='1']")
    return page


def set_password_with_code(page: Any, username: str, code: str, password: str) -> None:
    """On the login page: "I have a one-time code", then the new password twice."""
    page.goto("/")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#code-open")
    page.fill("#code-username", username)
    page.fill("#code", code)
    page.fill("#code-password", password)
    page.fill("#code-repeat", password)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#code-done:not([hidden])")
