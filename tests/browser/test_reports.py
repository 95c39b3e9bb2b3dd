"""The managers' reports page in a real browser, on four weeks of a small office walked the way
the demo's history walks it (late starts, slow walks, nobody at home, forgotten taps, ratings):
charts and figures, the period filter, the drill-down office -> worker -> day -> visit, the XLSX
export; a worker is refused."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import to_shape
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from demo.history import PlannedDay, PlannedStop, Simulated, simulate_day, write
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client, Worker
from tests.browser.conftest import OfficeData, log_in
from tests.reports.cleanup import wipe_office
from tracking.devices import register_device
from tracking.models import Visit

TZ = ZoneInfo(get_settings().timezone)
SERVICES = [
    {"code": "A01", "name": "Покупка и доставка продуктов питания", "minutes": 30},
    {"code": "B02", "name": "Измерение артериального давления", "minutes": 20},
]


def past_workdays(weeks: int) -> list[date]:
    today = datetime.now(TZ).date()
    days = [today - timedelta(days=n) for n in range(1, 7 * weeks + 1)]
    return sorted(d for d in days if d.isoweekday() <= 5)


def last_week() -> tuple[date, date]:
    monday = datetime.now(TZ).date() - timedelta(days=datetime.now(TZ).isoweekday() - 1)
    return monday - timedelta(days=7), monday - timedelta(days=1)


def _approved_day(session: Session, data: OfficeData, day: date) -> Plan:
    """Each worker visits the five clients of their neighbourhood, 09:20 to about 15:00."""
    plan = Plan(office_id=data.office_id, day=day, version=1, status=PlanStatus.APPROVED)
    session.add(plan)
    session.flush()
    for index, worker in enumerate(data.workers):
        start = datetime.combine(day, time(9), TZ)
        route = PlanRoute(worker_id=worker["id"], start=start, end=start + timedelta(hours=6),
                          break_start=start + timedelta(hours=3, minutes=30),
                          break_end=start + timedelta(hours=4, minutes=15))  # fmt: skip
        for seq, client_id in enumerate(data.client_ids[index::3], start=1):
            visit = start + timedelta(minutes=10 + 60 * (seq - 1) + (45 if seq > 3 else 0))
            route.stops.append(
                PlanStop(
                    plan_id=plan.id,
                    worker_id=worker["id"],
                    client_id=client_id,
                    seq=seq,
                    arrival=visit,
                    start=visit,
                    end=visit + timedelta(minutes=50),
                    travel_s=420,  # a few hundred metres on foot between neighbours
                    services=SERVICES,
                )
            )
        # the route's figures as the planner stores them: on site, on the way, waiting
        route.service_s = sum(int((x.end - x.start).total_seconds()) for x in route.stops)
        route.travel_s = sum(x.travel_s for x in route.stops) + 420  # and the way home
        route.wait_s = 0
        plan.routes.append(route)
    session.flush()
    return plan


def _walked(session: Session, plan: Plan, devices: dict[int, int], rng: random.Random) -> Simulated:
    out = Simulated()
    for route in plan.routes:
        stops = []
        for s in route.stops:
            client = session.get(Client, s.client_id)
            assert client is not None and client.location is not None
            p = to_shape(client.location)
            services = [{"code": x["code"], "minutes": x["minutes"]} for x in s.services]
            stops.append(PlannedStop(s.id, s.client_id, (p.x, p.y), s.start, s.end, services,
                                     client.confirmation_code or ""))  # fmt: skip
        worker = session.get(Worker, route.worker_id)
        assert worker is not None and worker.start_location is not None
        home = to_shape(worker.start_location)
        day = PlannedDay(plan.office_id, route.worker_id, devices[route.worker_id], plan.day,
                         route.start, (home.x, home.y), stops, route.break_start, 45)  # fmt: skip
        out.extend(simulate_day(day, rng))
    return out


@pytest.fixture
def month(office_data: OfficeData) -> Iterator[OfficeData]:
    """Four weeks of approved plans, walked and stored as the history loader stores them."""
    from api.reports import tracks

    rng = random.Random(3)
    with Session(get_engine()) as session:
        devices = {}
        for w in office_data.workers:
            worker = session.get(Worker, w["id"])
            assert worker is not None
            devices[w["id"]] = register_device(session, worker=worker, name="телефон")[0].id
        walked = Simulated()
        for day in past_workdays(4):
            walked.extend(_walked(session, _approved_day(session, office_data, day), devices, rng))
        write(session, walked)
        session.flush()
        tracks.refresh(session, office_ids=[office_data.office_id], start=date(2000, 1, 1),
                       end=date(2100, 1, 1))  # fmt: skip
        session.commit()
    try:
        yield office_data
    finally:
        wipe_office(office_data.office_id)


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"reports-{name}.png"), full_page=True)


def loaded(page: Any) -> None:
    """The report asked for last is on the page (the crumbs change before it arrives)."""
    page.wait_for_selector("#status:not(:has-text('Загрузка'))")


def _table(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#table tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


def test_manager_reads_filters_drills_down_and_exports(
    month: OfficeData, context: Any, artifacts: Path
) -> None:
    page = context.new_page()
    log_in(page, month.manager)
    page.wait_for_url("**/reports/")
    page.wait_for_selector("#table tr.rp-link")
    page.click("#tabs button:has-text('Хронометраж')")
    page.wait_for_selector("#table th:has-text('по плану')")
    page.wait_for_selector("#charts svg")
    page.wait_for_selector("#table tr.rp-link")
    # this month: the office's total and one row per worker, with planned and actual minutes
    rows = _table(page)
    header = rows[0]
    assert any("план" in h.lower() for h in header) and any("факт" in h.lower() for h in header)
    names = {w["full_name"] for w in month.workers}
    assert names <= {cell for row in rows for cell in row}
    _shot(page, artifacts, "1-month")

    # the period: last week, five working days in the trend
    page.select_option("#period", "last_week")
    page.click("#filters button[type=submit]")
    first, last = last_week()
    page.wait_for_selector(f"#status:has-text('{first:%d.%m.%Y}')")
    assert f"{last:%d.%m.%Y}" in page.inner_text("#status")
    assert page.locator("#charts svg").count() == 2  # per worker, and visits per day
    _shot(page, artifacts, "2-last-week")

    # office -> worker -> day -> visit
    worker = month.workers[0]["full_name"]
    page.click(f"#table tr.rp-link:has-text('{worker}')")
    page.wait_for_selector(f"#crumbs:has-text('{worker}')")
    loaded(page)
    days = page.locator("#table tr.rp-link")
    _shot(page, artifacts, "3-worker")
    assert days.count() == 5
    days.first.click()
    page.wait_for_selector(f"#crumbs:has-text('{first:%d.%m.%Y}')")
    loaded(page)
    visits = page.locator("#table tr.rp-link")
    assert visits.count() == 5  # the five clients of that day
    day_table = page.inner_text("#table")
    assert "отметка" in day_table and "tapped" not in day_table  # values in Russian too
    _shot(page, artifacts, "4-day")
    visits.first.click()
    page.wait_for_selector("#events li")
    events = page.inner_text("#events")
    assert (
        "Прибыл(а) к получателю" in events and "arrived" not in events
    )  # taps in the manager's language, not the wire's
    _shot(page, artifacts, "5-visit")

    # back to the worker, then the export of what is shown
    page.click(f"#crumbs a:has-text('{worker}')")
    loaded(page)
    with page.expect_download() as download_info:
        page.click("#xlsx")
    download = download_info.value
    path = artifacts / "reports-export.xlsx"
    download.save_as(path)
    assert download.suggested_filename.endswith(f"{first:%Y%m%d}-{last:%Y%m%d}.xlsx")
    sheet = load_workbook(path).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert f"{first:%d.%m.%Y} – {last:%d.%m.%Y}" in cells
    assert worker in cells


def test_a_worker_has_no_access(month: OfficeData, context: Any, artifacts: Path) -> None:
    page = context.new_page()
    log_in(page, month.workers[0]["username"])
    page.wait_for_url("**/m/**")
    page.goto("/reports/")
    page.wait_for_selector("#denied:not([hidden])")
    assert "нет доступа" in page.inner_text("#denied")
    assert page.locator("#app").is_hidden()
    _shot(page, artifacts, "6-worker-denied")


@pytest.fixture
def national(month: OfficeData) -> Iterator[str]:
    """A user with the national role (reads every region), removed after the test."""
    from sqlalchemy import text

    from core.models import Role
    from tests import factories

    with Session(get_engine()) as session:
        user = factories.user(session, Role.NATIONAL)
        session.commit()
        username, user_id = user.username, user.id
    try:
        yield username
    finally:
        with get_engine().begin() as conn:
            conn.execute(text("DELETE FROM app_user WHERE id = :u"), {"u": user_id})


def _names(data: OfficeData) -> tuple[str, str, str]:
    from core.models import Office, Region

    with Session(get_engine()) as session:
        office = session.get(Office, data.office_id)
        region = session.get(Region, data.region_id)
        assert office is not None and region is not None
        return region.name, office.centre, office.name


def test_national_drills_from_the_nation_down_to_a_visit(
    month: OfficeData, national: str, context: Any, artifacts: Path
) -> None:
    region, centre, office = _names(month)
    page = context.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, national)
    page.wait_for_url("**/reports/")
    # the nation: one row per region, the figures per worker and month in hours and minutes
    row = page.locator(f"#table tr.rp-link:has-text('{region}')")
    row.wait_for()
    assert " ч " in row.inner_text() or " мин" in row.inner_text()
    assert "Вся страна" in page.inner_text("#crumbs")
    # the charts have value axes and values and leave the table within the first screen
    page.wait_for_selector("#charts svg .rp-tick")
    assert page.locator("#charts svg .rp-value").count() >= 1
    assert page.locator("#table").bounding_box()["y"] < 900
    _shot(page, artifacts, "7-nation")

    row.click()
    page.wait_for_selector(f"#crumbs:has-text('{region}')")
    loaded(page)
    page.click(f"#table tr.rp-link:has-text('{centre}')")
    page.wait_for_selector(f"#crumbs a:has-text('{centre}')")
    loaded(page)
    _shot(page, artifacts, "8-centre")
    page.click(f"#table tr.rp-link:has-text('{office}')")
    page.wait_for_selector(f"#crumbs a:has-text('{office}')")
    loaded(page)
    names = page.inner_text("#table")
    worker = month.workers[0]["full_name"]
    assert all(w["full_name"] in names for w in month.workers)
    _shot(page, artifacts, "9-department")
    # the department's form on services rendered, laid out as the paper form
    with page.expect_download() as form_info:
        page.click("#form-department")
    path = artifacts / "reports-form-department.xlsx"
    form_info.value.save_as(path)
    form = [str(c.value) for r in load_workbook(path).active.iter_rows() for c in r if c.value]
    assert "ОТЧЁТ об оказанных социальных услугах" in form and office in form

    page.click(f"#table tr.rp-link:has-text('{worker}')")
    page.wait_for_selector(f"#crumbs a:has-text('{worker}')")
    loaded(page)
    days = page.locator("#table tr.rp-link")
    assert days.count() >= 1
    days.first.click()
    page.wait_for_selector("#table th:has-text('Прибытие')")
    loaded(page)
    visits = page.locator("#table tr.rp-link")
    assert visits.count() == 5
    visits.first.click()
    page.wait_for_selector("#events li")
    _shot(page, artifacts, "10-visit")

    # back up to the nation in one click
    page.click("#crumbs a:has-text('Вся страна')")
    page.wait_for_selector(f"#table tr.rp-link:has-text('{region}')")


def test_manager_breaks_down_services_by_worker_and_day_of_week(
    month: OfficeData, context: Any, artifacts: Path
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, month.manager)
    page.wait_for_url("**/reports/")
    page.wait_for_selector("#table tr.rp-link")
    page.click("#tabs button:has-text('Разрезы')")
    page.wait_for_selector("#pivot-form:not([hidden])")
    page.select_option("#pivot-rows", "worker")
    page.select_option("#pivot-columns", "weekday")
    page.select_option("#pivot-measure", "services")
    page.select_option("#period", "last_month")  # a whole month has every day of the week
    page.click("#pivot-form button[type=submit]")
    page.wait_for_selector("#pivot-table th:has-text('пн')")
    loaded(page)
    rows = _table(page)
    assert rows[0][0] == "Социальный работник" and rows[0][-1] == "Итого"
    assert {w["full_name"] for w in month.workers} <= {r[0] for r in rows}
    assert rows[-1][0] == "Итого" and int(rows[-1][-1].replace("\u00a0", "")) > 0
    page.wait_for_selector("#charts svg .rp-value")
    _shot(page, artifacts, "11-pivot")

    page.select_option("#pivot-columns", "")
    page.select_option("#pivot-measure", "travel")
    page.click("#pivot-form button[type=submit]")
    page.wait_for_selector("#pivot-table th:has-text('Время в дороге')")
    loaded(page)
    assert " ч" in page.inner_text("#pivot-table") or " мин" in page.inner_text("#pivot-table")
    with page.expect_download() as download_info:
        page.click("#xlsx")
    path = artifacts / "reports-pivot.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert month.workers[0]["full_name"] in cells and "Итого" in cells


def test_a_head_of_department_finds_the_reports_on_their_page(
    office_data: OfficeData, context: Any, artifacts: Path
) -> None:
    page = context.new_page()
    log_in(page, office_data.supervisor)
    page.wait_for_url("**/supervisor/**")
    page.wait_for_selector("#reports-link:visible:has-text('Отчёты')")
    page.click("#reports-link")
    page.wait_for_url("**/reports/")
    # their own department only: the top of the drill-down is "my departments"
    page.wait_for_selector("#crumbs a:has-text('Мои отделения')")
    page.wait_for_selector("#status:has-text('Нет данных')")  # nothing done there yet
    _shot(page, artifacts, "12-supervisor")


@pytest.fixture
def covered(office_data: OfficeData) -> Iterator[tuple[OfficeData, date]]:
    """Yesterday approved; the second worker covered the first worker's first visit."""
    day = datetime.now(TZ).date() - timedelta(days=1)
    with Session(get_engine()) as session:
        stop = _approved_day(session, office_data, day).routes[0].stops[0]
        done = {"code": "A01", "minutes": 30}
        end = stop.start + timedelta(minutes=30)
        visit = Visit(office_id=office_data.office_id, worker_id=office_data.workers[1]["id"],
                      client_id=stop.client_id, day=day, status="done", arrived_at=stop.start,
                      departed_at=end, tapped_arrival=stop.start, tapped_departure=end,
                      arrival_source="tapped", departure_source="tapped", services=[done],
                      minutes=30, confirmed=True, reason="", flags=[])  # fmt: skip
        session.add(visit)
        session.commit()
    try:
        yield office_data, day
    finally:
        wipe_office(office_data.office_id)


