from functions.marketing.contact_settings import ContactSettings as Schema  # noqa: F401 (the route's schema)
