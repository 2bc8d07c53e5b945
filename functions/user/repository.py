"""Reading and provisioning user documents (``users/{uid}``)."""

from __future__ import annotations

from typing import Any

from functions.timestamps import Stamp
from functions.user.defaults import new_user_doc
from functions.user.models import UserDoc

COLLECTION = "users"


class UserRepository:
    def __init__(self, db_factory: Any) -> None:
        self._db = db_factory

    @property
    def db(self) -> Any:
        return self._db()

    def ref(self, uid: str) -> Any:
        return self.db.collection(COLLECTION).document(uid)

    def get(self, uid: str) -> UserDoc | None:
        snapshot = self.ref(uid).get()
        return UserDoc.from_stored(snapshot.to_dict(), uid=uid) if snapshot.exists else None

    def provision(self, uid: str, email: str | None = None, *, display_name: str | None = None, created: Stamp | None = None) -> tuple[UserDoc, bool]:
        """Create the default document unless it exists. Returns (document, created_now).

        ``create`` is atomic, so on-create, its retries and lazy provisioning can race
        and exactly one of them writes.
        """
        from google.api_core.exceptions import AlreadyExists

        doc = new_user_doc(uid, email, display_name=display_name, created=created)
        try:
            self.ref(uid).create(doc.dump())
            return doc, True
        except AlreadyExists:
            existing = self.get(uid)
            return (existing or doc), False

    def provision_from_claims(self, uid: str, claims: dict) -> UserDoc:
        created = Stamp.at(int(claims["auth_time"])) if claims.get("auth_time") else None
        doc, _ = self.provision(uid, claims.get("email"), display_name=claims.get("name"), created=created)
        return doc

    def find_by_api_key(self, private_key: str) -> tuple[str, UserDoc] | None:
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self.db.collection(COLLECTION).where(filter=FieldFilter("api.privateKey", "==", private_key)).limit(1)
        for snapshot in query.stream():
            return snapshot.id, UserDoc.from_stored(snapshot.to_dict(), uid=snapshot.id)
        return None
