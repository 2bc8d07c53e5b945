"""The auth lifecycle: blocking functions (before create / sign-in), on-create / on-delete
triggers, project auth hooks, and the Firebase Auth admin calls routes make.

Each event module holds plain functions of (manager, plain data) so they run without
the firebase_functions SDK; ``cloud.py`` adapts the SDK's events to them.
"""

from functions.auth.events import AuthUser, Blocked, SignInContext

__all__ = ["AuthUser", "Blocked", "SignInContext"]
