"""Each middleware stage: CORS, body parsing, 413, wakeup, trimming, sanitizing, bm-properties."""

import io
import json

import pytest

from functions.api import body as body_module
from tests.unit.conftest import write

ECHO = """
from functions.api import RouteOptions
OPTIONS = RouteOptions(authenticate=False)
def main(settings, files):
    return {"settings": settings, "files": {k: f.read().decode() for k, f in files.items()}}
"""


def test_preflight_answers_204_with_cors_headers(bm):
    response = bm.request("OPTIONS", "test/health", headers={"Origin": "https://app.example", "Access-Control-Request-Headers": "authorization"})
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "bm-properties" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


def test_every_answer_exposes_bm_properties(bm):
    response = bm.get("test/health", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Expose-Headers"] == "bm-properties"
    props = response.properties
    assert props["code"] == 200
    assert props["tag"].startswith("bm_api/")
    assert set(props) == {"code", "tag", "usage", "schema"}


def test_bm_properties_name_the_schema_and_the_error_code(bm):
    response = bm.post("general/uuid", {"version": 9})
    assert response.status == 400
    assert response.properties["code"] == 400
    assert response.properties["schema"] == {"name": "general/uuid/post", "fields": ["version", "name", "namespace"]}


def test_function_execution_id_becomes_the_tag(bm):
    response = bm.get("test/health", headers={"function-execution-id": "abc123"})
    assert response.properties["tag"] == "bm_api/abc123"


def test_json5_body_is_tolerated(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    response = client.post("echo", data="{a: 'x', /* comment */ b: [1, 2,],}", headers={"Content-Type": "application/json"})
    assert response.status == 200
    assert response.json["settings"] == {"a": "x", "b": [1, 2]}


def test_malformed_json_is_400(bm):
    response = bm.post("general/uuid", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.error.startswith("Malformed JSON body")


def test_urlencoded_form_and_query_merge(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    response = client.post("echo", data={"a": "1"}, query={"b": "2"})
    assert response.json["settings"] == {"a": "1", "b": "2"}


def test_multipart_with_file(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    response = client.post("echo", data={"name": "doc", "upload": (io.BytesIO(b"hello file"), "a.txt")})
    assert response.status == 200
    assert response.json == {"settings": {"name": "doc"}, "files": {"upload": "hello file"}}


def test_body_over_100kb_is_413_and_handler_never_runs(project, layered, firestore):
    write(project / "routes/write/post.py", "def main(db):\n    db.document('x/y').set({'ran': True})\n    return {}\n")
    _, client = layered()
    response = client.post("write", data=json.dumps({"blob": "x" * (101 * 1024)}), headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert not firestore.exists("x/y")


def test_body_just_under_the_limit_is_accepted(project, layered):
    write(project / "routes/echo/post.py", ECHO)
    _, client = layered()
    response = client.post("echo", {"blob": "x" * (99 * 1024)})
    assert response.status == 200


def test_wakeup_short_circuits_before_authentication(bm):
    response = bm.get("user", query={"wakeup": "true"})
    assert response.status == 200
    assert response.json == {"wakeup": True}


def test_strings_are_trimmed_and_html_kept_by_default(project, layered):
    write(
        project / "schemas/post/post.py",
        """
        from functions.schemas import BaseModel
        class Schema(BaseModel):
            title: str
            tags: list[str] = []
        """,
    )
    write(project / "routes/post/post.py", "def main(settings):\n    return settings\n")
    _, client = layered()
    response = client.post("post", {"title": "  a <b>b</b> & https://x.test/?a=1&b=2  ", "tags": [" <i>a</i> "]})
    assert response.status == 200
    assert response.json == {"title": "a <b>b</b> & https://x.test/?a=1&b=2", "tags": ["<i>a</i>"]}


def test_a_route_opts_in_to_html_stripping_and_a_field_opts_out(project, layered):
    write(
        project / "schemas/post/post.py",
        """
        from typing import Annotated
        from functions.schemas import BaseModel, Unsanitized
        class Schema(BaseModel):
            title: str
            body: Annotated[str, Unsanitized] = ""
            tags: list[str] = []
        """,
    )
    write(
        project / "routes/post/post.py",
        "from functions.api import RouteOptions\nOPTIONS = RouteOptions(sanitize=True)\ndef main(settings):\n    return settings\n",
    )
    _, client = layered()
    response = client.post("post", {
        "title": "  <b>Hi</b> <script>alert(1)</script>there  ",
        "body": " <p>kept &amp; <em>rich</em></p> ",
        "tags": [" <i>a</i> ", "Tom & Jerry"],
    })
    assert response.status == 200
    assert response.json == {"title": "Hi there", "body": "<p>kept &amp; <em>rich</em></p>", "tags": ["a", "Tom & Jerry"]}


def test_a_sanitized_field_is_stripped_on_any_route(project, layered):
    write(
        project / "schemas/bio/post.py",
        """
        from typing import Annotated
        from functions.schemas import BaseModel, Sanitized
        class Schema(BaseModel):
            bio: Annotated[str, Sanitized]
            link: str = ""
        """,
    )
    write(project / "routes/bio/post.py", "def main(settings):\n    return settings\n")
    _, client = layered()
    response = client.post("bio", {"bio": " <script>x()</script><b>Hello</b> ", "link": "https://x.test/?a=1&b=2"})
    assert response.json == {"bio": "Hello", "link": "https://x.test/?a=1&b=2"}


def test_unexpected_exception_is_a_generic_500_without_details(project, layered):
    write(project / "routes/boom/get.py", "def main():\n    raise RuntimeError('secret internals sk_live_123')\n")
    _, client = layered()
    response = client.get("boom")
    assert response.status == 500
    assert response.error == "Internal error"
    assert "sk_live" not in response.text


def test_errorify_clamps_status_outside_4xx_5xx(project, layered):
    write(project / "routes/weird/get.py", "def main(assistant):\n    return assistant.respond('odd', code=700)\n")
    _, client = layered()
    response = client.get("weird")
    assert response.status == 500
    assert response.error == "odd"


def test_respond_text_redirect_and_status(project, layered):
    write(project / "routes/text/get.py", "def main(assistant):\n    return assistant.respond('plain', code=201)\n")
    write(project / "routes/go/get.py", "def main(assistant):\n    return assistant.respond('https://x.example/next', code=301)\n")
    _, client = layered()
    text = client.get("text")
    assert (text.status, text.text, text.headers["Content-Type"].split(";")[0]) == (201, "plain", "text/plain")
    go = client.get("go")
    assert (go.status, go.headers["Location"]) == (301, "https://x.example/next")


@pytest.mark.parametrize(("declared", "expected"), [("abc", None), ("0", 0), ("-5", 0), (str(101 * 1024), 413)])
def test_the_declared_content_length_read_from_the_environ(declared, expected):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    from functions.api.body import parse_request
    from functions.errors import PayloadTooLarge

    environ = EnvironBuilder(path="/x", method="GET").get_environ()
    environ["CONTENT_LENGTH"] = declared  # as a client sent it (the test client would compute its own)
    if expected == 413:
        with pytest.raises(PayloadTooLarge):
            parse_request(Request(environ))
    else:
        assert parse_request(Request(environ)).data == {}
        assert body_module._declared_length(declared) == expected


def test_a_body_shorter_than_its_content_length_is_a_400_not_a_500(bm):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    from functions.api.body import parse_request
    from functions.errors import BemError

    environ = EnvironBuilder(path="/x", method="POST", data=b'{"a": 1}', content_type="application/json").get_environ()
    environ["CONTENT_LENGTH"] = "50"  # claims more than it sends
    with pytest.raises(BemError) as raised:
        parse_request(Request(environ))
    assert raised.value.status == 400
    assert "Unreadable request body" in raised.value.message
