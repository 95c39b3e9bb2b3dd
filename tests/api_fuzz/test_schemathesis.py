"""A bounded property-based run over every operation of the OpenAPI schema, as each role:
inputs generated from the schema (valid and invalid, with the ids of real objects of one office
or made-up ones) never get a server error (5xx).

The operations are read from the app's own schema, so a new route is fuzzed without a line
here. Each operation gets EXAMPLES generated requests per role; the whole run stays in-process
on the rolled-back test session. The full run is a command against a live server (see
tests/api_fuzz/README.md)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.models import Role
from tests import factories as f
from tests.security.conftest import World, build_world

schemathesis = pytest.importorskip("schemathesis")

ROLES = ("admin", "manager", "national", "supervisor", "worker", "anonymous")
# generated requests per operation and role (CAREROUTE_FUZZ_EXAMPLES for a longer run)
EXAMPLES = int(os.environ.get("CAREROUTE_FUZZ_EXAMPLES", "4"))
# Path parameters the world has a real object for (or a fixed valid value).
FIXED = {"kind": "clients", "name": "worker-timing", "fmt": "csv", "form": "department-services"}
# Solves run inline on these routes: generated limits are kept short, not the input's point.
SHORT_SOLVE = {"time_limit_s": 1}


@pytest.fixture
def fuzz_world(db: Session) -> Iterator[World]:
    made = build_world(db)
    made.users["national"] = f.user(db, Role.NATIONAL)
    db.commit()  # a savepoint: what a refused request rolls back leaves the world standing
    try:
        yield made
    finally:
        from rq.exceptions import InvalidJobOperation, NoSuchJobError

        from planner import jobs

        for job in made.jobs:
            with contextlib.suppress(InvalidJobOperation, NoSuchJobError):
                job.delete()  # unless a planning worker sharing this Redis took it already
        jobs.planning_queue().empty()


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _real_path(operation: Any, ids: dict[str, Any]) -> dict[str, Any]:
    names = [p.name for p in operation.path_parameters]
    values = {**ids, **FIXED}
    return {name: values[name] for name in names if name in values}


def _shorten(case: Any) -> None:
    body = case.body if isinstance(case.body, dict) else None
    if body is not None and isinstance(body.get("time_limit_s"), int | float):
        body.update(SHORT_SOLVE)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_generated_input_never_gets_a_server_error(
    api: TestClient, db: Session, fuzz_world: World, role: str
) -> None:
    from schemathesis.checks import load_all_checks
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import response_schema_conformance

    load_all_checks()

    from api.main import app

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = fuzz_world.headers(role)
    errors: list[str] = []
    mismatches: list[str] = []
    asked = 0
    for operation in _operations(schema):
        real = _real_path(operation, fuzz_world.ids)
        strategies = [
            operation.as_strategy(mode, path_parameters=fixed)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for fixed in ({}, real)
        ]

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=st.one_of(*strategies))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal asked
            _shorten(case)
            asked += 1
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # raised through the test client: a 500 on a server
                errors.append(f"{case.method} {case.formatted_path}: {exc!r:.300}")
                return
            finally:
                # a server rolls back a refused request's session; the shared test session too
                db.rollback()
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except Exception as exc:  # a failed check names what differs
                mismatches.append(f"{case.method} {case.formatted_path}: {exc!s:.400}")
            if response.status_code >= 500:
                errors.append(
                    f"{case.method} {case.formatted_path} {case.path_parameters} "
                    f"{case.query} {case.body!r:.300}: {response.status_code} "
                    f"{response.text[:300]}"
                )

        run()
    assert asked >= len(_operations(schema)), asked
    print(f"{role}: {asked} generated requests, {len(errors)} server errors")  # shown with -s
    assert not errors, f"{role}: {len(errors)} server errors\n" + "\n".join(errors)
    assert not mismatches, f"{role}: answers unlike their schema\n" + "\n".join(mismatches)
