"""`careroute demo`: the demo office brought to life, end to end.

1. the region, offices, workers, clients, care plans and zones (`demo.load.load_demo`);
2. past weeks of approved plans followed by the workers (`demo.history.load_history`);
3. the reports' ping summaries brought up to date (`api.reports.tracks.refresh_all`), and the
   history's figures measured on what was stored (`demo.data.figures`);
4. today and the next working day planned by the real planner service, and today's plan
   approved by the office's supervisor, so the phone page and the live map have routes.

Each step skips what is already there, so a second run adds nothing and takes seconds. Each
step commits on its own: a planning failure never takes the loaded region with it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.models import Office, Role, User
from core.settings import get_settings
from demo.data.figures import HistoryFigures, format_figures, history_figures
from demo.load import DemoConflict, DemoSummary, format_summary, load_demo

PLAN_TIME_LIMIT_S = 5.0  # per office-day: a demo plan, good enough and quick

OpenSession = Callable[[], AbstractContextManager[Session]]

# How each step opens its database session (tests swap in one on a private database).
open_session: OpenSession = session_scope


@dataclass(slots=True)
class DayPlan:
    """What the demo did about one office-day's plan."""

    office: str
    day: date
    plan_id: int | None
    version: int | None
    status: str  # draft | approved | superseded | failed
    planned: int = 0
    unplanned: int = 0
    solved_now: bool = False  # False: the plan was there already
    error: str = ""


@dataclass(slots=True)
class DemoRun:
    summary: DemoSummary
    history: dict[str, Any] = field(default_factory=dict)
    figures: HistoryFigures | None = None  # of the past weeks, as stored
    summaries_refreshed: int = 0
    plans: list[DayPlan] = field(default_factory=list)
    seconds: float = 0.0


def next_working_day(day: date) -> date:
    """The first working day after `day` on the working calendar (holidays skipped, a
    Saturday worked by decree counted), as the day planner takes it."""
    from planner.duty import office_calendar

    following = day + timedelta(days=1)
    while not office_calendar(following, following).is_working(following):
        following += timedelta(days=1)
    return following


def days_to_plan(today: date) -> list[tuple[date, bool]]:
    """(day, approve it?): today, whatever day it is (approved, so the map and phones have
    routes: on weekends and holidays the duty workers'), and the next working day (left to
    the supervisor to approve)."""
    return [(today, True), (next_working_day(today), False)]


def run(
    *,
    seed: int = 7,
    reset: bool = False,
    weeks: int = 4,
    history: bool = True,
    today: date | None = None,
    time_limit_s: float = PLAN_TIME_LIMIT_S,
    say: Callable[[str], None] = lambda _: None,
) -> DemoRun:
    """Every step of the demo, each in its own transaction; `say` hears progress lines."""
    started = time.perf_counter()
    today = today or datetime.now(ZoneInfo(get_settings().timezone)).date()
    with open_session() as session:
        summary = load_demo(session, seed=seed, reset=reset, today=today)
    say("region: " + ("loaded" if summary.created else "already present"))
    result = DemoRun(summary=summary)
    if history and weeks > 0:
        from demo.history import load_history

        with open_session() as session:
            result.history = load_history(session, weeks=weeks, today=today)
        say(f"history: {result.history.get('visits', 0)} new visits")
    with open_session() as session:
        from api.reports.tracks import refresh_all

        result.summaries_refreshed = refresh_all(session)
    if history and weeks > 0:  # measured once the ping summaries (travel) are up to date
        with open_session() as session:
            result.figures = history_figures(
                session,
                office_ids=summary.office_ids,
                start=today - timedelta(days=7 * weeks),
                end=today - timedelta(days=1),
            )
    for day, approve in days_to_plan(today):
        for office_id in summary.office_ids:
            outcome = plan_office_day(
                office_id=office_id, day=day, approve=approve, limit=time_limit_s
            )
            result.plans.append(outcome)
            say(f"plan {outcome.office} {day}: {outcome.status}, {outcome.planned} visits")
    result.seconds = time.perf_counter() - started
    return result


