"""The per-IP sign-up limit locally: loopback callers are not counted in development or under
the emulator (so local sign-ups just work); every other caller, and production, is counted."""

from __future__ import annotations

import logging

import pytest

from functions.auth import before_create
from functions.auth.events import AuthUser, Blocked, SignInContext


def signup(n: int) -> AuthUser:
    return AuthUser(uid=f"u-loop-{n}", email=f"loop-{n}@example.com", providers=("password",))


def sign_up_three(manager, ip: str) -> None:
    for n in range(3):
        before_create.handle(manager, signup(n), SignInContext(ip=ip))


@pytest.mark.parametrize("ip", ["127.0.0.1", "::1", "127.0.0.53"])
def test_development_does_not_count_loopback_sign_ups(manager, firestore, ip):
    manager.environment = "development"
    sign_up_three(manager, ip)
    assert firestore.get(f"usage/{ip}") is None


def test_under_the_emulator_loopback_is_not_counted_even_in_test_mode(manager, firestore, monkeypatch):
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    assert manager.environment == "testing"
    sign_up_three(manager, "127.0.0.1")
    assert firestore.get("usage/127.0.0.1") is None


def test_a_public_address_is_still_limited_in_development(manager, firestore, monkeypatch):
    manager.environment = "development"
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    with pytest.raises(Blocked) as refused:
        sign_up_three(manager, "203.0.113.40")
    assert refused.value.code == "resource-exhausted"
    assert firestore.get("usage/203.0.113.40")["signups"]["daily"] == 2


def test_production_counts_loopback_like_any_address(manager, firestore, monkeypatch):
    manager.environment = "production"
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    with pytest.raises(Blocked):
        sign_up_three(manager, "127.0.0.1")
    assert firestore.get("usage/127.0.0.1")["signups"]["daily"] == 2


def test_the_exemption_is_logged_once(manager, caplog):
    manager.environment = "development"
    with caplog.at_level(logging.INFO):
        sign_up_three(manager, "127.0.0.1")
    notes = [r for r in caplog.records if "not counted against the per-IP limit" in r.getMessage()]
    assert len(notes) == 1
