"""``mgr serve``: in-memory Auth (sessions, DELETE user, lazy provisioning), redacted access log,
JSON errors from the HTTP server itself; an unreachable Firebase Auth answers 503."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server

from functions.cli.serve import LocalAuthAdmin, RedactingRequestHandler
from functions.logs import redact_url
from functions.testing.client import ApiClient, InProcessTransport
from functions.testing.test_env import ADMIN_KEY, PROJECT
from functions.testing.tokens import emulator_id_token
from functions.wsgi import api_app


@pytest.fixture
def local(manager, accounts):
    """The unit manager with mgr serve's in-memory Auth instead of the unit tier's."""
    from functions.auth.admin import use_auth_admin

    auth = use_auth_admin(manager, LocalAuthAdmin())
    return auth, ApiClient(InProcessTransport(api_app(manager)), accounts=accounts)


@pytest.fixture
def served(manager) -> Iterator[str]:
    """bm_api behind werkzeug's server with mgr serve's request handler, on a free port."""
    server = make_server("127.0.0.1", 0, api_app(manager), threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_a_new_token_holder_is_provisioned_lazily_and_sees_sessions(local, firestore):
    auth, bm = local
    token = emulator_id_token("fresh-user", email="fresh@example.com", project=PROJECT)
    response = bm.as_(token).get("user")
    assert response.status == 200, response.text
    assert firestore.get("users/fresh-user")["auth"]["uid"] == "fresh-user"
    assert auth.get_user("fresh-user").email is None  # known to the in-memory Auth from its first token
    sessions = bm.as_(token).get("user/sessions")
    assert sessions.status == 200
    assert sessions.json["sessions"]["uid"] == "fresh-user"


def test_delete_user_removes_the_account_and_its_token_stops_working(local, firestore):
    auth, bm = local
    token = emulator_id_token("leaving-user", email="leaving@example.com", project=PROJECT)
    assert bm.as_(token).get("user").status == 200
    deleted = bm.as_(token).delete("user", {"confirm": True})
    assert deleted.status == 200, deleted.text
    assert ("delete_user", "leaving-user") in auth.calls
    assert auth.get_user("leaving-user") is None
    assert bm.as_(token).get("user").status == 401  # a deleted user's unexpired token does not bring it back
    assert firestore.get("users/leaving-user") is None


def test_an_unreachable_firebase_auth_answers_503(manager, accounts):
    manager.services.pop("auth_admin")  # the real firebase-admin service; FIREBASE_AUTH_EMULATOR_HOST is a closed port
    bm = ApiClient(InProcessTransport(api_app(manager)), accounts=accounts)
    response = bm.as_("basic").get("user/sessions")
    assert response.status == 503, response.text
    assert response.json["error"]["code"] == "unavailable"
    assert bm.as_("basic").delete("user/sessions").status == 503


@pytest.mark.parametrize("url", [
    "/backend-manager/user?backendManagerKey=sekrit&uid=x",
    "/backend-manager/user?uid=x&apiKey=sekrit",
    "/backend-manager/payments/webhook?processor=test&key=sekrit",
    "/backend-manager/test/authenticate?authenticationToken=sekrit;a=1",
])
def test_redact_url_hides_every_credential_parameter(url):
    redacted = redact_url(url)
    assert "sekrit" not in redacted
    assert "[redacted]" in redacted
    assert redact_url("/backend-manager/user?monkey=banana") == "/backend-manager/user?monkey=banana"


def test_the_access_log_never_shows_credentials(served, caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        response = requests.get(f"{served}/backend-manager/test/authenticate", params={"backendManagerKey": ADMIN_KEY}, timeout=10)
    assert response.status_code == 200
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/backend-manager/test/authenticate?backendManagerKey=[redacted]" in line for line in lines), lines
    assert not any(ADMIN_KEY in line for line in lines)


def test_an_over_long_url_is_a_json_414(served):
    response = requests.get(f"{served}/backend-manager/user?uid={'x' * 70000}", timeout=10)
    assert response.status_code == 414
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["status"] == 414


def test_an_over_long_header_is_a_json_error(served):
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /backend-manager/test/health HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == b"431"
    assert b"application/json" in head
    assert b'"status": 431' in body