def plan_office_day(*, office_id: int, day: date, approve: bool, limit: float) -> DayPlan:
    """The office-day's plan: the stored one, else a fresh solve; approved if asked and the
    office has none approved yet. A failed solve is reported, not hidden and not retried."""
    from planner import plans as planner_plans
    from planner.models import PlanStatus

    with open_session() as session:
        office = session.get(Office, office_id)
        name = office.name if office else str(office_id)
        plans = planner_plans.list_plans(session, office_id=office_id, day=day)
        solved_now = not plans  # a stored plan, even one that routed nothing, is kept as it is
        try:
            plan = plans[0] if plans else _solve(session, office_id, day, limit)
        except Exception as exc:  # the solver's own failure: shown in the table, run goes on
            return DayPlan(name, day, None, None, "failed", error=f"{type(exc).__name__}: {exc}")
        approved = planner_plans.approved_plan(session, office_id=office_id, day=day)
        if approve and approved is None and plan.status == PlanStatus.DRAFT:
            supervisor = _supervisor(session, office_id)
            if supervisor is not None and plan.stats.get("planned", 0) > 0:
                plan = planner_plans.approve(session, plan_id=plan.id, user=supervisor)
        shown = approved or plan
        return DayPlan(
            name,
            day,
            shown.id,
            shown.version,
            shown.status.value,
            planned=int(shown.stats.get("planned", 0)),
            unplanned=int(shown.stats.get("unplanned", 0)),
            solved_now=solved_now,
        )


def _solve(session: Session, office_id: int, day: date, limit: float) -> Any:
    """A new draft through the planner service, with travel speeds measured from the pings
    (the history's), as the plans API plans."""
    from planner import plans
    from planner.problem import SolveParams
    from tracking.calibration import travel_speeds

    speeds = travel_speeds(session, office_id) or None
    params = SolveParams(time_limit_s=limit, workers=1)
    return plans.plan_day(session, office_id=office_id, day=day, params=params, speeds=speeds)


def _supervisor(session: Session, office_id: int) -> User | None:
    """The office's head, who approves its plans in the demo."""
    query = select(User).where(
        User.role == Role.SUPERVISOR, User.offices.any(Office.id == office_id)
    )
    return session.scalars(query.order_by(User.id)).first()


# --- printing --------------------------------------------------------------------------------


def format_run(result: DemoRun) -> str:
    """The summary, history, plans and logins, for the command line."""
    lines = [format_summary(result.summary), ""]
    if result.history:
        h = result.history
        if h.get("pings") or h.get("visits"):
            lines.append(
                f"History: {h.get('days', 0)} office-days walked ({h.get('pings', 0)} pings, "
                f"{h.get('visits', 0)} visits, {h.get('feedback', 0)} ratings) "
                f"in {h.get('seconds', 0)} s"
            )
        else:  # days whose stored plan routed nothing are tried again, and add nothing
            lines.append("History: already loaded")
    if result.figures is not None and result.figures.visits:
        lines.append("History figures:")
        lines.append(format_figures(result.figures))
    lines.append(f"Report summaries recomputed: {result.summaries_refreshed} worker-days")
    lines.append("Plans:")
    for p in result.plans:
        how = "solved now" if p.solved_now else "already there"
        figures = f"{p.planned} visits planned, {p.unplanned} unplanned"
        if p.status == "failed":
            figures = p.error
        elif p.planned == 0 and p.unplanned:
            figures += "  <- NO ROUTES: the planner found no solution (see the Plan tab)"
        lines.append(
            f"  {p.day:%a %d.%m}  {p.office:<34} v{p.version or '-'} {p.status:<9} {figures} "
            f"({how})"
        )
    lines.append(f"Done in {result.seconds:.1f} s.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """`careroute demo`: load the demo with its history and plans; print the logins."""
    parser = argparse.ArgumentParser(
        prog="careroute demo",
        description=(
            "Load the demo region (a home-care centre in Perovo) with weeks of history, plan "
            "today and the next working day, approve today's plan, and print the logins. "
            "Running it again adds nothing."
        ),
    )
    parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same region")
    parser.add_argument("--reset", action="store_true", help="wipe the demo region first")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    parser.add_argument("--weeks", type=int, default=4, help="weeks of history (default 4)")
    parser.add_argument("--no-history", action="store_true", help="load no past weeks")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        help="YYYY-MM-DD the demo treats as today (default: today in the offices' time zone)",
    )
    args = parser.parse_args(argv)
    say = (lambda _: None) if args.quiet else (lambda line: print(line, file=sys.stderr))
    try:
        result = run(
            seed=args.seed,
            reset=args.reset,
            weeks=args.weeks,
            history=not args.no_history,
            today=args.today,
            say=say,
        )
    except DemoConflict as exc:
        print(f"careroute demo: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(format_run(result))
    # a day the planner could not route is a failure to see, not to hide behind exit code 0
    failed = [p for p in result.plans if p.status == "failed" or (p.unplanned and not p.planned)]
    return 1 if failed else 0
