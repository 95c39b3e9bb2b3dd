"""Recomputing the times of a fixed order of visits, and naming the first broken rule."""

from __future__ import annotations

from planner.problem import Break, Problem, TravelMode, Visit, Worker
from planner.schedule import schedule_day, schedule_route

H = 3600
M = 60
LEG = 10 * M  # every trip between two different places takes 10 minutes


def _problem(visits: list[Visit], workers: list[Worker] | None = None) -> Problem:
    n = 1 + len(visits)
    travel = [[0 if i == j else LEG for j in range(n)] for i in range(n)]
    metres = [[0 if i == j else 700 for j in range(n)] for i in range(n)]
    return Problem(
        workers=tuple(workers or [_worker()]),
        visits=tuple(visits),
        travel_time={TravelMode.WALK: travel},
        distance=metres,
    )


def _worker(**fields) -> Worker:  # type: ignore[no-untyped-def]
    defaults = dict(
        id="w1",
        name="Иванова",
        shift_start=8 * H,
        shift_end=17 * H,
        start_location=0,
        end_location=0,
        lunch=Break(earliest=12 * H, latest=13 * H, duration=45 * M),
    )
    defaults.update(fields)
    return Worker(**defaults)  # type: ignore[arg-type]


def _visit(n: int, **fields) -> Visit:  # type: ignore[no-untyped-def]
    defaults = dict(id=f"v{n}", client_id=f"c{n}", location=n, duration=60 * M)
    defaults.update(fields)
    return Visit(**defaults)  # type: ignore[arg-type]


def test_times_follow_travel_windows_and_lunch() -> None:
    visits = [_visit(1), _visit(2, window_start=11 * H), _visit(3)]
    problem = _problem(visits)
    result = schedule_route(problem, problem.workers[0], visits)

    assert result.feasible, result.broken
    first, second, third = result.route.stops
    assert (first.arrival, first.start, first.end) == (8 * H + LEG, 8 * H + LEG, 9 * H + LEG)
    # 09:10 + 10 min travel = 09:20, then waits for the window at 11:00
    assert (second.arrival, second.start, second.wait) == (9 * H + 20 * M, 11 * H, 100 * M)
    # lunch 12:00-12:45 would delay the third visit (12:10 otherwise) but cannot wait any
    # longer: after the visit it would be past its latest start 13:00, so it is taken now
    assert result.route.break_start == 12 * H
    assert result.route.break_end == 12 * H + 45 * M
    assert third.start == 12 * H + 45 * M + LEG
    assert result.route.end == third.end + LEG
    assert result.route.travel == 4 * LEG
    assert result.route.service == 3 * H
    assert result.route.distance_m == 4 * 700


def test_lunch_fits_in_waiting_time_without_delay() -> None:
    visits = [_visit(1, duration=3 * H + 30 * M), _visit(2, window_start=13 * H + 30 * M)]
    problem = _problem(visits)
    route = schedule_route(problem, problem.workers[0], visits).route
    # first visit ends 11:40; lunch 12:00-12:45, then travel, arrive 12:55, start 13:30
    assert route.break_start == 12 * H
    assert route.stops[1].start == 13 * H + 30 * M
    assert route.stops[1].arrival == 12 * H + 55 * M


def test_late_first_visit_means_a_later_departure() -> None:
    visits = [_visit(1, window_start=10 * H)]
    problem = _problem(visits)
    route = schedule_route(problem, problem.workers[0], visits).route
    assert route.start == 10 * H - LEG
    assert route.stops[0].wait == 0


def test_window_missed_names_the_client_and_times() -> None:
    visits = [_visit(1, duration=3 * H), _visit(2, window_end=10 * H, client_name="Смирнова А.И.")]
    problem = _problem(visits)
    result = schedule_route(problem, problem.workers[0], visits)
    assert not result.feasible
    assert result.broken is not None
    assert result.broken.code == "window"
    assert result.broken.visit_id == "v2"
    assert "Смирнова А.И." in result.broken.message
    assert "11:20" in result.broken.message  # 08:10 + 3 h + 10 min


def test_missing_skill_is_reported_before_times() -> None:
    visits = [_visit(1, required_skills=frozenset({"medical"}))]
    problem = _problem(visits)
    result = schedule_route(problem, problem.workers[0], visits)
    assert result.broken is not None
    assert result.broken.code == "skill"
    assert "'medical'" in result.broken.message


def test_shift_end_and_lunch() -> None:
    long_day = [_visit(n, duration=2 * H) for n in range(1, 5)]
    problem = _problem(long_day)
    result = schedule_route(problem, problem.workers[0], long_day)
    assert result.broken is not None
    assert result.broken.code == "shift_end"

    # the first visit was done 08:10-12:10, so lunch (start 08:30-09:00) had no room
    no_lunch = [_visit(1, duration=4 * H, pinned_worker="w1", pinned_start=8 * H + LEG)]
    problem = _problem(no_lunch)
    worker = _worker(lunch=Break(earliest=8 * H + 30 * M, latest=9 * H, duration=30 * M))
    result = schedule_route(problem, worker, no_lunch)
    assert result.broken is not None
    assert result.broken.code == "lunch"


def test_pinned_visit_keeps_its_start_and_worker() -> None:
    visits = [_visit(1, pinned_worker="w1", pinned_start=9 * H), _visit(2)]
    problem = _problem(visits, [_worker(), _worker(id="w2", name="Петрова")])
    on_w1 = schedule_route(problem, problem.workers[0], visits)
    assert on_w1.feasible
    assert on_w1.route.stops[0].start == 9 * H
    on_w2 = schedule_route(problem, problem.workers[1], visits)
    assert on_w2.broken is not None
    assert on_w2.broken.code == "pinned"


def test_max_working_time() -> None:
    visits = [_visit(1, duration=3 * H)]
    problem = _problem(visits)
    result = schedule_route(problem, _worker(max_working_seconds=3 * H), visits)
    assert result.broken is not None
    assert result.broken.code == "max_work"


def test_day_aligns_two_worker_visits() -> None:
    bath = _visit(2, workers_needed=2, duration=30 * M)
    visits = [_visit(1, duration=90 * M), bath]
    workers = [_worker(), _worker(id="w2", name="Петрова")]
    problem = _problem(visits, workers)
    day = schedule_day(problem, {"w1": ["v1", "v2"], "w2": ["v2"]})
    assert day.feasible, day.broken
    starts = [s.start for r in day.routes for s in r.stops if s.visit_id == "v2"]
    assert starts == [9 * H + 50 * M, 9 * H + 50 * M]  # w2 waits for w1 to arrive

    alone = schedule_day(problem, {"w1": ["v1", "v2"]})
    assert alone.broken is not None
    assert alone.broken.code == "together"


def test_day_refuses_a_visit_planned_twice() -> None:
    visits = [_visit(1)]
    workers = [_worker(), _worker(id="w2")]
    day = schedule_day(_problem(visits, workers), {"w1": ["v1"], "w2": ["v1"]})
    assert day.broken is not None
    assert day.broken.code == "duplicate"
