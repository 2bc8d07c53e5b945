"""`mgr setup` writes the development .env: generated secrets filled, nothing overwritten; the
secrets registry is the one list of names, and a missing secret is named in the error."""

from __future__ import annotations

import uuid

import pytest
from dotenv import dotenv_values
from typer.testing import CliRunner

from functions.cli import _register, app
from functions.config.secrets import GENERATED, NAMES, REGISTRY, fill_generated, load_dotenv_for, require_secret
from functions.errors import ServiceUnavailable

_register()


@pytest.fixture
def project(tmp_path, monkeypatch, bem_root):
    for name in ("main.py", "firebase.json", "backend-manager-config.json", "firestore.indexes.json", ".env.example"):
        (tmp_path / name).write_text((bem_root / name).read_text())
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_setup_creates_env_with_fresh_generated_secrets(project):
    result = CliRunner().invoke(app, ["setup"])
    assert result.exit_code == 0, result.output
    values = dotenv_values(project / ".env")
    assert all(values[name] and len(values[name]) >= 32 for name in GENERATED if name != "BACKEND_MANAGER_NAMESPACE")
    assert uuid.UUID(values["BACKEND_MANAGER_NAMESPACE"]).version == 4
    assert "# Secrets for local development" in (project / ".env").read_text()  # the template's comments kept
    for item in REGISTRY:
        if item.source == "user":
            assert item.name in result.output and item.without in result.output
    assert not any(values[name] in result.output for name in GENERATED)


def test_two_clones_get_different_secrets(tmp_path):
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    fill_generated(first)
    fill_generated(second)
    assert dotenv_values(first)["BACKEND_MANAGER_KEY"] != dotenv_values(second)["BACKEND_MANAGER_KEY"]


def test_existing_values_are_never_replaced_and_empty_ones_are_filled_in_place(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("BACKEND_MANAGER_KEY=my-own-admin-key\nBACKEND_MANAGER_WEBHOOK_KEY=\nSTRIPE_SECRET_KEY=sk_test_mine")
    filled = fill_generated(env_file)
    assert filled == [name for name in GENERATED if name != "BACKEND_MANAGER_KEY"]
    values = dotenv_values(env_file)
    assert values["BACKEND_MANAGER_KEY"] == "my-own-admin-key"
    assert values["STRIPE_SECRET_KEY"] == "sk_test_mine"
    assert env_file.read_text().count("BACKEND_MANAGER_WEBHOOK_KEY=") == 1
    assert fill_generated(env_file) == []
    assert dotenv_values(env_file) == values


def test_env_file_is_private(tmp_path):
    fill_generated(tmp_path / ".env")
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0


def test_every_secret_is_documented_in_the_template_and_readme(bem_root):
    template = (bem_root / ".env.example").read_text()
    readme = (bem_root / "README.md").read_text()
    for name in NAMES:
        assert f"{name}=" in template, f".env.example lacks {name}"
        assert f"`{name}`" in readme, f"README's secrets table lacks {name}"


def test_the_template_sets_no_empty_user_secret(bem_root):
    """An empty NAME= in .env would reach the emulated functions ahead of the shell's value."""
    assert set(dotenv_values(bem_root / ".env.example")) == set(GENERATED)


def test_empty_dotenv_lines_that_would_hide_the_fakes_values_are_found(tmp_path):
    from functions.emulator.local_stripe import hidden_by_dotenv, stripe_env

    (tmp_path / ".env").write_text("STRIPE_SECRET_KEY=\nSTRIPE_WEBHOOK_SECRET=whsec_mine\n")
    env = stripe_env(tmp_path)
    assert env["STRIPE_WEBHOOK_SECRET"] == "whsec_mine"  # the functions verify with .env's: the fake signs with it
    assert hidden_by_dotenv(tmp_path, list(env)) == ["STRIPE_SECRET_KEY"]


def test_a_missing_secret_is_named_in_the_503(monkeypatch):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ServiceUnavailable) as missing:
        require_secret("STRIPE_WEBHOOK_SECRET", "verifying Stripe-signed webhooks")
    assert missing.value.status == 503
    assert missing.value.message.startswith("STRIPE_WEBHOOK_SECRET is not set: verifying Stripe-signed webhooks")
    monkeypatch.delenv("BACKEND_MANAGER_WEBHOOK_KEY", raising=False)
    with pytest.raises(ServiceUnavailable, match="mgr setup` generates it"):
        require_secret("BACKEND_MANAGER_WEBHOOK_KEY", "test-processor webhooks")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    assert require_secret("STRIPE_WEBHOOK_SECRET", "x") == "whsec_x"


@pytest.mark.parametrize(("environment", "loaded"), [("development", True), ("testing", False), ("production", False)])
def test_dotenv_is_read_in_development_only(tmp_path, monkeypatch, environment, loaded):
    monkeypatch.delenv("UNSUBSCRIBE_HMAC_KEY", raising=False)
    (tmp_path / ".env").write_text("UNSUBSCRIBE_HMAC_KEY=from-dotenv\n")
    load_dotenv_for(tmp_path, environment)
    import os

    assert (os.environ.get("UNSUBSCRIBE_HMAC_KEY") == "from-dotenv") is loaded
    monkeypatch.delenv("UNSUBSCRIBE_HMAC_KEY", raising=False)
