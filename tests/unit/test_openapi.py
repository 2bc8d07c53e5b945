"""The OpenAPI 3.1 document of bm_api: valid, complete, right about auth and requests; served in testing only."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from typer.testing import CliRunner

from functions.api.openapi import ADMIN_SECURITY, USER_SECURITY, build_document
from functions.api.routes import METHODS
from functions.cli import _register, app
from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app
from tests.unit.conftest import write

_register()


@pytest.fixture
def document(manager):
    return build_document(manager)


def _operation(document, route, method):
    return document["paths"][f"/backend-manager/{route}"][method]


def test_the_document_is_valid_openapi_3_1_with_valid_json_schemas(document):
    errors = [str(error) for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    assert document["openapi"] == "3.1.0"
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_every_route_and_method_appears(manager, document):
    expected = set()
    for route, files in manager.routes.routes.items():
        methods = METHODS if "index" in files else [m for m in files if m in METHODS]
        expected.update((f"/backend-manager/{route}", method) for method in methods)
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert expected <= documented
    assert documented - expected == {("/backend-manager", "post")}  # the legacy {command, payload} endpoint
    assert len(expected) >= 25


def test_auth_requirements_come_from_route_options(document):
    assert _operation(document, "admin/firestore", "get")["security"] == ADMIN_SECURITY
    assert _operation(document, "admin/cron", "post")["x-bem-require"] == "admin"
    for route, method in (("user", "get"), ("user", "delete"), ("user/sessions", "get"), ("payments/intent", "post")):
        assert _operation(document, route, method)["security"] == USER_SECURITY, route
        assert {} not in _operation(document, route, method)["security"]
    for route, method in (("brand", "get"), ("test/health", "get"), ("payments/webhook", "post")):
        assert _operation(document, route, method)["security"] == [], route
    optional = _operation(document, "test/authenticate", "get")["security"]
    assert optional[0] == {} and optional[1:] == USER_SECURITY


def test_get_and_delete_take_query_parameters_others_a_json_body(document):
    discount = {p["name"]: p for p in _operation(document, "payments/discount", "get")["parameters"]}
    assert discount["code"]["in"] == "query" and discount["code"]["required"] is True
    assert discount["code"]["schema"]["maxLength"] == 40
    uid = _operation(document, "user", "delete")["parameters"][0]
    assert (uid["name"], uid["required"], uid["schema"]["type"]) == ("uid", False, "string")  # str | None: absent is None
    assert "requestBody" not in _operation(document, "user", "get")
    body = _operation(document, "user/feedback", "post")["requestBody"]
    assert body["required"] is True
    schema = document["components"]["schemas"][body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert schema["required"] == ["rating"]
    assert schema["properties"]["rating"]["enum"] == ["hate", "dislike", "neutral", "like", "love"]
    intent = document["components"]["schemas"]["post_payments_intent"]
    assert "productId" in intent["properties"]  # the alias a client sends, not the Python name
    signup = document["components"]["schemas"]["post_user_signup"]
    assert signup["properties"]["attribution"]["$ref"] == "#/components/schemas/post_user_signup.Attribution"
    assert "post_user_signup.AttributionEntry" in document["components"]["schemas"]


def test_errors_use_the_framework_shape_and_every_answer_has_bm_properties(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["message", "code", "status", "tag"]
    responses = _operation(document, "user", "get")["responses"]
    assert set(responses) == {"2XX", "3XX", "4XX", "503", "5XX"}
    for response in document["components"]["responses"].values():
        assert response["headers"]["bm-properties"] == {"$ref": "#/components/headers/bm-properties"}
    assert document["components"]["headers"]["bm-properties"]["required"] is True


def test_production_leaves_out_routes_served_only_in_development_and_testing(manager):
    production = build_document(manager, environment="production")["paths"]
    assert "/backend-manager/test/usage" not in production
    assert "/backend-manager/openapi.json" not in production
    assert "/backend-manager/test/health" in production
    assert "/backend-manager/test/usage" in build_document(manager, environment="testing")["paths"]


def test_function_form_schemas_are_resolved_for_an_anonymous_caller_or_documented_as_generic(manager, project):
    write(project / "routes/report/get.py", "def main(settings):\n    return {}\n")
    write(project / "routes/report/post.py", "def main(settings):\n    return {}\n")
    write(project / "schemas/report/get.py", """
        from functions.schemas import BaseModel, Field

        def schema(user):
            limit = 1000 if user.subscription.active else 100
            class Schema(BaseModel):
                rows: int = Field(default=10, ge=1, le=limit)
            return Schema
    """)
    write(project / "schemas/report/post.py", """
        def schema(request):
            raise RuntimeError("needs the request: " + request.path)
    """)
    layered = unit.make_manager(manager.options.root, routes=[project / "routes"], schemas=[project / "schemas"])
    document = build_document(layered)
    rows = _operation(document, "report", "get")["parameters"][0]
    assert (rows["name"], rows["schema"]["maximum"]) == ("rows", 100)  # the anonymous caller's limit
    post = _operation(document, "report", "post")["requestBody"]["content"]["application/json"]["schema"]
    assert document["components"]["schemas"][post["$ref"].rsplit("/", 1)[1]]["x-bem-schema"] == "dynamic"
    assert not list(OPENAPI_31_VALIDATOR.iter_errors(document))


def test_served_at_openapi_json_in_testing(bm, manager):
    response = bm.get("openapi.json")
    assert response.status == 200
    assert response.json == json.loads(json.dumps(build_document(manager)))
    assert response.properties["code"] == 200


def test_not_served_in_production(manager, monkeypatch):
    monkeypatch.delenv("BEM_TESTING")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    monkeypatch.setenv("ENVIRONMENT", "production")
    production = unit.make_manager(manager.options.root)
    assert production.environment == "production"
    response = ApiClient(InProcessTransport(api_app(production)), accounts={}).get("openapi.json")
    assert response.status == 404
    assert response.json["error"]["code"] == "not-found"


def test_mgr_openapi_writes_the_document(manager, tmp_path, monkeypatch):
    monkeypatch.chdir(manager.options.root)
    target = tmp_path / "openapi.json"
    result = runner_invoke(["openapi", "--output", str(target)])
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text())
    assert written["openapi"] == "3.1.0"
    assert "/backend-manager/user/sessions" in written["paths"]
    assert "/backend-manager/test/usage" not in written["paths"]  # production by default
    testing = json.loads(runner_invoke(["openapi", "--environment", "testing"]).output)
    assert "/backend-manager/test/usage" in testing["paths"]
    assert runner_invoke(["openapi", "--environment", "staging"]).exit_code == 2


def runner_invoke(args):
    return CliRunner().invoke(app, args)
