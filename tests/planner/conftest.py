"""Planner test helpers: named instance files in tests/planner/data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.homecare_gen import from_json
from bench.solomon import load as load_solomon
from planner.problem import Problem

DATA = Path(__file__).parent / "data"


@pytest.fixture
def walk_day() -> Problem:
    """8 walking workers with lunch, 40 visits (skills, usual workers, windows)."""
    return from_json((DATA / "walk_8x40_lunch_skills.json").read_text())


@pytest.fixture
def c101_25() -> Problem:
    """The first 25 customers of Solomon's C101: capacity and tight windows."""
    return load_solomon(DATA / "C101_25.txt")


@pytest.fixture
def perovo_day() -> Problem:
    """The demo's office №1 on Tue 2026-11-24: 17 workers, 127 visits, three for two workers,
    usual workers who are off duty that day (this day once came back with nothing planned)."""
    return from_json((DATA / "perovo_office1_2026-11-24.json").read_text())
