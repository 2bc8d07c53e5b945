"""A client for bm_api with one interface in both tiers: in-process (unit) and HTTP (emulator).

    bm.get("user")                       # anonymous
    bm.as_("premium-active").get("user") # as a seeded test account
    bm.command("general:generate-uuid", {"version": 4})
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    @property
    def properties(self) -> dict:
        raw = self.headers.get("bm-properties") or self.headers.get("Bm-Properties")
        return json.loads(raw) if raw else {}

    @property
    def error(self) -> str | None:
        body = self.json
        return body.get("error", {}).get("message") if isinstance(body, dict) and "error" in body else None


class Transport(Protocol):
    def request(self, method: str, path: str, *, json_body: Any, data: Any, query: dict | None, headers: dict) -> ApiResponse: ...


class InProcessTransport:
    def __init__(self, flask_app: Any) -> None:
        self._client = flask_app.test_client(use_cookies=False)

    def request(self, method, path, *, json_body=None, data=None, query=None, headers=None) -> ApiResponse:
        kwargs: dict[str, Any] = {"headers": headers or {}, "query_string": query or {}}
        if json_body is not None:
            kwargs["json"] = json_body
        elif data is not None:
            kwargs["data"] = data
        response = self._client.open(path, method=method.upper(), **kwargs)
        return ApiResponse(response.status_code, dict(response.headers), response.get_data(as_text=True))


CONCURRENT_CONNECTIONS = 64


class HttpTransport:
    def __init__(self, base_url: str, timeout: float = 60) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        # tests fire dozens of concurrent requests (usage races): keep a connection per thread
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=CONCURRENT_CONNECTIONS)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._timeout = timeout

    def request(self, method, path, *, json_body=None, data=None, query=None, headers=None) -> ApiResponse:
        response = self._session.request(
            method.upper(), f"{self.base_url}{path}", json=json_body, data=data, params=query, headers=headers or {},
            timeout=self._timeout, allow_redirects=False,
        )
        return ApiResponse(response.status_code, dict(response.headers), response.text)


@dataclass
class ApiClient:
    transport: Transport
    prefix: str = "/backend-manager"
    token: str | None = None
    admin_key: str | None = None
    accounts: dict[str, Any] = field(default_factory=dict)

    def as_(self, account: Any) -> ApiClient:
        """A client acting as a test account (name or Account), ``"anonymous"``, or with a raw token."""
        if account in (None, "anonymous"):
            return ApiClient(self.transport, self.prefix, accounts=self.accounts)
        if isinstance(account, str) and account in self.accounts:
            account = self.accounts[account]
        token = account if isinstance(account, str) else account.token
        return ApiClient(self.transport, self.prefix, token=token, accounts=self.accounts)

    def with_admin_key(self, key: str) -> ApiClient:
        return ApiClient(self.transport, self.prefix, admin_key=key, accounts=self.accounts)

    def request(self, method: str, route: str, *, json: Any = None, data: Any = None, query: dict | None = None,
                headers: dict | None = None) -> ApiResponse:
        headers = dict(headers or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.admin_key:
            if method.upper() == "GET":
                query = {**(query or {}), "backendManagerKey": self.admin_key}
            else:
                json = {**(json or {}), "backendManagerKey": self.admin_key}
        path = f"{self.prefix}/{route.lstrip('/')}" if route else self.prefix
        return self.transport.request(method, path, json_body=json, data=data, query=query, headers=headers)

    def get(self, route: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", route, **kwargs)

    def post(self, route: str, json: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("POST", route, json=json, **kwargs)

    def put(self, route: str, json: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", route, json=json, **kwargs)

    def delete(self, route: str, json: Any = None, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", route, json=json, **kwargs)

    def command(self, name: str, payload: dict | None = None) -> ApiResponse:
        return self.request("POST", "", json={"command": name, "payload": payload or {}})
