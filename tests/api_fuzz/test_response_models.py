"""Every JSON answer of the API is described in the OpenAPI document (so /docs shows its
shape): each operation's success answer has a schema that names its fields, not a bare
`object`; file downloads declare their media type instead."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DOWNLOADS = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def described(schema: Any, components: dict[str, Any]) -> bool:
    """A schema that says what its answer holds: a model with fields (nested free-form
    fields, such as GeoJSON geometry, are allowed), a list of such, or a mapping to such."""
    if not isinstance(schema, dict) or not schema:
        return False
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[1]]
        return bool(target.get("properties")) or described(target, components)
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            return all(described(s, components) for s in schema[combined])
    kind = schema.get("type")
    if kind == "array":
        return described(schema.get("items"), components)
    if kind == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (
            isinstance(extra, dict) and described(extra, components)
        )
    return kind in {"string", "integer", "number", "boolean"}


def undescribed(app: Any) -> list[str]:
    schema = app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                if not code.startswith("2") or code == "204":
                    continue
                content = answer.get("content", {})
                if set(content) & DOWNLOADS and "application/json" not in content:
                    continue
                json_answer = content.get("application/json")
                if json_answer is None or not described(json_answer.get("schema"), components):
                    missing.append(f"{method.upper()} {path} {code}")
    return missing


def test_every_json_answer_has_a_response_schema() -> None:
    from api.main import app

    missing = undescribed(app)
    assert not missing, "answers without a schema:\n" + "\n".join(missing)


class Shaped(BaseModel):
    id: int


def test_the_check_finds_a_bare_object() -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/bare")
    def bare() -> dict[str, Any]:
        return {}

    @app.get("/shaped")
    def shaped() -> Shaped:
        return Shaped(id=1)

    assert undescribed(app) == ["GET /bare 200"]
