"""The auth event logic as plain functions: before-create, before-sign-in, on-create, on-delete."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from functions.auth import before_create, before_sign_in, on_create, on_delete
from functions.auth.disposable import DISPOSABLE_MESSAGE, is_disposable
from functions.auth.events import AuthUser, Blocked, SignInContext


def signup(uid: str = "u-new", email: str = "someone@example.com", **values) -> AuthUser:
    return AuthUser(uid=uid, email=email, providers=("password",), **values)


def configure_auth(manager, **values) -> None:
    """The config is frozen; tests swap in a copy with other auth settings."""
    manager.config = manager.config.model_copy(update={"auth": manager.config.auth.model_copy(update=values)})


def at(ip: str = "203.0.113.7") -> SignInContext:
    return SignInContext(ip=ip, user_agent="pytest-agent", language="fr")


# before-create ----------------------------------------------------------------------------
@pytest.mark.parametrize("email", ["a@mailinator.com", "a@MAILINATOR.com", "a@inbox.mailinator.com"])
def test_disposable_domains_from_the_maintained_list_are_refused(manager, email):
    with pytest.raises(Blocked) as refused:
        before_create.handle(manager, signup(email=email), at())
    assert (refused.value.code, refused.value.message) == ("invalid-argument", DISPOSABLE_MESSAGE)


def test_custom_disposable_domains_from_config_are_refused(manager):
    configure_auth(manager, disposable_domains=["spam-box.test"])
    for email in ("x@spam-box.test", "x@eu.spam-box.test"):
        with pytest.raises(Blocked, match="email domain is not allowed"):
            before_create.handle(manager, signup(email=email), at())
    before_create.handle(manager, signup(email="x@not-spam-box.test"), at())


def test_disposable_check_leaves_ordinary_and_missing_addresses_alone():
    assert not is_disposable("someone@gmail.com")
    assert not is_disposable(None)
    assert not is_disposable("no-at-sign")


def test_third_signup_from_one_ip_in_a_day_is_refused(manager, firestore):
    before_create.handle(manager, signup("u1", "one@example.com"), at("198.51.100.1"))
    before_create.handle(manager, signup("u2", "two@example.com"), at("198.51.100.1"))
    with pytest.raises(Blocked) as refused:
        before_create.handle(manager, signup("u3", "three@example.com"), at("198.51.100.1"))
    assert refused.value.code == "resource-exhausted"
    assert refused.value.message == before_create.TOO_MANY_SIGNUPS_MESSAGE
    before_create.handle(manager, signup("u4", "four@example.com"), at("198.51.100.2"))  # another IP is fine
    assert firestore.get("usage/198.51.100.1")["signups"]["daily"] == 2


def test_a_refused_disposable_signup_does_not_use_up_the_ip_allowance(manager):
    for _ in range(3):
        with pytest.raises(Blocked):
            before_create.handle(manager, signup(email="a@mailinator.com"), at("198.51.100.9"))
    before_create.handle(manager, signup("u1", "one@example.com"), at("198.51.100.9"))
    before_create.handle(manager, signup("u2", "two@example.com"), at("198.51.100.9"))


def test_ip_limit_follows_config(manager):
    configure_auth(manager, signups_per_ip_per_day=1)
    before_create.handle(manager, signup("u1"), at("198.51.100.3"))
    with pytest.raises(Blocked):
        before_create.handle(manager, signup("u2"), at("198.51.100.3"))


def test_project_hook_blocks_a_signup(manager):
    with pytest.raises(Blocked) as refused:
        before_create.handle(manager, signup(email="_test.blocked-by-hook@example.com"), at())
    assert refused.value.code == "permission-denied"
    assert "blocked by the project hook" in refused.value.message


def test_signup_without_a_client_ip_skips_the_ip_limit(manager):
    for n in range(3):
        before_create.handle(manager, signup(f"u{n}"), SignInContext(ip=None))


def test_project_hook_is_inert_outside_testing(manager):
    manager.environment = "production"
    before_create.handle(manager, signup(email="_test.blocked-by-hook@example.com"), at())


# before-sign-in ---------------------------------------------------------------------------
def test_sign_in_records_activity_on_an_existing_document(manager, firestore, accounts):
    uid = accounts["basic"].uid
    long_ago = {"timestamp": "2020-01-01T00:00:00.000Z", "timestampUNIX": 1577836800}
    firestore.set(f"users/{uid}", {"metadata": {"updated": long_ago}}, merge=True)
    started = int(time.time())
    before_sign_in.handle(manager, AuthUser(uid=uid, email=accounts["basic"].email, providers=("password",)), at("192.0.2.4"))
    doc = firestore.get(f"users/{uid}")
    assert doc["activity"]["geolocation"]["ip"] == "192.0.2.4"
    assert doc["activity"]["client"]["userAgent"] == "pytest-agent"
    assert doc["activity"]["client"]["language"] == "fr"
    assert started <= doc["metadata"]["updated"]["timestampUNIX"] <= int(time.time())  # the sign-in moment, not the old value
    assert doc["subscription"] == accounts["basic"].document()["subscription"]  # nothing else touched


def test_sign_in_never_creates_a_partial_document(manager, firestore):
    assert before_sign_in.record_activity(manager, signup("u-without-doc"), at()) is False
    assert firestore.get("users/u-without-doc") is None


# on-create --------------------------------------------------------------------------------
def test_on_create_writes_the_default_document(manager, firestore):
    created = dt.datetime(2024, 3, 5, 12, 30, tzinfo=dt.UTC)
    user = AuthUser(uid="u-new", email="ada@example.com", display_name="Ada King Lovelace",
                    providers=("password",), created=created)
    assert on_create.handle(manager, user, event_id="evt-1") == "created"
    doc = firestore.get("users/u-new")
    assert doc["auth"] == {"uid": "u-new", "email": "ada@example.com", "temporary": False}
    assert doc["personal"]["name"] == {"first": "Ada", "last": "King Lovelace"}
    assert doc["metadata"]["created"] == {"timestamp": "2024-03-05T12:30:00.000Z", "timestampUNIX": int(created.timestamp())}
    assert doc["subscription"]["product"]["id"] == "basic"
    assert doc["flags"]["signupProcessed"] is False
    assert doc["roles"] == {"admin": False, "betaTester": False, "developer": False}
    assert doc["api"]["clientId"] and doc["api"]["privateKey"]
    assert doc["affiliate"]["code"] and doc["affiliate"]["referrals"] == []


def test_duplicate_on_create_delivery_changes_nothing(manager, firestore):
    user = signup("u-dup", display_name="First Try")
    assert on_create.handle(manager, user, event_id="evt-dup") == "created"
    before = firestore.get("users/u-dup")
    assert on_create.handle(manager, user, event_id="evt-dup") == "duplicate"
    assert firestore.get("users/u-dup") == before


def test_on_create_keeps_a_document_lazy_provisioning_wrote_first(manager, firestore, accounts):
    uid = accounts["premium-active"].uid
    before = firestore.get(f"users/{uid}")
    user = AuthUser(uid=uid, email="other@example.com", providers=("password",))
    assert on_create.handle(manager, user, event_id="e") == "exists"
    assert firestore.get(f"users/{uid}") == before


@pytest.mark.parametrize("providers", [(), ("anonymous",)])
def test_anonymous_users_get_no_document(manager, firestore, providers):
    assert on_create.handle(manager, AuthUser(uid="u-anon", providers=providers)) == "anonymous"
    assert firestore.get("users/u-anon") is None


class FlakyUsers:
    """The real user repository, whose ``provision`` first fails with the given errors."""

    def __init__(self, users, failures) -> None:
        self._users, self.failures = users, list(failures)

    def provision(self, *args, **kwargs):
        if self.failures:
            raise self.failures.pop(0)
        return self._users.provision(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._users, name)


class ManagerWith:
    """The manager with some attributes replaced (no patching of the real one)."""

    def __init__(self, manager, **replaced) -> None:
        self._manager = manager
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._manager, name)


def test_on_create_retries_transient_failures_with_backoff(manager, firestore):
    from google.api_core.exceptions import ServiceUnavailable

    flaky = ManagerWith(manager, users=FlakyUsers(manager.users, [ServiceUnavailable("down"), ServiceUnavailable("down")]))
    waits: list[float] = []
    assert on_create.handle(flaky, signup("u-flaky"), sleep=waits.append) == "created"
    assert waits == [1, 2]
    assert firestore.get("users/u-flaky")["auth"]["uid"] == "u-flaky"


def test_on_create_gives_up_after_4_attempts_and_leaves_it_to_lazy_provisioning(manager, firestore):
    from google.api_core.exceptions import ServiceUnavailable

    flaky = ManagerWith(manager, users=FlakyUsers(manager.users, [ServiceUnavailable("down")] * 4))
    waits: list[float] = []
    assert on_create.handle(flaky, signup("u-down"), sleep=waits.append) == "failed"
    assert waits == [1, 2, 4]
    assert firestore.get("users/u-down") is None


def test_on_create_does_not_retry_a_permanent_error(manager):
    from google.api_core.exceptions import PermissionDenied

    flaky = ManagerWith(manager, users=FlakyUsers(manager.users, [PermissionDenied("rules")]))
    waits: list[float] = []
    assert on_create.handle(flaky, signup("u-denied"), sleep=waits.append) == "failed"
    assert waits == []


def test_on_create_hook_runs_once_and_its_errors_never_escape(manager, tmp_path, firestore):
    hooks_dir = tmp_path / "auth"
    hooks_dir.mkdir()
    (hooks_dir / "on_create.py").write_text(
        "def main(manager, user):\n"
        "    manager.db.collection('hook-runs').add({'uid': user.uid})\n"
        "    raise RuntimeError('hook bug')\n"
    )
    from functions.testing import unit

    layered = unit.make_manager(manager.options.root, hooks=[str(tmp_path)])
    assert on_create.handle(layered, signup("u-hook"), event_id="evt-h") == "created"
    assert on_create.handle(layered, signup("u-hook"), event_id="evt-h") == "duplicate"
    assert [d["uid"] for d in firestore.list("hook-runs").values()] == ["u-hook"]


# on-delete --------------------------------------------------------------------------------
def test_on_delete_removes_the_document_and_is_idempotent(manager, firestore, accounts):
    uid = accounts["basic"].uid
    user = AuthUser(uid=uid, email=accounts["basic"].email, providers=("password",))
    assert on_delete.handle(manager, user, event_id="del-1") == "deleted"
    assert firestore.get(f"users/{uid}") is None
    assert on_delete.handle(manager, user, event_id="del-1") == "duplicate"
    assert on_delete.handle(manager, user, event_id="del-2") == "deleted"  # another delivery path, still fine


# payloads -----------------------------------------------------------------------------------
def test_auth_v2_payload_becomes_an_auth_user():
    user = AuthUser.from_payload({
        "uid": "abc", "email": "a@example.com", "displayName": "A B",
        "metadata": {"createTime": "2024-01-02T03:04:05.678Z"}, "providerData": [{"providerId": "password"}],
    })
    assert user.created == dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    assert user.providers == ("password",) and not user.anonymous
    assert AuthUser.from_payload({"uid": "anon"}).anonymous
    assert not AuthUser.from_payload({"uid": "admin-made", "email": "x@example.com"}).anonymous


# hooks ------------------------------------------------------------------------------------------
def layered_manager(manager, tmp_path, event: str, source: str):
    (tmp_path / "auth").mkdir(exist_ok=True)
    (tmp_path / "auth" / f"{event}.py").write_text(source)
    from functions.testing import unit

    return unit.make_manager(manager.options.root, hooks=[str(tmp_path)])


def test_a_crashing_blocking_hook_refuses_the_signup(manager, tmp_path):
    layered = layered_manager(manager, tmp_path, "before_create", "def main(user):\n    raise RuntimeError('bug')\n")
    with pytest.raises(RuntimeError):
        before_create.handle(layered, signup(), at())


def test_a_hook_asking_for_an_unknown_parameter_names_the_known_ones(manager, tmp_path):
    from functions.errors import SetupError

    layered = layered_manager(manager, tmp_path, "before_sign_in", "def main(user, request):\n    pass\n")
    with pytest.raises(SetupError, match="'request' cannot be injected"):
        before_sign_in.handle(layered, signup(), at())
