"""On-create writes BEM's ``metadata.tag`` (what BEM's account setup and clients wait for)."""

from __future__ import annotations

from functions.auth import on_create
from functions.auth.events import AuthUser


def test_on_create_tags_the_new_document_like_bem(manager, firestore):
    on_create.handle(manager, AuthUser(uid="u-tag", email="tag@example.com", providers=("password",)), event_id="e1")
    doc = firestore.get("users/u-tag")
    assert doc["metadata"]["tag"] == "auth:on-create"
    assert doc["api"]["privateKey"]  # the keys BEM's setup polls for arrive with the tag


def test_lazy_provisioning_does_not_claim_to_be_on_create(manager, firestore):
    manager.users.provision("u-lazy", "lazy@example.com")
    assert "tag" not in firestore.get("users/u-lazy")["metadata"]


def test_an_existing_document_and_its_tag_are_left_alone(manager, firestore):
    firestore.set("users/u-bem", {"auth": {"uid": "u-bem"}, "metadata": {"tag": "user:signup"}})
    on_create.handle(manager, AuthUser(uid="u-bem", email="bem@example.com", providers=("password",)), event_id="e3")
    assert firestore.get("users/u-bem")["metadata"]["tag"] == "user:signup"
