"""DELETE /user {uid?, reason?}: delete an account (self, or another user's as admin).

Refused (409) while a paid subscription is active (cancelling included) or suspended:
cancel it first, so no paying subscription is orphaned. Otherwise the user's sessions are
revoked, the Auth user is deleted, and ``users/{uid}`` is deleted right away as well (the
on-delete trigger repeats that idempotently and runs the project's cleanup hook).
"""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.email.account import send_deletion_confirmation
from functions.errors import Conflict, NotFound
from functions.user import resolve_subscription

OPTIONS = RouteOptions(require="user")

PAID_SUBSCRIPTION_MESSAGE = (
    "This account cannot be deleted because it has a paid subscription attached to it. "
    "In order to delete the account, you must first cancel the paid subscription."
)


def main(manager, user, settings, logger):
    uid = user.target_uid(settings.uid)
    doc = user.doc if uid == user.uid else manager.users.get(uid)
    admin = auth_admin(manager)
    if doc is None and admin.get_user(uid) is None:
        raise NotFound(f"User '{uid}' not found")
    if doc is not None:
        sub = doc.subscription
        suspended_paid = sub.status == "suspended" and sub.product.id != "basic"
        if resolve_subscription(doc).active or suspended_paid:
            raise Conflict(PAID_SUBSCRIPTION_MESSAGE)
    try:
        admin.revoke_refresh_tokens(uid)
    except Exception as error:  # the account is deleted next; a failed revoke must not stop that
        logger.warning("user delete: revoking sessions of %s failed: %s", uid, type(error).__name__)
    existed = admin.delete_user(uid)
    manager.users.ref(uid).delete()
    logger.info("Account deleted: %s%s", uid, f", reason: {settings.reason}" if settings.reason else "")
    send_deletion_confirmation(manager, uid, doc.auth.email if doc else None, doc.personal.name.first if doc else None)
    return {"success": True, "deleted": {"auth": existed, "document": doc is not None}}
