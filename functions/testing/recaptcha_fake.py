"""A fake Google reCAPTCHA ``siteverify`` endpoint for tests (point ``RECAPTCHA_VERIFY_URL`` at ``.url``).

    fake = RecaptchaFake().start()
    fake.answers["good-token"] = {"success": True, "score": 0.9}   # unknown tokens: {"success": False}
    fake.requests                                                    # → [{"secret": ..., "response": ...}]
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any


class RecaptchaFake:
    def __init__(self) -> None:
        self.answers: dict[str, dict] = {}
        self.requests: list[dict[str, str]] = []
        self.status = 200
        self._server: Any = None
        self.url = ""

    def start(self) -> RecaptchaFake:
        from werkzeug.serving import make_server

        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/recaptcha/api/siteverify"
        threading.Thread(target=self._server.serve_forever, name="recaptcha-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def _wsgi(self, environ: dict, start_response: Callable) -> list[bytes]:
        from werkzeug.wrappers import Request, Response

        form = Request(environ).form.to_dict()
        self.requests.append(form)
        body = self.answers.get(form.get("response", ""), {"success": False, "error-codes": ["invalid-input-response"]})
        return Response(json.dumps(body), status=self.status, mimetype="application/json")(environ, start_response)
