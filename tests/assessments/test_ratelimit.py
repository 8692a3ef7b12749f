import pytest
from django.test import RequestFactory

from assessments.ratelimit import client_address

ADDRESS_CASES = [
    # (trusted proxies, REMOTE_ADDR, X-Forwarded-For, client address)
    (0, "192.0.2.1", None, "192.0.2.1"),
    (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no trusted proxy: the header is ignored
    (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),
    (1, "10.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged left part
    (2, "10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
    (2, "10.0.0.2", "203.0.113.9", "203.0.113.9"),  # fewer hops: the outermost proxy's view
    (1, "10.0.0.1", None, "10.0.0.1"),  # no header: the direct peer
    (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
    (1, "10.0.0.1", " 2001:db8::7 ", "2001:db8::7"),
]


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), ADDRESS_CASES)
def test_client_address_behind_trusted_proxies(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_address(request) == expected


def test_client_address_missing_is_none(settings):
    """A request built in code (the test client's force_login) has no address; axes stores
    NULL, which PostgreSQL's inet column accepts and a placeholder string is not."""
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None
