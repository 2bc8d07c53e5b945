def test_health_answers_with_environment(bm):
    response = bm.get("test/health")
    assert response.status == 200
    assert response.json["status"] == "healthy"
    assert response.json["environment"] == "testing"


def test_id_token_authenticates_seeded_account(bm, accounts):
    response = bm.as_("basic").get("test/authenticate")
    assert response.status == 200
    body = response.json
    assert {k: body[k] for k in ("authenticated", "uid", "method", "admin")} == {
        "authenticated": True, "uid": accounts["basic"].uid, "method": "id-token", "admin": False,
    }
    assert body["user"]["auth"]["uid"] == accounts["basic"].uid
