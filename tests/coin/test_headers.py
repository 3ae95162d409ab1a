"""Every page sends a Content-Security-Policy it can live with; pages are never cached.

The policy allows scripts and styles from our own static files only, so a page works under
it only if its HTML has no inline script, style or event handler: the crawl checks every
page a volunteer and a member reach, Django's admin and the back office included, over the
demo ISP's data.
"""

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.cache import patch_cache_control

from coin.headers import NoStoreMiddleware
from coin.members.models import Member
from demo.management.commands.load_demo import DEMO_PASSWORD

# Executable inline code; <script type="application/json"> is data, which CSP leaves alone.
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCodeFinder(HTMLParser):
    """Collects what a ``script-src 'self'; style-src 'self'`` policy would block."""

    def __init__(self):
        super().__init__()
        self.blocked = []
        self.links = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") not in _DATA_SCRIPT_TYPES:
            self._in_inline_script = True
        if tag == "style":
            self.blocked.append("<style> element")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.blocked.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.blocked.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def crawl(client, start, prefix, limit=300):
    """GET one page of each kind reachable from ``start`` under ``prefix``: {path: response}.

    Pages differing only by ids (``/admin/billing/invoice/7/change/`` and ``.../8/...``) are
    one kind, and lists are not re-fetched sorted or filtered: same templates, same HTML.
    """
    seen, queue, responses = set(), [start], {}
    while queue and len(responses) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        kind = re.sub(r"/\d+/", "/N/", urlsplit(url).path)
        if kind in seen:
            continue
        seen.add(kind)
        response = client.get(path)
        responses[path] = response
        if "html" not in response.get("Content-Type", ""):
            continue
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        response.inline_code = finder.blocked
        for link in finder.links:
            target = urljoin(path, link)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith(prefix) or parts.fragment:
                continue
            queue.append(target)
    return responses


@pytest.fixture
def demo_isp(db, settings):
    settings.DEBUG = True  # the demo loads only with DEBUG on
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False


def assert_csp_compatible(responses):
    assert responses
    problems = {}
    for path, response in responses.items():
        assert response.status_code < 500, path
        assert "default-src 'self'" in response["Content-Security-Policy"], path
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        if getattr(response, "inline_code", None):
            problems[path] = response.inline_code
    assert problems == {}


def test_the_volunteer_area_and_the_portal_work_under_the_policy(demo_isp, login):
    admin = Member.objects.create_superuser("root", "root@example.org", "x" * 12)
    responses = crawl(login(admin), reverse("admin:index"), "/admin/")
    crawled = " ".join(responses)
    # Django's own pages and those coin adds: pool usage bars, endpoint actions, jobs.
    for page in ("/admin/netops/ippool/", "/admin/netops/endpoint/", "/admin/billing/invoice/"):
        assert page in crawled
    assert re.search(r"/admin/netops/endpoint/\d+/change/", crawled)
    assert len(responses) > 60
    assert_csp_compatible(responses)

    # The back office: its lists, a member's page with every panel, its action pages.
    responses = crawl(login(admin), reverse("backoffice:home"), "/gestion/")
    crawled = " ".join(responses)
    assert re.search(r"/gestion/members/\d+/", crawled)
    assert len(responses) > 8
    assert_csp_compatible(responses)

    member = Client()
    member.post(reverse("portal:login"), {"username": "alix", "password": DEMO_PASSWORD})
    responses = crawl(member, reverse("portal:dashboard"), "/")
    assert len(responses) > 5
    assert_csp_compatible(responses)

    # The public side, for a visitor: the home page and the application form.
    responses = crawl(Client(), "/", "/")
    assert {"/", reverse("portal:apply")} <= set(responses)
    assert_csp_compatible(responses)


def test_anonymous_pages_send_the_policy_too(db):  # the page names the association
    response = Client().get(reverse("portal:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def assert_not_stored(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


def test_pages_with_personal_data_or_a_totp_secret_are_not_stored(make_member, login):
    member = make_member()
    assert_not_stored(login(member).get(reverse("portal:dashboard")))
    assert_not_stored(login(member).get(reverse("portal:profile")))

    volunteer = make_member(roles=["admissions"])
    assert_not_stored(login(volunteer).get(reverse("admin:index")))
    # A role holder enrolling: the page shows the TOTP secret and its QR code.
    newcomer = make_member(roles=["admissions"])
    enrolling = login(newcomer, verified=False).get(reverse("portal:otp_setup"))
    assert enrolling.status_code == 200
    assert_not_stored(enrolling)

    assert_not_stored(Client().get(reverse("portal:login")))


def _respond(request, cache_control):
    def view(request):
        response = HttpResponse("page")
        patch_cache_control(response, **cache_control)
        return response

    return NoStoreMiddleware(view)(request)


def test_a_logged_in_page_is_not_stored_even_if_its_view_allowed_caching(make_member):
    request = RequestFactory().get("/")
    request.user = make_member()
    response = _respond(request, {"public": True, "max_age": 3600})
    assert_not_stored(response)
    assert "public" not in response["Cache-Control"]


def test_public_anonymous_data_keeps_the_caching_its_view_chose():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = _respond(request, {"public": True, "max_age": 3600})
    assert response["Cache-Control"] == "public, max-age=3600"
