"""Legacy command ``general:add-marketing-contact`` (payload as ``POST marketing/contact``).

As BEM's command: an admin gets the detailed answer; anyone else must send the reCAPTCHA token
field ``g-recaptcha-response`` (400 naming it when absent; verified when reCAPTCHA is configured)
and then gets ``{success: true}`` whatever the address. ``general:remove-marketing-contact`` is
``DELETE marketing/contact`` (functions/api/legacy.py)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions()


def main(manager, assistant, settings):
    from functions.errors import BadRequest
    from functions.marketing.subscribe import add_contact

    if not assistant.user.is_admin and not settings.recaptcha:
        raise BadRequest("Required key g-recaptcha-response is missing in settings (public requests must be verified)")
    return add_contact(manager, assistant, settings)
