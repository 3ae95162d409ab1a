"""The federation side by side: our own figures and each partner's, from the latest valid
version of each document (a partner whose fetch fails keeps its last good figures, marked)."""

from dataclasses import dataclass, field

from django.utils.dateparse import parse_date
from django.utils.formats import date_format

from .choices import DocumentKind, FetchStatus
from .isp_document import build_isp_document
from .models import Partner, PartnerSource, Report
from .services import latest_versions


@dataclass
class Row:
    name: str
    ours: bool = False
    partner: Partner | None = None
    isp_source: PartnerSource | None = None
    report_source: PartnerSource | None = None
    members: int | None = None
    subscribers: int | None = None
    progress: int | None = None
    technologies: list = field(default_factory=list)
    areas: int = 0
    report_period: str = ""
    members_growth: int | None = None
    report_subscribers: int | None = None
    services: dict = field(default_factory=dict)


def _from_isp(row, document):
    if not isinstance(document, dict):
        return
    row.name = str(document.get("name") or row.name)[:100]
    row.members = document.get("memberCount")
    row.subscribers = document.get("subscriberCount")
    row.progress = document.get("progressStatus")
    areas = document.get("coveredAreas") or []
    row.areas = len(areas)
    row.technologies = sorted(
        {tech for area in areas if isinstance(area, dict) for tech in area.get("technologies", [])}
    )


def _from_report(row, document):
    if not isinstance(document, dict):
        return
    period = document.get("period", {})
    start, end = (_day(period.get(key)) for key in ("start", "end"))
    if start and end:
        row.report_period = (
            f"{date_format(start, 'SHORT_DATE_FORMAT')} – {date_format(end, 'SHORT_DATE_FORMAT')}"
        )
    members = document.get("members", {})
    row.members_growth = members.get("atEnd", 0) - members.get("atStart", 0)
    at_end = document.get("subscribers", {}).get("atEnd", {})
    row.report_subscribers = at_end.get("total")
    row.services = at_end.get("byService", {})


def _day(text):
    try:
        return parse_date(text) if isinstance(text, str) else None
    except ValueError:
        return None


def comparison_rows():
    """Our row first, then each partner's (a fixed number of queries whatever the partners)."""
    ours = Row(name="", ours=True)
    document = build_isp_document()
    if document is not None:
        _from_isp(ours, document)
    report = Report.objects.published().order_by("-period_end", "-pk").first()
    if report is not None:
        _from_report(ours, report.document)
    rows = [ours] if document is not None else []

    partners = list(Partner.objects.prefetch_related("sources").order_by("name"))
    sources = [source for partner in partners for source in partner.sources.all()]
    latest = latest_versions(sources)
    for partner in partners:
        row = Row(name=partner.name, partner=partner)
        for source in partner.sources.all():
            version = latest.get(source.pk)
            if source.kind == DocumentKind.ISP:
                row.isp_source = source
                if version is not None:
                    _from_isp(row, version.content)
            else:
                row.report_source = source
                if version is not None:
                    _from_report(row, version.content)
        row.name = partner.name  # the board's name for it, whatever the document says
        rows.append(row)
    return rows


def is_stale(source):
    """Whether the figures shown come from an earlier fetch than the last try."""
    return source is not None and source.status not in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
