"""``general:add-marketing-contact``: the payload of ``POST marketing/contact``."""

from functions.marketing.contact_settings import ContactSettings as Schema  # noqa: F401 (the command's schema)
