"""Every benchmark still imports: a moved module breaks a benchmark that no other test runs."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
MODULES = sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_benchmark_imports(name: str) -> None:
    # Some benchmarks point DATABASE_URL at their own database when imported; the processes
    # that later tests start must still inherit the test database.
    environment = dict(os.environ)
    try:
        module = importlib.import_module(f"bench.{name}")
    finally:
        os.environ.clear()
        os.environ.update(environment)
    assert module.__doc__, f"bench/{name}.py says what it measures"
