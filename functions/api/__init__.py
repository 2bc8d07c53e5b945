"""The bm_api HTTP layer: routing, the middleware pipeline, authentication, settings."""

from functions.api.options import RouteOptions

__all__ = ["RouteOptions"]
