"""The planner: care plans -> the day's visits -> each worker's route.

Pure core (no database, no web; dataclasses in, dataclasses out):
- `Problem` -> `solve(problem, params, on_progress)` -> `Plan` (OR-Tools routing);
- `visits_for_day` / `visits_for_period`: care-plan recurrence expanded into due visits;
- `plan_week(WeekProblem, WeekParams) -> WeekPlan`: a week or a month, each movable visit's
  day and worker chosen (CP-SAT), then every day routed by `solve`; `plan_by_rule` routes
  the rule's days as they are; `WorkCalendar` / `russian_calendar` / `Availability`: working
  days, holidays, absences and duty shifts (`planner.calendar`);
- travel-time providers behind one `TravelTimeProvider` protocol: `StraightLineProvider`,
  `OsrmLocalProvider` (in-process, from an .osm.pbf built by `build_osrm`), `OsrmHttpProvider`.
Service layer (database): `planner.duty` (who works on a day by the working calendar, for
every planner), `planner.build` (registry -> Problem), `planner.plans` (versioned
plans: solve, read, approve), `planner.moves` (a visit moved by hand), `planner.replan`
(re-planning mid-day), `planner.copying`, `planner.jobs` (solves on the Redis job queue);
weeks and months: `planner.week_build` (registry -> WeekProblem), `planner.week_store`
(one draft per day linked as a week, approve, one day again), `planner.week_moves` (a visit
to another day, checked), `planner.week_jobs`, `planner.week_fit` (queued clients, on the
pure `planner.fit`), `planner.week_cli` (`careroute plan-week`).

Names resolve lazily so that importing the stored tables (`planner.models`) does not load the
solver or the routing engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Problem": "planner.problem",
    "Plan": "planner.problem",
    "SolveParams": "planner.problem",
    "Worker": "planner.problem",
    "Visit": "planner.problem",
    "TravelMode": "planner.problem",
    "solve": "planner.solver",
    "visits_for_day": "planner.recurrence",
    "visits_for_period": "planner.recurrence",
    "plan_week": "planner.week",
    "plan_by_rule": "planner.week",
    "WeekProblem": "planner.week_problem",
    "WeekParams": "planner.week_problem",
    "WeekPlan": "planner.week_problem",
    "WeekWorker": "planner.week_problem",
    "tasks_for_period": "planner.week_problem",
    "WorkCalendar": "planner.calendar",
    "Availability": "planner.calendar",
    "russian_calendar": "planner.calendar",
    "TravelTimeProvider": "planner.travel",
    "StraightLineProvider": "planner.travel",
    "OsrmLocalProvider": "planner.travel",
    "OsrmHttpProvider": "planner.travel",
    "build_osrm": "planner.osrm",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
