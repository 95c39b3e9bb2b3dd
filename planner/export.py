"""Write a plan as JSON, GeoJSON and a self-contained HTML map.

- plan.json: the routes and stops with times (seconds and HH:MM), client names and services,
  and the unplanned visits with their reasons.
- plan.geojson: every stop as a Point, every route as a LineString (start -> stops -> end;
  straight segments, not the street path), unplanned visits as Points; WGS84 lon/lat.
- plan.html: one file that opens offline: an inline SVG map in an equirectangular projection
  around the plan's centre, a colour per worker, stop numbers with times on hover, a legend and
  the summary table. Russian labels by default, English with lang="en".
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

from planner.problem import Location, Plan, Problem, Route, Visit, Worker

PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#9a6324", "#469990", "#800000", "#808000", "#000075", "#bfef45", "#dcbeff",
)  # fmt: skip
UNPLANNED_COLOUR = "#888888"

LABELS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "План маршрутов",
        "day_off": "{date} — нерабочий день ({why}): файл работников — дежурные этого дня",
        "weekend": "выходной",
        "worker": "Работник",
        "visits": "Посещений",
        "service_min": "Обслуживание, мин",
        "travel_min": "В пути, мин",
        "wait_min": "Ожидание, мин",
        "distance_km": "Путь, км",
        "start": "Начало",
        "end": "Конец",
        "break": "Обед",
        "lunch_before_leaving": "до выхода",
        "lunch_after": "после: {client}",
        "unplanned": "Не запланированы",
        "client": "Клиент",
        "reason": "Причина",
        "arrival": "прибытие",
        "service": "обслуживание",
        "services": "услуги",
        "leaves": "выход",
        "returns": "возвращение",
        "total": "Итого",
        "none": "нет",
    },
    "en": {
        "title": "Route plan",
        "day_off": "{date} is not a working day ({why}): the workers file is its duty roster",
        "weekend": "weekend",
        "worker": "Worker",
        "visits": "Visits",
        "service_min": "Service, min",
        "travel_min": "Travel, min",
        "wait_min": "Wait, min",
        "distance_km": "Distance, km",
        "start": "Start",
        "end": "End",
        "break": "Break",
        "lunch_before_leaving": "before leaving",
        "lunch_after": "after {client}",
        "unplanned": "Unplanned",
        "client": "Client",
        "reason": "Reason",
        "arrival": "arrives",
        "service": "service",
        "services": "services",
        "leaves": "leaves",
        "returns": "returns",
        "total": "Total",
        "none": "none",
    },
}


def hhmm(seconds: int | None) -> str:
    """Seconds since midnight as HH:MM ('' for None)."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class _Index:
    """Lookups from ids to the problem's workers, visits and points."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.workers: dict[str, Worker] = {w.id: w for w in problem.workers}
        self.visits: dict[str, Visit] = {v.id: v for v in problem.visits}

    def point(self, location: int) -> Location | None:
        locations = self.problem.locations
        return locations[location] if 0 <= location < len(locations) else None

    def worker_name(self, worker_id: str) -> str:
        worker = self.workers.get(worker_id)
        return (worker.name if worker else "") or worker_id

    def route_points(self, route: Route) -> list[Location]:
        worker = self.workers.get(route.worker_id)
        indexes = [self.visits[s.visit_id].location for s in route.stops]
        if worker is not None:
            indexes = [worker.start_location, *indexes, worker.end_location]
        return [p for i in indexes if (p := self.point(i)) is not None]


# --- JSON -------------------------------------------------------------------------------------


def plan_to_dict(problem: Problem, plan: Plan, day: str | None = None) -> dict[str, Any]:
    """The plan as plain JSON-ready data, with names and HH:MM next to the seconds."""
    index = _Index(problem)
    routes = []
    for route in plan.routes:
        stops = []
        for number, stop in enumerate(route.stops, start=1):
            visit = index.visits[stop.visit_id]
            point = index.point(visit.location)
            stops.append(
                {
                    "number": number,
                    "visit_id": stop.visit_id,
                    "client_id": visit.client_id,
                    "client_name": visit.client_name,
                    "services": list(visit.services),
                    "lon": point.lon if point else None,
                    "lat": point.lat if point else None,
                    "arrival": stop.arrival,
                    "start": stop.start,
                    "end": stop.end,
                    "travel_s": stop.travel,
                    "wait_s": stop.wait,
                    "arrival_hhmm": hhmm(stop.arrival),
                    "start_hhmm": hhmm(stop.start),
                    "end_hhmm": hhmm(stop.end),
                    "why": stop.why,
                }
            )
        routes.append(
            {
                "worker_id": route.worker_id,
                "worker_name": index.worker_name(route.worker_id),
                "start": route.start,
                "end": route.end,
                "start_hhmm": hhmm(route.start),
                "end_hhmm": hhmm(route.end),
                "break_start": route.break_start,
                "break_end": route.break_end,
                "lunch_after": route.lunch_after,
                "travel_s": route.travel,
                "service_s": route.service,
                "wait_s": route.wait,
                "distance_m": route.distance_m,
                "stops": stops,
            }
        )
    unplanned = [
        {
            "visit_id": u.visit_id,
            "client_name": index.visits[u.visit_id].client_name
            if u.visit_id in index.visits
            else "",
            "reason": u.reason,
            "code": u.code,
        }
        for u in plan.unplanned
    ]
    return {
        "date": day,
        "cost": plan.cost,
        "solve_seconds": round(plan.solve_seconds, 3),
        "stats": plan.stats,
        "routes": routes,
        "unplanned": unplanned,
    }


# --- GeoJSON ----------------------------------------------------------------------------------


def plan_to_geojson(problem: Problem, plan: Plan) -> dict[str, Any]:
    """Stops and unplanned visits as Points, routes as LineStrings, with properties."""
    index = _Index(problem)
    features: list[dict[str, Any]] = []
    for i, route in enumerate(plan.routes):
        name = index.worker_name(route.worker_id)
        line = [[p.lon, p.lat] for p in index.route_points(route)]
        if route.stops and len(line) >= 2:  # an idle worker has no route to draw
            features.append(
                _feature(
                    {"type": "LineString", "coordinates": line},
                    kind="route",
                    worker_id=route.worker_id,
                    worker_name=name,
                    colour=colour(i),
                    visits=len(route.stops),
                    start=hhmm(route.start),
                    end=hhmm(route.end),
                    travel_min=round(route.travel / 60),
                    service_min=round(route.service / 60),
                    distance_m=route.distance_m,
                )
            )
        for number, stop in enumerate(route.stops, start=1):
            visit = index.visits[stop.visit_id]
            point = index.point(visit.location)
            if point is None:
                continue
            features.append(
                _feature(
                    {"type": "Point", "coordinates": [point.lon, point.lat]},
                    kind="stop",
                    worker_id=route.worker_id,
                    worker_name=name,
                    colour=colour(i),
                    number=number,
                    visit_id=visit.id,
                    client_name=visit.client_name,
                    services=list(visit.services),
                    arrival=hhmm(stop.arrival),
                    start=hhmm(stop.start),
                    end=hhmm(stop.end),
                )
            )
    for u in plan.unplanned:
        left_out = index.visits.get(u.visit_id)
        point = index.point(left_out.location) if left_out else None
        if left_out is None or point is None:
            continue
        features.append(
            _feature(
                {"type": "Point", "coordinates": [point.lon, point.lat]},
                kind="unplanned",
                visit_id=visit.id,
                client_name=visit.client_name,
                reason=u.reason,
                code=u.code,
                colour=UNPLANNED_COLOUR,
            )
        )
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


# --- HTML map -------------------------------------------------------------------------------

_WIDTH, _HEIGHT, _MARGIN = 960, 640, 30


class _Projection:
    """lon/lat -> SVG x/y: equirectangular around the centre latitude, fitted to the box."""

    def __init__(self, points: list[Location]) -> None:
        lons = [p.lon for p in points] or [0.0]
        lats = [p.lat for p in points] or [0.0]
        self.lon0, self.lat1 = min(lons), max(lats)
        self.kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
        width = max((max(lons) - self.lon0) * self.kx, 1e-9)
        height = max(self.lat1 - min(lats), 1e-9)
        self.scale = min((_WIDTH - 2 * _MARGIN) / width, (_HEIGHT - 2 * _MARGIN) / height)

    def __call__(self, p: Location) -> tuple[float, float]:
        x = _MARGIN + (p.lon - self.lon0) * self.kx * self.scale
        y = _MARGIN + (self.lat1 - p.lat) * self.scale
        return round(x, 1), round(y, 1)


def plan_to_html(problem: Problem, plan: Plan, lang: str = "ru", title: str = "") -> str:
    """A self-contained page (no network): SVG map, legend and summary table."""
    t = LABELS.get(lang, LABELS["ru"])
    index = _Index(problem)
    used = [p for r in plan.routes for p in index.route_points(r)]
    used += [p for u in plan.unplanned if (p := _unplanned_point(index, u.visit_id))]
    project = _Projection(used or list(problem.locations))
    svg = [_svg_route(index, project, t, i, r) for i, r in enumerate(plan.routes)]
    svg += [_svg_unplanned(index, project, t, u.visit_id, u.reason) for u in plan.unplanned]
    heading = escape(title or t["title"])
    return _PAGE.format(
        lang=escape(lang),
        title=heading,
        width=_WIDTH,
        height=_HEIGHT,
        svg="\n".join(svg),
        legend=_legend(index, plan, t),
        table=_summary_table(index, plan, t),
        unplanned=_unplanned_table(index, plan, t),
    )


def _unplanned_point(index: _Index, visit_id: str) -> Location | None:
    visit = index.visits.get(visit_id)
    return index.point(visit.location) if visit else None


def _svg_route(index: _Index, project: _Projection, t: dict[str, str], i: int, route: Route) -> str:
    name = escape(index.worker_name(route.worker_id))
    line = " ".join(f"{x},{y}" for x, y in map(project, index.route_points(route)))
    parts = [f'<g class="route" data-worker="{escape(route.worker_id)}" style="--c:{colour(i)}">']
    if route.stops:
        parts.append(f'<polyline points="{line}"><title>{name}</title></polyline>')
    worker = index.workers.get(route.worker_id)
    home = index.point(worker.start_location) if worker else None
    if home is not None:
        x, y = project(home)
        parts.append(
            f'<rect class="home" x="{x - 6}" y="{y - 6}" width="12" height="12">'
            f"<title>{name}: {t['leaves']} {hhmm(route.start)}, "
            f"{t['returns']} {hhmm(route.end)}</title></rect>"
        )
    for number, stop in enumerate(route.stops, start=1):
        visit = index.visits[stop.visit_id]
        point = index.point(visit.location)
        if point is None:
            continue
        x, y = project(point)
        tip = (
            f"{number}. {escape(visit.client_name or visit.client_id)} ({name})\n"
            f"{t['arrival']} {hhmm(stop.arrival)}, {t['service']} "
            f"{hhmm(stop.start)}–{hhmm(stop.end)}"
        )
        if visit.services:
            tip += f"\n{t['services']}: {escape(', '.join(visit.services))}"
        parts.append(
            f'<g class="stop"><circle cx="{x}" cy="{y}" r="9"/>'
            f'<text x="{x}" y="{y + 3.5}">{number}</text><title>{tip}</title></g>'
        )
    parts.append("</g>")
    return "\n".join(parts)


def _svg_unplanned(
    index: _Index, project: _Projection, t: dict[str, str], visit_id: str, reason: str
) -> str:
    point = _unplanned_point(index, visit_id)
    if point is None:
        return ""
    x, y = project(point)
    name = escape(index.visits[visit_id].client_name or visit_id)
    return (
        f'<g class="unplanned"><circle cx="{x}" cy="{y}" r="7"/>'
        f'<text x="{x}" y="{y + 3.5}">×</text>'
        f"<title>{name}: {t['unplanned'].lower()}\n{escape(reason)}</title></g>"
    )


def _legend(index: _Index, plan: Plan, t: dict[str, str]) -> str:
    items = [
        f'<li><span class="swatch" style="background:{colour(i)}"></span>'
        f"{escape(index.worker_name(r.worker_id))}: {len(r.stops)}, "
        f"{hhmm(r.start)}–{hhmm(r.end)}</li>"
        for i, r in enumerate(plan.routes)
    ]
    if plan.unplanned:
        items.append(
            f'<li><span class="swatch" style="background:{UNPLANNED_COLOUR}"></span>'
            f"{t['unplanned']}: {len(plan.unplanned)}</li>"
        )
    return "\n".join(items)


def _summary_table(index: _Index, plan: Plan, t: dict[str, str]) -> str:
    head = (
        "worker",
        "visits",
        "service_min",
        "travel_min",
        "wait_min",
        "distance_km",
        "start",
        "end",
        "break",
    )
    rows = []
    for r in plan.routes:
        lunch = ""
        if r.break_start is not None and r.break_end is not None:
            lunch = f"{hhmm(r.break_start)}–{hhmm(r.break_end)}, " + _lunch_place(index, t, r)
        cells = (
            escape(index.worker_name(r.worker_id)),
            len(r.stops),
            round(r.service / 60),
            round(r.travel / 60),
            round(r.wait / 60),
            f"{r.distance_m / 1000:.1f}",
            hhmm(r.start),
            hhmm(r.end),
            lunch,
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{escape(t[h])}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _unplanned_table(index: _Index, plan: Plan, t: dict[str, str]) -> str:
    if not plan.unplanned:
        return f"<p>{escape(t['unplanned'])}: {escape(t['none'])}</p>"
    rows = "".join(
        f"<tr><td>{escape(v.client_name if (v := index.visits.get(u.visit_id)) else u.visit_id)}"
        f"</td><td>{escape(u.reason)}</td></tr>"
        for u in plan.unplanned
    )
    return (
        f"<h2>{escape(t['unplanned'])}</h2><table><thead><tr><th>{escape(t['client'])}</th>"
        f"<th>{escape(t['reason'])}</th></tr></thead><tbody>{rows}</tbody></table>"
    )


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 16px; color: #222; }}
.wrap {{ display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }}
svg {{ border: 1px solid #ccc; background: #fafaf7; max-width: 100%; height: auto; }}
.route polyline {{ fill: none; stroke: var(--c); stroke-width: 3; stroke-opacity: .75; }}
.route:hover polyline {{ stroke-width: 6; stroke-opacity: 1; }}
.route .home {{ fill: #fff; stroke: var(--c); stroke-width: 3; }}
.stop circle {{ fill: var(--c); stroke: #fff; stroke-width: 1.5; }}
.stop:hover circle {{ r: 12; }}
.stop text, .unplanned text {{ fill: #fff; font-size: 10px; font-weight: bold;
  text-anchor: middle; pointer-events: none; }}
.unplanned circle {{ fill: #888; }}
ul.legend {{ list-style: none; padding: 0; margin: 0; }}
ul.legend li {{ margin: 4px 0; }}
.swatch {{ display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: middle; border-radius: 3px; }}
table {{ border-collapse: collapse; margin-top: 12px; }}
th, td {{ border: 1px solid #ddd; padding: 4px 8px; text-align: left; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="wrap">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}"
 height="{height}">
{svg}
</svg>
<ul class="legend">
{legend}
</ul>
</div>
{table}
{unplanned}
</body>
</html>
"""


def write_plan(
    out_dir: Path, problem: Problem, plan: Plan, lang: str = "ru", day: str | None = None
) -> list[Path]:
    """Write plan.json, plan.geojson and plan.html into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "plan.json": json.dumps(plan_to_dict(problem, plan, day), ensure_ascii=False, indent=1),
        "plan.geojson": json.dumps(plan_to_geojson(problem, plan), ensure_ascii=False),
        "plan.html": plan_to_html(problem, plan, lang, title=_title(lang, day)),
    }
    paths = []
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _title(lang: str, day: str | None) -> str:
    base = LABELS.get(lang, LABELS["ru"])["title"]
    return f"{base} — {day}" if day else base


def _lunch_place(index: _Index, t: dict[str, str], route: Route) -> str:
    """Where the lunch is taken, escaped: before leaving, or after a visit (its client)."""
    if route.lunch_after is None:
        return escape(t["lunch_before_leaving"])
    visit = index.visits.get(route.lunch_after)
    client = visit.client_name or visit.client_id if visit else route.lunch_after
    return escape(t["lunch_after"].format(client=client))
