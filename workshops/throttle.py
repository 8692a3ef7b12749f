"""Rate limit of join-code guessing. The counters live in Django's cache, which is the
database cache shared by every app server, so the limit holds across them.

A whole room often reaches the app from one address (a venue NAT, a company proxy), so one
person's typos must not lock everybody out. Failures are counted twice, in fixed windows of
``WORKSHOP_JOIN_WINDOW`` seconds that the first failure starts:

- per browser at its client address (a random id kept in the Django session): after
  ``WORKSHOP_JOIN_FAILURES`` unknown codes that browser gets 429 for every code, so it learns
  nothing more. Other browsers at the same address are not affected.
- per client address, with a much higher ceiling (``WORKSHOP_JOIN_ADDRESS_FAILURES``): a
  scanner that drops its cookies is a new browser on every request, so only this counter
  stops it. At the ceiling the address gets 429 for every code; letting valid codes through
  there would make the 200/429 difference the scanner's oracle. A room reaches it only with
  that many typos in one window.

Below the ceiling a valid code always gets in for a browser without failures of its own; the
code space (31^8) is the protection against guessing.
"""

import secrets

from django.conf import settings

from assessments import ratelimit

DEFAULT_FAILURES = 20
DEFAULT_ADDRESS_FAILURES = 200
DEFAULT_WINDOW = 600  # seconds
SESSION_KEY = "workshop_join_client"


def limit() -> int:
    return getattr(settings, "WORKSHOP_JOIN_FAILURES", DEFAULT_FAILURES)


def address_limit() -> int:
    return getattr(settings, "WORKSHOP_JOIN_ADDRESS_FAILURES", DEFAULT_ADDRESS_FAILURES)


def window() -> int:
    return getattr(settings, "WORKSHOP_JOIN_WINDOW", DEFAULT_WINDOW)


def _keys(request, browser: str | None) -> tuple[str, str | None]:
    address = ratelimit.client_address(request)
    pair = ratelimit.key("ws-join-fail", address, browser) if browser else None
    return ratelimit.key("ws-join-fail-addr", address), pair


def is_blocked(request) -> bool:
    address_key, pair_key = _keys(request, request.session.get(SESSION_KEY))
    if ratelimit.count(address_key) >= address_limit():
        return True
    return pair_key is not None and ratelimit.count(pair_key) >= limit()


def note_failure(request) -> None:
    """Count an unknown code for this browser and its address. A browser without an id gets
    one in its session (the session middleware sends the cookie with whatever response)."""
    browser = request.session.get(SESSION_KEY)
    if browser is None:
        browser = request.session[SESSION_KEY] = secrets.token_urlsafe(16)
    address_key, pair_key = _keys(request, browser)
    ratelimit.hit(address_key, window=window())
    ratelimit.hit(pair_key, window=window())
