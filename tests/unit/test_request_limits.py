"""Hostile bodies get a 400/413 JSON answer naming the problem: never a 500, never a traceback.

Covers the body parser (functions/api/body.py, functions/jsontext.py), the "body must be an
object" rule and the Firestore storability check (functions/api/storable.py).
"""

from __future__ import annotations

import json
import logging

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from functions.api.body import BODY_LIMIT_BYTES, JSON5_LIMIT_CHARS
from functions.wsgi import api_app
from tests.unit.conftest import write

JSON = {"Content-Type": "application/json"}
ECHO = """
from functions.api import RouteOptions
OPTIONS = RouteOptions(authenticate=False)
def main(settings):
    return {"settings": settings}
"""


def _assert_json_error(response, status: int, *words: str) -> dict:
    assert response.status == status, response.text
    error = response.json["error"]
    assert error["status"] == status and error["tag"].startswith("bm_api/")
    for word in words:
        assert word in error["message"], error["message"]
    return error


# nesting -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "text"),
    [
        ("general/uuid", '{"a":' * 500 + "1" + "}" * 500),
        ("general/uuid", "[" * 1000 + "]" * 1000),
        ("payments/webhook", '{"a":' * 500 + "1" + "}" * 500),  # before the signature check
        ("user/signup", '{"attribution":' + "[" * 100_000 + "]" * 100_000 + "}"),  # wide enough to need the full scan
    ],
)
def test_deeply_nested_json_is_a_400_without_a_traceback(bm, caplog, route, text):
    text = text if len(text) < BODY_LIMIT_BYTES else text[: BODY_LIMIT_BYTES // 2] + text[-BODY_LIMIT_BYTES // 2 + 1:]
    with caplog.at_level(logging.INFO, logger="bem"):
        response = bm.as_("basic").post(route, data=text, headers=JSON)
    _assert_json_error(response, 400, "nested deeper than 32 levels")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_brackets_inside_strings_do_not_count_as_nesting(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    text = json.dumps({"a": "[" * 200, "b": ["{" * 40, {"c": "}]" * 50}]})
    response = client.post("echo", data=text, headers=JSON)
    assert response.status == 200, response.text
    assert response.json["settings"]["a"] == "[" * 200


def test_deep_json5_is_a_400(bm):
    text = "{a:" * 25 + "1" + "}" * 25  # not plain JSON: the json5 fallback would recurse ~20 frames a level
    _assert_json_error(bm.post("general/uuid", data=text, headers=JSON), 400, "nested deeper than 20 levels")


def test_json5_is_refused_past_its_small_limit(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    small = "{a: 'x', /* comment */ b: [1, 2,],}"
    assert client.post("echo", data=small, headers=JSON).json["settings"] == {"a": "x", "b": [1, 2]}
    big = "{" + ", ".join(f"k{i}: 'v'" for i in range(JSON5_LIMIT_CHARS // 8)) + "}"
    assert len(big) > JSON5_LIMIT_CHARS
    _assert_json_error(client.post("echo", data=big, headers=JSON), 400, f"JSON5 is accepted only up to {JSON5_LIMIT_CHARS}")


# size, read in pieces ------------------------------------------------------------------------------
class _EndlessBody:
    """A chunked body with no Content-Length that never ends; counts what the server read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 8192 if size is None or size < 0 else min(size, 8192)
        self.read_bytes += size
        return b" " * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(manager, content_type):
    body = _EndlessBody()
    environ = EnvironBuilder(method="POST", path="/backend-manager/general/uuid", headers={"Transfer-Encoding": "chunked"},
                             content_type=content_type).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "wsgi.input_terminated": True})
    chunks, status, _ = run_wsgi_app(api_app(manager), environ)
    answer = json.loads(b"".join(chunks))
    assert status.startswith("413"), (status, answer)
    assert answer["error"]["status"] == 413 and "limit" in answer["error"]["message"]
    assert body.read_bytes <= BODY_LIMIT_BYTES + 64 * 1024


def test_declared_length_over_the_limit_is_413_before_reading(bm):
    response = bm.post("general/uuid", data="x" * (BODY_LIMIT_BYTES + 1), headers=JSON)
    _assert_json_error(response, 413, f"limit is {BODY_LIMIT_BYTES} bytes")


def test_invalid_utf8_json_is_a_400(bm):
    _assert_json_error(bm.post("general/uuid", data=b'{"name": "\xff"}', headers=JSON), 400, "not valid UTF-8")


# a body that is not an object ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "route", "text", "kind"),
    [
        ("POST", "user/api-keys", "[1,2,3]", "an array"),
        ("POST", "user/signup", "[1,2,3]", "an array"),
        ("DELETE", "user", '"hello"', "a string"),
        ("POST", "user/token", "42", "a number"),
        ("POST", "user/feedback", "null", "null"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400_not_empty_settings(bm, firestore, accounts, method, route, text, kind):
    before = firestore.get(f"users/{accounts['basic'].uid}")
    response = bm.as_("basic").request(method, route, data=text, headers=JSON)
    _assert_json_error(response, 400, f"must be a JSON object, not {kind}")
    assert firestore.get(f"users/{accounts['basic'].uid}") == before  # keys not regenerated, account not deleted


def test_text_plain_is_not_parsed_as_json(bm, firestore, accounts):
    """text/plain needs no CORS preflight: a foreign page could send it with the user's cookie."""
    before = firestore.get(f"users/{accounts['basic'].uid}")["api"]
    response = bm.as_("basic").post("user/api-keys", data='{"keys": ["privateKey"]}', headers={"Content-Type": "text/plain"})
    _assert_json_error(response, 400, "must be JSON (Content-Type: application/json), not text/plain")
    assert firestore.get(f"users/{accounts['basic'].uid}")["api"] == before


# what Firestore could not store --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ('{"name": "<\\ud800"}', "name", "lone surrogate (\\ud800)"),
        ('{"a": {"b": ["x", "\\udfff y"]}}', "a.b.1", "lone surrogate (\\udfff)"),
        ('{"a": {"\\ud800": 1}}', "a.\\ud800", "lone surrogate (\\ud800)"),
        ('{"deep": ' + '{"x": ' * 20 + "1" + "}" * 20 + "}", "deep" + ".x" * 19, "nested deeper than the 20 levels"),
        ('{"big": 18446744073709551616}', "big", "does not fit in 64 bits"),
        ('{"__name__": 1}', "__name__", "reserved"),
        (json.dumps({"k" * 1501: 1}), "k" * 1501, "over 1500 bytes"),
    ],
)
def test_data_firestore_cannot_store_is_a_400_naming_the_field(bm, caplog, text, field, words):
    with caplog.at_level(logging.INFO, logger="bem"):
        response = bm.as_("basic").post("user/settings/validate", data=text, headers=JSON)
    error = _assert_json_error(response, 400, words)
    assert error["field"] == field
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_twenty_levels_are_stored(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    deepest = '{"deep": ' + '{"x": ' * 19 + "1" + "}" * 19 + "}"  # the leaf ``deep.x…x`` is 20 names deep
    response = client.post("echo", data=deepest, headers=JSON)
    assert response.status == 200, response.text
    assert response.json["settings"] == json.loads(deepest)


def test_a_lone_surrogate_reaches_no_processor_and_writes_nothing(bm, stripe_fake, firestore):
    body = '{"processor": "stripe", "productId": "premium", "frequency": "monthly", "supplemental": {"note": "<\\ud800"}}'
    response = bm.as_("basic").post("payments/intent", data=body, headers=JSON)
    assert _assert_json_error(response, 400, "lone surrogate")["field"] == "supplemental.note"
    assert stripe_fake.requests == []
    assert firestore.list("payments-intents") == {}



@pytest.mark.parametrize("payload", [[1, 2, 3], "hello", 7])
def test_a_legacy_payload_that_is_not_an_object_is_a_400(bm, firestore, accounts, payload):
    before = firestore.get(f"users/{accounts['basic'].uid}")
    response = bm.as_("basic").post("", {"command": "user:delete", "payload": payload})
    _assert_json_error(response, 400, "payload must be a JSON object")
    assert firestore.get(f"users/{accounts['basic'].uid}") == before


@pytest.mark.parametrize(
    ("text", "words"),
    [('{"name": "<\\ud800"}', "lone surrogate"), ('{"a":' * 500 + "1" + "}" * 500, "nested deeper"), ("[" * 1000 + "]" * 1000, "nested deeper")],
    ids=["lone-surrogate", "deep-objects", "deep-arrays"],
)
def test_every_route_answers_hostile_bodies_with_a_400(bm, manager, text, words):
    methods = [(method.upper(), route) for route, files in manager.routes.routes.items() for method in files if method != "index"]
    assert len(methods) > 25
    for method, route in methods:
        response = bm.as_("admin").request(method, route, data=text, headers=JSON)
        assert response.status == 400, (method, route, response.text)
        assert words in response.error
