"""The auth Cloud Functions as firebase-tools sees them, driven with Auth-emulator-shaped input."""

from __future__ import annotations

import json
import uuid

import pytest
from flask import Flask

from functions.auth.cloud import build
from functions.auth.disposable import DISPOSABLE_MESSAGE
from functions.testing import unit
from functions.testing.blocking import blocking_jwt


@pytest.fixture
def functions(manager):
    return build(manager)


def blocking_request(event: str, uid: str, email: str, ip: str = "127.0.0.1"):
    """The request the Auth emulator sends a blocking function (unsigned JWT, as in emulator mode)."""
    jwt = blocking_jwt(event, uid, email, ip=ip, project=unit.PROJECT)
    return Flask(__name__).test_request_context("/", method="POST", json={"data": {"jwt": jwt}})


def call_blocking(function, event: str, uid: str, email: str, ip: str = "127.0.0.1") -> tuple[int, dict]:
    with blocking_request(event, uid, email, ip) as context:
        response = function(context.request)
    return response.status_code, json.loads(response.get_data(as_text=True))


def cloud_event(kind: str, user: dict):
    from cloudevents.http import CloudEvent

    attributes = {
        "specversion": "1.0", "id": str(uuid.uuid4()), "time": "2024-05-06T07:08:09.123Z",
        "type": f"google.firebase.auth.user.v2.{kind}", "source": f"//identitytoolkit.googleapis.com/projects/{unit.PROJECT}",
        "subject": f"users/{user['uid']}",
    }
    return CloudEvent(attributes, {"value": user} if kind == "created" else {"oldValue": user})


def test_exports_the_four_functions_with_their_triggers(functions):
    assert sorted(functions) == ["bm_authBeforeCreate", "bm_authBeforeSignIn", "bm_authOnCreate", "bm_authOnDelete"]
    for name, function in functions.items():
        endpoint = function.__firebase_endpoint__
        assert endpoint.entryPoint == name
        assert (endpoint.availableMemoryMb, endpoint.timeoutSeconds) == (256, 60)
    assert functions["bm_authBeforeCreate"].__firebase_endpoint__.blockingTrigger["eventType"].endswith("user.beforeCreate")
    on_create = functions["bm_authOnCreate"].__firebase_endpoint__.eventTrigger
    assert on_create["eventType"] == "google.firebase.auth.user.v2.created"
    assert "channel" not in on_create  # what makes firebase-tools register it as an Auth trigger
    assert "channel" not in functions["bm_authOnDelete"].__firebase_endpoint__.eventTrigger


def test_before_sign_in_is_left_out_without_setup_identity(bem_root, manager):
    assert "bm_authBeforeSignIn" not in build(unit.make_manager(bem_root, setup_identity=False))


def test_before_create_allows_an_ordinary_signup(functions):
    assert call_blocking(functions["bm_authBeforeCreate"], "beforeCreate", "u-ok", "ok@example.com") == (200, {})


def test_before_create_refuses_a_disposable_address_with_bems_message(functions):
    status, body = call_blocking(functions["bm_authBeforeCreate"], "beforeCreate", "u-x", "x@mailinator.com")
    assert status == 400
    assert body["error"] == {"status": "INVALID_ARGUMENT", "message": DISPOSABLE_MESSAGE}


def test_before_create_refuses_the_third_signup_from_one_ip(functions):
    function = functions["bm_authBeforeCreate"]
    assert call_blocking(function, "beforeCreate", "u1", "one@example.com", ip="192.0.2.50")[0] == 200
    assert call_blocking(function, "beforeCreate", "u2", "two@example.com", ip="192.0.2.50")[0] == 200
    status, body = call_blocking(function, "beforeCreate", "u3", "three@example.com", ip="192.0.2.50")
    assert (status, body["error"]["status"]) == (429, "RESOURCE_EXHAUSTED")


def test_before_sign_in_records_the_ip(functions, firestore, accounts):
    basic = accounts["basic"]
    assert call_blocking(functions["bm_authBeforeSignIn"], "beforeSignIn", basic.uid, basic.email, ip="192.0.2.60")[0] == 200
    assert firestore.get(f"users/{basic.uid}")["activity"]["geolocation"]["ip"] == "192.0.2.60"


def test_on_create_and_on_delete_events_write_and_remove_the_document(functions, firestore):
    user = {"uid": "u-event", "email": "ev@example.com", "displayName": "Eve Vent",
            "metadata": {"createTime": "2024-05-06T07:08:00.000Z"}, "providerData": [{"providerId": "password"}]}
    functions["bm_authOnCreate"](cloud_event("created", user))
    doc = firestore.get("users/u-event")
    assert doc["personal"]["name"] == {"first": "Eve", "last": "Vent"}
    assert doc["metadata"]["created"]["timestamp"] == "2024-05-06T07:08:00.000Z"
    functions["bm_authOnDelete"](cloud_event("deleted", user))
    assert firestore.get("users/u-event") is None
