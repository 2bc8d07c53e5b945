"""POST /user/signup {attribution?, context?, consent?, affiliateCode?, uid?}: finish a new account (BEM's route).

Waits for the user document (up to 30 s, as BEM), refuses a second call (400), then writes the
whole document once: attribution, ``context`` merged into ``activity`` (with the request's
geolocation/client for one's own sign-up), BEM's consent shape (a granted consent is never
downgraded), ``metadata.created`` from Auth's creation time. Then ``after_signup`` (referral).
"""

from functions.api import RouteOptions
from functions.auth.admin import auth_admin
from functions.auth.signup import SignupRequest, after_signup, complete_signup, wait_for_user

OPTIONS = RouteOptions(require="user")


def main(manager, assistant, user, settings):
    uid = user.target_uid(settings.uid)
    doc = user.doc if uid == user.uid and user.doc.auth.uid else wait_for_user(manager, uid)
    attribution = settings.attribution.model_dump(exclude_none=True)
    code = (settings.attribution.affiliate.code if settings.attribution.affiliate else None) or settings.affiliate_code
    if code and not attribution.get("affiliate", {}).get("code"):
        attribution["affiliate"] = {**attribution.get("affiliate", {}), "code": code}
    account = auth_admin(manager).get_user(uid)
    request = SignupRequest(
        uid=uid,
        email=doc.auth.email or (account.email if account else None),
        attribution=attribution,
        context=settings.context,
        consent={kind: (choice.model_dump() if choice else None) for kind, choice in settings.consent},
        ip=assistant.ip,
        created=account.created if account and account.created.is_set else None,
    )
    if uid == user.uid:
        request.geolocation = {k: v for k, v in assistant.geolocation.items() if v not in (None, "")}
        request.client = {k: v for k, v in assistant.client.items() if v is not None}
    record = complete_signup(manager, request)
    outcome = after_signup(manager, request, record, code)
    return {"signedUp": True, "referred": outcome.referrer is not None}
