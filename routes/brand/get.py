"""GET /brand: the public part of the config (brand, products, publishable keys)."""

from functions.api import RouteOptions

OPTIONS = RouteOptions(authenticate=False, setup_usage=False, setup_settings=False)
PUBLIC_PROCESSOR_KEYS = ("publishableKey", "clientId")


def main(config):
    brand = config.brand.model_dump(by_alias=True, exclude={"address"})
    products = [
        p.model_dump(by_alias=True, include={"id", "name", "type", "prices", "trial", "limits", "rate_limit"})
        for p in config.payment.products
        if not p.archived
    ]
    processors = {
        name: {k: v for k, v in settings.items() if k in PUBLIC_PROCESSOR_KEYS}
        for name, settings in config.payment.processors.items()
    }
    return {"brand": brand, "payment": {"processors": processors, "products": products}}