def test_a_visit_a_colleague_covered_reads_done_by_them(
    covered: tuple[OfficeData, date], context: Any, artifacts: Path
) -> None:
    """In the planned worker's day the visit is done by the colleague, named, not missed."""
    data, day = covered
    page = context.new_page()
    log_in(page, data.manager)
    page.wait_for_url("**/reports/")
    page.wait_for_selector("#table tr.rp-link")
    page.click("#tabs button:has-text('Хронометраж')")
    page.wait_for_selector("#table tr.rp-link")
    page.select_option("#period", "custom")
    page.fill("#start", day.isoformat())
    page.fill("#end", day.isoformat())
    page.click("#filters button[type=submit]")
    page.wait_for_selector(f"#status:has-text('{day:%d.%m.%Y}')")
    planned_worker, colleague = data.workers[0]["full_name"], data.workers[1]["full_name"]
    page.click(f"#table tr.rp-link:has-text('{planned_worker}')")
    page.wait_for_selector(f"#crumbs:has-text('{planned_worker}')")
    loaded(page)
    page.locator("#table tr.rp-link").first.click()
    page.wait_for_selector(f"#crumbs:has-text('{day:%d.%m.%Y}')")
    loaded(page)
    expect(page.locator("#table")).to_contain_text("выполнено коллегой")
    rows = _table(page)
    header = rows[0]
    assert "Кто выполнил" in header
    [row] = [r for r in rows[1:] if "выполнено коллегой" in r]
    assert row[header.index("Кто выполнил")] == colleague
    assert sum("не выполнено" in r for r in rows[1:]) == 4  # the other four: nobody came
    _shot(page, artifacts, "covered-visit")
