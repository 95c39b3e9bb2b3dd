"""The offline basemap (streets as GeoJSON, drawn beneath the map) and the planner's reasons
in the user's language on the plan tab: unplanned visits, why a visit went to its worker, a
refused move."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from core.db import get_engine
from planner.models import Plan, PlanStop, PlanUnplanned
from tests.browser.conftest import OfficeData, approved_route
from tests.browser.test_supervisor import open_supervisor


def _is_lonlat(point: Any) -> bool:
    return (
        isinstance(point, list)
        and len(point) == 2
        and -180 <= point[0] <= 180
        and -90 <= point[1] <= 90
    )


def test_basemap_serves_named_streets_as_geojson(server: str) -> None:
    answer = httpx.get(f"{server}/api/basemap")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    collection = answer.json()
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) >= 10
    for feature in features:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        assert geometry["type"] == "LineString"
        assert len(geometry["coordinates"]) >= 2
        assert all(_is_lonlat(p) for p in geometry["coordinates"])
        assert feature["properties"]["name"]
    names = {f["properties"]["name"] for f in features}
    assert "Зелёный проспект" in names


def test_basemap_from_a_configured_file(server: str, tmp_path: Path, monkeypatch: Any) -> None:
    from core.settings import get_settings

    own = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[37.6, 55.7], [37.61, 55.71]]},
                "properties": {"name": "Тверская улица"},
            }
        ],
    }
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(get_settings(), "basemap_geojson", str(path))
    assert httpx.get(f"{server}/api/basemap").json() == own

    monkeypatch.setattr(get_settings(), "basemap_geojson", str(tmp_path / "missing.geojson"))
    assert httpx.get(f"{server}/api/basemap").status_code == 404


def _plan_with_reasons(data: OfficeData) -> Plan:
    """Today's approved plan: three visits of the first worker (the first one under way, the
    second explained) and three clients left out with the planner's codes and sentences."""
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, data)
        first, second = (session.get(PlanStop, i) for i in stop_ids[:2])
        first.pinned = True
        second.why = "nearest worker who can do it (7 min from the previous stop)"
        plan = session.get(Plan, first.plan_id)
        planned = {s.client_id for s in plan.routes[0].stops}
        left_out = [c for c in data.client_ids if c not in planned]
        reasons = [
            ("no_time", "every worker who can do it is busy during its window 09:00-11:00"),
            ("no_skill", "no worker has the skill 'medical'"),
            ("brand_new_rule", "a rule the pages do not know yet"),
        ]
        for client_id, (code, reason) in zip(left_out, reasons, strict=False):
            row = PlanUnplanned(plan_id=plan.id, client_id=client_id, code=code, reason=reason)
            session.add(row)
        session.commit()
        return plan


def test_plan_tab_speaks_russian_on_a_basemap(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    _plan_with_reasons(zoned_office)
    page = open_supervisor(context, zoned_office.supervisor, "?tab=plan")
    page.wait_for_selector("#plan-unplanned li.unplanned")

    reasons = {
        li.get_attribute("data-code"): li.inner_text()
        for li in page.locator("#plan-unplanned li.unplanned").all()
    }
    assert "заняты в удобное клиенту время 09:00–11:00" in reasons["no_time"]
    assert "«медицинские процедуры»" in reasons["no_skill"]
    # A code the pages do not know yet: their general words, never the planner's English.
    assert reasons["brand_new_rule"].endswith("Не вошло в план")
    assert "a rule the pages do not know yet" not in reasons["brand_new_rule"]
    assert "worker" not in reasons["no_time"] + reasons["no_skill"]

    second = page.locator(".tl-visit >> nth=1")
    assert "ближайший из тех, кто может выполнить (7 мин" in second.get_attribute("title")

    # Streets beneath everything, named along them; a house at each client address.
    assert page.locator(".leaflet-basemap-pane path").count() > 20
    for _ in range(2):  # names and houses appear as one zooms in
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(350)
    page.wait_for_selector(".street-label", state="attached")
    assert page.locator(".leaflet-basemap-pane path.house").count() == len(zoned_office.client_ids)
    page.screenshot(path=str(artifacts / "supervisor-plan-reasons.png"))

    # The first visit is under way: moving it is refused, in Russian.
    worker = zoned_office.workers[0]["id"]
    page.drag_and_drop(
        f".tl-row[data-worker-id='{worker}'] .tl-visit >> nth=0",
        f".tl-row[data-worker-id='{worker}'] .tl-track",
        target_position={"x": 700, "y": 15},
    )
    page.wait_for_selector("#plan-message:has-text('Перенести нельзя')")
    assert "Посещение уже идёт или выполнено" in page.inner_text("#plan-message")
    assert not page.errors
