"""Map a processor's product id to a config product (``config.payment.products``).

``resolve_product(config, "prod_…", processor)`` tries ``{processor}.productId``, then
``{processor}.legacyProductIds``; unknown or missing → the free ``basic`` product.
Archived products stay resolvable (existing subscribers keep them).
``product_by_id(config, "premium")`` looks up by our own id (metadata.productId), else basic.
"""

from __future__ import annotations

from typing import Any

from functions.config.models import Config, Product


def resolve_product(config: Config, processor_product_id: str | None, processor: str) -> Product:
    payment = config.payment
    if processor_product_id:
        for product in payment.products:
            ids: Any = getattr(product, processor, None)
            if ids is None:
                continue
            if ids.product_id == processor_product_id or processor_product_id in ids.legacy_product_ids:
                return product
    return payment.basic


def product_by_id(config: Config, product_id: str | None) -> Product:
    return config.payment.product(product_id) or config.payment.basic
