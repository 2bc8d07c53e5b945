"""The same routes through the Firebase Emulator Suite (`mgr test` starts it): this project's
functions as firebase-tools loads them from main.py, with real Auth ID tokens."""


def test_hello_through_the_emulated_function(bm):
    response = bm.as_("basic").get("hello", query={"name": "Ada"})
    assert response.status == 200, response.text
    assert response.json["hello"] == "Ada"


def test_builtin_health_through_the_emulated_function(bm):
    response = bm.get("test/health")
    assert response.status == 200, response.text
    assert response.json["status"] == "ok"
