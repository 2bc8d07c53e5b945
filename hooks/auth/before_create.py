"""Project hook: runs in bm_authBeforeCreate after the disposable-domain and per-IP checks.

Raise ``functions.auth.Blocked(code, message)`` to refuse the sign-up. Parameters are
injected by name: ``manager, user (AuthUser), event, log, config, db``.

This copy is a TEST HOOK: while the environment is ``testing`` it refuses addresses
starting with ``_test.blocked-by-hook@``, so the test suites can prove a project hook
blocks sign-ups. Outside testing it does nothing. Replace it with your project's rules.
"""

from functions.auth import Blocked

TEST_BLOCKED_PREFIX = "_test.blocked-by-hook@"
TEST_BLOCKED_MESSAGE = "Sign-ups with this address are blocked by the project hook."


def main(manager, user):
    if manager.environment == "testing" and (user.email or "").lower().startswith(TEST_BLOCKED_PREFIX):
        raise Blocked("permission-denied", TEST_BLOCKED_MESSAGE)
