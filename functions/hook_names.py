"""The hook file names the framework calls, in one place: the runtime finds hooks by these
names and the start-up check (functions/layout_check.py) refuses any other name, without
importing the (heavier) modules that run the hooks."""

from __future__ import annotations

AUTH_HOOKS = ("before_create", "before_sign_in", "on_create", "on_delete")
"""``hooks/auth/{name}.py``"""
SUBSCRIPTION_TRANSITIONS = ("payment-refunded", "new-subscription", "payment-failed", "payment-recovered",
                            "cancellation-requested", "subscription-cancelled", "plan-changed")
"""``hooks/payments/transitions/subscription/{name}.py``"""
ONE_TIME_TRANSITIONS = ("purchase-completed", "purchase-failed")
"""``hooks/payments/transitions/one-time/{name}.py``"""
CRON_SCHEDULES = ("daily", "frequent")
"""``hooks/cron/{schedule}/{any name}.py``"""
