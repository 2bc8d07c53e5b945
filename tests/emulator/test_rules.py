"""firestore.rules through the Firestore emulator's rules engine, acting as real accounts."""

import pytest

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


def test_anyone_can_create_a_notification_token_but_not_read_it(rules):
    assert rules.as_("anonymous").can_set("notifications/token-abc", {"token": "abc"}) is True
    assert rules.as_("basic").can_read("notifications/token-abc") is False


def test_cart_owner_writes_only_pending(rules, accounts):
    cart = f"payments-carts/{accounts['basic'].uid}"
    assert rules.as_("basic").can_set(cart, {"status": "pending", "productId": "premium"}) is True
    assert rules.as_("basic").can_set(cart, {"status": "completed"}) is False
    assert rules.as_("premium-active").can_set(cart, {"status": "pending"}) is False
