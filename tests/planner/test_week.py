"""The week planner (planner.week) on small offices: days within rule and tolerance, nothing
on a non-working day without a duty shift, fixed visits never move, every day replayed by
the independent checker; rules a period cannot hold are refused by name."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bench.week_gen import generate
from planner.calendar import Availability, russian_calendar
from planner.problem import Break, TravelMode, Worker
from planner.recurrence import CareClient, CarePlanLine
from planner.week import plan_by_rule, plan_week
from planner.week_problem import (
    RuleError,
    WeekParams,
    WeekPlan,
    WeekProblem,
    WeekWorker,
    tasks_for_period,
)
from registry.recurrence import occurrences, parse_recurrence
from tests.planner.checker import violations

QUICK = WeekParams(
    assign_time_limit_s=2, day_time_limit_s=1, repair_time_limit_s=1, workers=1, group_workers=4
)
MONDAY = date(2026, 11, 2)  # Wednesday 4 November 2026 is a holiday


@pytest.fixture(scope="module")
def office() -> WeekProblem:
    return generate(workers=6, clients=50, seed=3).problem


@pytest.fixture(scope="module")
def planned(office: WeekProblem) -> WeekPlan:
    return plan_week(office, QUICK)


def test_every_task_is_planned_or_unplanned_once(office: WeekProblem, planned: WeekPlan) -> None:
    left = [u.task_id for u in planned.unplanned]
    assert len(left) == len(set(left))
    assert not set(left) & set(planned.task_days)
    assert set(left) | set(planned.task_days) == {t.id for t in office.tasks}
    assert len(planned.task_days) >= 0.9 * len(office.tasks)


def test_days_within_rule_and_tolerance(office: WeekProblem, planned: WeekPlan) -> None:
    clients = {c.id: c for c in office.clients}
    for task in office.tasks:
        day = planned.task_days.get(task.id)
        if day is None:
            continue
        line = clients[task.client_id].lines[task.line - 1]
        found = occurrences(
            line.recurrence, line.valid_from, office.start, office.end, office.calendar.is_working
        )
        [occ] = [o for o in found if o.day == task.day]
        assert occ.earliest <= day <= occ.latest, task.id
        assert office.start <= day <= office.end
        if not line.recurrence.movable:
            assert day == task.day, f"fixed {task.id} moved to {day}"


def test_nothing_on_a_non_working_day_without_duty(office: WeekProblem, planned: WeekPlan) -> None:
    workers = {w.id: w for w in office.workers}
    holiday = MONDAY + timedelta(days=2)
    assert not office.calendar.is_working(holiday)
    for day_plan in planned.days:
        for route in day_plan.plan.routes:
            if not route.stops:
                continue
            availability = workers[route.worker_id].availability
            assert availability.works_on(day_plan.day, office.calendar)
            if not office.calendar.is_working(day_plan.day):
                assert day_plan.day in availability.duty


def test_every_day_replays_through_the_checker(planned: WeekPlan) -> None:
    for day_plan in planned.days:
        assert violations(day_plan.problem, day_plan.plan) == [], day_plan.day


def test_baseline_keeps_every_task_on_its_rules_day(office: WeekProblem) -> None:
    baseline = plan_by_rule(office, QUICK)
    by_id = {t.id: t for t in office.tasks}
    assert all(day == by_id[t].day for t, day in baseline.task_days.items())
    for day_plan in baseline.days:
        assert violations(day_plan.problem, day_plan.plan) == []


# --- a tiny office: the holiday, duty shifts and fixed lines --------------------------------


def _tiny(lines: dict[str, str], duty: bool) -> WeekProblem:
    calendar = russian_calendar([2026])
    worker = Worker(
        "w1", 8 * 3600, 17 * 3600, 0, 0, lunch=Break(12 * 3600 + 1800, 14 * 3600, 45 * 60)
    )
    holiday = frozenset({MONDAY + timedelta(days=2)}) if duty else frozenset()
    team = (WeekWorker(worker, Availability("w1", duty=holiday), zone="z"),)
    clients = tuple(
        CareClient(
            id=cid,
            name=f"Client {cid}",
            location_index=k + 1,
            lines=(CarePlanLine("care", "care", 30, parse_recurrence(rule), date(2026, 1, 5)),),
        )
        for k, (cid, rule) in enumerate(lines.items())
    )
    size = len(clients) + 1
    matrix = [[0 if i == j else 300 for j in range(size)] for i in range(size)]
    return WeekProblem(
        start=MONDAY,
        end=MONDAY + timedelta(days=6),
        calendar=calendar,
        workers=team,
        clients=clients,
        tasks=tuple(tasks_for_period(clients, MONDAY, MONDAY + timedelta(6), calendar)),
        travel_time={TravelMode.WALK: matrix},
        zones={c.id: "z" for c in clients},
    )


def test_holiday_without_duty_moves_movable_and_leaves_fixed_with_a_reason() -> None:
    problem = _tiny({"fixed": "weekdays:3", "movable": "dates:2026-11-04;move;tol=1"}, duty=False)
    plan = plan_week(problem, QUICK)
    holiday = MONDAY + timedelta(days=2)
    assert plan.task_days["movable/1@2026-11-04"] in {
        holiday - timedelta(1),
        holiday + timedelta(1),
    }
    [left] = plan.unplanned
    assert left.task_id == "fixed/1@2026-11-04"
    assert left.code == "no_one_on_duty"
    assert "2026-11-04" in left.reason and "fixed" in left.reason


def test_a_duty_shift_serves_the_holiday() -> None:
    problem = _tiny({"fixed": "weekdays:3"}, duty=True)
    plan = plan_week(problem, QUICK)
    assert plan.task_days == {"fixed/1@2026-11-04": MONDAY + timedelta(days=2)}
    assert plan.unplanned == []


def test_a_rule_the_week_cannot_hold_names_client_and_line() -> None:
    calendar = russian_calendar([2026])
    client = CareClient(
        id="c7",
        name="Иванова",
        lines=(
            CarePlanLine("care", "care", 30, parse_recurrence("daily"), date(2026, 1, 5)),
            CarePlanLine("bath", "bath", 60, parse_recurrence("weekly:5"), date(2026, 1, 5)),
        ),
    )
    with pytest.raises(
        RuleError, match=r"client c7 \(Иванова\), line 2 \(bath, weekly:5\): .*4 working"
    ):
        tasks_for_period([client], MONDAY, MONDAY + timedelta(days=6), calendar)


def test_a_month_keeps_each_line_in_its_part() -> None:
    problem = _tiny({"a": "monthly:2;move", "b": "every:7;move;tol=2", "c": "weekly:2"}, True)
    start, end = date(2026, 12, 1), date(2026, 12, 31)
    calendar = russian_calendar([2026, 2027])
    month = WeekProblem(
        start=start,
        end=end,
        calendar=calendar,
        workers=problem.workers,
        clients=problem.clients,
        tasks=tuple(tasks_for_period(problem.clients, start, end, calendar)),
        travel_time=problem.travel_time,
        zones=problem.zones,
    )
    quick = WeekParams(assign_time_limit_s=2, day_time_limit_s=0.3, repair_rounds=0, workers=1)
    plan = plan_week(month, quick)
    assert plan.unplanned == []
    days = sorted(d for t, d in plan.task_days.items() if t.startswith("a/"))
    assert len(days) == 2 and days[0].day <= 16 <= days[1].day + 1
    weekly = [d for t, d in plan.task_days.items() if t.startswith("c/")]
    assert len(weekly) == sum(t.client_id == "c" for t in month.tasks) == 10  # 5 weeks' parts
    assert all(calendar.is_working(d) for d in weekly)  # 31 December is off
    for day_plan in plan.days:
        assert violations(day_plan.problem, day_plan.plan) == []


def test_the_benchs_plan_by_hand_is_a_valid_plan(office: WeekProblem) -> None:
    from bench.week import by_hand

    days, planned = by_hand(office, QUICK)
    assert 0 < planned <= len(office.tasks)
    for day_plan in days:
        assert violations(day_plan.problem, day_plan.plan) == [], day_plan.day
