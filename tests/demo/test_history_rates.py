"""The demo history's rates stay those of a working office: few late visits, few clients not
at home, taps now and then forgotten, ratings mostly 5 and 4. Pure: days packed back to back
as the planner packs them, walked by `simulate_day`, measured on the rows it returns."""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from demo.history import COPY_COLUMNS, PlannedDay, PlannedStop, Simulated, simulate_day

TZ = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 18)
SERVICES = (  # typical visits of the demo's care plans: (code, standard minutes)
    [("СБ-01", 40), ("СМ-01", 15)],
    [("СБ-01", 40)],
    [("СБ-02", 30), ("СБ-08", 20)],
    [("СБ-01", 40), ("СМ-05", 30)],
    [("СБ-01", 40), ("СБ-05", 30), ("СМ-01", 15)],
    [("СБ-09", 30), ("СБ-04", 20), ("СМ-01", 15)],
)
VISIT = COPY_COLUMNS["visit"].split(", ")


def packed_day(rng: random.Random, worker_id: int, stops: int = 7) -> PlannedDay:
    """A worker's route as the planner leaves it: no slack, a 45-minute lunch at 12:30."""
    now = datetime(DAY.year, DAY.month, DAY.day, 8, 0, tzinfo=TZ)
    lunch = now.replace(hour=12, minute=30)
    where = (37.78 + rng.uniform(-0.01, 0.01), 55.75 + rng.uniform(-0.01, 0.01))
    home, planned = where, []
    for n in range(stops):
        travel = rng.randint(120, 720)
        if now < lunch <= now + timedelta(seconds=travel + 50 * 60):
            now = lunch + timedelta(minutes=45)
        services = [{"code": c, "minutes": m} for c, m in rng.choice(SERVICES)]
        start = now + timedelta(seconds=travel)
        end = start + timedelta(minutes=sum(s["minutes"] for s in services))
        step = travel * 0.96 / 111195.0  # the planner's walk: 0.96 m/s in a straight line
        where = (where[0] + step * 1.7, where[1] + step * rng.choice((-1, 1)) * 0.2)
        planned.append(
            PlannedStop(100 * worker_id + n, 100 * worker_id + n, where, start, end, services,
                        "1234", travel)
        )  # fmt: skip
        now = end
    start = planned[0].start - timedelta(seconds=planned[0].travel_s or 0)
    return PlannedDay(1, worker_id, worker_id, DAY, start, home, planned, lunch, 45)


def walked(days: int, *, seed: int = 3, late_start: timedelta | None = None) -> Simulated:
    rng = random.Random(seed)
    out = Simulated()
    for worker in range(1, days + 1):
        day = packed_day(rng, worker)
        if late_start is not None:
            day = PlannedDay(1, worker, worker, DAY, day.start + late_start, day.home,
                             day.stops, day.break_start, day.break_minutes)  # fmt: skip
        out.extend(simulate_day(day, rng))
    return out


@pytest.fixture(scope="module")
def month() -> Simulated:
    """About one office's month: 400 worker-days, 2,800 visits."""
    return walked(400)


def visits(simulated: Simulated) -> list[dict[str, Any]]:
    return [dict(zip(VISIT, row, strict=True)) for row in simulated.visits]


def share(part: int, whole: int) -> float:
    return 100.0 * part / whole


def test_late_and_missed_like_a_working_office(month: Simulated) -> None:
    rows = visits(month)
    done = [v for v in rows if v["status"] == "done"]
    late = [v for v in done if v["arrived_at"] - v["planned_start"] > timedelta(minutes=15)]
    assert 3.0 <= share(len(late), len(done)) <= 15.0  # the real plans: 7-10 %
    assert 1.5 <= share(len(rows) - len(done), len(rows)) <= 3.5  # not at home
    assert {v["status"] for v in rows} == {"done", "no_show"}
    early = [v for v in done if v["arrived_at"] < v["planned_start"] - timedelta(minutes=3)]
    assert share(len(early), len(done)) >= 10  # some come early: delay is not one-way


