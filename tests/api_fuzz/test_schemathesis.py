"""A bounded property-based run over the registry's API: inputs generated from the OpenAPI
schema (valid and invalid) never get a 500, and every answer matches its declared schema.

The full run is a command against a live server (see tests/api_fuzz/README.md); this one stays
in-process on the rolled-back test session and takes well under a minute."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from core.models import Role
from tests import factories as f

schemathesis = pytest.importorskip("schemathesis")

# the registry's reads and writes on one office; ids that miss must answer 404/422, never 500
OPERATIONS = [
    ("/api/offices/{office_id}", "GET"),
    ("/api/offices/{office_id}", "PATCH"),
    ("/api/offices/{office_id}/workers", "GET"),
    ("/api/offices/{office_id}/workers", "POST"),
    ("/api/offices/{office_id}/clients", "GET"),
    ("/api/offices/{office_id}/clients", "POST"),
    ("/api/offices/{office_id}/services", "POST"),
    ("/api/clients/{client_id}/care-plan", "PUT"),
    ("/api/audit", "GET"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_generated_input_never_gets_a_server_error(
    api: TestClient, db: Session, path: str, method: str
) -> None:
    from schemathesis import checks

    from api.main import app

    checks.load_all_checks()
    wanted = [
        checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ]
    office = f.office(db)
    client = f.client(db, office)
    headers = f.auth(f.user(db, Role.ADMIN))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if "office_id" in (case.path_parameters or {}):
            case.path_parameters["office_id"] = office.id
        if "client_id" in (case.path_parameters or {}):
            case.path_parameters["client_id"] = client.id
        response = case.call(headers=headers)
        assert response.status_code < 500, (response.status_code, response.text)
        case.validate_response(response, checks=wanted)

    run()
