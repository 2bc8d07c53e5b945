"""The Manager: one per deployment, made by ``Manager.init(globals(), ...)`` in main.py.

``init`` validates the config, checks the route/schema/hook file names and places
the ``bm_*`` Cloud Functions into main.py's globals, where firebase-tools finds them.
It calls no Google service: Firestore, firebase-admin and the processor SDKs are set
up on first use, so deploy discovery and tests run offline and cold starts stay short.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions import environment as env
from functions.config import CONFIG_FILE, Config, load_config, load_dotenv_for
from functions.errors import SetupError
from functions.logs import configure as configure_logging


@dataclass(frozen=True, kw_only=True)
class ManagerOptions:
    root: Path
    routes: tuple[Path, ...] = ()
    schemas: tuple[Path, ...] = ()
    hooks: tuple[Path, ...] = ()
    cron: tuple[Path, ...] = ()
    templates: tuple[Path, ...] = ()
    setup_functions: bool = True
    setup_identity: bool = True
    region: str = "us-central1"
    config_path: Path | None = None

    def layers(self, kind: str) -> list[Path]:
        """Extra layers first, then the project's own folder, then the installed framework's
        built-ins (functions/builtins.py; none when the project is this repository)."""
        from functions.builtins import builtin_layer

        extra = [p if p.is_absolute() else self.root / p for p in getattr(self, kind, ())]
        return [*extra, self.root / kind, *builtin_layer(self.root, kind)]


@dataclass
class Manager:
    options: ManagerOptions
    config: Config = field(init=False)
    environment: str = field(init=False)
    handlers: dict[str, list[Callable]] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)
    """Declared overrides of external services (e.g. ``"auth_admin"`` in tests)."""
    propagate_exceptions: bool = False

    instance = None  # the Manager of this process, for code outside a request (hooks, jobs)

    def __post_init__(self) -> None:
        root = self.options.root
        self.environment = env.detect()
        load_dotenv_for(root, self.environment)
        self.environment = env.detect()
        self.log = configure_logging(self.environment)
        problems = env.serving_problems(self.environment)
        if problems:
            message = "Refusing to start: " + "; ".join(problems)
            self.log.critical(message)
            raise SetupError(message)
        self.config = load_config(self.options.config_path or root / CONFIG_FILE)
        from functions.api.routes import RouteTable
        from functions.api.settings import SchemaTable
        from functions.layout_check import check_layout

        self.routes = RouteTable.discover(self.options.layers("routes"))
        self.schemas = SchemaTable(self.options.layers("schemas"))
        check_layout(self)  # misnamed routes/schemas/hooks refuse to start (files listed, nothing imported)
        self._lock = threading.Lock()  # this Manager's lazy services (e.g. ``ai``)
        self._firebase_app: Any = None
        self._email: Any = None
        self._project_id = env.project_id()
        Manager.instance = self

    # construction ---------------------------------------------------------------
    @classmethod
    def init(cls, namespace: dict, **options: Any) -> Manager:
        """Build the Manager for main.py and export its Cloud Functions into ``namespace``."""
        root = Path(namespace.get("__file__") or Path.cwd() / "main.py").resolve().parent
        manager = cls.create(root, **options)
        if manager.options.setup_functions:
            from functions.cloud_functions import build_cloud_functions

            namespace.update(build_cloud_functions(manager))
        namespace["manager"] = manager
        return manager

    @classmethod
    def create(cls, root: Path, **options: Any) -> Manager:
        known = set(ManagerOptions.__dataclass_fields__) - {"root"}
        unknown = set(options) - known
        if unknown:
            raise SetupError(f"Manager.init: unknown option(s) {sorted(unknown)}; known: {sorted(known)}")
        for kind in ("routes", "schemas", "hooks", "cron", "templates"):
            if kind in options:
                options[kind] = tuple(Path(p) for p in _as_list(options[kind]))
        if options.get("config_path"):
            options["config_path"] = Path(options["config_path"])
        return cls(options=ManagerOptions(root=Path(root), **options))

    # services (created on first use) ------------------------------------------------
    @functools.cached_property
    def users(self) -> Any:
        from functions.user import UserRepository

        return UserRepository(lambda: self.db)

    @functools.cached_property
    def ai(self) -> Any:
        """The AI library (functions/ai, docs/ai.md); no provider SDK is imported until a request."""
        with self._lock:
            from functions.ai import AI

            return self.__dict__.get("ai") or AI(self)

    @functools.cached_property
    def notifications(self) -> Any:
        """Push notifications (functions/notifications, docs/notifications.md); Messaging loads on the first send."""
        with self._lock:
            from functions.notifications import Notifications

            return self.__dict__.get("notifications") or Notifications(self)

    @functools.cached_property
    def marketing(self) -> Any:
        """Marketing contacts and campaigns (functions/marketing, docs/marketing.md); no SDK until a call."""
        with self._lock:
            from functions.marketing import Marketing

            return self.__dict__.get("marketing") or Marketing(self)

    @property
    def email(self) -> Any:
        """The e-mail library (functions/email), made on first use; thread-safe."""
        with self._lock:
            if self._email is None:
                from functions.email import Email

                self._email = Email(self)
            return self._email

    @property
    def project_id(self) -> str:
        return self._project_id

    @property
    def db(self) -> Any:
        from functions.store import firestore_client

        return firestore_client(self.project_id)

    _app_lock = threading.Lock()  # one for the process: firebase-admin's default app is process-wide

    def firebase_app(self) -> Any:
        with Manager._app_lock:
            if self._firebase_app is None:
                import firebase_admin

                try:
                    self._firebase_app = firebase_admin.get_app()
                except ValueError:
                    self._firebase_app = firebase_admin.initialize_app(options={"projectId": self.project_id})
            return self._firebase_app

    def usage_for(self, assistant: Any) -> Any:
        try:
            from functions.usage import Usage
        except ImportError:  # pragma: no cover - until the usage module is installed
            return None
        return Usage.for_request(self, assistant)

    # requests and hooks ------------------------------------------------------------------
    @functools.cached_property
    def handle_api(self) -> Callable[[Any], Any]:
        """``manager.handle_api(request)`` answers one bm_api request. The pipeline is imported
        on the first request, not at start (cold start), and bound once."""
        from functions.api.pipeline import handle

        return functools.partial(handle, self)

    def on_api(self, hook: Callable) -> Callable:
        """Register a legacy-command hook ``hook(command, stage, assistant, response=None)``."""
        self.handlers.setdefault("bm_api", []).append(hook)
        return hook

    def find_file(self, kind: str, relative: str) -> Path | None:
        for layer in self.options.layers(kind):
            candidate = layer / relative
            if candidate.is_file():
                return candidate
        return None

    def list_files(self, kind: str, folder: str) -> list[Path]:
        """Python files in ``{layer}/{folder}`` across layers, built-ins last, by name."""
        found: dict[str, Path] = {}
        for layer in reversed(self.options.layers(kind)):
            directory = layer / folder
            if directory.is_dir():
                for path in sorted(directory.glob("*.py")):
                    if not path.stem.startswith("_"):
                        found[path.stem] = path
        return [found[name] for name in sorted(found)]


def _as_list(value: Any) -> Iterable[Any]:
    if isinstance(value, (str, Path)):
        return [value]
    return list(value)
