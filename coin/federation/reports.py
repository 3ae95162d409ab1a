"""A federation report ("bilan") of a period, built from live data: the document itself.

``build_report`` puts together the report's head (the ISP, the period) and every registered
section (``sections.py``); the result is checked against ``schemas/report-1.json``.
"""

from django.utils import timezone

from .schema import report_validator, schema_errors
from .sections import sections

FORMAT = "coin-federation-report"
VERSION = 1


def build_report(profile, period_start, period_end, kind):
    """The report document (a dict of JSON values) of the period, for ``profile``'s ISP."""
    isp = {"name": profile.name}
    if profile.shortname:
        isp["shortname"] = profile.shortname
    if profile.website:
        isp["website"] = profile.website
    document = {
        "format": FORMAT,
        "version": VERSION,
        "isp": isp,
        "period": {
            "kind": str(kind),
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
        },
        "generatedAt": timezone.now().replace(microsecond=0).isoformat(),
    }
    for section in sections():
        content = section.build(period_start, period_end, profile)
        if content is not None:
            document[section.key] = content
    return document


def report_errors(document):
    """Why ``document`` is not a valid report (an empty list when it is)."""
    return schema_errors(report_validator(), document)
