"""admin/firestore read, write, query: BEM's bodies and answers, admin only, validated paths.

Request bodies are those of BEM's ``test/routes/admin/firestore.js`` and ``firestore-query.js``.
"""

import re

import pytest

from functions.testing.unit import ADMIN_KEY


def test_admin_writes_and_reads_any_document_as_bem(bm, firestore):
    admin = bm.as_("admin")
    written = admin.post("admin/firestore", {"path": "things/a", "document": {"n": 1, "html": "<b>kept</b>"}})
    assert written.status == 200
    assert written.json["path"] == "things/a"
    stored = firestore.get("things/a")
    assert {k: stored[k] for k in ("n", "html")} == {"n": 1, "html": "<b>kept</b>"}
    assert stored["metadata"]["tag"] == "admin/firestore"  # BEM's Metadata().set stamp
    assert isinstance(stored["metadata"]["updated"]["timestampUNIX"], int)
    read = admin.get("admin/firestore", query={"path": "things/a"})
    assert read.json == stored  # BEM answers the raw document


def test_reading_a_missing_document_answers_an_empty_object(bm):
    response = bm.as_("admin").get("admin/firestore", query={"path": "_test/nonexistent-doc-12345"})
    assert (response.status, response.json) == (200, {})


def test_missing_path_is_400_naming_it(bm):
    response = bm.as_("admin").get("admin/firestore")
    assert response.status == 400
    assert response.json["error"]["field"] == "path"


def test_push_id_placeholder_and_metadata_tag(bm, firestore):
    response = bm.as_("admin").post("admin/firestore", {"path": "notes/{pushId}", "metadataTag": "import/v1"})
    assert response.status == 200
    path = response.json["path"]
    assert re.fullmatch(r"notes/[A-Za-z0-9]{20}", path)
    assert firestore.get(path)["metadata"]["tag"] == "import/v1"  # document defaults to {}
    other = bm.as_("admin").post("admin/firestore", {"path": "notes/{nanoId}"}).json["path"]
    assert other != path and re.fullmatch(r"notes/[A-Za-z0-9]{20}", other)


def test_merge_is_the_default_and_false_replaces(bm, firestore):
    firestore.set("things/b", {"a": 1, "b": 2})
    bm.with_admin_key(ADMIN_KEY).post("admin/firestore", {"path": "things/b", "document": {"c": 3}})
    assert {k: firestore.get("things/b")[k] for k in ("a", "c")} == {"a": 1, "c": 3}
    bm.with_admin_key(ADMIN_KEY).post("admin/firestore", {"path": "things/b", "document": {"c": 3}, "merge": False})
    assert set(firestore.get("things/b")) == {"c", "metadata"}


def test_collection_path_is_refused_naming_the_field(bm):
    response = bm.as_("admin").get("admin/firestore", query={"path": "things"})
    assert response.status == 400
    assert response.json["error"]["field"] == "path"


def seed(firestore):
    for i, (name, category, value) in enumerate([("doc1", "alpha", 10), ("doc2", "alpha", 20), ("doc3", "beta", 30)]):
        firestore.set(f"_test_query/{i}", {"name": name, "category": category, "value": value})


def test_bem_queries_answer_a_list_of_path_and_data(bm, firestore):
    seed(firestore)
    admin = bm.as_("admin")
    everything = admin.post("admin/firestore/query", {"queries": [{"collection": "_test_query"}]})
    assert everything.status == 200
    assert sorted(d["path"] for d in everything.json) == ["_test_query/0", "_test_query/1", "_test_query/2"]
    alpha = admin.post(
        "admin/firestore/query",
        {"queries": [{"collection": "_test_query", "where": [{"field": "category", "operator": "==", "value": "alpha"}]}]},
    ).json
    assert sorted(d["data"]["name"] for d in alpha) == ["doc1", "doc2"]
    ordered = admin.post("admin/firestore/query", {"queries": [{"collection": "_test_query", "orderBy": [{"field": "value", "order": "desc"}]}]})
    assert [d["data"]["value"] for d in ordered.json] == [30, 20, 10]
    limited = admin.post("admin/firestore/query", {"queries": [{"collection": "_test_query", "limit": 2}]})
    assert len(limited.json) == 2


