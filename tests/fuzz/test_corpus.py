"""The hand-kept corpus: each class of hostile input issue 10 found, against the real app.

Generated requests rarely reach these shapes (500 levels of nesting, a lone surrogate beside
``<``, a validly signed but malformed Stripe event), so each is sent on purpose. Every answer
must be a 4xx (or the stated success) in the framework's JSON error shape, never a 5xx, and
nothing may be written or deleted on the way. Every case is expected to pass.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from functions.cli.serve import RedactingRequestHandler
from functions.wsgi import api_app

DEEP_OBJECTS = '{"a":' * 500 + "1" + "}" * 500
DEEP_ARRAYS = "[" * 1000 + "]" * 1000
DEEP_JSON5 = "{a:" * 60 + "1" + "}" * 60  # unquoted keys: only the JSON5 fallback parses it
LONE_SURROGATE = '"<\\ud800"'  # the JSON escape of a lone surrogate, next to "<"
SCRIPT = "<script>alert(1)</script>"


def refused(response, *statuses: int) -> dict:
    """The answer is one of ``statuses`` and a JSON error in the framework's shape."""
    assert response.status in statuses, f"{response.status}: {response.text[:300]}"
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    error = json.loads(response.text)["error"]
    assert {"message", "code", "status", "tag"} <= set(error)
    assert error["status"] == response.status
    return error


def raw(bm, method: str, route: str, body: str | bytes, content_type: str = "application/json", **kwargs):
    return bm.request(method, route, data=body, headers={"Content-Type": content_type, **kwargs.pop("headers", {})}, **kwargs)


# ── nesting ─────────────────────────────────────────────────────────────────────────────

NESTED_TARGETS = [
    ("anonymous", "POST", "general/uuid"),
    ("basic", "POST", "user/feedback"),
    ("basic", "DELETE", "user"),
    ("anonymous", "POST", ""),  # the legacy {command} endpoint
]


@pytest.mark.parametrize("body", [DEEP_OBJECTS, DEEP_ARRAYS], ids=["500-objects", "1000-arrays"])
@pytest.mark.parametrize(("account", "method", "route"), NESTED_TARGETS, ids=[f"{m} {r or '/'}" for _, m, r in NESTED_TARGETS])
def test_deeply_nested_json_is_a_400(bm, firestore, body, account, method, route):
    refused(raw(bm.as_(account), method, route, body), 400, 413)
    assert firestore.get("users/_test-basic") is not None


@pytest.mark.parametrize("body", [DEEP_OBJECTS, DEEP_ARRAYS], ids=["500-objects", "1000-arrays"])
def test_deeply_nested_json_to_the_webhook_is_a_400_before_the_signature(bm, stripe_fake, body):
    refused(raw(bm, "POST", "payments/webhook", body, query={"processor": "stripe"}, headers={"Stripe-Signature": "t=1,v1=00"}), 400)


def test_deep_json5_is_a_400(bm):
    refused(raw(bm, "POST", "general/uuid", DEEP_JSON5), 400)


# ── strings Firestore cannot store ──────────────────────────────────────────────────────

def test_a_lone_surrogate_next_to_markup_is_a_400_and_nothing_is_written(bm, firestore):
    before = firestore.list("feedback")
    refused(raw(bm.as_("basic"), "POST", "user/feedback", '{"rating":"love","text":' + LONE_SURROGATE + "}"), 400)
    refused(raw(bm, "POST", "general/uuid", '{"version":5,"name":' + LONE_SURROGATE + "}"), 400)
    assert firestore.list("feedback") == before


# ── Stripe webhooks ─────────────────────────────────────────────────────────────────────

def _stripe_event(**changes) -> dict:
    event = {"id": "evt_corpus_1", "object": "event", "type": "customer.subscription.updated", "created": 1700000000,
             "livemode": False, "data": {"object": {"id": "sub_corpus", "object": "subscription", "status": "active"}}}
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def _webhook(bm, body: bytes, headers: dict):
    return bm.post("payments/webhook", data=body, headers=headers, query={"processor": "stripe"})


def test_a_non_ascii_stripe_signature_is_a_400(bm, firestore, stripe_fake, signed_stripe_event):
    body, headers = signed_stripe_event(_stripe_event())
    refused(_webhook(bm, body, {**headers, "Stripe-Signature": "t=1,v1=é"}), 400)
    assert firestore.list("payments-webhooks") == {}


MALFORMED_EVENTS = [
    pytest.param({"id": None}, id="no-id"),
    pytest.param({"data": [1, 2]}, id="data-a-list"),
    pytest.param({"created": "yesterday"}, id="created-a-string"),
]



@pytest.mark.parametrize("change", MALFORMED_EVENTS)
def test_a_signed_malformed_stripe_event_is_a_400_and_writes_nothing(bm, firestore, stripe_fake, signed_stripe_event, change):
    event = _stripe_event()
    event.update(change)
    body, headers = signed_stripe_event({k: v for k, v in event.items() if v is not None})
    refused(_webhook(bm, body, headers), 400)
    assert firestore.list("payments-webhooks") == {}


