"""What a newcomer does on a fresh clone, end to end through the Emulator Suite.

`mgr setup` writes .env with generated secrets; three sign-ups through the Auth emulator's REST
API (as a web client signs up, all from 127.0.0.1); a purchase with the test processor; a Stripe
purchase against the local fake (real stripe-python SDK in the functions, signed webhooks). And the
README's walk-through, run as written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from dotenv import dotenv_values

from functions.config.secrets import GENERATED, NAMES
from functions.emulator.local_stripe import STRIPE_FAKE_PORT, WEBHOOK_PATH
from functions.testing.emulator import emulator_urls
from functions.testing.stripe_local import LocalStripe

pytestmark = pytest.mark.emulator
PIPELINE_TIMEOUT = 45
SIGN_UP = "/identitytoolkit.googleapis.com/v1/accounts:signUp?key=any"


@pytest.fixture
def urls(bem_root):
    return emulator_urls(bem_root)


@pytest.fixture
def local_stripe(stripe_fake, urls, manager):
    """The fake the functions reach (mgr test gives them its port), made local: seeded, delivering."""
    if stripe_fake.port != STRIPE_FAKE_PORT:
        pytest.skip(f"the functions reach the fake Stripe API on port {STRIPE_FAKE_PORT} (run through `mgr test`)")
    local = LocalStripe(stripe_fake, urls.functions + WEBHOOK_PATH, os.environ["STRIPE_WEBHOOK_SECRET"])
    local.seed(manager.config)
    return local


def web_sign_up(urls, email: str) -> dict:
    response = requests.post(f"http://{urls.auth}{SIGN_UP}", timeout=30,
                             json={"email": email, "password": "a-long-password", "returnSecureToken": True})
    assert response.status_code == 200, response.text
    return response.json()


def subscribed(firestore, uid: str, product: str):
    def check():
        doc = firestore.get(f"users/{uid}") or {}
        subscription = doc.get("subscription") or {}
        return doc if (subscription.get("product") or {}).get("id") == product and subscription.get("status") == "active" else None

    return check


def test_setup_writes_env_with_every_generated_secret(bem_root, tmp_path):
    for name in ("main.py", "firebase.json", "backend-manager-config.json", "firestore.indexes.json", ".env.example"):
        shutil.copy(bem_root / name, tmp_path / name)
    mgr = Path(sys.executable).parent / "mgr"
    run = subprocess.run([str(mgr), "setup"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k not in NAMES})
    assert run.returncode == 0, run.stdout + run.stderr
    values = dotenv_values(tmp_path / ".env")
    assert all(values[name] for name in GENERATED)
    uuid.UUID(values["BACKEND_MANAGER_NAMESPACE"])
    assert "STRIPE_SECRET_KEY" in run.stdout and values["BACKEND_MANAGER_KEY"] not in run.stdout


def test_newcomer_signs_up_three_times_and_buys_with_both_processors(urls, bm, firestore, wait_for, local_stripe):
    tag = uuid.uuid4().hex[:8]
    people = [web_sign_up(urls, f"newcomer-{n}-{tag}@example.com") for n in range(3)]
    for person in people:
        wait_for(lambda p=person: firestore.get(f"users/{p['localId']}"), timeout=30, message="no user document")

    first, second = people[0], people[1]
    bought = bm.as_(first["idToken"]).post("payments/intent", {"processor": "test", "productId": "premium", "frequency": "monthly"})
    assert bought.status == 200, bought.text
    wait_for(subscribed(firestore, first["localId"], "premium"), timeout=PIPELINE_TIMEOUT, message="test purchase not applied")

    intent = bm.as_(second["idToken"]).post("payments/intent", {"processor": "stripe", "productId": "pro", "frequency": "monthly"})
    assert intent.status == 200, intent.text
    local_stripe.pay(intent.json["id"])
    assert [status for _, status in local_stripe.delivered] == [200, 200, 200]
    doc = wait_for(subscribed(firestore, second["localId"], "pro"), timeout=PIPELINE_TIMEOUT, message="Stripe purchase not applied")
    assert doc["subscription"]["payment"]["processor"] == "stripe"
    assert doc["subscription"]["payment"]["orderId"] == intent.json["orderId"]


def readme_steps(readme: str) -> list[str]:
    return re.findall(r"```sh\n(# step \d+:.*?)```", readme, flags=re.S)


def test_readme_walkthrough_runs_as_written(bem_root, urls, firestore, wait_for, local_stripe):
    steps = readme_steps((bem_root / "README.md").read_text())
    assert len(steps) == 4, "the README lost a step of its walk-through"
    script = "set -euo pipefail\n" + "\n".join(steps)
    run = subprocess.run(["bash", "-c", script], cwd=bem_root, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"projectId": "demo-bem"' in run.stdout
    assert "sent customer.subscription.created" in run.stdout
    users = {doc["auth"]["email"]: doc for doc in firestore.list("users").values() if doc.get("auth", {}).get("email")}
    wait_for(subscribed(firestore, users["ada@example.com"]["auth"]["uid"], "premium"), timeout=PIPELINE_TIMEOUT)
    wait_for(subscribed(firestore, users["grace@example.com"]["auth"]["uid"], "pro"), timeout=PIPELINE_TIMEOUT)
