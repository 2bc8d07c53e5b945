"""The in-memory Firestore keeps the semantics the framework relies on."""

import threading

import pytest
from google.api_core.exceptions import AlreadyExists, NotFound
from google.cloud import firestore as gcf
from google.cloud.firestore_v1.base_query import FieldFilter

from functions.store.memory import MemoryFirestore


@pytest.fixture
def db():
    return MemoryFirestore()


def test_create_conflicts_and_update_needs_a_document(db):
    ref = db.document("a/1")
    ref.create({"x": 1})
    with pytest.raises(AlreadyExists):
        ref.create({"x": 2})
    with pytest.raises(NotFound):
        db.document("a/2").update({"x": 1})


def test_merge_dotted_updates_and_transforms(db):
    ref = db.document("u/1")
    ref.set({"usage": {"req": {"daily": 1, "total": 5}}, "keep": True})
    ref.set({"usage": {"req": {"daily": gcf.Increment(2)}}}, merge=True)
    ref.update({"usage.req.total": gcf.Increment(1), "keep": gcf.DELETE_FIELD, "tags": gcf.ArrayUnion(["a"])})
    assert ref.get().to_dict() == {"usage": {"req": {"daily": 3, "total": 6}}, "tags": ["a"]}


def test_queries_filter_order_limit_and_nested_fields(db):
    for i in range(6):
        db.document(f"users/{i}").set({"usage": {"req": {"daily": i % 3}}, "n": i})
    query = db.collection("users").where(filter=FieldFilter("usage.req.daily", ">", 0)).order_by("n", direction="DESCENDING")
    assert [s.id for s in query.limit(3).stream()] == ["5", "4", "2"]


def test_batch_is_all_or_nothing(db):
    db.document("a/exists").set({"x": 1})
    batch = db.batch()
    batch.set(db.document("a/new"), {"x": 1})
    batch.create(db.document("a/exists"), {"x": 2})
    with pytest.raises(AlreadyExists):
        batch.commit()
    assert not db.document("a/new").get().exists
    assert db.document("a/exists").get().to_dict() == {"x": 1}


def test_transactions_do_not_lose_counts_under_threads(db):
    ref = db.document("counters/c")
    ref.set({"n": 0})

    @gcf.transactional
    def bump(transaction):
        current = ref.get(transaction=transaction).to_dict()["n"]
        transaction.update(ref, {"n": current + 1})

    threads = [threading.Thread(target=lambda: bump(db.transaction())) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ref.get().to_dict() == {"n": 40}


def test_failed_transaction_writes_nothing(db):
    ref = db.document("counters/c")
    ref.set({"n": 0})

    @gcf.transactional
    def fail(transaction):
        transaction.update(ref, {"n": 99})
        raise ValueError("stop")

    with pytest.raises(ValueError):
        fail(db.transaction())
    assert ref.get().to_dict() == {"n": 0}


def test_queries_count_returned_documents_as_reads(db):
    for i in range(10):
        db.document(f"items/{i}").set({"n": i})
    db.stats.update(reads=0, scanned=0)
    found = list(db.collection("items").where(filter=FieldFilter("n", ">=", 8)).stream())
    assert [s.id for s in found] == ["8", "9"]
    assert (db.stats["reads"], db.stats["scanned"]) == (2, 10)


def test_fault_injection_sees_reads_and_lost_races_for_the_block_only(db):
    from google.api_core.exceptions import FailedPrecondition

    ref = db.document("c/one")
    ref.set({"n": 1})
    stale = ref.get()
    reads, conflicts = [], []
    with db.inject(after_read=lambda snapshot: reads.append(snapshot.id), on_conflict=lambda path, error: conflicts.append(
            (path, type(error).__name__))):
        ref.get()
        ref.update({"n": 2})
        with pytest.raises(FailedPrecondition):
            ref.update({"n": 3}, option=db.write_option(last_update_time=stale.update_time))
        with pytest.raises(AlreadyExists):
            ref.create({"n": 4})
        with pytest.raises(NotFound):  # not a race: no hook
            db.document("c/none").update({"n": 1})
    ref.get()
    ref.update({"n": 5}, option=db.write_option(last_update_time=ref.get().update_time))
    assert reads == ["one"]
    assert conflicts == [("c/one", "FailedPrecondition"), ("c/one", "AlreadyExists")]
    assert ref.get().to_dict() == {"n": 5}
