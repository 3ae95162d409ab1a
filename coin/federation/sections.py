"""The sections of a federation report, each built by the app that owns its figures.

The core knows no app (the layer rule): it builds the members and subscribers sections
itself, and each app registers its own in a module named ``federation``
(``netops/federation.py``, ``datacenter/federation.py``, ``billing/federation.py``),
imported at start-up. A builder takes the period and the ISP profile and returns the
section (plain JSON values, as ``schemas/report-1.json`` describes it) or None to leave it out.
Builders run aggregate queries only: their number does not grow with the rows.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from coin.members.choices import AuditAction, MemberStatus
from coin.members.models import AuditEvent, Member
from coin.offers.choices import OfferKind
from coin.offers.models import Subscription

# The offers that are an Internet access (the ISP format's subscriberCount).
ACCESS_KINDS = (OfferKind.VPN, OfferKind.DSL)


@dataclass(frozen=True)
class Section:
    key: str
    build: object  # (period_start, period_end, profile) -> dict | None
    order: int
    labels: dict  # {name: {code: label}}: how the page and the PDF name the section's codes


_SECTIONS = {}


def register_section(key, build, order=50, labels=None):
    """Add the section ``key`` to every report built from now on (one builder per key).

    ``labels``: for the codes the section writes (a DSL line status, a kind of income), the
    words a reader sees, by name: ``{"dslStatus": {"active": _("active"), ...}}``. The JSON
    keeps the codes.
    """
    _SECTIONS[key] = Section(key, build, order, labels or {})


def label(section_key, name, code):
    """The reader's word for ``code`` (the code itself when the section gave none)."""
    section = _SECTIONS.get(section_key)
    labels = section.labels.get(name, {}) if section else {}
    return str(labels.get(code, code))


def sections():
    """The registered sections, in order."""
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


def month_starts(start, end):
    """The first day of each month from ``start``'s to ``end``'s."""
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = (day + timedelta(days=32)).replace(day=1)


def _departures():
    """Audit events of members leaving (resigned or excluded), by member: [(member id, at)]."""
    return (
        AuditEvent.objects.filter(
            content_type__app_label="members",
            content_type__model="member",
            action=AuditAction.UPDATE,
            changes__status__1__in=[MemberStatus.RESIGNED, MemberStatus.EXCLUDED],
        )
        .values_list("object_id", "at")
        .order_by("at")
    )


def members_section(period_start, period_end, profile):
    """Members at the start and end of the period, arrivals and departures within it.

    A member counts from ``member_since``; one who left (resigned or excluded, as the audit
    log recorded it) stops counting on that day; a member readmitted since counts again.
    """
    joined = dict(
        Member.objects.filter(member_since__isnull=False).values_list("pk", "member_since")
    )
    status = dict(Member.objects.filter(pk__in=joined).values_list("pk", "status"))
    left = {}
    for object_id, at in _departures():
        if object_id.isdigit():
            left[int(object_id)] = at.date()

    def members_on(day):
        count = 0
        for pk, since in joined.items():
            gone = left.get(pk)
            still_gone = status[pk] != MemberStatus.ACTIVE
            if since <= day and not (gone is not None and still_gone and gone <= day):
                count += 1
        return count

    return {
        "atStart": members_on(period_start - timedelta(days=1)),
        "atEnd": members_on(period_end),
        "arrivals": sum(1 for since in joined.values() if period_start <= since <= period_end),
        "departures": sum(1 for day in left.values() if period_start <= day <= period_end),
        "byMonth": [
            {"month": f"{first:%Y-%m}", "members": members_on(_month_end(first))}
            for first in month_starts(period_start, period_end)
        ],
    }


def _month_end(first):
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _subscribers_on(rows, day):
    """{service: members subscribed on ``day``} and the number of members with an access."""
    by_service, access = {}, set()
    for member_id, kind, starts_on, ends_on in rows:
        if starts_on <= day and (ends_on is None or ends_on >= day):
            by_service.setdefault(kind, set()).add(member_id)
            if kind in ACCESS_KINDS:
                access.add(member_id)
    return {kind: len(members) for kind, members in sorted(by_service.items())}, len(access)


def subscribers_section(period_start, period_end, profile):
    """Members subscribed to each service, at the end of the period and at each month's end;
    ``total`` counts the members with an Internet access (VPN or DSL), as isp.json does."""
    rows = list(
        Subscription.objects.filter(starts_on__lte=period_end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period_start))
        .values_list("member_id", "offer__kind", "starts_on", "ends_on")
    )
    by_service, total = _subscribers_on(rows, period_end)
    months = []
    for first in month_starts(period_start, period_end):
        month_services, month_total = _subscribers_on(rows, min(_month_end(first), period_end))
        months.append(
            {"month": f"{first:%Y-%m}", "subscribers": month_total, "byService": month_services}
        )
    return {"atEnd": {"total": total, "byService": by_service}, "byMonth": months}


def subscriber_count(day=None):
    """Members with a current Internet access subscription (VPN or DSL): isp.json's figure."""
    day = day or timezone.localdate()
    return (
        Subscription.objects.filter(offer__kind__in=ACCESS_KINDS, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .exclude(member__status__in=[MemberStatus.RESIGNED, MemberStatus.EXCLUDED])
        .aggregate(n=Count("member", distinct=True))["n"]
    )


register_section("members", members_section, order=10)
register_section("subscribers", subscribers_section, order=20)
