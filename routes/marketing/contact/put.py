"""PUT /marketing/contact {uid}: re-sync a user's contact and fields to the providers (admin only; the consent
gate applies). Answers ``{success, providers}`` (BEM), with ``blocked: "consent" | "validation" | "not-found"``
when the contact was not synced."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    result = manager.marketing.sync(settings.uid)
    blocked = {"blocked": result["blocked"]} if result.get("blocked") else {}
    return {"success": True, "providers": result.get("providers", {}), **blocked}
