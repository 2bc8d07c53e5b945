"""Firestore collection names of the payments system (BEM's)."""

INTENTS = "payments-intents"
ORDERS = "payments-orders"
WEBHOOKS = "payments-webhooks"
CARTS = "payments-carts"
USERS = "users"
DISPUTES = "payments-disputes"
