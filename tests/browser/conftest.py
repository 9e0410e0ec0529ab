"""Playwright driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: it downloads a browser, which this network forbids. `.ci/run`
installs Debian's `chromium`; the path can be changed with CHROMIUM_PATH.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server, but static files come from WhiteNoise and the hashed manifest.

    Its default static handler serves from the finders, which do not know hashed names: pages would
    load unstyled, unlike production.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread.static_handler = lambda wsgi_app: wsgi_app
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop in this thread while it
    lives: module scope ends it before other tests (which run asyncio themselves) come along."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    # While the loop runs, Django would refuse the ORM calls tests make between browser steps;
    # they are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _open_page(browser, request, **context_options):
    context = browser.new_context(locale="fr-FR", **context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(browser, request, live_server):
    """A page in a phone-sized Chromium (390×844, touch), French; a screenshot is kept on failure."""
    yield from _open_page(browser, request, **PHONE)


@pytest.fixture
def iphone(browser, request, live_server):
    """The phone with an iPhone Safari user agent (a captive-network mini-browser's); more context options
    (e.g. java_script_enabled=False) come from an indirect parametrisation."""
    yield from _open_page(browser, request, **PHONE, user_agent=IPHONE_SAFARI, **getattr(request, "param", {}))


@pytest.fixture
def desktop(browser, request, live_server):
    yield from _open_page(browser, request, viewport={"width": 1280, "height": 800})


def totp_code(device) -> str:
    """The code the agent's authenticator shows now."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_second_factor(page, live_server, agent) -> None:
    """Sign `agent` in on `page` as a person does: email, password, then the authenticator's code (a TOTP device
    is created for them); ends on the dashboard."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import PASSWORD

    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    page.goto(f"{live_server.url}/backoffice/login/")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/backoffice/2fa/**")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/backoffice/")
