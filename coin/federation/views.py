"""Public federation documents: /isp.json (FFDN ISP format 0.1) and the published reports.

Anyone may read them (partners' crawlers do); they disclose only what the board chose to
publish. Conditional GETs are answered with 304 from ETag and Last-Modified.
"""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import services
from .models import Report

MAX_AGE = 3600  # the specification asks for an expiry; an hour suits counts that move slowly


def _json_response(request, body, etag, last_modified=None):
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Access-Control-Allow-Origin"] = "*"  # a federation map may read it from a browser
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def isp_json(request):
    """The ISP's isp.json; 404 until the board has described the ISP."""
    served = services.served_isp_document()
    if served is None:
        raise Http404
    body, etag, changed_at = served
    return _json_response(request, body, etag, changed_at)


@require_safe
def report_index(request):
    """The published reports, newest first: period and URL of each (what partners register)."""
    reports = Report.objects.published().order_by("-period_end", "-pk")
    entries = [
        {
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
            "kind": report.kind,
            "publishedAt": report.published_at.isoformat(),
            "url": request.build_absolute_uri(reverse("federation:report_json", args=[report.pk])),
        }
        for report in reports
    ]
    body = json.dumps({"reports": entries}, indent=2).encode()
    etag = '"' + services.content_hash(body) + '"'
    last = max((report.published_at for report in reports), default=None)
    return _json_response(request, body, etag, last)


@require_safe
def latest_report(request):
    """The newest published report itself (the URL a partner registers to follow us)."""
    report = Report.objects.published().order_by("-period_end", "-pk").first()
    if report is None:
        raise Http404
    return _report_response(request, report)


@require_safe
def report_json(request, pk):
    """One published report's document (a draft is not found)."""
    return _report_response(request, get_object_or_404(Report.objects.published(), pk=pk))


def _report_response(request, report):
    body = json.dumps(report.document, ensure_ascii=False, indent=2, sort_keys=True).encode()
    etag = '"' + services.content_hash(body) + '"'
    return _json_response(request, body, etag, report.published_at)
