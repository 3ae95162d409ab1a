"""Issue 16 item 3: partners' documents fetched like a careful crawler, from a local HTTP
server on 127.0.0.1 — valid, malformed, 20 MB, slow past the timeout, 304 Not Modified,
gone — each with the right status; versions kept; back-off; the federation view renders."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from coin.federation import services
from coin.federation.models import PartnerDocument, PartnerSource

VALID = {
    "name": "Partenaire",
    "email": "contact@partenaire.example",
    "memberCount": 120,
    "subscriberCount": 45,
    "coveredAreas": [{"name": "Brest", "technologies": ["dsl", "wifi"]}],
    "version": 0.1,
}
CHANGED = {**VALID, "memberCount": 121}
ETAG = '"v1"'


class Partners(BaseHTTPRequestHandler):
    """What partner ISPs serve, one path each (``state`` is the test's knob)."""

    state = {"valid": VALID}

    def log_message(self, *args):  # quiet tests
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Length" for name, _v in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path
        if path == "/valid.json":
            if self.headers.get("If-None-Match") == ETAG and self.state["valid"] is VALID:
                return self._send(304)
            body = json.dumps(self.state["valid"]).encode()
            return self._send(
                200, body, [("ETag", ETAG if self.state["valid"] is VALID else '"v2"')]
            )
        if path == "/malformed.json":
            return self._send(200, b'{"name": "Partenaire", "memberCount": ')
        if path == "/invalid.json":
            return self._send(200, json.dumps({"name": "No e-mail", "version": 0.1}).encode())
        if path == "/huge.json":  # 20 MB announced: never read
            return self._send(200, headers=[("Content-Length", str(20 * 1024 * 1024))])
        if path == "/huge-chunked.json":  # no length announced: cut while reading
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(320):  # 20 MB
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/slow.json":  # headers at once, then a byte a second
            body = json.dumps(VALID).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/silent.json":  # never answers in time
            time.sleep(4)
            return self._send(200, b"{}")
        if path == "/gone.json":
            return self._send(410)
        return self._send(500)


@pytest.fixture
def server(settings):
    settings.COIN_FEDERATION_FETCH_TIMEOUT = 2
    settings.COIN_FEDERATION_FETCH_MAX_BYTES = 1024 * 1024
    Partners.state = {"valid": VALID}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Partners)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _partner(server, name, path):
    partner = services.save_partner(actor=None, name=name, isp_json_url=f"{server}{path}")
    return partner.sources.get()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/valid.json", "ok"),
        ("/malformed.json", "malformed"),
        ("/invalid.json", "invalid"),
        ("/huge.json", "too_large"),
        ("/huge-chunked.json", "too_large"),
        ("/slow.json", "timeout"),
        ("/silent.json", "timeout"),
        ("/gone.json", "gone"),
        ("/error.json", "http_error"),
    ],
)
def test_each_kind_of_partner_document_gets_its_status(server, db, path, status):
    source = services.fetch_source(_partner(server, "P", path))
    assert source.status == status, source.detail
    assert source.versions.count() == (1 if status == "ok" else 0)
    assert source.failures == (0 if status == "ok" else 1)
    if status != "ok":
        assert source.detail  # a clear reason for the volunteer


def test_an_unreachable_partner_is_reported_not_raised(db):
    source = PartnerSource.objects.get(
        partner=services.save_partner(
            actor=None, name="Down", isp_json_url="http://127.0.0.1:9/isp.json"
        )
    )
    assert services.fetch_source(source).status == "unreachable"


def test_conditional_get_keeps_one_version_until_it_changes(server, db):
    source = _partner(server, "P", "/valid.json")
    first = services.fetch_source(source)
    assert (first.status, first.etag) == ("ok", ETAG)
    again = services.fetch_source(first)
    assert again.status == "not_modified" and again.versions.count() == 1
    Partners.state = {"valid": CHANGED}
    changed = services.fetch_source(again)
    assert changed.status == "ok" and changed.versions.count() == 2
    newest = services.latest_versions([changed])[changed.pk]
    assert newest.content["memberCount"] == 121


def test_failures_back_off_and_a_success_resets_them(server, db, settings):
    settings.COIN_FEDERATION_RETRY_AFTER = 600
    settings.COIN_FEDERATION_RETRY_MAX = 3600
    source = _partner(server, "P", "/gone.json")
    now = timezone.now()
    waits = []
    for minutes in range(4):
        source = services.fetch_source(source, now=now + timedelta(minutes=minutes))
        waits.append((source.next_fetch_at - source.checked_at).total_seconds())
    assert waits == [600, 1200, 2400, 3600] and source.failures == 4
    # Not due yet: the beat's sweep leaves it alone.
    assert services.fetch_due_sources(now=now + timedelta(minutes=5)) == []
    PartnerSource.objects.filter(pk=source.pk).update(url=f"{server}/valid.json")
    [fetched] = services.fetch_due_sources(now=source.next_fetch_at)
    assert fetched.status == "ok" and fetched.failures == 0
    assert (
        fetched.next_fetch_at - fetched.checked_at
    ).total_seconds() == settings.COIN_FEDERATION_FETCH_EVERY


def test_the_federation_view_renders_whatever_the_partners_serve(
    server, profile, make_member, login
):
    statuses = {}
    for path in ("/valid.json", "/malformed.json", "/huge.json", "/gone.json", "/invalid.json"):
        source = services.fetch_source(_partner(server, f"ISP {path}", path))
        statuses[path] = source.status
    # A partner that was fine once and then broke keeps its last good figures, marked.
    broken = _partner(server, "Was fine", "/valid.json")
    services.fetch_source(broken)
    PartnerSource.objects.filter(pk=broken.pk).update(url=f"{server}/malformed.json", etag="")
    services.fetch_source(PartnerSource.objects.get(pk=broken.pk))

    board = login(make_member("sasha", roles=["board"]))
    response = board.get(reverse("backoffice:federation_view"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rézo Libre" in page and "ISP /malformed.json" in page
    assert page.count('<td class="num">120</td>') == 2  # the valid one, and the last good figures
    detail = board.get(
        reverse("backoffice:partner_detail", args=[broken.partner_id])
    ).content.decode()
    assert "badge-danger" in detail and PartnerDocument.objects.filter(source=broken).count() == 1


def test_a_partner_url_must_be_http(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.save_partner(actor=None, name="X", isp_json_url="file:///etc/passwd")
    assert "isp_json_url" in refused.value.message_dict
