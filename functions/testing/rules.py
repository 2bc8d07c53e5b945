"""Act as a signed-in account against the Firestore emulator's rules engine.

    rules.as_("basic").can_update("users/_test-basic", {"personal": {...}})  # → True / False

Requests go through the Firestore REST API with the account's real ID token, so the
emulator evaluates ``firestore.rules`` exactly as production would.
"""

from __future__ import annotations

from typing import Any

import requests


def encode(value: Any) -> dict:
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [encode(v) for v in value]}}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {k: encode(v) for k, v in value.items()}}}
    raise TypeError(f"cannot encode {type(value).__name__}")


class RulesClient:
    def __init__(self, firestore_host: str, project: str, id_token: str | None) -> None:
        self.base = f"http://{firestore_host}/v1/projects/{project}/databases/(default)/documents"
        self.headers = {"Authorization": f"Bearer {id_token}"} if id_token else {}

    def _status(self, method: str, path: str, **kwargs: Any) -> int:
        return requests.request(method, f"{self.base}/{path}", headers=self.headers, timeout=30, **kwargs).status_code

    def can_read(self, path: str) -> bool:
        return self._status("GET", path) in (200, 404)

    def can_set(self, path: str, data: dict) -> bool:
        """Create or overwrite the whole document."""
        return self._status("PATCH", path, json={"fields": {k: encode(v) for k, v in data.items()}}) == 200

    def can_update(self, path: str, data: dict) -> bool:
        """Change only the given top-level fields of an existing document."""
        params = [("updateMask.fieldPaths", key) for key in data] + [("currentDocument.exists", "true")]
        return self._status("PATCH", path, params=params, json={"fields": {k: encode(v) for k, v in data.items()}}) == 200

    def can_delete(self, path: str) -> bool:
        return self._status("DELETE", path) == 200

    def can_query(self, collection: str, field: str, value: Any) -> bool:
        """Run ``collection where field == value`` (a list query, as a client SDK would)."""
        query = {"structuredQuery": {
            "from": [{"collectionId": collection}],
            "where": {"fieldFilter": {"field": {"fieldPath": field}, "op": "EQUAL", "value": encode(value)}},
        }}
        response = requests.post(f"{self.base}:runQuery", headers=self.headers, json=query, timeout=30)
        return response.status_code == 200


class Rules:
    def __init__(self, firestore_host: str, project: str, accounts: dict) -> None:
        self.firestore_host, self.project, self.accounts = firestore_host, project, accounts

    def as_(self, account: Any) -> RulesClient:
        if account in (None, "anonymous"):
            return RulesClient(self.firestore_host, self.project, None)
        token = self.accounts[account].token if isinstance(account, str) and account in self.accounts else account
        return RulesClient(self.firestore_host, self.project, token)
