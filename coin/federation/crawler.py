"""Fetching a partner's document the way a careful crawler does.

One GET with the validators of the last version (If-None-Match, If-Modified-Since), a
connection and read timeout plus a deadline for the whole body (a server trickling bytes
is cut), a size cap checked on the announced length and while reading, no redirects to
other schemes than http(s). What comes back is classified (``FetchStatus``); nothing here
touches the database.
"""

import hashlib
import json
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from .choices import FetchStatus

USER_AGENT = "coin-federation-crawler/1 (+https://www.ffdn.org/)"


@dataclass
class Fetched:
    status: str  # FetchStatus
    detail: str = ""
    content: object = None  # the parsed JSON, when status is OK (schema not checked yet)
    body_size: int = 0
    sha256: str = ""
    etag: str = ""
    last_modified: str = ""


def _limits():
    return (
        settings.COIN_FEDERATION_FETCH_TIMEOUT,
        settings.COIN_FEDERATION_FETCH_MAX_BYTES,
    )


def fetch(url, *, etag="", last_modified=""):
    """GET ``url`` and say what came back (never raises for what the other side does)."""
    timeout, max_bytes = _limits()
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Accept-Encoding": "identity",  # what is capped is what is read: no compression bombs
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        with requests.get(
            url, headers=headers, timeout=(timeout, timeout), stream=True, allow_redirects=True
        ) as response:
            if response.url.split(":", 1)[0] not in ("http", "https"):
                return Fetched(FetchStatus.UNREACHABLE, _("Redirected outside http(s)."))
            if response.status_code == 304:
                return Fetched(FetchStatus.NOT_MODIFIED, etag=etag, last_modified=last_modified)
            if response.status_code in (404, 410):
                return Fetched(FetchStatus.GONE, f"HTTP {response.status_code}")
            if response.status_code != 200:
                return Fetched(FetchStatus.HTTP_ERROR, f"HTTP {response.status_code}")
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > max_bytes:
                return _too_large(max_bytes)
            body = bytearray()
            while True:
                # read1: one read from the socket at most, so a server trickling bytes meets
                # the deadline below (iter_content would wait for a whole chunk first).
                chunk = response.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    return _too_large(max_bytes)
                if time.monotonic() > deadline:
                    return Fetched(
                        FetchStatus.TIMEOUT,
                        _("No complete answer within %(s)s s.") % {"s": timeout},
                    )
            new_etag = response.headers.get("ETag", "")[:200]
            new_last_modified = response.headers.get("Last-Modified", "")[:100]
    except requests.Timeout:
        return Fetched(FetchStatus.TIMEOUT, _("No answer within %(s)s s.") % {"s": timeout})
    except requests.RequestException as error:
        return Fetched(FetchStatus.UNREACHABLE, _short(error))
    try:
        content = json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return Fetched(FetchStatus.MALFORMED, _short(error))
    return Fetched(
        FetchStatus.OK,
        content=content,
        body_size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        etag=new_etag,
        last_modified=new_last_modified,
    )


def _too_large(max_bytes):
    return Fetched(
        FetchStatus.TOO_LARGE,
        _("Larger than %(kb)s KB: not read.") % {"kb": max_bytes // 1024},
    )


def _short(error):
    """The error's first line, without the request's headers, at most 200 characters."""
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
