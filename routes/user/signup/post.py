"""POST /user/signup {attribution?, consent?, affiliateCode?, uid?}: finish a new account.

Waits briefly for the user document, refuses a second call (400), records attribution,
consent (a granted consent is never downgraded) and, for the caller's own sign-up, the
request's activity; then credits the referrer of ``attribution.affiliate.code``.
"""

from functions.api import RouteOptions
from functions.auth.signup import complete_signup, record_referral, wait_for_user
from functions.email.account import send_welcome_emails

OPTIONS = RouteOptions(require="user")


def main(manager, assistant, user, settings):
    uid = user.target_uid(settings.uid)
    doc = user.doc if uid == user.uid and user.doc.auth.uid else wait_for_user(manager, uid)
    attribution = settings.attribution.model_dump(exclude_none=True)
    code = (settings.attribution.affiliate.code if settings.attribution.affiliate else None) or settings.affiliate_code
    if code and not attribution.get("affiliate", {}).get("code"):
        attribution["affiliate"] = {**attribution.get("affiliate", {}), "code": code}
    record = {"attribution": attribution} if attribution else {}
    if uid == user.uid:
        geolocation = {k: v for k, v in assistant.geolocation.items() if v not in (None, "")}
        client = {k: v for k, v in assistant.client.items() if v is not None}
        record["activity"] = {"geolocation": geolocation, "client": client}
    consent = {kind: (choice.model_dump() if choice else None) for kind, choice in settings.consent}
    complete_signup(manager, uid, record, consent, assistant.ip)
    referrer = record_referral(manager, uid, doc.auth.email, code)
    send_welcome_emails(manager, uid)
    return {"signedUp": True, "referred": referrer is not None}
