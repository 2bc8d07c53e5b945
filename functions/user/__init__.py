"""The user document, its defaults and the computed entitlement."""

from functions.user.defaults import new_api_keys, new_user_doc, split_display_name
from functions.user.models import Subscription, UsageMetric, UserDoc
from functions.user.repository import UserRepository
from functions.user.subscription import ResolvedSubscription, resolve_subscription

__all__ = [
    "ResolvedSubscription",
    "Subscription",
    "UsageMetric",
    "UserDoc",
    "UserRepository",
    "new_api_keys",
    "new_user_doc",
    "resolve_subscription",
    "split_display_name",
]
