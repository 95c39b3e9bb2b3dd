"""Where a new client fits (planner.fit) on a small bench office: each queued client's best
option, added to the week as advised, is routed by the day solver on the same worker and
days with travel within 10 % of the advice; options respect the rule and the worker's duty,
and every worker's room in the week is given."""

from __future__ import annotations

import pytest

from bench.week_fit import check, fit_days, hold_out
from bench.week_gen import generate
from planner.fit import advise
from planner.week import plan_week
from planner.week_problem import RuleError, WeekParams, WeekPlan, WeekProblem, tasks_for_period
from registry.recurrence import parse_recurrence

QUICK = WeekParams(
    assign_time_limit_s=2, day_time_limit_s=1, repair_time_limit_s=1, workers=1, group_workers=4
)


@pytest.fixture(scope="module")
def office() -> tuple[WeekProblem, list, WeekPlan]:
    problem, queued = hold_out(generate(workers=6, clients=50, seed=3).problem, every=12)
    return problem, queued, plan_week(problem, QUICK)


def test_best_option_plans_as_advised(office: tuple[WeekProblem, list, WeekPlan]) -> None:
    problem, queued, planned = office
    assert len(queued) >= 3
    checked = [check(problem, planned, c)[0] for c in queued]
    fitting = [c for c in checked if c.fits]
    assert len(fitting) >= len(queued) - 1
    for c in fitting:
        assert c.as_advised, c


def test_options_keep_rule_duty_and_room(office: tuple[WeekProblem, list, WeekPlan]) -> None:
    problem, queued, planned = office
    client = queued[0]
    advice = advise(client, fit_days(planned, client), problem.calendar)
    tasks = tasks_for_period(
        [
            client.__class__(
                **{**{f: getattr(client, f) for f in client.__slots__}, "status": "enrolled"}
            )
        ],
        problem.start,
        problem.end,
        problem.calendar,
    )
    assert advice.tasks == len(tasks) > 0
    allowed = set().union(*(t.allowed for t in tasks))
    works = {d.day: {w.id for w in d.problem.workers} for d in planned.days}
    for option in advice.options:
        assert set(option.days) <= allowed
        assert all(v.worker_id in works[v.day] for v in option.visits)
        assert option.worker_id in {v.worker_id for v in option.visits}
        assert option.minutes == sum(t.minutes for t in tasks)
    travels = [o.travel_s for o in advice.options]
    assert travels == sorted(travels)  # best first
    assert set(advice.room_s) == {w.id for w in problem.workers}
    assert all(v >= 0 for v in advice.room_s.values())


def test_a_rule_the_week_cannot_hold_names_the_client(
    office: tuple[WeekProblem, list, WeekPlan],
) -> None:
    problem, queued, planned = office
    client = queued[0]
    line = client.lines[0]
    bad = line.__class__(
        **{
            **{f: getattr(line, f) for f in line.__slots__},
            "recurrence": parse_recurrence("dates:2027-01-05"),
            "valid_from": problem.start,
        }
    )
    odd = client.__class__(**{**{f: getattr(client, f) for f in client.__slots__}, "lines": (bad,)})
    try:
        advice = advise(odd, fit_days(planned, odd), problem.calendar)
    except RuleError as exc:
        assert client.id in str(exc)
        return
    assert advice.best is None and advice.reason
