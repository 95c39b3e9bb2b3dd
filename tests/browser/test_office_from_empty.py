"""A new installation run from the browser alone, no demo: the first administrator (made as
`careroute create-admin` makes it) creates a region, a centre's department, two workers with
their shifts, a head of department and a worker's login; the head adds the catalogue, imports
clients from a file with one bad row (shown, fixed, then written) and their care programmes,
approves the programmes (imported as drafts), plans the day and approves it; the worker sees
that day's route on the phone page.

Each step is its own function, run in order by the test at the bottom. Screenshots of every
step go to test-artifacts/office-from-empty-*.png."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office
from core.settings import get_settings
from registry.models import CarePlan, CarePlanStatus, Client, Worker
from tests.browser.admin_setup import (
    Made,
    logged_in,
    made_fixture,  # noqa: F401 (the fixture `made`)
    set_password_with_code,
)
from tests.browser.conftest import NEIGHBOURHOODS

HEAD_PASSWORD = "head-password-1"
WORKER_PASSWORD = "worker-password-1"
CLIENTS = [  # name, birth date, address, lon, lat: around the workers' start
    ("Аксёнова Вера Николаевна", "11.02.1936", "ул. Плеханова, д. 3, кв. 2", 37.758, 55.741),
    ("Белов Пётр Ильич", "03.07.1941", "ул. Плеханова, д. 5, кв. 9", 37.766, 55.743),
    ("Волкова Зинаида Фёдоровна", "21.12.1938", "ул. Плеханова, д. 7, кв. 16", 37.762, 55.745),
    ("Герасимова Нина Павловна", "30.05.1944", "ул. Плеханова, д. 9, кв. 23", 37.768, 55.740),
]  # fmt: skip
BAD_DATE = "31.02.1940"  # the bad row: there is no 31 February


@dataclass
class Story:
    """What the steps pass on to each other."""

    made: Made
    artifacts: Path
    day: str
    office_name: str = ""
    office_id: int = 0
    worker_names: list[str] = field(default_factory=list)
    head: str = ""
    head_code: str = ""
    worker_login: str = ""
    worker_code: str = ""
    pages: dict[str, Any] = field(default_factory=dict)

    def shot(self, page: Any, step: str) -> None:
        page.screenshot(path=str(self.artifacts / f"office-from-empty-{step}.png"), full_page=True)


def today() -> str:
    return datetime.now(ZoneInfo(get_settings().timezone)).date().isoformat()


def clients_csv(*, fixed: bool) -> bytes:
    lines = ["ФИО;Дата рождения;Адрес;Долгота;Широта"]
    for n, (name, born, address, lon, lat) in enumerate(CLIENTS):
        if n == 2 and not fixed:
            born = BAD_DATE
        lines.append(f"{name};{born};{address};{lon};{lat}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def care_plans_csv(day: str) -> bytes:
    since = (datetime.fromisoformat(day) - timedelta(days=7)).date().isoformat()
    lines = ["ФИО;Код услуги;Периодичность;Действует с"]
    for name, *_ in CLIENTS:
        lines.append(f"{name};A01;daily;{since}")
        lines.append(f"{name};B02;daily;{since}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- the administrator ---------------------------------------------------------------------


def admin_creates_region_and_department(story: Story, context: Any) -> None:
    page = logged_in(context, story.made.admin, "admin")
    story.pages["admin"] = page
    # (on a database holding nothing else the list says "no regions yet"; tests run side by
    # side may have left theirs, so only this run's names are looked for)
    expect(page.locator("#regions li", has_text=story.made.tag)).to_have_count(0)
    region = story.made.name("Москва, ВАО")
    story.made.regions.append(region)
    page.fill("#region-form [name=name]", region)
    page.click("#region-form button[type=submit]")
    expect(page.locator("#regions li", has_text=region)).to_be_visible()
    story.office_name = story.made.name("Отделение социального обслуживания на дому №1")
    form = page.locator("#office-form")
    expect(form.locator("[name=region_id] option:checked")).to_have_text(region)
    form.locator("[name=centre]").fill(story.made.name("ГБУ ТЦСО «Перово»"))
    form.locator("[name=name]").fill(story.office_name)
    form.locator("[name=address]").fill("Москва, Зелёный проспект, д. 20")
    form.locator("[name=lat]").fill(str(NEIGHBOURHOODS[0][1]))
    form.locator("[name=lon]").fill(str(NEIGHBOURHOODS[0][0]))
    form.locator("button[type=submit]").click()
    row = page.locator("#offices tr", has_text=story.office_name)
    expect(row).to_be_visible()
    story.office_id = int(row.get_attribute("data-office-id") or 0)
    story.shot(page, "1-region-and-department")


def fill_shifts(page: Any) -> None:
    """Every day of the week 08:00-17:00 with a 30-minute lunch between 12:00 and 14:00 (so
    the day under test is a working day whatever its weekday)."""
    form = page.locator("#worker-form")
    for day in range(1, 8):
        form.locator(f"[name=on{day}]").check()
        form.locator(f"[name=start{day}]").fill("08:00")
        form.locator(f"[name=end{day}]").fill("17:00")
        form.locator(f"[name=lunch_from{day}]").fill("12:00")
        form.locator(f"[name=lunch_to{day}]").fill("14:00")
        form.locator(f"[name=lunch_minutes{day}]").fill("30")


def admin_adds_two_workers_with_shifts(story: Story) -> None:
    page = story.pages["admin"]
    page.goto(f"/office/?office={story.office_id}&tab=workers")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#workers")).to_contain_text("Работников пока нет")
    for n, name in enumerate(["Кузнецова Ольга Викторовна", "Морозова Елена Сергеевна"]):
        page.click("#worker-new")
        form = page.locator("#worker-form")
        form.locator("[name=full_name]").fill(name)
        form.locator("[name=travel_mode]").select_option("walk")
        lon, lat = NEIGHBOURHOODS[n]
        form.locator("[name=start]").fill(f"{lat}, {lon}")
        fill_shifts(page)
        form.locator("button[type=submit]").click()
        expect(page.locator("#worker-msg")).to_have_text(f"Работник {name} сохранён.")
        story.worker_names.append(name)
    expect(page.locator("#workers tr[data-worker-id]")).to_have_count(2)
    expect(page.locator("#workers tr[data-worker-id]").first).to_contain_text("пн 08:00–17:00")
    story.shot(page, "2-two-workers")
    with Session(get_engine()) as session:
        workers = session.scalars(select(Worker).where(Worker.office_id == story.office_id)).all()
        assert sorted(len(w.shifts) for w in workers) == [7, 7]
        assert all(s.lunch_minutes == 30 for w in workers for s in w.shifts)


def admin_creates_head_and_worker_logins(story: Story) -> None:
    page = story.pages["admin"]
    page.goto("/admin/?tab=users")
    page.wait_for_selector("body[data-ready='1']")
    story.head = f"head-{story.made.tag}"
    story.worker_login = f"worker-{story.made.tag}"
    story.made.usernames += [story.head, story.worker_login]
    form = page.locator("#user-form")
    form.locator("[name=username]").fill(story.head)
    form.locator("[name=full_name]").fill("Смирнова Анна Павловна")
    form.locator("[name=role]").select_option("supervisor")
    page.locator("#user-offices label", has_text=story.office_name).locator("input").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#code-for")).to_contain_text(story.head)
    story.head_code = page.inner_text("#one-time-code").strip()
    story.shot(page, "3-head-of-department-code")

    form.locator("[name=username]").fill(story.worker_login)
    form.locator("[name=full_name]").fill(story.worker_names[0])
    form.locator("[name=role]").select_option("worker")
    form.locator("[name=worker_id]").select_option(
        label=f"{story.worker_names[0]} — {story.office_name}"
    )
    form.locator("button[type=submit]").click()
    expect(page.locator("#code-for")).to_contain_text(story.worker_login)
    story.worker_code = page.inner_text("#one-time-code").strip()
    row = page.locator(f"#users tr[data-username='{story.worker_login}']")
    expect(row).to_contain_text(story.worker_names[0])
    story.shot(page, "4-worker-login-code")
    assert story.head_code != story.worker_code
    assert not page.errors


# --- the head of department ----------------------------------------------------------------


def head_sets_password_and_logs_in(story: Story, browser: Any, server: str) -> None:
    context = browser.new_context(
        base_url=server, locale="ru-RU", timezone_id="Europe/Moscow",
        viewport={"width": 1440, "height": 900}, bypass_csp=True,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    story.pages["head-context"] = context
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    set_password_with_code(page, story.head, story.head_code, HEAD_PASSWORD)
    page.fill("#password", HEAD_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/supervisor/**")
    page.goto(f"/office/?office={story.office_id}&tab=services")
    page.wait_for_selector("body[data-ready='1']")
    story.pages["head"] = page


def head_adds_services(story: Story) -> None:
    page = story.pages["head"]
    expect(page.locator("#services")).to_contain_text("Услуг пока нет")
    for code, name, minutes in [
        ("A01", "Покупка и доставка продуктов питания", "30"),
        ("B02", "Измерение артериального давления", "20"),
    ]:
        form = page.locator("#service-form")
        form.locator("[name=code]").fill(code)
        form.locator("[name=name]").fill(name)
        form.locator("[name=standard_minutes]").fill(minutes)
        form.locator("[name=category]").fill("социально-бытовые")
        form.locator("button[type=submit]").click()
        expect(page.locator(f"#services tr[data-code='{code}']")).to_contain_text(name)
    story.shot(page, "5-services")


def head_imports_clients_with_one_bad_row_fixed(story: Story) -> None:
    page = story.pages["head"]
    page.click("[data-tab=import]")
    page.select_option("#import-form [name=kind]", "clients")
    page.set_input_files(
        "#import-file",
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": clients_csv(fixed=False)},
    )
    page.click("#import-check")
    bad = page.locator("#import-errors tr[data-row='4']")  # the header is row 1
    expect(bad).to_be_visible()
    expect(bad).to_have_attribute("data-field", "birth_date")
    expect(bad).to_contain_text(BAD_DATE)
    expect(page.locator("#import-errors tr")).to_have_count(1)
    expect(page.locator("#import-confirm")).to_be_disabled()
    expect(page.locator("#import-msg")).to_contain_text("Ничего не записано")
    story.shot(page, "6-import-bad-row")
    assert _count(Client, story.office_id) == 0  # the check wrote nothing

    page.set_input_files(
        "#import-file",
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": clients_csv(fixed=True)},
    )
    page.click("#import-check")
    expect(page.locator("#import-msg")).to_have_text("Ошибок нет, строк: 4. Нажмите «Записать».")
    expect(page.locator("#import-errors-table")).to_be_hidden()
    page.click("#import-confirm")
    expect(page.locator("#import-msg")).to_have_text("Записано: 4.")
    story.shot(page, "7-import-fixed-and-written")
    assert _count(Client, story.office_id) == 4


def head_imports_care_programmes(story: Story) -> None:
    page = story.pages["head"]
    page.select_option("#import-form [name=kind]", "care_plans")
    page.set_input_files(
        "#import-file",
        {"name": "programmes.csv", "mimeType": "text/csv", "buffer": care_plans_csv(story.day)},
    )
    page.click("#import-check")
    expect(page.locator("#import-msg")).to_contain_text("Ошибок нет, строк: 8")
    page.click("#import-confirm")
    expect(page.locator("#import-msg")).to_have_text("Записано: 4.")
    story.shot(page, "8-care-programmes")
    with Session(get_engine()) as session:
        plans = session.scalar(
            select(func.count(CarePlan.id))
            .join(Client, Client.id == CarePlan.client_id)
            .where(Client.office_id == story.office_id)
        )
    assert plans == 4


def head_approves_the_imported_programmes(story: Story) -> None:
    """Imported programmes arrive as drafts: nothing of them is planned until the head approves."""
    page = story.pages["head"]
    with Session(get_engine()) as session:
        client_ids = session.scalars(
            select(Client.id).where(Client.office_id == story.office_id).order_by(Client.id)
        ).all()
    for n, client_id in enumerate(client_ids):
        page.goto(f"/supervisor/programme?client={client_id}")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#prog-approve")).to_be_visible()
        if n == 0:
            story.shot(page, "8a-programme-draft")
        page.click("#prog-approve")
        expect(page.locator("#prog-saved")).to_contain_text("утверждена")
    story.shot(page, "8b-programme-approved")
    with Session(get_engine()) as session:
        statuses = session.scalars(
            select(CarePlan.status)
            .join(Client, Client.id == CarePlan.client_id)
            .where(Client.office_id == story.office_id)
        ).all()
    assert sorted(statuses) == [CarePlanStatus.APPROVED] * 4


def head_plans_and_approves_the_day(story: Story) -> None:
    page = story.pages["head"]
    page.goto(f"/supervisor/?office={story.office_id}&day={story.day}")
    page.wait_for_selector("body[data-ready='1']")
    page.click("[data-tab=plan]")
    expect(page.locator("#no-plan")).to_be_visible()
    page.click("#plan-start")
    expect(page.locator("#plan-approve")).to_be_enabled(timeout=60_000)
    expect(page.locator("#plan-unplanned li")).to_have_count(0)
    story.shot(page, "9-plan-draft")
    page.click("#plan-approve")
    expect(page.locator("#plan-message")).to_contain_text("утверждён")
    story.shot(page, "10-plan-approved")
    assert not page.errors


# --- the worker ----------------------------------------------------------------------------


def worker_sees_the_route_on_the_phone(story: Story, phone: Any) -> None:
    page = phone.new_page()
    set_password_with_code(page, story.worker_login, story.worker_code, WORKER_PASSWORD)
    page.fill("#password", WORKER_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    stops = page.locator("li.stop")
    stops.first.wait_for()
    names = " ".join(stops.all_inner_texts())
    assert any(name.split()[0] in names for name, *_ in CLIENTS)
    story.shot(page, "11-worker-phone-route")


def _count(model: Any, office_id: int) -> int:
    with Session(get_engine()) as session:
        return int(
            session.scalar(select(func.count(model.id)).where(model.office_id == office_id)) or 0
        )


def test_office_from_empty(
    context: Any,
    phone: Any,
    browser: Any,
    server: str,
    made: Made,
    planning_worker: None,
    artifacts: Path,
) -> None:
    story = Story(made=made, artifacts=artifacts, day=today())
    try:
        admin_creates_region_and_department(story, context)
        admin_adds_two_workers_with_shifts(story)
        admin_creates_head_and_worker_logins(story)
        head_sets_password_and_logs_in(story, browser, server)
        head_adds_services(story)
        head_imports_clients_with_one_bad_row_fixed(story)
        head_imports_care_programmes(story)
        head_approves_the_imported_programmes(story)
        head_plans_and_approves_the_day(story)
        worker_sees_the_route_on_the_phone(story, phone)
    finally:
        if "head-context" in story.pages:
            story.pages["head-context"].close()
    with Session(get_engine()) as session:
        office = session.get(Office, story.office_id)
        assert office is not None and office.name == story.office_name