def test_a_signed_event_over_100_kb_is_recorded(bm, firestore, stripe_fake, signed_stripe_event):
    event = _stripe_event()
    event["data"]["object"]["metadata"] = {f"k{i}": "x" * 400 for i in range(40)} | {"pad": "y" * 110_000}
    body, headers = signed_stripe_event(event)
    assert len(body) > 100 * 1024
    response = _webhook(bm, body, headers)
    assert response.status == 200, response.text[:300]
    assert "evt_corpus_1" in firestore.list("payments-webhooks")


# ── bodies of the wrong kind ────────────────────────────────────────────────────────────

def test_array_and_string_bodies_on_object_routes_are_400s_and_change_nothing(bm, firestore):
    before = firestore.get("users/_test-basic")
    refused(raw(bm.as_("basic"), "POST", "user/api-keys", "[1,2,3]"), 400)
    refused(raw(bm.as_("basic"), "POST", "user/signup", "[1,2,3]"), 400)
    refused(raw(bm.as_("basic"), "DELETE", "user", '"hello"'), 400)
    after = firestore.get("users/_test-basic")
    assert after is not None
    assert after["api"] == before["api"]


def test_a_text_plain_body_is_not_json(bm, firestore):
    before = firestore.get("users/_test-basic")["api"]
    response = raw(bm.as_("basic"), "POST", "user/api-keys", '{"keys":["privateKey"]}', content_type="text/plain")
    refused(response, 400, 415)
    assert firestore.get("users/_test-basic")["api"] == before


# ── identifiers ─────────────────────────────────────────────────────────────────────────

def test_script_identifiers_are_400s_and_never_mean_the_caller(bm, firestore):
    refused(bm.as_("basic").delete("user", {"uid": SCRIPT}), 400)
    assert firestore.get("users/_test-basic") is not None  # not the caller's own account
    refused(bm.as_("basic").get("user", query={"uid": SCRIPT}), 400)
    refused(bm.as_("basic").get("user/subscription", query={"uid": SCRIPT}), 400)
    refused(bm.as_("basic").get("user/sessions", query={"uid": SCRIPT}), 400)
    refused(bm.as_("basic").post("user/token", {"uid": SCRIPT}), 400)
    refused(bm.as_("basic").get("payments/trial-eligibility", query={"productId": SCRIPT}), 400)


# ── credentials, methods, sizes ─────────────────────────────────────────────────────────

@pytest.mark.parametrize(("method", "route"), [("GET", "user"), ("GET", "user/subscription"), ("POST", "user/feedback")])
def test_a_5000_character_bearer_is_a_401(bm, method, route):
    """Passes in-process; the 500 was real Firestore refusing the over-long API-key query (compat-core
    refuses such tokens before any lookup, and the emulator tier proves it there)."""
    refused(bm.as_("A" * 5000).request(method, route, json={"rating": "love"} if method == "POST" else None), 401)


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_unknown_methods_are_a_json_405(bm, method):
    refused(bm.request(method, "user"), 405)


def test_an_over_long_url_is_a_json_4xx(bm):
    refused(bm.get("x" * 20_000), 404)
    refused(bm.as_("basic").get("user", query={"uid": "u" * 20_000, "other": "o" * 20_000}), 400, 403, 404)


def test_a_wrong_typed_unprotected_field_in_the_user_document_is_no_500(bm, firestore):
    document = firestore.get("users/_test-basic")
    document["personal"] = "not a map"
    document["activity"] = 42
    firestore.set("users/_test-basic", document)
    assert bm.as_("basic").get("user").status == 200
    assert bm.as_("basic").get("user/subscription").status == 200
    assert bm.as_("basic").post("user/feedback", {"rating": "love"}).status == 200


# ── through the HTTP server mgr serve runs ──────────────────────────────────────────────

@pytest.fixture
def served(manager) -> Iterator[tuple[str, int]]:
    server = make_server("127.0.0.1", 0, api_app(manager), threaded=True, request_handler=RedactingRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_port
    server.shutdown()
    thread.join(5)


def _chunked_post(address: tuple[str, int], path: str, total: int, chunk: int = 8192) -> tuple[int, bytes, bytes]:
    """POST ``total`` bytes of a JSON string in chunks; the status, head and (de-chunked) body of the answer."""
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode())
        payload = b'{"name":"' + b"x" * (total - 11) + b'"}'
        try:
            for start in range(0, len(payload), chunk):
                piece = payload[start:start + chunk]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the end: what a size limit enforced while reading does
        answer = b""
        sock.settimeout(5)  # the answer comes at once; a server that keeps the socket open must not stall the tier
        try:
            while data := sock.recv(65536):
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return int(head.split(b" ", 2)[1]), head, body


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, data = out + rest[:size], rest[size + 2:]
    return out


def test_a_chunked_body_over_100_kb_is_a_json_413(served):
    status, head, body = _chunked_post(served, "/backend-manager/general/uuid", 300 * 1024)
    assert status == 413, head
    assert b"application/json" in head.lower()
    assert json.loads(body)["error"]["status"] == 413
