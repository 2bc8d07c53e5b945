"""firestore.rules through the Firestore emulator's rules engine, acting as real accounts."""

import time
import uuid

import pytest

from functions.testing.test_env import PROJECT
from functions.testing.tokens import emulator_id_token

pytestmark = pytest.mark.emulator

PROTECTED = ["auth", "roles", "flags", "plan", "subscription", "affiliate", "api", "metadata", "usage", "consent", "usageActive"]


@pytest.mark.parametrize("field", PROTECTED)
def test_owner_cannot_write_protected_field(rules, accounts, field):
    own = f"users/{accounts['basic'].uid}"
    assert rules.as_("basic").can_update(own, {field: {"hacked": True}}) is False


def test_owner_can_write_personal_fields(rules, accounts):
    own = f"users/{accounts['basic'].uid}"
    assert rules.as_("basic").can_update(own, {"personal": {"gender": "x", "name": {"first": "B"}}}) is True


def test_owner_reads_own_document(rules, accounts):
    assert rules.as_("basic").can_read(f"users/{accounts['basic'].uid}") is True


def test_other_user_cannot_read_or_write(rules, accounts):
    other = f"users/{accounts['premium-active'].uid}"
    assert rules.as_("basic").can_read(other) is False
    assert rules.as_("basic").can_update(other, {"personal": {"gender": "x"}}) is False


def test_admin_reads_and_writes_anything(rules, accounts):
    other = f"users/{accounts['basic'].uid}"
    assert rules.as_("admin").can_read(other) is True
    assert rules.as_("admin").can_update(other, {"roles": {"admin": False, "betaTester": True, "developer": False}}) is True
    assert rules.as_("admin").can_set("anything/doc", {"x": 1}) is True


def test_anonymous_is_denied_by_default(rules, accounts):
    assert rules.as_("anonymous").can_read(f"users/{accounts['basic'].uid}") is False
    assert rules.as_("anonymous").can_set("anything/doc", {"x": 1}) is False


def _token() -> str:
    return f"fcm-{uuid.uuid4().hex}"


def _created() -> dict:
    now = int(time.time())
    return {"created": {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)), "timestampUNIX": now}}


def test_whoever_holds_a_notification_token_creates_reads_and_updates_it(rules, accounts):
    token, missing = _token(), _token()
    assert rules.as_("anonymous").can_read(f"notifications/{missing}") is True  # BEM's "already subscribed?" check
    assert rules.as_("anonymous").can_set(f"notifications/{token}", {"token": token, "owner": "anonymous"}) is True
    assert rules.as_("basic").can_read(f"notifications/{token}") is True
    # web-manager's update after sign-in: its uid, context and time; an owner may be claimed by the caller
    assert rules.as_("basic").can_update(f"notifications/{token}", {
        "uid": accounts["basic"].uid, "owner": accounts["basic"].uid, "context": {"client": {"platform": "web"}},
        "updated": _created()["created"]}) is True
    assert rules.as_("anonymous").can_update(f"notifications/{token}", {"preferences": {"sound": True}}) is True
    assert rules.as_("anonymous").can_delete(f"notifications/{token}") is False


@pytest.mark.parametrize(("case", "change"), [
    ("an unknown field", {"hacked": True}),
    ("another token", {"token": "someone-else"}),
    ("another user as owner", {"owner": "_test-premium-active"}),
    ("another user as uid", {"uid": "_test-premium-active"}),
    ("tags that are not a list", {"tags": "general"}),
])
def test_a_notification_keeps_its_shape_on_update(rules, accounts, case, change):
    token = _token()
    assert rules.as_("basic").can_set(f"notifications/{token}", {"token": token, "owner": accounts["basic"].uid}) is True
    assert rules.as_("basic").can_update(f"notifications/{token}", change) is False, case


def test_notifications_in_bem_clients_shape_are_accepted(rules, accounts):
    signed_in, anonymous = _token(), _token()
    document = {"owner": accounts["basic"].uid, "tags": ["general"], "metadata": _created()}
    assert rules.as_("basic").can_set(f"notifications/{signed_in}", {"token": signed_in, **document}) is True
    assert rules.as_("anonymous").can_set(f"notifications/{anonymous}", {"token": anonymous, "owner": "anonymous", "metadata": _created()}) is True
    web_manager = _token()  # web-manager's own create: uid, context.client, created/updated at the top
    assert rules.as_("basic").can_set(f"notifications/{web_manager}", {
        "token": web_manager, "uid": accounts["basic"].uid, "tags": ["general"], "context": {"client": {"mobile": False}},
        "created": _created()["created"], "updated": _created()["created"]}) is True


