"""Browser-test fixtures: Debian's chromium driven by Playwright's sync API against a live
server. Imported by tests/conftest.py, so every test package can use them."""

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Every wait in a browser test is on the event that matters (a response, a selector, a text);
# how long it may take depends on how busy the machine is (two xdist workers, a shared CI
# box), so the limit is generous. It only decides how long a genuinely failing test takes.
WAIT_MS = 30_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    from django.conf import settings
    from playwright.sync_api import expect, sync_playwright

    # expect(...) assertions have their own default of 5 s, separate from the context's.
    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.BROWSER_PATH or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(transactional_db):
    """A live server for browser tests. On SQLite the test database is in memory and Django
    hands the server thread the test's own connection; a threaded server would then run
    concurrent requests' transactions on one connection and interleave them. There the server
    takes one request at a time; on PostgreSQL it stays threaded, every thread with its own
    connection, as in production."""
    from django.core.servers.basehttp import WSGIServer
    from pytest_django.live_server_helper import LiveServer

    class OneAtATime(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    server = LiveServer("127.0.0.1", start=False)
    if server.thread.connections_override:
        server.thread.server_class = OneAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser_contexts(chromium, live_app):
    """Factory of browser contexts on the live server; ``user`` signs in by session cookie.
    Every context records Content-Security-Policy violations in ``context.csp_errors``."""
    from django.conf import settings
    from django.test import Client

    opened = []

    def new(user=None, locale="en-GB", **options):
        context = chromium.new_context(base_url=live_app.url, locale=locale, **options)
        context.set_default_timeout(WAIT_MS)
        context.csp_errors = []
        context.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and context.csp_errors.append(message.text)
            ),
        )
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_app.url,
                    }
                ]
            )
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.x A/AA rules on the page (the context must bypass CSP, since
    axe is injected as a script)."""
    # axe judges what a reader sees once the page has settled: a screen fading in (a pushed
    # reveal, say) has lower contrast for its 0.3 s, which no reader is asked to read.
    page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)"
        ".map(a => a.finished.catch(() => null)))"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_TAGS,
    )
    return result
