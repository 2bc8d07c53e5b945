"""admin/firestore read, write, query: admin only, validated paths."""

from functions.testing.unit import ADMIN_KEY


def test_admin_writes_and_reads_any_document(bm, firestore):
    admin = bm.as_("admin")
    written = admin.post("admin/firestore", {"path": "things/a", "document": {"n": 1, "html": "<b>kept</b>"}})
    assert written.status == 200
    assert firestore.get("things/a") == {"n": 1, "html": "<b>kept</b>"}
    read = admin.get("admin/firestore", query={"path": "things/a"})
    assert read.json == {"path": "things/a", "exists": True, "data": {"n": 1, "html": "<b>kept</b>"}}


def test_merge_false_replaces(bm, firestore):
    firestore.set("things/b", {"a": 1, "b": 2})
    bm.with_admin_key(ADMIN_KEY).post("admin/firestore", {"path": "things/b", "document": {"c": 3}, "merge": False})
    assert firestore.get("things/b") == {"c": 3}


def test_collection_path_is_refused_naming_the_field(bm):
    response = bm.as_("admin").get("admin/firestore", query={"path": "things"})
    assert response.status == 400
    assert response.json["error"]["field"] == "path"


def test_query_with_where_order_and_limit(bm, firestore):
    for i in range(5):
        firestore.set(f"items/{i}", {"n": i, "kind": "even" if i % 2 == 0 else "odd"})
    response = bm.as_("admin").post(
        "admin/firestore/query",
        {"collection": "items", "where": [["kind", "==", "even"]], "orderBy": [{"field": "n", "direction": "desc"}], "limit": 2},
    )
    assert response.status == 200
    assert [d["data"]["n"] for d in response.json["documents"]] == [4, 2]


def test_query_rejects_unknown_operator(bm):
    response = bm.as_("admin").post("admin/firestore/query", {"collection": "items", "where": [["n", "~=", 1]]})
    assert response.status == 400
    assert response.json["error"]["field"].startswith("where.0")


def test_non_admin_cannot_read_or_write(bm, firestore):
    assert bm.as_("basic").post("admin/firestore", {"path": "things/a", "document": {}}).status == 403
    assert bm.post("admin/firestore/query", {"collection": "users"}).status == 401
    assert not firestore.exists("things/a")
