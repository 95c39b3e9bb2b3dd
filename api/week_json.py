"""A week plan as the supervisor's week view reads it: workers x days, each cell the worker's
minutes of work (visits and travel) and visits, overloads and absences marked, and the fit
advice for queued clients."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import build
from planner.calendar import WorkCalendar
from planner.duty import office_calendar, shift_on
from planner.fit import FitAdvice
from planner.models import Plan, PlanWeek
from planner.week_store import period_days, week_days
from registry.models import Client, Worker


def week_summary(week: PlanWeek) -> dict[str, Any]:
    return {
        "id": week.id,
        "office_id": week.office_id,
        "start": week.start,
        "end": week.end,
        "stats": week.stats,
        "created_at": week.created_at,
    }


def _shift_minutes(worker: Worker, day: date, calendar: WorkCalendar) -> int:
    shift = shift_on(worker, day, calendar)
    if shift is None:
        return 0
    minutes = (build.seconds_of(shift.end) - build.seconds_of(shift.start)) // 60
    if worker.max_minutes_per_day:
        minutes = min(minutes, worker.max_minutes_per_day)
    return minutes - (shift.lunch_minutes or 0)


def week_view(session: Session, week: PlanWeek) -> dict[str, Any]:
    days = period_days(week)
    plans = week_days(session, week)
    calendar = office_calendar(week.start, week.end)
    workers = session.scalars(
        select(Worker).where(Worker.office_id == week.office_id).order_by(Worker.full_name)
    ).all()
    client_ids = {s.client_id for p in plans.values() for r in p.routes for s in r.stops}
    client_ids |= {u.client_id for p in plans.values() for u in p.unplanned}
    names = {
        c.id: c.full_name
        for c in session.scalars(select(Client).where(Client.id.in_(client_ids or {-1})))
    }
    rows = []
    for worker in workers:
        if not worker.active and not any(
            r.worker_id == worker.id for p in plans.values() for r in p.routes
        ):
            continue
        cells = []
        for day in days:
            plan = plans.get(day)
            routes = plan.routes if plan else []
            route = next((r for r in routes if r.worker_id == worker.id), None)
            absent = any(a.date_from <= day <= a.date_to for a in worker.absences)
            on = shift_on(worker, day, calendar) is not None
            shift = _shift_minutes(worker, day, calendar) if on else 0
            work = 0 if route is None else (route.service_s + route.travel_s) // 60
            cells.append(
                {
                    "day": day,
                    "on_duty": on,
                    "absent": absent,
                    "shift_minutes": shift,
                    "work_minutes": work,
                    "travel_minutes": 0 if route is None else route.travel_s // 60,
                    "overload": route is not None and (not on or work > shift),
                    "visits": [
                        {
                            "client_id": s.client_id,
                            "client_name": names.get(s.client_id, ""),
                            "minutes": sum(int(x.get("minutes", 0)) for x in s.services),
                            "start": s.start,
                        }
                        for s in (route.stops if route is not None else [])
                    ],
                }
            )
        rows.append({"worker_id": worker.id, "worker_name": worker.full_name, "cells": cells})
    return {
        **week_summary(week),
        "days": [_day(d, plans.get(d), calendar.why_off(d), names) for d in days],
        "workers": rows,
    }


def _day(day: date, plan: Plan | None, off: str, names: dict[int, str]) -> dict[str, Any]:
    return {
        "day": day,
        "off": off,  # why the day is not a working day ('' on a working day)
        "plan_id": plan.id if plan else None,
        "version": plan.version if plan else None,
        "status": plan.status.value if plan else None,
        "unplanned": [
            {"client_id": u.client_id, "client_name": names.get(u.client_id, ""), "code": u.code}
            for u in (plan.unplanned if plan else [])
        ],
    }


def advice_json(advice: FitAdvice, client: Client, workers: dict[int, str]) -> dict[str, Any]:
    return {
        "client_id": client.id,
        "client_name": client.full_name,
        "tasks": advice.tasks,
        "reason": advice.reason,
        "fits": advice.best is not None,
        "options": [
            {
                "worker_id": int(o.worker_id),
                "worker_name": o.worker_name,
                "days": [v.day for v in o.visits],
                "visits": [
                    {
                        "day": v.day,
                        "worker_id": int(v.worker_id),
                        "worker_name": workers.get(int(v.worker_id), ""),
                        "minutes": v.minutes,
                        "travel_minutes": round(v.travel_s / 60, 1),
                    }
                    for v in o.visits
                ],
                "minutes": o.minutes,
                "travel_minutes": round(o.travel_s / 60, 1),
                "room_left_minutes": o.room_left_s // 60,
            }
            for o in advice.options
        ],
        "room_minutes": [
            {"worker_id": int(w), "worker_name": workers.get(int(w), ""), "minutes": s // 60}
            for w, s in sorted(advice.room_s.items(), key=lambda kv: -kv[1])
        ],
    }
