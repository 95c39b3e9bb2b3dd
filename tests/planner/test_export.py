"""Plan exports: JSON, GeoJSON and the offline HTML map, on a small hand-made plan."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from planner.export import hhmm, plan_to_dict, plan_to_geojson, plan_to_html, write_plan
from planner.problem import (
    Break,
    Location,
    Plan,
    Problem,
    Route,
    Stop,
    TravelMode,
    Unplanned,
    Visit,
    Worker,
)

OFFICE = Location(37.7870, 55.7510)  # Perovo
HOMES = [Location(37.7828, 55.7552), Location(37.7705, 55.7542), Location(37.8072, 55.7633)]


def _problem() -> Problem:
    workers = (
        Worker("w1", 8 * 3600, 17 * 3600, 0, 0, name="Сидорова Е. В.",
               lunch=Break(12 * 3600, 13 * 3600, 2700)),
        Worker("w2", 9 * 3600, 18 * 3600, 0, 0, name="Крылова О. А.",
               travel_mode=TravelMode.TRANSIT),
    )  # fmt: skip
    visits = (
        Visit("c1@d", "c1", 1, 1800, client_name="Иванова М. П.", services=("1.1", "1.2")),
        Visit("c2@d", "c2", 2, 2700, client_name="Петрова А. И."),
        Visit("c3@d", "c3", 3, 600, client_name="Смирнова <В. С.>", services=("2.1",)),
    )
    n = 4
    zeros = [[0] * n for _ in range(n)]
    return Problem(workers, visits, {TravelMode.WALK: zeros}, locations=(OFFICE, *HOMES))


def _plan() -> Plan:
    r1 = Route(
        "w1", 8 * 3600, 10 * 3600,
        (Stop("c1@d", 8 * 3600 + 600, 8 * 3600 + 900, 8 * 3600 + 2700, 600, 300),
         Stop("c2@d", 9 * 3600, 9 * 3600, 9 * 3600 + 2700, 555, 0, why="closest")),
        break_start=12 * 3600, break_end=12 * 3600 + 2700, lunch_after="c2@d",
        travel=1800, service=4500, wait=300, distance_m=2100,
    )  # fmt: skip
    r2 = Route("w2", 9 * 3600, 9 * 3600, ())
    return Plan([r1, r2], [Unplanned("c3@d", "no worker has the skill 'medical'", "no_skill")])


def test_hhmm() -> None:
    assert hhmm(8 * 3600 + 5 * 60) == "08:05"
    assert hhmm(24 * 3600) == "24:00"
    assert hhmm(59) == "00:01"  # rounded to the minute
    assert hhmm(None) == ""


def test_plan_json_names_and_times() -> None:
    data = plan_to_dict(_problem(), _plan(), day="2025-03-03")
    assert data["date"] == "2025-03-03"
    first = data["routes"][0]
    assert first["worker_name"] == "Сидорова Е. В."
    assert [s["client_name"] for s in first["stops"]] == ["Иванова М. П.", "Петрова А. И."]
    assert first["stops"][0]["start_hhmm"] == "08:15" and first["stops"][0]["services"] == [
        "1.1",
        "1.2",
    ]
    assert (first["stops"][1]["lon"], first["stops"][1]["lat"]) == (37.7705, 55.7542)
    assert first["lunch_after"] == "c2@d"  # where lunch is taken: at this client's place
    assert data["unplanned"] == [
        {
            "visit_id": "c3@d",
            "client_name": "Смирнова <В. С.>",
            "reason": "no worker has the skill 'medical'",
            "code": "no_skill",
        }
    ]
    json.dumps(data)  # plain data all the way down


def test_geojson_stops_routes_and_unplanned() -> None:
    features = plan_to_geojson(_problem(), _plan())["features"]
    kinds = [f["properties"]["kind"] for f in features]
    assert kinds == ["route", "stop", "stop", "unplanned"]  # the empty route draws nothing
    route = features[0]
    assert route["geometry"]["type"] == "LineString"
    office, home1, home2 = [OFFICE.lon, OFFICE.lat], [37.7828, 55.7552], [37.7705, 55.7542]
    assert route["geometry"]["coordinates"] == [office, home1, home2, office]
    assert route["properties"]["travel_min"] == 30 and route["properties"]["visits"] == 2
    stop = features[2]
    assert stop["geometry"] == {"type": "Point", "coordinates": home2}
    assert stop["properties"]["number"] == 2 and stop["properties"]["arrival"] == "09:00"
    assert features[3]["properties"]["reason"].startswith("no worker")


def test_html_is_self_contained_svg_with_russian_labels() -> None:
    page = plan_to_html(_problem(), _plan())
    assert '<html lang="ru">' in page and "Не запланированы" in page and "Обед" in page
    assert "12:00–12:45, после: Петрова А. И." in page  # where lunch is taken
    # nothing to fetch: no scripts, stylesheets, images or fonts from anywhere
    assert not re.search(r"<(script|link|img)\b|@import|url\(", page)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])  # well-formed
    ns = "{http://www.w3.org/2000/svg}"
    titles = [t.text or "" for t in svg.iter(f"{ns}title")]
    assert any("1. Иванова М. П." in t and "прибытие 08:10" in t and "08:15–08:45" in t
               for t in titles)  # fmt: skip
    assert any("Смирнова <В. С.>" in t for t in titles)  # escaped in the file, intact here
    numbers = [t.text for t in svg.iter(f"{ns}text")]
    assert numbers == ["1", "2", "×"]
    for circle in svg.iter(f"{ns}circle"):  # every point inside the drawing
        assert 0 <= float(circle.get("cx", -1)) <= 960 and 0 <= float(circle.get("cy", -1)) <= 640


def test_html_in_english_and_one_colour_per_worker() -> None:
    page = plan_to_html(_problem(), _plan(), lang="en")
    assert '<html lang="en">' in page and "Unplanned" in page and "arrives 08:10" in page
    assert "12:00–12:45, after Петрова А. И." in page
    colours = re.findall(r'class="route" data-worker="(\w+)" style="--c:(#\w+)"', page)
    assert len(colours) == 2 and colours[0][1] != colours[1][1]


def test_write_plan_writes_three_files(tmp_path: Path) -> None:
    paths = write_plan(tmp_path / "out", _problem(), _plan(), lang="ru", day="2025-03-03")
    assert sorted(p.name for p in paths) == ["plan.geojson", "plan.html", "plan.json"]
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["routes"][0]["stops"]
    assert "План маршрутов — 2025-03-03" in (tmp_path / "out" / "plan.html").read_text()