@pytest.mark.parametrize(("case", "change"), [
    ("another token than its id", {"token": "someone-else"}),
    ("no token", {"token": None}),
    ("an unknown field", {"isAdmin": True}),
    ("a large unknown field", {"payload": "x" * 5000}),
    ("another user as owner", {"owner": "_test-premium-active"}),
    ("tags that are not a list", {"tags": "general"}),
    ("too many tags", {"tags": [f"t{i}" for i in range(21)]}),
    ("metadata with other keys", {"metadata": {"created": {}, "roles": {"admin": True}}}),
])
def test_notifications_of_another_shape_are_refused(rules, accounts, case, change):
    token = _token()
    document = {"token": token, "owner": accounts["basic"].uid, **change}
    assert rules.as_("basic").can_set(f"notifications/{token}", {k: v for k, v in document.items() if v is not None}) is False, case


def test_a_signed_out_caller_cannot_name_a_user_as_owner(rules, accounts):
    token = _token()
    assert rules.as_("anonymous").can_set(f"notifications/{token}", {"token": token, "owner": accounts["basic"].uid}) is False


def _cart(uid: str, **changes) -> dict:
    now = int(time.time())
    cart = {"id": uid, "owner": uid, "status": "pending", "productId": "premium", "type": "subscription",
            "frequency": "monthly", "reminderIndex": 0, "nextReminderAt": now + 900, "metadata": {"created": _created()["created"]}}
    cart.update(changes)
    return {k: v for k, v in cart.items() if v is not None}


def test_cart_owner_writes_only_a_pending_cart_of_their_own(rules, accounts):
    uid = accounts["basic"].uid
    cart = f"payments-carts/{uid}"
    assert rules.as_("basic").can_set(cart, _cart(uid)) is True
    assert rules.as_("basic").can_set(cart, _cart(uid, productId="pro", frequency="annually")) is True  # revisiting checkout
    assert rules.as_("basic").can_read(cart) is True
    assert rules.as_("basic").can_set(cart, _cart(uid, status="completed")) is False
    assert rules.as_("premium-active").can_set(cart, _cart(uid)) is False
    assert rules.as_("premium-active").can_read(cart) is False
    assert rules.as_("anonymous").can_read(cart) is False
    assert rules.as_("basic").can_delete(cart) is False


@pytest.mark.parametrize(("case", "change"), [
    ("no owner", {"owner": None}),
    ("another owner", {"owner": "someone-else"}),
    ("another id", {"id": "someone-else"}),
    ("an unknown field", {"discount": 100}),
    ("a skipped reminder schedule", {"reminderIndex": 4}),
    ("no product", {"productId": None}),
])
def test_carts_of_another_shape_are_refused(rules, accounts, case, change):
    uid = accounts["basic"].uid
    assert rules.as_("basic").can_set(f"payments-carts/{uid}", _cart(uid, **change)) is False, case


def test_admin_completes_a_cart(rules, accounts):
    uid = accounts["basic"].uid
    assert rules.as_("admin").can_set(f"payments-carts/{uid}", _cart(uid)) is True
    assert rules.as_("admin").can_update(f"payments-carts/{uid}", {"status": "completed"}) is True


def test_an_owner_cannot_pre_create_their_user_document(rules):
    uid = f"rules-newcomer-{uuid.uuid4().hex[:8]}"
    newcomer = rules.as_(emulator_id_token(uid, email=f"{uid}@bem-test.dev", project=PROJECT))
    assert newcomer.can_set(f"users/{uid}", {"personal": {"name": {"first": "Eve"}}}) is False
    assert newcomer.can_set(f"users/{uid}", {}) is False
    assert newcomer.can_read(f"users/{uid}") is True  # a missing document of their own: readable (404), nothing leaks


def test_the_owner_reads_their_own_api_keys_and_nobody_else_does(rules, firestore, accounts):
    """The documented trade-off: the owner's own credential is readable by the owner (BEM clients
    display it), never writable, and never readable by another user or a query."""
    own = f"users/{accounts['basic'].uid}"
    assert firestore.get(own)["api"]["privateKey"]
    assert rules.as_("basic").can_read(own) is True
    assert rules.as_("basic").can_update(own, {"api": {"clientId": "x", "privateKey": "chosen"}}) is False
    assert rules.as_("premium-active").can_read(own) is False
    assert rules.as_("basic").can_query("users", "api.privateKey", firestore.get(own)["api"]["privateKey"]) is False
