"""Legacy command ``firebase:get-providers``: which sign-in providers are enabled, as BEM answers it.

BEM's defaults (password and google.com on; facebook, twitter, github, microsoft, yahoo, apple
off) with ``config.authentication.{provider}.enabled`` laid over them → ``{providerId: enabled}``.
"""

from functions.api import RouteOptions

OPTIONS = RouteOptions(authenticate=False, setup_usage=False)
DEFAULTS = {
    "password": True,
    "google.com": True,
    "facebook.com": False,
    "twitter.com": False,
    "github.com": False,
    "microsoft.com": False,
    "yahoo.com": False,
    "apple.com": False,
}


def main(config):
    configured = (config.model_extra or {}).get("authentication") or {}
    providers = dict(DEFAULTS)
    if isinstance(configured, dict):
        for provider, settings in configured.items():
            if isinstance(settings, dict) and "enabled" in settings:
                providers[str(provider)] = bool(settings["enabled"])
    return providers
