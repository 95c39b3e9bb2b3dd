"""The benchmarks' days and instance sets: the variants the home-care bench generates, and
the Gehring-Homberger subset read from beside the repository."""

from __future__ import annotations

import numpy as np
import pytest

from bench import homecare, solomon
from planner.problem import TravelMode


def test_each_variant_is_the_day_it_says() -> None:
    walk = homecare.day_of("lunch", 6, 60, 1, continuity=False)
    assert all(w.lunch is not None and w.travel_mode == TravelMode.WALK for w in walk.workers)
    assert homecare.day_of("no-lunch", 6, 60, 1, False).workers[0].lunch is None
    for variant, mode in (("transit", TravelMode.TRANSIT), ("car", TravelMode.CAR)):
        day = homecare.day_of(variant, 6, 60, 1, False)
        assert {w.travel_mode for w in day.workers} == {mode}
        rides = np.asarray(day.travel_time[mode])
        metres = np.asarray(day.distance)
        # Quicker than walking the same metres, slower than the ride alone (time to board).
        far = metres > 2000
        assert (rides[far] < metres[far] / (4.5 / 3.6)).all()
        assert (rides[far] > metres[far] / (30 / 3.6)).all()
    skills = homecare.day_of("skills", 6, 60, 1, False)
    assert any(v.required_skills for v in skills.visits)
    assert any(v.preferred_worker for v in skills.visits)
    assert any(w.skills for w in skills.workers)
    assert len(homecare.day_of("overloaded", 6, 60, 1, False).visits) == 96
    with pytest.raises(SystemExit):
        homecare.day_of("snow", 6, 60, 1, False)


def test_the_gehring_homberger_subset_loads_from_beside_the_repository() -> None:
    data = solomon.SETS["gh"]
    assert data == solomon.SHARED / "vrptw-gh"
    if not data.exists():
        pytest.skip("../shared/benchmarks/vrptw-gh/ is not beside this repository")
    bks = solomon.reference(data)
    assert len(bks) == 12
    assert {solomon._size(n) for n in bks} == {4, 10}
    assert solomon._class("RC2_10_1") == "RC2" and solomon._class("RC201") == "RC2"
    problem = solomon.load(data / "C1_4_1.txt")
    assert (len(problem.visits), len(problem.workers)) == (400, 100)
