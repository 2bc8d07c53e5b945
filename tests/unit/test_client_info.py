"""Client IP, geolocation and client hints come from the right headers."""

from functions.api.client_info import client_hints, client_ip, geolocation


def test_rightmost_forwarded_entry_is_the_client_by_default():
    headers = {"x-forwarded-for": "6.6.6.6, 203.0.113.7"}
    assert client_ip(headers, "10.0.0.1") == "203.0.113.7"


def test_client_cannot_pick_its_ip_by_prepending():
    spoofed = {"x-forwarded-for": "1.1.1.1, 2.2.2.2, 203.0.113.7"}
    assert client_ip(spoofed, None) == "203.0.113.7"


def test_behind_hosting_two_hops():
    headers = {"x-forwarded-for": "6.6.6.6, 203.0.113.7, 35.1.1.1"}
    assert client_ip(headers, None, trusted_proxy_hops=2) == "203.0.113.7"


def test_cloudflare_header_only_when_trusted():
    headers = {"cf-connecting-ip": "9.9.9.9", "x-forwarded-for": "203.0.113.7"}
    assert client_ip(headers, None) == "203.0.113.7"
    assert client_ip(headers, None, trust_cloudflare=True) == "9.9.9.9"


def test_remote_addr_when_no_proxy_headers():
    assert client_ip({}, "127.0.0.5") == "127.0.0.5"


def test_geolocation_and_hints():
    headers = {"x-appengine-country": "FR", "x-appengine-city": "paris", "x-appengine-citylatlong": "48.85,2.35",
               "user-agent": "UA/1", "accept-language": "fr-FR,fr;q=0.9", "sec-ch-ua-mobile": "?1", "sec-ch-ua-platform": '"Android"'}
    assert geolocation(headers)["country"] == "FR"
    assert geolocation(headers)["latitude"] == 48.85
    assert client_hints(headers) == {"userAgent": "UA/1", "language": "fr-FR", "platform": "Android", "mobile": True, "url": None}
