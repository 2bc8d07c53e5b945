"""CORS never grants credentials to an arbitrary origin; every error answer is JSON, any method."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from functions.testing import unit
from functions.testing.client import ApiClient, InProcessTransport
from functions.wsgi import api_app

BRAND = "https://example.com"  # brand.url of the project config


def _client_with(manager, tmp_path, api: dict, environment: str | None = None):
    config = json.loads((manager.options.root / "backend-manager-config.json").read_text())
    config["api"] = api
    path = tmp_path / "backend-manager-config.json"
    path.write_text(json.dumps(config))
    made = unit.make_manager(manager.options.root, config_path=path)
    if environment:
        made.environment = environment
    return ApiClient(InProcessTransport(api_app(made)))


def test_brand_origin_is_allowed_with_credentials(bm):
    headers = bm.get("test/health", headers={"Origin": BRAND}).headers
    assert headers["Access-Control-Allow-Origin"] == BRAND
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Expose-Headers"] == "bm-properties"
    assert headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://example.com.evil.example", "http://localhost:3000"])
def test_other_origins_get_no_cors_grant(bm, origin):
    response = bm.get("test/health", headers={"Origin": origin})
    assert response.status == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_wildcard_never_comes_with_credentials(manager, tmp_path):
    client = _client_with(manager, tmp_path, {"allowedOrigins": ["*", "null"]})
    for origin in ("https://evil.example", "null"):
        headers = client.get("test/health", headers={"Origin": origin}).headers
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in headers
    assert client.get("test/health", headers={"Origin": BRAND}).headers["Access-Control-Allow-Credentials"] == "true"


def test_listed_origins_are_allowed_exactly(manager, tmp_path):
    client = _client_with(manager, tmp_path, {"allowedOrigins": ["https://app.example/some/page"]})
    assert client.get("test/health", headers={"Origin": "https://app.example"}).headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Origin" not in client.get("test/health", headers={"Origin": "https://app.example:8443"}).headers


def test_localhost_is_allowed_in_development_only(manager, tmp_path):
    client = _client_with(manager, tmp_path, {}, environment="development")
    headers = client.get("test/health", headers={"Origin": "http://localhost:4000"}).headers
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:4000"


def test_preflight_reflects_only_the_headers_the_api_reads(bm):
    response = bm.request("OPTIONS", "user", headers={"Origin": BRAND, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization, x-evil, content-type"})
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT", "BREW"])
def test_unknown_methods_answer_the_json_405(bm, method):
    response = bm.request(method, "user")
    assert response.status == 405, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert response.json["error"]["code"] == "method-not-allowed"
    assert "allowed: DELETE, GET" in response.json["error"]["message"]


def test_functions_framework_as_deployed_answers_unknown_methods_in_json(bem_root):
    """The deployed path: functions-framework routes every method to bm_api (a fresh process, as an instance)."""
    code = (
        "import functions_framework\n"
        "app = functions_framework.create_app(target='bm_api', source='main.py', signature_type='http')\n"
        "client = app.test_client()\n"
        "for method in ('TRACE', 'PROPFIND'):\n"
        "    response = client.open('/backend-manager/user', method=method)\n"
        "    print(method, response.status_code, response.headers['Content-Type'], response.get_json()['error']['code'])\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(bem_root), "BEM_FIRESTORE": "memory", "BEM_TESTING": "true", "FUNCTION_TARGET": "bm_api"}
    out = subprocess.run([sys.executable, "-c", code], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["TRACE 405 application/json method-not-allowed", "PROPFIND 405 application/json method-not-allowed"]
