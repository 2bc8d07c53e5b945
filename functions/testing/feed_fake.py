"""A fake web for the newsletter's sources: RSS/Atom feeds and a parent ``newsletter-sources``
endpoint, served from 127.0.0.1 so ``requests`` + ``feedparser`` run unchanged.

    fake = FeedFake().start()
    fake.rss("/blog.xml", [item("a", "Title A"), item("b", "Title B")])    # RSS 2.0
    fake.atom("/news.atom", [item("c", "Title C")])                        # Atom 1.0
    fake.json("/newsletter-sources", {"sources": [...]})                  # a parent endpoint
    fake.fail_next("/blog.xml", status=503)                                # the next GET answers 503
    fake.url + "/blog.xml"; fake.hits("/blog.xml")                         # where; requests recorded

Items are ``item(id, title, content=..., link=...)`` dicts; links default to ``https://news.example/{id}``.
"""

from __future__ import annotations

import json as jsonlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from functions.testing.fake_server import FakeServer


@dataclass
class Hit:
    path: str
    query: dict[str, str]


def item(id: str, title: str, content: str = "", link: str | None = None, published: str = "Mon, 01 Jun 2026 10:00:00 GMT") -> dict:
    return {"id": id, "title": title, "content": content or f"{title}. A short story about {title.lower()}.",
            "link": link or f"https://news.example/{id}", "published": published}


def rss_document(items: list[dict], title: str = "Fake feed") -> str:
    entries = "".join(
        f"<item><guid isPermaLink=\"false\">{escape(i['id'])}</guid><title>{escape(i['title'])}</title>"
        f"<link>{escape(i['link'])}</link><description>{escape(i['content'])}</description>"
        f"<pubDate>{escape(i['published'])}</pubDate></item>" for i in items)
    return f"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{escape(title)}</title><link>https://news.example/</link>{entries}</channel></rss>"


def atom_document(items: list[dict], title: str = "Fake feed") -> str:
    entries = "".join(
        f"<entry><id>{escape(i['id'])}</id><title>{escape(i['title'])}</title><link rel=\"alternate\" href=\"{escape(i['link'])}\"/>"
        f"<summary>{escape(i['content'])}</summary><updated>2026-06-01T10:00:00Z</updated></entry>" for i in items)
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{escape(title)}</title>"
            f"<id>urn:fake</id><updated>2026-06-01T10:00:00Z</updated>{entries}</feed>")


class FeedFake(FakeServer):
    thread_name = "feed-fake"
    quiet = True

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self._pages: dict[str, tuple[str, str]] = {}
        self._failures: dict[str, list[int]] = {}
        self.requests: list[Hit] = []
        self._server: Any = None

    def reset(self) -> None:
        with self.lock:
            self._pages.clear()
            self._failures.clear()
            self.requests.clear()

    # test controls ----------------------------------------------------------------------
    def serve(self, path: str, body: str, content_type: str = "text/plain") -> str:
        with self.lock:
            self._pages[path] = (body, content_type)
        return self.url + path

    def rss(self, path: str, items: list[dict]) -> str:
        return self.serve(path, rss_document(items), "application/rss+xml")

    def atom(self, path: str, items: list[dict]) -> str:
        return self.serve(path, atom_document(items), "application/atom+xml")

    def json(self, path: str, payload: Any) -> str:
        return self.serve(path, jsonlib.dumps(payload), "application/json")

    def fail_next(self, path: str, status: int = 500, times: int = 1) -> None:
        with self.lock:
            self._failures.setdefault(path, []).extend([status] * times)

    def hits(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.requests if h.path == path]

    # serving ----------------------------------------------------------------------------
    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        with self.lock:
            self.requests.append(Hit(request.path, dict(request.args)))
            failures = self._failures.get(request.path)
            status = failures.pop(0) if failures else None
            page = self._pages.get(request.path)
        if status is not None:
            response = Response("fake failure", status=status)
        elif page is None or request.method != "GET":
            response = Response("not found", status=404)
        else:
            response = Response(page[0], status=200, content_type=page[1])
        return response(environ, start_response)


__all__ = ["FeedFake", "atom_document", "item", "rss_document"]
