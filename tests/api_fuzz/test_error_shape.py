"""Every error answer is JSON with a `detail`, and the OpenAPI schema says so."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers


def test_openapi_documents_the_error_answers_the_app_gives() -> None:
    from api.main import app

    schema = app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    operation = schema["paths"]["/api/offices/{office_id}"]["get"]
    for code in ("401", "403", "404", "422", "503"):
        content = operation["responses"][code]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    office_id = next(p for p in operation["parameters"] if p["name"] == "office_id")
    assert office_id["schema"]["maximum"] == 2_147_483_647


def test_a_bug_answers_json_500_not_plain_text() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    answer = TestClient(app, raise_server_exceptions=False).get("/broken")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal error"}
