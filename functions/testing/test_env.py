"""The environment both test tiers share: keys the tests know, test mode for the functions.

``mgr test`` starts the emulator with these variables, so the emulated functions and the
tests agree on the admin key, the webhook key and where the fake Stripe and PayPal APIs listen.
"""

from __future__ import annotations

ADMIN_KEY = "test-admin-key-0123456789"
WEBHOOK_KEY = "test-webhook-key-0123456789"
PROJECT = "demo-bem"
STRIPE_FAKE_PORT = 12111
CHARGEBEE_FAKE_PORT = 12131
SENDGRID_FAKE_PORT = 12112  # marketing: the emulator tier's SendGridFake (transactional e-mail stays in the mailbox)
BEEHIIV_FAKE_PORT = 12113
PAYPAL_FAKE_PORT = 12120

FUNCTIONS_TEST_ENV = {
    "BEM_TESTING": "true",
    "BACKEND_MANAGER_KEY": ADMIN_KEY,
    "BACKEND_MANAGER_WEBHOOK_KEY": WEBHOOK_KEY,
    "BACKEND_MANAGER_NAMESPACE": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "STRIPE_API_BASE": f"http://127.0.0.1:{STRIPE_FAKE_PORT}",
    "STRIPE_SECRET_KEY": "sk_test_fake",
    "STRIPE_WEBHOOK_SECRET": "whsec_test",
    "STRIPE_MAX_NETWORK_RETRIES": "1",
    "PAYPAL_API_BASE": f"http://127.0.0.1:{PAYPAL_FAKE_PORT}",  # functions/testing/paypal_fake.py
    "PAYPAL_CLIENT_ID": "paypal-test-client-id",
    "PAYPAL_CLIENT_SECRET": "paypal-test-client-secret",
    "PAYPAL_WEBHOOK_ID": "WH-TEST-0123456789",
    "PAYPAL_MAX_NETWORK_RETRIES": "1",
    "UNSUBSCRIBE_HMAC_KEY": "test-unsubscribe-hmac-key",  # e-mail: no SENDGRID_API_KEY → the local mailbox
    "BEM_AI_PROVIDER": "test",  # AI-backed routes answer from the scripted provider (docs/ai.md)
    # Chargebee: the functions call the fake the emulator tier's pytest serves (functions/testing/chargebee_fixtures.py)
    "CHARGEBEE_API_BASE": f"http://127.0.0.1:{CHARGEBEE_FAKE_PORT}",
    "CHARGEBEE_API_KEY": "cb_test_fake",
    "CHARGEBEE_MAX_NETWORK_RETRIES": "0",
    "CHARGEBEE_API_TIMEOUT": "5",
    "BEM_CHARGEBEE_FAKE_PORT": str(CHARGEBEE_FAKE_PORT),
    # marketing (docs/marketing.md): SendGrid Marketing and Beehiiv calls go to the fakes the emulator tier
    # runs on fixed ports; transactional e-mail is pinned to the local mailbox despite the SendGrid key
    "BEM_EMAIL_PROVIDER": "mailbox",
    "SENDGRID_API_KEY": "SG.test-key",
    "SENDGRID_API_HOST": f"http://127.0.0.1:{SENDGRID_FAKE_PORT}",
    "SENDGRID_API_TIMEOUT": "5",
    "BEEHIIV_API_KEY": "bh-test-key",
    "BEEHIIV_API_BASE": f"http://127.0.0.1:{BEEHIIV_FAKE_PORT}/v2",
    "BEEHIIV_API_TIMEOUT": "5",
}
