"""The administration and registers pages speak one language, as every other page does
(tests/browser/test_language.py): Russian with no Latin word outside the allowed names, English
with no Cyrillic word outside the office's own data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import accounts
from core.db import get_engine
from core.models import Office, User
from registry.models import Service, Worker
from tests.browser.admin_setup import logged_in
from tests.browser.conftest import PASSWORD, OfficeData, purge
from tests.browser.test_language import CYRILLIC, LATIN, TEXT_OF_PAGE, _data_words, _foreign

# The GPS apps the devices tab names, and the file format the import tab takes: proper names.
APPS = {"Traccar", "Client", "OwnTracks", "GeoJSON"}


@pytest.fixture
def admin_name(office_data: OfficeData) -> Iterator[str]:
    with Session(get_engine()) as session:
        admin = accounts.create_admin(
            session, username=f"lang-admin-{office_data.office_id}", password=PASSWORD
        )
        admin_id, username = admin.id, admin.username
        session.commit()
    try:
        yield username
    finally:
        with get_engine().begin() as conn:
            purge(conn, "app_user", "id", [admin_id])


def _more_data_words(office_id: int) -> set[str]:
    """Data these pages show besides what the other pages do: usernames (typed by the
    administrator, Latin in any language), the centre's name, service categories."""
    with Session(get_engine()) as session:
        texts = list(session.scalars(select(User.username)))
        texts += list(session.scalars(select(Worker.full_name)))  # other offices' logins
        texts += list(session.scalars(select(Service.category)))
        texts.append(session.get(Office, office_id).centre)  # type: ignore[union-attr]
    return {w for text in texts for w in LATIN.findall(text) + CYRILLIC.findall(text)}


# The audit log's old and new values are stored data (names, codes typed by people).
WITHOUT_CHANGES = "() => { document.querySelectorAll('td.changes').forEach((c) => c.remove());"
WITHOUT_CHANGES += f" return ({TEXT_OF_PAGE})(); }}"


def _check(page: Any, lang: str, where: str, words: set[str], artifacts: Path) -> None:
    page.screenshot(path=str(artifacts / f"language-{lang}-{where}.png"))
    text = page.evaluate(WITHOUT_CHANGES if where.endswith("audit") else TEXT_OF_PAGE)
    foreign = _foreign(text, lang, words) - APPS - words
    assert foreign == set(), f"{where} ({lang}) shows {sorted(foreign)}"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_registry_pages_in_one_language(
    lang: str, context: Any, office_data: OfficeData, admin_name: str, artifacts: Path
) -> None:
    words = _data_words(office_data.office_id) | _more_data_words(office_data.office_id)
    page = logged_in(context, admin_name, "admin")
    page.goto(f"/admin/?lang={lang}")
    page.wait_for_selector("body[data-ready='1']")
    for tab in ("org", "users", "audit"):
        page.click(f"[data-tab={tab}]")
        page.wait_for_selector(f"[data-panel={tab}]:not([hidden]) tbody tr")
        _check(page, lang, f"admin-{tab}", words, artifacts)
    page.goto(f"/office/?office={office_data.office_id}")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#services tr[data-code]")
    _check(page, lang, "registers-services", words, artifacts)
    page.click("[data-tab=workers]")
    page.locator("#workers [data-action=edit]").first.click()
    page.wait_for_selector("#worker-card:not([hidden])")
    _check(page, lang, "registers-workers", words, artifacts)
    page.click("[data-tab=devices]")
    page.wait_for_selector("#devices tr")
    _check(page, lang, "registers-devices", words, artifacts)
    page.click("[data-tab=import]")
    _check(page, lang, "registers-import", words, artifacts)
    _check_bad_rows(page, lang, artifacts)
    assert not page.errors


BAD_CLIENTS = (
    "full_name,address,birth_date,lat,lon,workers_needed\n"
    "Белова Лидия Ивановна,ул. Металлургов 5,31.02.1937,55.74,37.79,1\n"
    "Фомин Юрий Андреевич,ул. Братская 12,1935-12-01,95.5,37.81,1\n"
    ",ул. Молостовых 10,1938-04-02,55.76,37.83,3\n"
)
BAD_ROW_REASONS = {  # row -> what the page says, by language
    "ru": {
        "2": "«31.02.1937» — не дата (пишите 1936-02-11 или 11.02.1936)",
        "3": "Должно быть не больше 90",
        "4": "Слишком коротко: не меньше 1",
    },
    "en": {
        "2": "'31.02.1937' is not a date (use 1936-02-11 or 11.02.1936)",
        "3": "Must be 90 or less",
        "4": "Too short: at least 1",
    },
}


def _check_bad_rows(page: Any, lang: str, artifacts: Path) -> None:
    """The reasons of a bad file's rows come from the catalogues, not the server's English."""
    page.select_option("#import-form [name=kind]", "clients")
    page.set_input_files(
        "#import-file",
        {"name": "clients.csv", "mimeType": "text/csv", "buffer": BAD_CLIENTS.encode()},
    )
    page.click("#import-check")
    rows = page.locator("#import-errors tr")
    expect(rows).to_have_count(4)  # row 4 also lacks its full name and has 3 workers
    for row, reason in BAD_ROW_REASONS[lang].items():
        expect(page.locator(f"#import-errors tr[data-row='{row}'] td").nth(2)).to_have_text(reason)
    page.screenshot(path=str(artifacts / f"language-{lang}-import-bad-rows.png"))
    reasons = [rows.nth(n).locator("td").nth(2).inner_text() for n in range(4)]
    if lang == "ru":
        assert [r for r in reasons if LATIN.search(r)] == [], reasons
    else:
        assert [r for r in reasons if CYRILLIC.search(r)] == [], reasons
