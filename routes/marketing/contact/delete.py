"""DELETE /marketing/contact {email}: remove the address from every provider (admin only) and, when a user has
it, record ``consent.marketing`` revoked (source ``admin``) so no later sync adds it back (BEM).
Answers ``{success, providers}``."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    from functions.marketing import consent_record
    from functions.marketing.consent_record import ConsentChange
    from functions.timestamps import Stamp

    email = settings.email.strip().lower()
    result = manager.marketing.remove(email)
    change = ConsentChange(status="revoked", when=Stamp.now(), source="admin")
    consent_record.record_for_email(manager, email, change, tag="marketing/contact:delete")
    return {"success": True, "providers": result.get("providers", {})}
