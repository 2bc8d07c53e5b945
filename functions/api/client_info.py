"""Who is calling: client IP, geolocation and client hints, from request headers.

The IP must not be choosable by the client. Google's front end *appends* the
address it saw to ``X-Forwarded-For``; anything to its left came from the client.
So we count ``trusted_proxy_hops`` entries from the right (1 when the function is
called directly, 2 behind Firebase Hosting). ``cf-connecting-ip`` is honoured only
when ``api.trustCloudflare`` is set, since anyone can send that header otherwise.
"""

from __future__ import annotations

from typing import Any


def client_ip(headers: Any, remote_addr: str | None, *, trusted_proxy_hops: int = 1, trust_cloudflare: bool = False) -> str:
    if trust_cloudflare and headers.get("cf-connecting-ip"):
        return headers["cf-connecting-ip"].strip()
    appengine = headers.get("x-appengine-user-ip")
    if appengine:
        return appengine.strip()
    forwarded = [part.strip() for part in (headers.get("x-forwarded-for") or "").split(",") if part.strip()]
    if forwarded and trusted_proxy_hops > 0:
        index = max(len(forwarded) - trusted_proxy_hops, 0)
        return forwarded[index]
    return remote_addr or "127.0.0.1"


def geolocation(headers: Any) -> dict[str, Any]:
    latlong = (headers.get("x-appengine-citylatlong") or "0,0").split(",")
    try:
        latitude, longitude = float(latlong[0]), float(latlong[1])
    except (ValueError, IndexError):
        latitude, longitude = 0.0, 0.0
    return {
        "country": headers.get("cf-ipcountry") or headers.get("x-appengine-country"),
        "region": headers.get("x-appengine-region"),
        "city": headers.get("x-appengine-city"),
        "continent": headers.get("cf-ipcontinent"),
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