def test_time_on_site_around_the_standard(month: Simulated) -> None:
    done = [v for v in visits(month) if v["status"] == "done"]
    on_site = sum((v["departed_at"] - v["arrived_at"]).total_seconds() / 60 for v in done)
    assert 0.92 <= on_site / sum(v["minutes"] for v in done) <= 1.02
    ratios = [
        (v["departed_at"] - v["arrived_at"]).total_seconds() / 60 / v["minutes"] for v in done
    ]
    assert statistics.quantiles(ratios, n=10)[0] >= 0.6  # nobody rushes out in minutes...
    assert max(ratios) > 1.5  # ...while a client now and then keeps a worker long


def test_medical_procedures_take_longer_than_shopping() -> None:
    def median_ratio(code: str) -> float:
        rng = random.Random(5)
        stop = PlannedStop(1, 1, (37.78, 55.75), datetime(2026, 11, 18, 10, tzinfo=TZ),
                           datetime(2026, 11, 18, 10, 30, tzinfo=TZ),
                           [{"code": code, "minutes": 30}], "1234", 300)  # fmt: skip
        day = PlannedDay(1, 1, 1, DAY, stop.start - timedelta(minutes=5), (37.77, 55.75), [stop])
        stays = []
        for _ in range(300):
            row = dict(zip(VISIT, simulate_day(day, rng).visits[0], strict=True))
            if row["status"] == "done":
                stays.append((row["departed_at"] - row["arrived_at"]).total_seconds() / 60)
        return statistics.median(stays) / 30

    assert median_ratio("СМ-05") > median_ratio("СБ-02") + 0.05
    assert 0.88 <= median_ratio("СБ-02") <= 1.0


def test_a_late_start_is_caught_up_during_the_day() -> None:
    rows = visits(walked(80, seed=9, late_start=timedelta(minutes=35)))
    by_worker: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_worker.setdefault(row["worker_id"], []).append(row)
    first = [
        (r[0]["arrived_at"] - r[0]["planned_start"]).total_seconds() / 60
        for r in by_worker.values()
    ]
    last = [
        (r[-1]["arrived_at"] - r[-1]["planned_start"]).total_seconds() / 60
        for r in by_worker.values()
    ]
    assert statistics.mean(first) > 25
    assert statistics.mean(last) < statistics.mean(first) - 10  # shorter chats, shorter lunch


def test_taps_codes_and_geofence_at_realistic_rates(month: Simulated) -> None:
    rows = visits(month)
    done = [v for v in rows if v["status"] == "done"]
    assert 3.0 <= share(sum(v["tapped_departure"] is None for v in done), len(done)) <= 7.5
    assert 0.5 <= share(sum(v["tapped_arrival"] is None for v in done), len(done)) <= 4.0
    flags = Counter(f for v in rows for f in v["flags"].strip("{}").split(",") if f)
    assert 0.8 <= share(flags["geofence"], len(rows)) <= 3.5
    assert 4.0 <= share(flags["unconfirmed"], len(done)) <= 12.0
    assert share(flags["disagreement"], len(rows)) <= 3.0
    kinds = Counter(e[1] for e in month.events)
    codes = [e for e in month.events if e[1] == "client_confirmed"]
    wrong = [e for e in codes if e[14] is False]
    assert codes and 0 < len(wrong) < 0.05 * len(codes)
    assert kinds["no_show"] == len(rows) - len(done)
    outside = [e for e in month.events if e[11]]
    assert outside and all(e[10] > 150 for e in outside)


def test_ratings_mostly_five_and_four_with_varied_russian_comments(month: Simulated) -> None:
    ratings = Counter(f[5] for f in month.feedback)
    total = sum(ratings.values())
    done = sum(1 for v in visits(month) if v["status"] == "done")
    assert 0.15 * done <= total <= 0.35 * done  # a quarter of the visits get rated
    assert ratings.most_common(1)[0][0] == 5
    assert share(ratings[5], total) >= 55 and share(ratings[5] + ratings[4], total) >= 85
    assert 2 <= share(ratings[3], total) <= 10
    assert share(ratings[2] + ratings[1], total) <= 4
    comments = [f[6] for f in month.feedback if f[6]]
    assert len(set(comments)) >= 25
    assert all(re.fullmatch(r"[А-Яа-яЁё0-9 ,.\-!]+", c) for c in comments)
    assert 0.25 * total <= len(comments) <= 0.7 * total  # many rate without a word
