"""Stored XSS: a client and workers whose names and address are HTML that would run script
(`<img src=x onerror=...>`, `"><svg onload=...>`) shown on every page in real Chromium:
the login page, the supervisor's zones, plan and live tabs (every map tooltip opened), the
phone page (its map popups opened) and the reports page. Nothing runs.

Each page is opened twice: with the Content-Security-Policy bypassed, so escaping alone is
what is tested, and with it enforced, where the page must work without a single violation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import User
from registry.models import Client, Worker, WorkerShift
from tests.browser.conftest import PASSWORD, OfficeData, approved_route, log_in

CLIENT_NAME = "<img src=x onerror=\"document.body.dataset.xss='client'\">"
CLIENT_ADDRESS = '"><svg onload="document.body.dataset.xss=\'address\'"> ул. Плеханова, 3'
WORKER_NAME = "<img src=x onerror=\"document.body.dataset.xss='worker'\"> Кузнецова О."
OTHER_WORKER = "'><img src=x onerror=\"document.body.dataset.xss='worker2'\">"


@pytest.fixture
def hostile_office(zoned_office: OfficeData, server: str) -> OfficeData:
    """The zoned office with hostile names, today's approved route and a live position."""
    data = zoned_office
    first, second = data.workers[0], data.workers[1]
    with Session(get_engine()) as session:
        client = session.get(Client, data.client_ids[0])
        assert client is not None
        client.full_name, client.address = CLIENT_NAME, CLIENT_ADDRESS
        for entry, name in ((first, WORKER_NAME), (second, OTHER_WORKER)):
            worker = session.get(Worker, entry["id"])
            assert worker is not None and worker.user_id is not None
            worker.full_name = name
            login = session.get(User, worker.user_id)
            assert login is not None
            login.full_name = name
        worker = session.get(Worker, first["id"])
        assert worker is not None
        worker.shifts.clear()
        session.flush()
        worker.shifts = [
            WorkerShift(weekday=d, start=time(0), end=time(23, 59)) for d in range(1, 8)
        ]
        approved_route(session, data)
        session.commit()
    _send_position(server, first["username"])
    return data


def _send_position(server: str, username: str) -> None:
    phone = httpx.Client(base_url=server)
    login = phone.post("/api/auth/token", data={"username": username, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    device = phone.post("/api/me/devices", json={"name": "телефон"}, headers=bearer).json()
    ping = {
        "uuid": str(uuid.uuid4()),
        "t": datetime.now(UTC).isoformat(),
        "lat": 55.745,
        "lon": 37.80,
        "accuracy": 8,
    }
    answer = phone.post(
        "/api/mobile/sync",
        headers={"Authorization": f"Device {device['token']}"},
        json={"pings": [ping]},
    )
    assert answer.json()["pings"][0]["status"] == "accepted", answer.text


class Watch:
    """A page's script errors, CSP violations and dialogs, collected as they happen."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.violations: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", self._console)
        page.on("dialog", lambda dialog: (self.errors.append(dialog.message), dialog.dismiss()))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(message.text)

    def assert_clean(self, where: str) -> None:
        assert self.page.query_selector("body[data-xss]") is None, where
        assert not self.errors, (where, self.errors)
        assert not self.violations, (where, self.violations)


def _open_every_tooltip(page: Any) -> int:
    """Hover every marker and shape of the map: Leaflet builds each tooltip's HTML then."""
    items = page.query_selector_all(".leaflet-interactive, .leaflet-marker-icon")
    for item in items:
        item.dispatch_event("mouseover")
        item.dispatch_event("mouseout")
    return len(items)


@pytest.fixture(params=["escaping alone", "with the policy"])
def new_page(request: Any, browser: Any, server: str) -> Iterator[Any]:
    """Pages, each in a browser profile of its own (one login each)."""
    contexts: list[Any] = []

    def make() -> Any:
        ctx = browser.new_context(
            base_url=server, locale="ru-RU", timezone_id="Europe/Moscow",
            viewport={"width": 1440, "height": 900},
            bypass_csp=request.param == "escaping alone", permissions=["geolocation"],
            geolocation={"latitude": 55.742, "longitude": 37.762},
        )  # fmt: skip
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def test_hostile_names_run_nowhere(new_page: Any, hostile_office: OfficeData) -> None:
    data = hostile_office
    page = new_page()
    watch = Watch(page)

    log_in(page, data.supervisor)
    page.wait_for_url("**/supervisor/**")
    page.wait_for_selector("body[data-ready='1']")
    assert _open_every_tooltip(page) >= len(data.client_ids)
    page.wait_for_selector(f".zone-row .name:has-text('{WORKER_NAME[:20]}')", state="attached")
    watch.assert_clean("zones")

    page.goto("/supervisor/?tab=plan")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(".tl-row")
    assert _open_every_tooltip(page) > 0
    watch.assert_clean("plan")

    page.goto("/supervisor/?tab=live")
    page.wait_for_selector("body[data-ready='1']")
    pin = page.locator(f".worker-pin[data-worker-id='{data.workers[0]['id']}']")
    pin.wait_for()
    assert "<img" in pin.inner_text()  # the name is shown, as text
    _open_every_tooltip(page)
    watch.assert_clean("live")

    client_id = data.client_ids[0]
    page.goto("/supervisor/?tab=clients")
    page.wait_for_selector("body[data-ready='1']")
    page.locator(f"#cl-list [data-client='{client_id}']").click()
    page.wait_for_selector("#cl-name")
    assert CLIENT_NAME in page.inner_text("#cl-name")  # shown as text
    _open_every_tooltip(page)
    watch.assert_clean("client card")
    page.goto(f"/supervisor/programme?client={client_id}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#prog-editor:not([hidden])")
    watch.assert_clean("programme editor")
    if page.locator("#prog-versions [data-version]").count():
        page.click("#prog-print")
        page.wait_for_selector("#prog-document:not([hidden])")
        watch.assert_clean("printed programme")

    page.goto("/reports/")
    page.wait_for_selector("#status:not(:has-text('Загрузка'))")
    watch.assert_clean("reports (supervisor)")

    worker = new_page()
    worker_watch = Watch(worker)
    log_in(worker, data.workers[0]["username"])
    worker.wait_for_url("**/m/")
    worker.wait_for_selector("body[data-ready='1']")
    worker.locator("li.stop").first.wait_for()
    assert CLIENT_NAME in worker.inner_text("#stops, body")
    for marker in worker.query_selector_all(".leaflet-marker-icon"):
        marker.dispatch_event("click")  # the stop's popup, with the client's name and address
    worker_watch.assert_clean("phone")

    manager = new_page()
    manager_watch = Watch(manager)
    log_in(manager, data.manager)
    manager.wait_for_url("**/reports/")
    manager.wait_for_selector("#status:not(:has-text('Загрузка'))")
    manager_watch.assert_clean("reports")

    login = new_page()
    login_watch = Watch(login)
    login.goto("/")
    login.wait_for_selector("body[data-ready='1']")
    login_watch.assert_clean("login")
