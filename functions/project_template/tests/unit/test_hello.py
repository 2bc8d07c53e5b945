"""This project's own route and a built-in route, driven in-process through the ``bm`` fixture."""


def test_hello_greets_the_signed_in_user(bm):
    response = bm.as_("basic").get("hello", query={"name": "Ada"})
    assert response.status == 200, response.text
    assert response.json == {"hello": "Ada", "uid": bm.accounts["basic"].uid}


def test_hello_refuses_anonymous_callers(bm):
    assert bm.get("hello").status == 401


def test_hello_names_the_bad_field(bm):
    response = bm.as_("basic").get("hello", query={"name": "x" * 51})
    assert response.status == 400
    assert "name" in response.error


def test_builtin_health_route_comes_from_the_framework(bm):
    response = bm.get("test/health")
    assert response.status == 200
    assert response.json["status"] == "ok"
