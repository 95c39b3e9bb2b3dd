"""`careroute plan-week --office ID (--week 2026-W50 | --month 2026-12)`: plan an office's
week or month into one draft per day linked as a week, with a progress bar, then a table of
each worker's minutes of work and visits per day.

The registry is read in one short session, the period is solved with no session open, and
the drafts are stored in another session (as the planning job does). A rule the period
cannot hold is named (client and line) and nothing is stored.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TextIO

from core.db import session_scope
from core.errors import DomainError
from planner.calendar import days_between, iso_week, month
from planner.week import plan_week
from planner.week_build import prepare_week
from planner.week_jobs import DEFAULT_S_PER_DAY
from planner.week_problem import RuleError, WeekPlan
from planner.week_store import store_week, week_params

BAR = 30


class ProgressBar:
    """A one-line bar on a terminal stream: `[#####.....]  40 %  routing 2026-12-03`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, percent: float, what: str) -> None:
        done = int(BAR * min(max(percent, 0), 100) / 100)
        line = f"\r[{'#' * done}{'.' * (BAR - done)}] {percent:5.1f} %  {what[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        self(100, "done")
        self.stream.write("\n")


def table(planned: WeekPlan, names: dict[str, str], start: date, end: date) -> str:
    """Workers x days: minutes of work (visits and travel) / visits; '-' off duty."""
    days = days_between(start, end)
    cells: dict[tuple[str, date], str] = {}
    on_duty: dict[date, set[str]] = {}
    for day_plan in planned.days:
        on_duty[day_plan.day] = {w.id for w in day_plan.problem.workers}
        for route in day_plan.plan.routes:
            minutes = (route.service + route.travel) // 60
            cells[(route.worker_id, day_plan.day)] = f"{minutes}/{len(route.stops)}"
    width = max([len(n) for n in names.values()] + [6])
    head = f"{'worker':<{width}} " + " ".join(f"{d.strftime('%a %d'):>9}" for d in days)
    lines = [head, "-" * len(head)]
    for worker_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        row = [
            cells.get((worker_id, d), "0/0" if worker_id in on_duty.get(d, ()) else "-")
            for d in days
        ]
        lines.append(f"{name:<{width}} " + " ".join(f"{c:>9}" for c in row))
    stats = planned.stats
    lines.append(
        f"visits due {int(stats.get('due', 0))}, planned {int(stats.get('planned', 0))}, "
        f"unplanned {int(stats.get('unplanned', 0))}; travel {stats.get('travel_min', 0):.0f} "
        f"min; day load max/mean {stats.get('day_load_max_mean', 0):.2f}; "
        f"{planned.solve_seconds:.0f} s  (cells: minutes of work / visits)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="careroute plan-week",
        description="Plan an office's week or month: one draft per day, linked as a week.",
    )
    parser.add_argument("--office", type=int, required=True, help="office id")
    period = parser.add_mutually_exclusive_group(required=True)
    period.add_argument("--week", help="an ISO week, e.g. 2026-W50")
    period.add_argument("--month", help="a month, e.g. 2026-12")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds for the period")
    args = parser.parse_args(argv)
    try:
        start, end = iso_week(args.week) if args.week else month(args.month)
    except ValueError as exc:
        parser.error(str(exc))
    limit = args.time_limit or DEFAULT_S_PER_DAY * ((end - start).days + 1)
    bar = ProgressBar(sys.stderr)
    try:
        with session_scope() as session:
            built = prepare_week(session, office_id=args.office, start=start, end=end)
        planned = plan_week(built.problem, week_params(limit, (end - start).days + 1), bar)
        bar.close()
        with session_scope() as session:
            week = store_week(session, built, planned, user_id=None)
            week_id = week.id
    except (RuleError, DomainError) as exc:
        print(f"careroute plan-week: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return 2
    names = {w.id: w.worker.name for w in built.problem.workers}
    print(table(planned, names, start, end))
    print(f"week plan {week_id}: {start.isoformat()} .. {end.isoformat()} (drafts)")
    return 0
