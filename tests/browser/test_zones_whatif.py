"""Zones what-if on a lasso that also catches a queued client: the refused client is named in
Russian next to the map and the rest is still computed; clients of one building are listed in a
popup; a client search; a preview before an automatic rebalance is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office
from registry.models import ClientStatus
from tests import factories
from tests.browser.conftest import NEIGHBOURHOODS, OfficeData
from tests.browser.test_supervisor import active_zones, open_supervisor, workload
from zones.models import ZoneSet, ZoneSetStatus

BUILDING = (NEIGHBOURHOODS[1][0] + 0.006, NEIGHBOURHOODS[1][1] + 0.004)
NEIGHBOURS = ["Соседова Анна Ильинична", "Соседов Борис Ильич", "Соседова Вера Борисовна"]


def _add_clients(data: OfficeData) -> int:
    """A queued client near the first neighbourhood and three neighbours in one building."""
    with Session(get_engine()) as session:
        office = session.get(Office, data.office_id)
        queued = factories.client(
            session, office, full_name="Очередная Зоя Павловна", status=ClientStatus.QUEUED,
            lonlat=(NEIGHBOURHOODS[0][0] + 0.002, NEIGHBOURHOODS[0][1] + 0.001),
        )  # fmt: skip
        for name in NEIGHBOURS:
            factories.client(
                session, office, full_name=name, lonlat=BUILDING,
                address="Москва, ул. Плеханова, д. 40",
            )  # fmt: skip
        session.commit()
        data.client_ids.append(queued.id)
        return queued.id


def _version(office_id: int) -> int:
    with Session(get_engine()) as session:
        return session.scalars(
            select(ZoneSet.version).where(
                ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE
            )
        ).one()


def test_refused_clients_named_and_the_rest_computed(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    queued = _add_clients(zoned_office)
    page = open_supervisor(context, zoned_office.supervisor)
    page.wait_for_selector(".zone-row")
    zones = active_zones(zoned_office.office_id)
    source, target = list(zones)[:2]
    before = workload(page, target)
    for client_id in [*sorted(zones[source])[:2], queued]:
        page.click(f"path[data-client-id='{client_id}']", modifiers=["Shift"])
    page.select_option("#target-zone", str(target))
    page.click("#move")

    refused = page.locator("#zones-refused")
    refused.wait_for()
    assert "Очередная Зоя Павловна" in refused.inner_text()
    assert "в очереди" in refused.inner_text()
    assert page.inner_text("#pending").startswith("Несохранённых перемещений: 2.")
    page.wait_for_function(
        f"document.querySelector(\".zone-row[data-zone-id='{target}']\").dataset.workload"
        f" != '{before}'"
    )
    assert page.locator("#page-error").is_hidden()
    page.screenshot(path=str(artifacts / "zones-refused.png"))

    page.click("#save")  # the refused client is not among the moves saved
    page.wait_for_selector("#zones-saved:has-text('перемещено клиентов: 2')")
    assert refused.is_hidden() and page.locator("#page-error").is_hidden()
    assert not page.errors


def test_building_popup_search_and_rebalance_preview(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    _add_clients(zoned_office)
    page = open_supervisor(context, zoned_office.supervisor)
    page.wait_for_selector(".zone-row")

    pin = page.locator(".building-pin")
    pin.wait_for()
    assert pin.inner_text() == "3"
    pin.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    for name in NEIGHBOURS:
        assert name in popup.inner_text()
    popup.locator("button", has_text=NEIGHBOURS[1]).click()
    assert page.inner_text("#selection-count") == "Выбрано клиентов: 1"
    page.screenshot(path=str(artifacts / "zones-building-popup.png"))

    page.fill("#client-search", "белов")
    page.locator("#client-results button", has_text="Белов Пётр Ильич").click()
    assert page.inner_text("#selection-count") == "Выбрано клиентов: 1"
    page.screenshot(path=str(artifacts / "zones-search.png"))

    version = _version(zoned_office.office_id)
    page.click("#rebalance")
    page.wait_for_selector("#zones-saved:has-text('Предпросмотр')")
    assert _version(zoned_office.office_id) == version  # nothing saved yet
    page.screenshot(path=str(artifacts / "zones-rebalance-preview.png"))
    if page.locator("#pending").is_visible():
        page.click("#save")
        page.wait_for_selector("#zones-saved:has-text('Сохранено')")
        assert _version(zoned_office.office_id) == version + 1
    assert not page.errors
