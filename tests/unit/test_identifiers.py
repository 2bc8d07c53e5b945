"""Identifiers (uid, product id, document path) are validated, never altered, never defaulted.

``{"uid": "<script>…</script>"}`` used to be sanitised to ``""``, which means "the caller":
``DELETE user`` then deleted the caller's own account.
"""

from __future__ import annotations

import pytest

from tests.unit.conftest import write

SCRIPT = "<script>alert(1)</script>"


def _assert_names(response, field: str) -> None:
    assert response.status == 400, response.text
    assert response.json["error"]["field"] == field
    assert field in response.json["error"]["message"]


def test_delete_user_with_a_markup_uid_deletes_nobody(bm, firestore, accounts, auth_admin):
    uid = accounts["basic"].uid
    _assert_names(bm.as_("basic").delete("user", {"uid": SCRIPT}), "uid")
    assert firestore.get(f"users/{uid}") is not None
    assert auth_admin.get_user(uid).uid == uid


@pytest.mark.parametrize(
    ("method", "route"),
    [("GET", "user"), ("GET", "user/subscription"), ("GET", "user/sessions"), ("DELETE", "user/sessions"),
     ("POST", "user/token"), ("POST", "user/api-keys"), ("POST", "user/signup"), ("POST", "user/settings/validate")],
)
@pytest.mark.parametrize("uid", [SCRIPT, "", " _test-basic", "users/x", "..", "a" * 129])
def test_a_uid_that_is_not_one_is_a_400(bm, firestore, accounts, method, route, uid):
    before = firestore.get(f"users/{accounts['basic'].uid}")
    body = {"uid": uid}
    response = bm.as_("basic").request(method, route, query=body) if method == "GET" else bm.as_("basic").request(method, route, json=body)
    _assert_names(response, "uid")
    assert firestore.get(f"users/{accounts['basic'].uid}") == before


def test_a_valid_uid_still_works(bm, accounts):
    assert bm.as_("admin").get("user", query={"uid": accounts["basic"].uid}).json["user"]["auth"]["uid"] == accounts["basic"].uid


@pytest.mark.parametrize("product_id", [SCRIPT, "<b>premium</b>", "", "Premium"])
def test_trial_eligibility_never_answers_for_a_product_id_that_is_not_one(bm, product_id):
    _assert_names(bm.as_("basic").get("payments/trial-eligibility", query={"productId": product_id}), "productId")


def test_intent_product_id_is_not_sanitised_into_a_valid_one(bm, stripe_fake):
    response = bm.as_("basic").post("payments/intent", {"processor": "stripe", "productId": "<b></b>premium", "frequency": "monthly"})
    _assert_names(response, "productId")
    assert stripe_fake.requests == []


def test_admin_document_path_is_taken_verbatim(bm):
    _assert_names(bm.as_("admin").get("admin/firestore", query={"path": "users/<b>x</b>"}), "path")


def test_identifier_fields_are_not_trimmed_or_sanitised_but_others_are(project, layered):
    write(project / "schemas/ids/post.py", """
        from functions.schemas import BaseModel, Clean, OrderId, Uid
        class Schema(BaseModel):
            uid: Uid
            order: OrderId | None = None
            name: Clean[str] = ""
    """)
    write(project / "routes/ids/post.py", """
        from functions.api import RouteOptions
        OPTIONS = RouteOptions(authenticate=False, sanitize=True)
        def main(settings):
            return settings.model_dump()
    """)
    _, client = layered()
    ok = client.post("ids", {"uid": "abc-123", "order": "1234-5678-9012", "name": "  <b>Ada</b> "})
    assert ok.json == {"uid": "abc-123", "order": "1234-5678-9012", "name": "Ada"}
    _assert_names(client.post("ids", {"uid": "abc<b></b>"}), "uid")
    _assert_names(client.post("ids", {"uid": "abc", "order": "1234-5678-901 "}), "order")
