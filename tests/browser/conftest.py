"""Browser fixtures: the app on a real HTTP port and Debian's Chromium driven by Playwright."""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    """Without Chromium the browser tests skip locally; in CI a missing browser is an error."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI=true but {CHROMIUM} is missing: .ci/run must install chromium")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the app on 127.0.0.1 at a free port for the whole session; yields the base URL."""
    app = create_app({"TESTING": True, "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("browser_index"))})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile per test: no cookies or storage carried over."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page


@pytest.fixture
def clip(context):
    """Clipboard access for the page, as a user grants it."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])


# The strict policy the site's pages must stand: no inline script or style, nothing from elsewhere.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'"


@pytest.fixture
def strict_page(context, live_server):
    """A page whose responses carry the strict CSP the site will get, so any inline code would be refused."""
    def add_csp(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": CSP}
        route.fulfill(response=response, headers=headers)
    context.route(re.compile(re.escape(live_server) + r"/.*"), add_csp)
    page = context.new_page()
    problems = []

    def on_console(message):
        own_404 = "status of 404" in message.text and message.location.get("url") == page.url
        if message.type in ("error", "warning") and not own_404:  # a 404 page reports its own status
            problems.append(f"console {message.type}: {message.text} at {message.location.get('url')}")
    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems
    yield page
    context.unroute_all(behavior="ignoreErrors")  # a search still in flight when the test ends is not its error
