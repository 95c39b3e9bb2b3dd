"""Every page speaks one language: rendered in Russian, no Latin word outside an allowed list
(proper names, units, codes the user types); rendered in English, no Cyrillic word outside
the office's own data (names, addresses, service names are proper names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.routes.pages import STREETS_FILE
from core.db import get_engine
from core.models import Office, Region, User
from planner.models import Plan, PlanStop
from registry.models import Client, ClientStatus, Service, Worker
from tests import factories
from tests.browser.conftest import OfficeData, approved_route, log_in

# Latin words a Russian page may show: the product's name, the language switch's own name,
# what a map credits, the GPS of the phone, the name printed on a key and file formats.
LATIN_ALLOWED = {"CareRoute", "English", "Leaflet", "OpenStreetMap", "GPS", "Shift", "CSV", "XLSX"}
# Cyrillic words an English page may show besides the office's data: the language switch.
CYRILLIC_ALLOWED = {"Русский"}
LATIN = re.compile(r"[A-Za-z]{2,}")
CYRILLIC = re.compile(r"[А-Яа-яЁё]+")

# Everything a user reads: the visible text, the title, tooltips and placeholders.
TEXT_OF_PAGE = """() => [
  document.title,
  document.body.innerText,
  ...[...document.querySelectorAll('[title]')].map((e) => e.title),
  ...[...document.querySelectorAll('[placeholder]')].map((e) => e.placeholder),
  ...[...document.querySelectorAll('option')].map((e) => e.textContent),
].join('\\n')"""


def _foreign(text: str, lang: str, data_words: set[str]) -> set[str]:
    if lang == "ru":
        return {w for w in LATIN.findall(text) if w not in LATIN_ALLOWED}
    return {w for w in CYRILLIC.findall(text) if w not in CYRILLIC_ALLOWED | data_words}


def _data_words(office_id: int) -> set[str]:
    """The words of the office's own data and the map's streets: proper names, shown as they
    are in any language."""
    with Session(get_engine()) as session:
        office = session.get(Office, office_id)
        assert office is not None
        texts = [office.name, session.get(Region, office.region_id).name]  # type: ignore[union-attr]
        for model in (Client, Worker):
            for row in session.scalars(select(model).where(model.office_id == office_id)):
                texts += [row.full_name, getattr(row, "address", "") or ""]
        for service in session.scalars(select(Service).where(Service.office_id == office_id)):
            texts.append(service.name)
        texts += [u.full_name for u in session.scalars(select(User))]
        stops = select(PlanStop).join(Plan).where(Plan.office_id == office_id)
        texts += [s.get("name", "") for stop in session.scalars(stops) for s in stop.services]
    # The basemap's street names, drawn on the maps.
    texts.append(STREETS_FILE.read_text(encoding="utf-8"))
    words = {w for text in texts for w in CYRILLIC.findall(text or "")}
    return words | {w[0] for w in words}  # initials: "Кузнецова О. В."


@pytest.fixture
def planned_office(zoned_office: OfficeData) -> Iterator[OfficeData]:
    """The zoned office with today's plan approved and a client waiting in the queue."""
    with Session(get_engine()) as session:
        approved_route(session, zoned_office)
        office = session.get(Office, zoned_office.office_id)
        queued = factories.client(
            session, office, full_name="Очередная Зоя Павловна", status=ClientStatus.QUEUED
        )
        zoned_office.client_ids.append(queued.id)
        session.commit()
    yield zoned_office


# Real error answers of the server, said by the page (api.js and i18n.js as the page loaded
# them): a move of a queued client, an office out of reach, a malformed what-if.
SERVER_ERRORS = """async ([officeId, clientId, zoneId]) => {
  const i18n = await import('/static/js/i18n.js');
  const api = await import('/static/js/api.js');
  const calls = [
    () => api.saveMoves(officeId, [{ client_id: clientId, zone_id: zoneId }]),
    () => api.zones(2147483000),
    () => api.previewMoves(officeId, 'x'),
  ];
  const texts = [];
  for (const call of calls) {
    try { await call(); texts.push('no error'); } catch (exc) { texts.push(i18n.errorText(exc)); }
  }
  return texts;
}"""


def _check(page: Any, lang: str, where: str, data_words: set[str], artifacts: Path) -> None:
    page.screenshot(path=str(artifacts / f"language-{lang}-{where}.png"))
    text = page.evaluate(TEXT_OF_PAGE)
    foreign = _foreign(text, lang, data_words)
    assert foreign == set(), f"{where} ({lang}) shows {sorted(foreign)}"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_page_in_one_language(
    lang: str, context: Any, phone: Any, planned_office: OfficeData, artifacts: Path
) -> None:
    data = planned_office
    words = _data_words(data.office_id)
    page = context.new_page()
    page.goto(f"/?lang={lang}")
    page.wait_for_selector("button[type=submit]:not(:empty)")
    _check(page, lang, "login", words, artifacts)

    log_in(page, data.supervisor)
    page.wait_for_url("**/supervisor/**")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(".zone-row")
    _check(page, lang, "zones", words, artifacts)
    zone_id = int(page.get_attribute(".zone-row", "data-zone-id"))
    said = page.evaluate(SERVER_ERRORS, [data.office_id, data.client_ids[-1], zone_id])
    assert "no error" not in said
    assert _foreign("\n".join(said), lang, words) == set(), said
    queued = {"ru": "не на обслуживании", "en": "is not served"}[lang]
    assert queued in said[0] and f"{data.client_ids[-1]}" in said[0]
    # the what-if naming a client it cannot move
    other = next(
        c for c in data.client_ids[:-1] if page.locator(f"path[data-client-id='{c}']").count()
    )
    for client_id in (other, data.client_ids[-1]):
        page.click(f"path[data-client-id='{client_id}']", modifiers=["Shift"])
    page.select_option("#target-zone", index=len(data.workers))
    page.click("#move")
    page.wait_for_selector("#zones-refused:not([hidden])")
    _check(page, lang, "zones-refused", words, artifacts)
    page.click("[data-tab=plan]")
    page.wait_for_selector("#plan-versions li")
    page.wait_for_selector("#timeline:not([hidden])")
    _check(page, lang, "plan", words, artifacts)
    page.click("[data-tab=live]")
    page.wait_for_selector("#live-workers .live-row")
    _check(page, lang, "live", words, artifacts)
    page.goto(f"/supervisor/?tab=live&day={date.today() + timedelta(days=3)}")
    page.wait_for_selector("#live-no-plan:not([hidden])")
    _check(page, lang, "live-no-plan", words, artifacts)

    page.goto("/reports/")
    page.wait_for_selector("#status:not(:empty)")
    page.wait_for_selector("#table tr, #status")
    _check(page, lang, "reports", words, artifacts)

    mobile = phone.new_page()
    mobile.goto(f"/?lang={lang}")
    mobile.wait_for_selector("button[type=submit]:not(:empty)")  # the language is kept
    log_in(mobile, data.workers[0]["username"])
    mobile.wait_for_url("**/m/")
    mobile.wait_for_selector("body[data-ready='1']")
    mobile.locator("li.stop").first.wait_for()
    mobile.locator("li.stop [data-action='phone.card']").first.click()
    mobile.wait_for_selector("li.stop .card-sheet:not([hidden])")
    _check(mobile, lang, "phone", words, artifacts)
    mobile.click("#days [data-day-link='tomorrow']")
    mobile.wait_for_selector("#other-day:not([hidden])")
    _check(mobile, lang, "phone-tomorrow", words, artifacts)
