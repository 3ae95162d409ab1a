"""Browser tests: Debian's Chromium, driven by Playwright, on pytest-django's live server.

One Chromium per pytest-xdist worker, started by the first browser test the worker runs
(a worker that gets none pays nothing) and closed at the end of the session; each test
gets a fresh browser context (no cookies shared between tests). The live server runs in a
thread of the worker against the worker's own test database, so the tests are as
parallel-safe as the rest of the suite; its data must be committed, hence the transactional
database pytest-django gives every test that uses ``live_server``.

Every page a test opens is watched: a console error (a failed static file, a script error,
a style or script the Content-Security-Policy refused) fails the test at its end.
"""

import asyncio
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from billing import services as billing_services
from billing.models import AssociationSettings
from coin.offers import services as offer_services
from netops.provisioning.models import Endpoint
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("COIN_TEST_CHROMIUM", "/usr/bin/chromium")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Chromium reports a refused style or script as a console error; this also reports the
# violation event itself, so that a refusal is never missed whatever the console says.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Chromium:
    """The worker's one Chromium, and the event loop Playwright's sync API runs it from.

    Playwright's sync API keeps its event loop marked as running in this thread between
    calls (its own calls need the mark), and Django refuses database queries from a thread
    with a running event loop (SynchronousOnlyOperation). So the mark is set while a
    browser test runs (which also sets DJANGO_ALLOW_ASYNC_UNSAFE: its own queries and
    Playwright's calls alternate) and cleared after it, so that the worker's next, ordinary
    test meets a plain thread.
    """

    def __init__(self):
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM)
        self.loop = asyncio.get_running_loop()
        self.pause()

    def resume(self):
        asyncio.events._set_running_loop(self.loop)

    def pause(self):
        asyncio.events._set_running_loop(None)

    def close(self):
        self.resume()
        self.browser.close()
        self.playwright.stop()


@pytest.fixture(scope="session")
def chromium():
    """The worker's one Chromium (headless), started on first use."""
    chromium = Chromium()
    yield chromium
    chromium.close()


@dataclass
class Problems:
    """What the browser complained about while the test ran."""

    entries: list = field(default_factory=list)

    def watch(self, page):
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.entries.append(f"{page.url}: console error: {message.text}")
            ),
        )
        page.on(
            "pageerror", lambda error: self.entries.append(f"{page.url}: script error: {error}")
        )
        # The console says a file failed to load, not which one: the response does.
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.entries.append(f"{response.url}: HTTP {response.status}")
            ),
        )


@pytest.fixture
def browse(django_db_setup, live_server, chromium, monkeypatch):
    """browse(viewport=LAPTOP) -> a new page in a fresh context, its URLs relative to the live server.

    (``django_db_setup`` first: the live server, started after the test database, stops
    before the database is dropped.) French is the association's language and the pages'
    default; the browser asks for it too.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see Chromium
    chromium.resume()
    problems = Problems()
    contexts = []

    def open_page(viewport=LAPTOP):
        context = chromium.browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="fr-FR", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        context.add_init_script(_REPORT_CSP)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    open_page.problems = problems
    yield open_page
    for context in contexts:
        context.close()
    # While the loop is marked running, Django keeps this thread's database connection
    # apart (asgiref stores it per context, not per thread): close it before the mark goes,
    # or it would stay open, unseen, until the test database cannot be dropped.
    connections.close_all()
    chromium.pause()
    assert problems.entries == [], "the browser reported problems:\n" + "\n".join(problems.entries)


def log_in(page, member, *, next_url="/"):
    """Log ``member`` in through the login page, and through the 2FA page if they hold a role.

    A role holder gets a confirmed TOTP device; the code typed is the one their
    authenticator app would show now.
    """
    if member.is_staff:
        device, _created = TOTPDevice.objects.get_or_create(
            user=member, name="phone", defaults={"confirmed": True}
        )
    page.goto(f"/login/?next={next_url}")
    page.fill("#id_username", member.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    if member.is_staff:
        page.wait_for_url("**/2fa/?**")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_token", f"{code:0{device.digits}d}")
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def overflowing(page):
    """The innermost elements sticking out on the right of the window, for error messages."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        const out = [...document.body.querySelectorAll("*")].filter(
          (e) => e.getBoundingClientRect().right > width + 0.5
            && ![...e.children].some((c) => c.getBoundingClientRect().right > width + 0.5)
            && !e.closest(".table-container"));
        return out.slice(0, 5).map((e) =>
          `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""} `
          + `"${e.textContent.trim().slice(0, 40)}" ends at ${Math.round(e.getBoundingClientRect().right)}`);
      }"""
    )


@pytest.fixture
def vpn_endpoint(db):
    return Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        server_public_key="S" * 42 + "Q=",
        reload_command="wg syncconf coin0 /etc/coin/coin0.conf",
    )


@pytest.fixture
def subscriber(make_member, vpn_offer_with_address, vpn_endpoint, settings, tmp_path):
    """A member with a WireGuard VPN (an address, keys, an endpoint) and one issued invoice."""
    settings.MEDIA_ROOT = tmp_path / "media"
    AssociationSettings.objects.create(
        legal_name="Rézo Libre",
        address="12 rue des Lilas\n75020 Paris",
        siren="812345678",
        email="tresorerie@rezo.example.org",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        creditor_id="FR72ZZZ123456",
    )
    member = make_member("alice", first_name="Alice", last_name="Martin")
    offer_services.subscribe(member, vpn_offer_with_address, actor=None, starts_on=date(2026, 1, 1))
    draft = billing_services.create_draft(member, actor=None)
    billing_services.add_line(
        draft,
        actor=None,
        description="VPN, mars 2026",
        unit_price=Decimal("30.00"),
        period_start=date(2026, 3, 1),
    )
    billing_services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1))
    return member
