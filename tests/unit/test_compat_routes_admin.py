"""BEM parity of admin/cron ids, brand's public config and legacy commands (BEM's bodies, BEM's answers)."""

from __future__ import annotations

from functions.testing.unit import ADMIN_KEY


# admin/cron: BEM's ids are paths under events/cron/ (src/manager/routes/admin/cron/post.js) ---------
def test_admin_cron_takes_bems_path_form(bm, firestore):
    firestore.set("usage/203.0.113.9", {"requests": {"daily": 1}})
    response = bm.as_("admin").post("admin/cron", {"id": "daily/reset-usage"})
    assert response.status == 200, response.text
    assert [(r["name"], r["schedule"]) for r in response.json["results"]] == [("reset-usage", "daily")]
    assert firestore.list("usage") == {}


def test_admin_cron_path_in_the_wrong_schedule_runs_nothing(bm, firestore):
    firestore.set("usage/203.0.113.9", {"requests": {"daily": 1}})
    response = bm.as_("admin").post("admin/cron", {"id": "frequent/reset-usage"})
    assert response.status == 404
    assert firestore.exists("usage/203.0.113.9")
    assert bm.as_("admin").post("admin/cron", {"id": "hourly/reset-usage"}).status == 400


# brand: BEM's buildPublicConfig (src/manager/routes/brand/get.js), never a secret ---------------
def test_brand_answers_bems_public_sections(bm, manager):
    manager.config = manager.config.model_copy(
        update={
            "reviews": {"enabled": True, "sites": ["trustpilot.com"]},
            "oauth2": {"google": {"enabled": True, "client_id": "cid", "client_secret": "NOPE-1"}},
            "github": {"user": "octo", "repo_website": "https://github.com/octo/site", "token": "NOPE-2"},
            "firebase_config": {"apiKey": "web-key", "projectId": "demo-bem"},
        }
    )
    body = bm.get("brand").json
    assert set(body) == {"brand", "github", "oauth2", "payment", "firebaseConfig", "reviews"}
    assert body["reviews"] == {"enabled": True, "sites": ["trustpilot.com"]}
    assert body["oauth2"] == {"google": {"enabled": True, "client_id": "cid"}}
    assert body["github"] == {"user": "octo", "repo_website": "https://github.com/octo/site"}
    assert body["firebaseConfig"] == {"apiKey": "web-key", "projectId": "demo-bem"}
    assert body["brand"]["id"] == manager.config.brand.id
    assert "NOPE" not in bm.get("brand").text


def test_brand_payment_is_the_config_without_discount_codes(bm, manager):
    body = bm.get("brand").json["payment"]
    assert [p["id"] for p in body["products"]] == [p.id for p in manager.config.payment.products]
    assert "processors" in body
    assert "discounts" not in body


def test_brand_with_a_stale_admin_key_is_still_public_for_a_good_one(bm):
    assert bm.with_admin_key(ADMIN_KEY).get("brand").status == 200


# legacy commands answer like the REST routes now do ---------------------------------------------
def test_legacy_firestore_commands_answer_bem_shapes(bm, firestore):
    firestore.set("things/x", {"n": 1})
    assert bm.as_("admin").command("firestore-read", {"path": "things/x"}).json == {"n": 1}
    written = bm.as_("admin").command("admin:firestore-write", {"path": "things/{pushId}", "document": {"n": 2}}).json
    assert firestore.get(written["path"])["n"] == 2
    found = bm.as_("admin").command("firestore-query", {"queries": [{"collection": "things"}]}).json
    assert sorted(d["path"] for d in found) == sorted(["things/x", written["path"]])


def test_legacy_subscription_info_is_bems_curated_shape(bm):
    body = bm.as_("basic").command("get-user-subscription-info").json
    assert body["subscription"]["product"] == {"id": "basic", "name": "Basic"}
    assert body["subscription"]["payment"]["startDate"]["timestampUNIX"] == 0


# GET user: BEM's resolved user (test/routes/user/user.js) ----------------------------------------
def test_get_user_answers_the_resolved_user_without_the_private_key(bm, accounts):
    user = bm.as_("basic").get("user").json["user"]
    assert (user["auth"]["uid"], user["authenticated"], user["roles"]["admin"]) == (accounts["basic"].uid, True, False)
    assert (user["subscription"]["product"]["id"], user["subscription"]["status"]) == ("basic", "active")
    assert "privateKey" not in user["api"]


def test_get_user_with_the_admin_key_alone_is_bems_admin_shell(bm):
    user = bm.with_admin_key(ADMIN_KEY).get("user").json["user"]
    assert (user["authenticated"], user["roles"]["admin"]) == (True, True)
