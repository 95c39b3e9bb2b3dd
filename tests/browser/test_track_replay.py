"""A past day on the map: the supervisor picks yesterday and a worker; the planned route,
the track, its stops and the visit events are drawn, and the time slider moves a marker along
the track and lists the events up to that time (set directly and by keyboard)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from registry.models import Client, Worker
from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import open_supervisor
from tests.tracking.past_day import PastDay, forget_pings, make_past_day


@pytest.fixture
def past_day(office_data: OfficeData) -> Iterator[PastDay]:
    tz = ZoneInfo(get_settings().timezone)
    yesterday = datetime.now(tz).date() - timedelta(days=1)
    worker_id = office_data.workers[0]["id"]
    with Session(get_engine()) as session:
        worker = session.get_one(Worker, worker_id)
        clients = [session.get_one(Client, c) for c in office_data.client_ids[0::3][:2]]
        day = make_past_day(session, worker=worker, clients=clients, day=yesterday)
        session.commit()
    try:
        yield day
    finally:
        with Session(get_engine()) as session:
            forget_pings(session, [worker_id])
            session.commit()


def _where(page: Any) -> tuple[float, float]:
    box = page.locator("#replay-where")
    return float(box.get_attribute("data-lat")), float(box.get_attribute("data-lon"))


def _home_of(client_id: int) -> tuple[float, float]:
    with Session(get_engine()) as session:
        point = to_shape(session.get_one(Client, client_id).location)
        return point.y, point.x


def _pin(page: Any) -> dict[str, float]:
    return page.locator("#replay-pin").bounding_box()


def test_the_slider_moves_the_marker_and_shows_the_events(
    context: Any, office_data: OfficeData, past_day: PastDay, artifacts: Path
) -> None:
    query = f"?tab=replay&day={past_day.day.isoformat()}&office={office_data.office_id}"
    page = open_supervisor(context, office_data.supervisor, query)
    page.select_option("#replay-worker", str(past_day.worker_id))
    page.click("#replay-show")
    page.wait_for_selector(f"#replay-figures:has-text('Точек трека: {past_day.pings}')")
    page.wait_for_selector("#replay-figures:has-text('отметок: 4')")
    events = page.locator("#replay-events")
    assert events.get_attribute("data-count") == "0"  # the slider starts at the first ping
    page.wait_for_selector("#replay-events li:has-text('Отметок ещё нет')")
    start_where, start_pin = _where(page), _pin(page)
    assert page.locator("#replay-clock").inner_text() == "09:00"
    page.screenshot(path=str(artifacts / "replay-1-start.png"))

    # 09:25: at the first client, arrived (09:11) and not yet left
    slider = page.locator("#replay-slider")
    slider.fill(str(int((past_day.start + timedelta(minutes=25)).timestamp())))
    page.wait_for_selector("#replay-events[data-count='1'] li[data-type=arrived]")
    assert page.locator("#replay-clock").inner_text() == "09:25"
    first_where = _where(page)
    assert first_where == pytest.approx(_home_of(past_day.client_ids[0]), abs=0.0002)
    pin = _pin(page)
    assert (pin["x"], pin["y"]) != (start_pin["x"], start_pin["y"])  # the marker moved
    page.screenshot(path=str(artifacts / "replay-2-first-visit.png"))

    # 09:45: on the way between the clients, the first visit over
    slider.fill(str(int((past_day.start + timedelta(minutes=45)).timestamp())))
    page.wait_for_selector("#replay-events[data-count='2'] li[data-type=departed]")
    assert _where(page) != first_where

    # the keyboard: End goes to the day's last moment, with every event
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_selector("#replay-events[data-count='4']")
    assert page.locator("#replay-events li[data-type=arrived]").count() == 2
    assert _where(page) == pytest.approx(start_where, abs=1e-6)  # walked back home
    page.screenshot(path=str(artifacts / "replay-3-day-end.png"))
    assert not page.errors