def test_bem_queries_merge_without_duplicates_and_filter_by_regex(bm, firestore):
    seed(firestore)
    body = {
        "queries": [
            {"collection": "_test_query", "where": [{"field": "category", "operator": "==", "value": "alpha"}]},
            {"collection": "_test_query", "filter": [{"field": "category || name", "matches": "/^DOC/i"}]},
        ]
    }
    response = bm.as_("admin").post("admin/firestore/query", body)
    assert sorted(d["path"] for d in response.json) == ["_test_query/0", "_test_query/1", "_test_query/2"]


def test_query_without_collection_or_for_an_empty_collection_finds_nothing(bm):
    admin = bm.as_("admin")
    assert admin.post("admin/firestore/query", {"queries": [{}]}).json == []
    assert admin.post("admin/firestore/query", {"queries": [{"collection": "_test_nonexistent_collection_12345"}]}).json == []
    assert admin.post("admin/firestore/query", {}).json == []


def test_single_query_form_keeps_its_answer(bm, firestore):
    for i in range(5):
        firestore.set(f"items/{i}", {"n": i, "kind": "even" if i % 2 == 0 else "odd"})
    response = bm.as_("admin").post(
        "admin/firestore/query",
        {"collection": "items", "where": [["kind", "==", "even"]], "orderBy": [{"field": "n", "direction": "desc"}], "limit": 2},
    )
    assert response.status == 200
    assert [d["data"]["n"] for d in response.json["documents"]] == [4, 2]


def test_javascripts_array_operators_reach_the_python_client_spelled_its_way(bm, firestore):
    # BEM's clients write "array-contains"; google-cloud-firestore (and the in-memory store, which
    # refuses what it refuses) only knows "array_contains": the route translates
    firestore.set("tagged/a", {"tags": ["x", "y"]})
    firestore.set("tagged/b", {"tags": ["z"]})
    admin = bm.as_("admin")
    for op, value in (("array-contains", "x"), ("array-contains-any", ["x", "q"])):
        response = admin.post("admin/firestore/query", {"queries": [{"collection": "tagged", "where": [["tags", op, value]]}]})
        assert response.status == 200, response.text
        assert [d["path"] for d in response.json] == ["tagged/a"], op


def test_the_memory_store_refuses_javascripts_spelling_as_the_client_does(manager):
    from google.cloud.firestore_v1.base_query import FieldFilter

    with pytest.raises(ValueError):
        FieldFilter("tags", "array-contains", "x")._to_pb()  # the real client
    with pytest.raises(ValueError):
        manager.db.collection("tagged").where(filter=FieldFilter("tags", "array-contains", "x"))


def test_query_rejects_unknown_operator_and_cursors(bm):
    admin = bm.as_("admin")
    response = admin.post("admin/firestore/query", {"queries": [{"collection": "items", "where": [{"field": "n", "operator": "~=", "value": 1}]}]})
    assert response.status == 400
    assert response.json["error"]["field"].startswith("queries.0.where.0")
    response = admin.post("admin/firestore/query", {"queries": [{"collection": "items", "startAfter": 3}]})
    assert response.status == 400
    assert "startAfter" in response.error


def test_non_admin_cannot_read_or_write(bm, firestore):
    assert bm.as_("basic").post("admin/firestore", {"path": "things/a", "document": {}}).status == 403
    assert bm.as_("basic").get("admin/firestore", query={"path": "things/a"}).status == 403
    assert bm.post("admin/firestore/query", {"queries": [{"collection": "users"}]}).status == 401
    assert not firestore.exists("things/a")
