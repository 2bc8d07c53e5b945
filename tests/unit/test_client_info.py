"""Client IP, geolocation and client hints come only from headers the platform in front sets."""

from functions.api.client_info import client_hints, client_ip, geolocation
from tests.unit.conftest import write

WHO = """
from functions.api import RouteOptions
OPTIONS = RouteOptions(authenticate=False)
def main(assistant):
    return {"ip": assistant.ip, "country": assistant.geolocation["country"]}
"""


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


def test_app_engine_ip_header_only_when_trusted():
    headers = {"x-appengine-user-ip": "9.9.9.9", "x-forwarded-for": "203.0.113.7"}
    assert client_ip(headers, None) == "203.0.113.7"
    assert client_ip(headers, None, trust_app_engine=True) == "9.9.9.9"


def test_geolocation_only_from_trusted_platform_headers():
    headers = {"x-appengine-country": "FR", "x-appengine-city": "paris", "x-appengine-citylatlong": "48.85,2.35",
               "cf-ipcountry": "KP", "cf-ipcontinent": "AS"}
    untrusted = geolocation(headers)
    assert (untrusted["country"], untrusted["city"], untrusted["continent"], untrusted["latitude"]) == (None, None, None, 0.0)
    appengine = geolocation(headers, trust_app_engine=True)
    assert (appengine["country"], appengine["city"], appengine["latitude"]) == ("FR", "paris", 48.85)
    assert geolocation(headers, trust_cloudflare=True)["country"] == "KP"


def test_a_caller_cannot_pick_its_ip_or_country_through_the_api(project, layered):
    write(project / "routes/who/get.py", WHO)
    _, client = layered()
    spoofed = {"X-AppEngine-User-IP": "6.6.6.6", "CF-Connecting-IP": "7.7.7.7", "cf-ipcountry": "KP",
               "X-AppEngine-Country": "KP", "X-Forwarded-For": "8.8.8.8, 203.0.113.7"}
    response = client.get("who", headers=spoofed)
    assert response.json == {"ip": "203.0.113.7", "country": None}


def test_client_hints():
    headers = {"user-agent": "UA/1", "accept-language": "fr-FR,fr;q=0.9", "sec-ch-ua-mobile": "?1", "sec-ch-ua-platform": '"Android"'}
    assert client_hints(headers) == {"userAgent": "UA/1", "language": "fr-FR", "platform": "Android", "mobile": True, "url": None}
