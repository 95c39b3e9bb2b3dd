"""The pages' login in real Chromium: an HttpOnly, SameSite=Strict cookie no page script can
read (document.cookie and localStorage hold no token), the phone's offline outbox still sent
after a reload without network, and logging out ends the login."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.deps import SESSION_COOKIE
from tests.browser.conftest import OfficeData, approved_route, log_in
from tracking.models import VisitEvent


def _script_sees(page: Any) -> str:
    """Everything a page script can read of cookies and local storage, as one string."""
    return str(
        page.evaluate(
            "() => JSON.stringify({cookie: document.cookie,"
            " storage: Object.fromEntries(Object.entries(localStorage))})"
        )
    )


def test_no_token_is_readable_by_page_script_and_the_outbox_survives_a_reload(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    worker = office_data.workers[0]
    page = phone.new_page()
    log_in(page, worker["username"])
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#sync-state:has-text('Все данные отправлены')")

    cookie = next(c for c in phone.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert not cookie["secure"]  # plain http here; Secure over https
    seen = _script_sees(page)
    assert cookie["value"] not in seen
    assert "eyJ" not in seen  # no JWT of any kind
    storage = json.loads(seen)["storage"]
    assert "careroute.device" in storage  # the phone's device, by id only
    assert "token" not in json.loads(storage["careroute.device"])

    # offline: the arrival waits in the outbox, and the page is reloaded without network
    # the service worker keeps the page for offline use once installed (slow on a busy machine)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
    phone.set_offline(True)
    page.wait_for_selector("#sync-state:has-text('Нет сети')")
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.locator("[data-action='phone.arrived']").click()
    page.wait_for_selector("#sync-state:has-text('В очереди: 1')")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    # still queued after the reload (with the positions taken since, if any)
    page.wait_for_selector("#sync-state.offline:not([data-queued='0'])")
    page.screenshot(path=str(artifacts / "phone-reloaded-offline.png"), full_page=True)
    phone.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#sync-state:has-text('Все данные отправлены')", timeout=15_000)
    with Session(get_engine()) as session:
        kinds = session.scalars(
            select(VisitEvent.type).where(VisitEvent.plan_stop_id == stop_ids[0])
        ).all()
    assert list(kinds) == ["arrived"]
    assert "eyJ" not in _script_sees(page)

    # logging out clears the cookie: the server no longer knows this browser
    page.locator("#menu-logout").dispatch_event("click")
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/m"))
    assert not [c for c in phone.cookies() if c["name"] == SESSION_COOKIE]
    status = page.evaluate("() => fetch('/api/auth/me').then((r) => r.status)")
    assert status == 401
