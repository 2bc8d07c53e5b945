"""Who is calling: client IP, geolocation and client hints, from request headers.

The IP must not be choosable by the client: usage, the sign-up limit and consent
records are billed to it. Only headers that the platform in front sets (and overwrites)
are read, as configured (see docs/security.md for each deployment target):

- ``X-Forwarded-For``: Google's front end *appends* the address it saw; anything to its
  left came from the client. We count ``api.trustedProxyHops`` entries from the right
  (1 when the function is called directly, 2 behind Firebase Hosting).
- ``X-AppEngine-User-IP`` / ``-Country`` / ``-Region`` / ``-City`` / ``-CityLatLong``: only
  with ``api.trustAppEngine`` (1st gen / App Engine set them; on 2nd gen a client can).
- ``cf-connecting-ip`` / ``cf-ipcountry`` / ``cf-ipcontinent``: only with ``api.trustCloudflare``.
"""

from __future__ import annotations

from typing import Any


def client_ip(headers: Any, remote_addr: str | None, *, trusted_proxy_hops: int = 1, trust_cloudflare: bool = False,
              trust_app_engine: bool = False) -> str:
    if trust_cloudflare and headers.get("cf-connecting-ip"):
        return headers["cf-connecting-ip"].strip()
    if trust_app_engine and headers.get("x-appengine-user-ip"):
        return headers["x-appengine-user-ip"].strip()
    forwarded = [part.strip() for part in (headers.get("x-forwarded-for") or "").split(",") if part.strip()]
    if forwarded and trusted_proxy_hops > 0:
        index = max(len(forwarded) - trusted_proxy_hops, 0)
        return forwarded[index]
    return remote_addr or "127.0.0.1"


def geolocation(headers: Any, *, trust_cloudflare: bool = False, trust_app_engine: bool = False) -> dict[str, Any]:
    """Country/region/city from the trusted platform's headers; None (0,0) when none is trusted."""
    cloudflare = headers if trust_cloudflare else {}
    appengine = headers if trust_app_engine else {}
    latlong = (appengine.get("x-appengine-citylatlong") or "0,0").split(",")
    try:
        latitude, longitude = float(latlong[0]), float(latlong[1])
    except (ValueError, IndexError):
        latitude, longitude = 0.0, 0.0
    return {
        "country": cloudflare.get("cf-ipcountry") or appengine.get("x-appengine-country"),
        "region": appengine.get("x-appengine-region"),
        "city": appengine.get("x-appengine-city"),
        "continent": cloudflare.get("cf-ipcontinent"),
        "latitude": latitude,
        "longitude": longitude,
    }


def client_hints(headers: Any) -> dict[str, Any]:
    mobile = headers.get("sec-ch-ua-mobile")
    return {
        "userAgent": headers.get("user-agent"),
        "language": (headers.get("accept-language") or "").split(",")[0] or None,
        "platform": (headers.get("sec-ch-ua-platform") or "").strip('"') or None,
        "mobile": None if mobile is None else mobile.strip() == "?1",
        "url": headers.get("origin") or headers.get("referer"),
    }
