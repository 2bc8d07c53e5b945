"""PUT /marketing/contact {uid}: re-sync a user's contact and fields to the providers (admin only; the consent
gate applies). Answers ``{success, providers}`` (BEM)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)


def main(manager, settings):
    result = manager.marketing.sync(settings.uid)
    return {"success": True, "providers": result.get("providers", result) if isinstance(result, dict) else result}
