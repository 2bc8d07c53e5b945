"""`mgr setup` seeds BEM's recurring campaigns idempotently (a second run changes nothing, the owner's
edits stay, BEM's enforced keys come back), and `mgr doctor` reports and fixes missing ones."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from functions.cli import _register, app
from functions.marketing.campaigns import seeds
from functions.marketing.campaigns.recurrence import validate

_register()
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)
IDS = ["_recurring-sale-free", "_recurring-sale-churned-trial", "_recurring-sale-churned-paid", "_recurring-sale-cancelled",
       "_recurring-newsletter"]


def test_bem_seeds_are_valid_pending_recurring_campaigns():
    built = seeds.build_seeds(NOW)
    assert [seed.id for seed in built] == IDS
    for seed in built:
        assert seed.doc["status"] == "pending" and seed.doc["sendAt"] > NOW.timestamp()
        validate(seed.doc["recurrence"])
    newsletter = built[-1].doc
    assert newsletter["generator"] == "newsletter" and newsletter["settings"]["providers"] == ["newsletter"]
    assert dt.datetime.fromtimestamp(newsletter["sendAt"], dt.UTC) == dt.datetime(2026, 3, 11, 17, 30, tzinfo=dt.UTC)
    sale = built[0].doc
    assert dt.datetime.fromtimestamp(sale["sendAt"], dt.UTC) == dt.datetime(2026, 3, 11, 17, 30, tzinfo=dt.UTC)  # 2nd Wednesday
    assert sale["settings"]["segments"] == ["subscription_free"] and sale["settings"]["data"]["content"]["discountCode"] == "UPGRADE15"


def test_seeding_twice_changes_nothing_the_second_time(manager, firestore):
    first = seeds.apply(manager.db, NOW)
    assert [c.action for c in first] == ["created"] * 5
    stored = {i: firestore.get(f"marketing-campaigns/{i}") for i in IDS}
    writes = manager.db.stats["writes"]
    second = seeds.apply(manager.db, NOW + dt.timedelta(days=3))
    assert [c.action for c in second] == ["unchanged"] * 5
    assert manager.db.stats["writes"] == writes
    assert {i: firestore.get(f"marketing-campaigns/{i}") for i in IDS} == stored


def test_owner_edits_stay_and_bem_enforced_keys_come_back(manager, firestore):
    seeds.apply(manager.db, NOW)
    path = "marketing-campaigns/_recurring-newsletter"
    edited = firestore.get(path)
    edited["settings"].update(name="Our weekly letter", providers=["campaigns"])
    edited["sendAt"] = 1999999999
    edited["recurrence"]["hour"] = 9
    del edited["settings"]["preheader"]
    firestore.set(path, edited)
    [change] = [c for c in seeds.apply(manager.db, NOW) if c.id == "_recurring-newsletter"]
    assert change.action == "updated" and sorted(change.paths) == ["settings.preheader", "settings.providers"]
    after = firestore.get(path)
    assert after["settings"]["name"] == "Our weekly letter" and after["sendAt"] == 1999999999 and after["recurrence"]["hour"] == 9
    assert after["settings"]["providers"] == ["newsletter"] and after["settings"]["preheader"] == ""


@pytest.fixture
def project(tmp_path, monkeypatch, bem_root, manager):
    for name in ("main.py", "firebase.json", "backend-manager-config.json", "firestore.indexes.json", ".env.example"):
        (tmp_path / name).write_text((bem_root / name).read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_mgr_setup_seeds_and_a_second_run_changes_nothing(project, manager, firestore):
    result = CliRunner().invoke(app, ["setup"])
    assert result.exit_code == 0, result.output
    assert "fixed marketing-campaigns/_recurring-newsletter created" in result.output
    stored = {i: firestore.get(f"marketing-campaigns/{i}") for i in IDS}
    assert all(stored.values())
    again = CliRunner().invoke(app, ["setup"])
    assert again.exit_code == 0 and "ok    recurring campaigns seeded" in again.output and "created" not in again.output
    assert {i: firestore.get(f"marketing-campaigns/{i}") for i in IDS} == stored


def test_mgr_doctor_reports_missing_seeds_and_fixes_them(project, manager, firestore):
    def doctor(*args):
        result = CliRunner().invoke(app, ["doctor", "--json", *args])
        return {c["id"]: c for c in json.loads(result.stdout)["checks"]}["marketing.campaigns-seeded"]

    check = doctor()
    assert check["level"] == "warn" and check["fixable"] and "_recurring-newsletter missing" in check["message"]
    assert doctor("--fix")["level"] == "ok"
    assert firestore.get("marketing-campaigns/_recurring-sale-free")["type"] == "email"


def test_a_sale_campaign_names_its_discount_code_and_percent(manager):
    from functions.marketing.campaign import build_campaign

    sales = [seed.doc["settings"] for seed in seeds.build_seeds(NOW) if seed.id.startswith("_recurring-sale")]
    for settings in sales:
        code = settings["data"]["content"]["discountCode"]
        discount = manager.config.payment.discount(code)
        campaign = build_campaign(manager, settings, now=NOW)
        assert "{discount." not in campaign.subject + campaign.html
        assert f"{discount.percent}% off" in campaign.html and code in campaign.html
