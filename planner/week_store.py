"""Week plans in the database: a planned period stored as one draft per day linked to a
`PlanWeek`, read back day by day, approved a day or the whole week at once, and one day
re-planned on its own (the other days keep their visits where they are).

The week's plan of a day is the newest version of that day linked to the week. Everything a
call stores happens in the caller's one transaction: a failure stores nothing.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import User
from planner import build, plans
from planner.build import Built
from planner.calendar import days_between
from planner.duty import office_calendar, on_duty
from planner.models import Plan, PlanStatus, PlanWeek
from planner.problem import Plan as SolvedPlan
from planner.problem import SolveParams
from planner.week_build import WeekBuilt
from planner.week_problem import WeekParams, WeekPlan


def store_week(
    session: Session, built: WeekBuilt, planned: WeekPlan, *, user_id: int | None
) -> PlanWeek:
    """One draft per day of the period, linked to a new `PlanWeek`."""
    week = PlanWeek(
        office_id=built.office_id,
        start=built.start,
        end=built.end,
        created_by=user_id,
        stats={k: round(v, 3) for k, v in planned.stats.items()},
    )
    session.add(week)
    session.flush()
    params = SolveParams(time_limit_s=0)
    lost: dict[date, dict[str, list[dict[str, object]]]] = defaultdict(dict)
    tasks = {t.id: t for t in built.problem.tasks}
    for left in planned.unplanned:
        task = tasks.get(left.task_id)
        if task is None or left.code != "no_one_on_duty" or left.day is None:
            continue
        service = built.services[(task.client_id, task.service_code)]
        lost[left.day].setdefault(task.client_id, []).append(service)
    for day_plan in planned.days:
        day = day_plan.day
        skipped = [s for d, s in built.skipped if d == day]
        reason = "nobody who can serve the client works that day or within its tolerance"
        skipped += [
            build.Skipped(built.clients[c].id, "no_one_on_duty", reason, list(found))
            for c, found in lost[day].items()
        ]
        one_day = Built(
            built.office_id,
            day,
            built.tz,
            day_plan.problem,
            built.drafts(day_plan.problem.visits),
            {w.id: built.workers[w.id] for w in day_plan.problem.workers},
            skipped,
        )
        plan = plans.store_day(session, one_day, day_plan.plan, user_id=user_id, params=params)
        plan.week_id = week.id
        plan.params = {"kind": "week", "week_id": week.id}
    session.flush()
    return week


def week_or_404(session: Session, week_id: int) -> PlanWeek:
    week = session.get(PlanWeek, week_id)
    if week is None:
        raise DomainError("week plan not found", status=404)
    return week


def week_days(session: Session, week: PlanWeek) -> dict[date, Plan]:
    """The week's plan of each day: the newest version linked to the week."""
    rows = session.scalars(
        select(Plan).where(Plan.week_id == week.id).order_by(Plan.day, Plan.version)
    ).all()
    return {p.day: p for p in rows}


def day_of(session: Session, week: PlanWeek, day: date) -> Plan:
    plan = week_days(session, week).get(day)
    if plan is None:
        raise DomainError(
            f"{day.isoformat()} is not a day of this week plan",
            status=404,
            code="week.no_day",
            params={"day": day.isoformat()},
        )
    return plan


def approve_week(
    session: Session, *, week: PlanWeek, user: User, day: date | None = None
) -> list[Plan]:
    """Approve the week's draft of one day, or of every day; days already approved stay."""
    chosen = week_days(session, week)
    if day is not None:
        chosen = {day: day_of(session, week, day)}
    approved = []
    for plan in chosen.values():
        if plan.status == PlanStatus.DRAFT:
            approved.append(plans.approve(session, plan_id=plan.id, user=user))
    return approved


# --- one day again ------------------------------------------------------------------------


def prepare_day_again(session: Session, *, week_id: int, day: date) -> Built:
    """The week's visits of one day (those placed on it, planned or not) over the workers
    on duty that day, as the day solver's problem."""
    week = week_or_404(session, week_id)
    plan = day_of(session, week, day)
    stops = [s for r in plan.routes for s in r.stops]
    calendar = office_calendar(day, day)
    workers = on_duty(session, office_id=plan.office_id, day=day, calendar=calendar)
    drafts = [
        d
        for d in plans.plan_drafts(session, plan, stops)
        if not any(u.client_id == d.client.id and u.code == "no_location" for u in plan.unplanned)
    ]
    return build.assemble(
        session, office_id=plan.office_id, day=day, workers=workers, drafts=drafts
    )


def store_day_again(
    session: Session,
    *,
    week_id: int,
    built: Built,
    solved: SolvedPlan,
    user_id: int | None,
    params: SolveParams,
) -> Plan:
    """The re-planned day stored as the day's next draft version, linked to the week."""
    week = week_or_404(session, week_id)
    before = day_of(session, week, built.day)
    kept = [u for u in before.unplanned if u.code in ("no_location", "no_one_on_duty")]
    built = dataclasses.replace(
        built,
        skipped=[
            *built.skipped,
            *(build.Skipped(u.client_id, u.code, u.reason, u.services) for u in kept),
        ],
    )
    plan = plans.store_day(session, built, solved, user_id=user_id, params=params)
    plan.week_id = week.id
    plan.params = {"kind": "week-day", "week_id": week.id, "from_plan": before.id}
    session.flush()
    return plan


def week_params(time_limit_s: float, days: int) -> WeekParams:
    """Time limits of a period's solve from one budget: a quarter to choose days, the rest
    shared by the days' routes (a repair round gets a fifth of a day's share)."""
    per_day = max(0.5, time_limit_s * 0.75 / max(days, 1))
    return WeekParams(
        assign_time_limit_s=max(1.0, time_limit_s * 0.25),
        day_time_limit_s=per_day,
        repair_time_limit_s=max(0.5, per_day / 5),
        workers=1,
    )


def period_days(week: PlanWeek) -> list[date]:
    return days_between(week.start, week.end)


def record_week(session: Session, *, week: PlanWeek, user_id: int | None) -> None:
    audit.record(
        session,
        user=None,
        action="plan-week",
        entity="plan_week",
        entity_id=week.id,
        changes={"start": week.start.isoformat(), "end": week.end.isoformat(), "by": user_id},
        office_id=week.office_id,
    )
