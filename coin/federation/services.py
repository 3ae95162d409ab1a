"""Every change to the federation's data: the ISP's description, covered areas, reports,
partners and what is fetched from them. Each one checks the actor's right, runs in a
transaction and is audited (the fetch state of a partner's document excepted: not a choice
of anyone's)."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm

from . import crawler
from .choices import DocumentKind, FetchStatus, ReportKind, ReportStatus
from .isp_document import build_isp_document, isp_document_errors, serialise
from .models import (
    CoveredArea,
    IspDocumentState,
    IspProfile,
    Partner,
    PartnerDocument,
    PartnerSource,
    Report,
)
from .reports import build_report, report_errors
from .schema import report_validator, schema_errors

PROFILE_FIELDS = (
    "name",
    "shortname",
    "description",
    "logo_url",
    "website",
    "other_websites",
    "email",
    "main_mailing_list",
    "creation_date",
    "ffdn_member_since",
    "progress_status",
    "chatrooms",
    "street_address",
    "extended_address",
    "postal_code",
    "locality",
    "region",
    "country_name",
    "latitude",
    "longitude",
    "finance_sharing",
)


def _check_publishable(profile, areas):
    """Refuse a description whose isp.json would not be valid in the ISP format."""
    errors = isp_document_errors(build_isp_document(profile, areas))
    if errors:
        raise ValidationError(
            _("isp.json would not be valid in the ISP format: %(errors)s")
            % {"errors": "; ".join(errors)}
        )


@transaction.atomic
def update_profile(*, actor, **fields):
    """Create or change the ISP's description; the isp.json it gives must stay valid.

    Unknown fields are a programming error; a bad value is a ValidationError on its field.
    """
    require_perm(actor, "federation.change_ispprofile")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    profile = IspProfile.objects.select_for_update().filter(pk=1).first() or IspProfile(pk=1)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    _check_publishable(profile, list(CoveredArea.objects.all()))
    with audit.acting_as(actor):
        profile.save()
    return profile


@transaction.atomic
def save_covered_area(area=None, *, actor, name, technologies, shape=None, position=0):
    """Add a covered area (``area`` None) or change one; the isp.json must stay valid."""
    require_perm(actor, "federation.change_ispprofile")
    if area is None:
        area = CoveredArea()
    else:
        area = CoveredArea.objects.select_for_update().get(pk=area.pk)
    area.name = (name or "").strip()
    area.technologies = list(technologies or [])
    area.area = shape
    area.position = position or 0
    area.full_clean()
    profile = IspProfile.load()
    if profile is not None:
        others = list(CoveredArea.objects.exclude(pk=area.pk))
        _check_publishable(profile, [*others, area])
    with audit.acting_as(actor):
        area.save()
    return area


@transaction.atomic
def remove_covered_area(area, *, actor):
    """Stop publishing ``area`` (the audit log keeps what it was)."""
    require_perm(actor, "federation.change_ispprofile")
    with audit.acting_as(actor):
        CoveredArea.objects.filter(pk=area.pk).delete()


@transaction.atomic
def served_isp_document():
    """(body, ETag, Last-Modified) of /isp.json now, or None before the ISP is described.

    Last-Modified is when the content last changed: the stored ETag is compared with the new
    one and moved (with the time) only when they differ, so a crawler's If-Modified-Since
    works as well as its If-None-Match.
    """
    document = build_isp_document()
    if document is None:
        return None
    body, etag = serialise(document)
    state = IspDocumentState.objects.select_for_update().filter(pk=1).first()
    if state is None or state.etag != etag:
        state = state or IspDocumentState(pk=1)
        state.etag, state.changed_at = etag, timezone.now().replace(microsecond=0)
        state.save()
    return body, etag, state.changed_at


def content_hash(body):
    """A short hash of ``body`` for an ETag."""
    return hashlib.sha256(body).hexdigest()[:32]


# Reports ------------------------------------------------------------------------------


def quarter_of(day):
    """First and last day of the calendar quarter containing ``day``."""
    first = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    last = (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return first, last


@transaction.atomic
def generate_report(*, actor, period_start, period_end, kind=ReportKind.ON_DEMAND):
    """A draft report of the period from live data (any role that views reports may ask).

    Refuses a period in the wrong order, reaching into the future, or longer than ten years.
    """
    if actor is not None:
        require_perm(actor, "federation.add_report")
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": _("A report cannot cover days still to come.")})
    if (period_end - period_start).days > 3660:
        raise ValidationError({"period_start": _("A report covers at most ten years.")})
    profile = IspProfile.load()
    if profile is None:
        raise ValidationError(_("Describe the ISP first (name, e-mail): the report names it."))
    document = build_report(profile, period_start, period_end, kind)
    errors = report_errors(document)
    if errors:  # a bug of ours, not the user's: say it loudly
        raise RuntimeError(f"report not valid against its schema: {errors}")
    with audit.acting_as(actor):
        return Report.objects.create(
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            document=document,
            created_by=actor,
        )


@transaction.atomic
def publish_report(report, *, actor):
    """Publish a draft: from now on it is shared with partners and never changes."""
    require_perm(actor, "federation.publish_report")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ValidationError(_("This report is already published."))
    now = timezone.now().replace(microsecond=0)
    report.document = {**report.document, "publishedAt": now.isoformat()}
    report.status = ReportStatus.PUBLISHED
    report.published_at = now
    report.published_by = actor
    try:
        with transaction.atomic(), audit.acting_as(actor):
            report.save()
    except IntegrityError:
        raise ValidationError(
            _("A report of this period is already published: it stands as it is.")
        ) from None
    return report


@transaction.atomic
def discard_report(report, *, actor):
    """Delete a draft (a published report is never deleted); True once done."""
    require_perm(actor, "federation.delete_report")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ValidationError(_("A published report is never deleted."))
    with audit.acting_as(actor):
        report.delete()
    return True


def draft_last_quarter(today=None):
    """The beat's job: a draft of the quarter that just ended, once (the board publishes it)."""
    today = today or timezone.localdate()
    first, _last = quarter_of(today)
    start, end = quarter_of(first - timedelta(days=1))
    if (
        IspProfile.load() is None
        or Report.objects.filter(
            kind=ReportKind.QUARTER, period_start=start, period_end=end
        ).exists()
    ):
        return None
    return generate_report(actor=None, period_start=start, period_end=end, kind=ReportKind.QUARTER)


# Partners -----------------------------------------------------------------------------


@transaction.atomic
def save_partner(partner=None, *, actor, name, isp_json_url, reports_url="", active=True):
    """Register a partner ISP (``partner`` None) or change one: its isp.json URL, and the URL
    of its latest published report if it shares one. A changed URL is fetched anew."""
    require_perm(actor, "federation.change_partner")
    partner = (
        Partner() if partner is None else Partner.objects.select_for_update().get(pk=partner.pk)
    )
    partner.name = (name or "").strip()
    partner.active = active
    partner.full_clean()
    with audit.acting_as(actor):
        partner.save()
        for kind, url in ((DocumentKind.ISP, isp_json_url), (DocumentKind.REPORT, reports_url)):
            _save_source(partner, kind, (url or "").strip())
    return partner


def _save_source(partner, kind, url):
    source = PartnerSource.objects.filter(partner=partner, kind=kind).first()
    if not url:
        if kind == DocumentKind.ISP:
            raise ValidationError({"isp_json_url": _("The partner's isp.json URL is needed.")})
        if source is not None:
            source.delete()
        return
    if source is not None and source.url == url:
        return
    source = source or PartnerSource(partner=partner, kind=kind)
    source.url = url
    source.status, source.detail, source.failures = FetchStatus.NEVER, "", 0
    source.etag = source.last_modified = ""
    source.next_fetch_at = None
    field = "isp_json_url" if kind == DocumentKind.ISP else "reports_url"
    try:
        source.full_clean(exclude=["partner"])
    except ValidationError as error:
        raise ValidationError({field: error.message_dict.get("url", error.messages)}) from None
    source.save()


def document_errors(kind, document):
    """Why ``document`` is not a valid partner document of ``kind`` ([] when it is): an
    isp.json against the ISP format, a report against our report schema."""
    if kind == DocumentKind.ISP:
        return isp_document_errors(document)
    return schema_errors(report_validator(), document)


def fetch_source(source, *, now=None):
    """Fetch one partner document now and record what came back.

    A valid new version is kept (each distinct content once); anything else leaves the last
    good version in place and says why. After a failure the next try waits twice as long as
    the last (from COIN_FEDERATION_RETRY_AFTER up to COIN_FEDERATION_RETRY_MAX); a success
    brings it back to COIN_FEDERATION_FETCH_EVERY. Returns the source, refreshed.
    """
    now = now or timezone.now()
    fetched = crawler.fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    status, detail = fetched.status, fetched.detail
    if status == FetchStatus.OK:
        errors = document_errors(source.kind, fetched.content)
        if errors:
            status, detail = FetchStatus.INVALID, "; ".join(errors)[:300]
    return _record(source, status, detail, fetched, now)


def _record(source, status, detail, fetched, now):
    """Store what one fetch gave (a new version when it is valid) and when to try again."""
    with transaction.atomic():
        source = PartnerSource.objects.select_for_update().get(pk=source.pk)
        if status == FetchStatus.OK:
            PartnerDocument.objects.bulk_create(
                [
                    PartnerDocument(
                        source=source,
                        fetched_at=now,
                        content=fetched.content,
                        sha256=fetched.sha256,
                        size=fetched.body_size,
                    )
                ],
                ignore_conflicts=True,  # the same content again: the version is already kept
            )
            source.etag, source.last_modified = fetched.etag, fetched.last_modified
        ok = status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
        source.failures = 0 if ok else source.failures + 1
        source.status, source.detail, source.checked_at = status, detail[:300], now
        source.next_fetch_at = now + _wait(source.failures)
        source.save()
    return source


def record_document(source, content, *, now=None):
    """Keep ``content`` as if it had just been fetched from ``source`` (the demo, an import
    by hand): validated the same way; a ValidationError says why it is refused."""
    now = now or timezone.now()
    errors = document_errors(source.kind, content)
    if errors:
        raise ValidationError("; ".join(errors))
    body = json.dumps(content, sort_keys=True).encode()
    fetched = crawler.Fetched(
        FetchStatus.OK,
        content=content,
        body_size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    return _record(source, FetchStatus.OK, "", fetched, now)


def _wait(failures):
    if failures == 0:
        return timedelta(seconds=settings.COIN_FEDERATION_FETCH_EVERY)
    wait = settings.COIN_FEDERATION_RETRY_AFTER * 2 ** min(failures - 1, 20)
    return timedelta(seconds=min(wait, settings.COIN_FEDERATION_RETRY_MAX))


def fetch_now(partner, *, actor):
    """A volunteer's "fetch now": every document of ``partner``, whatever the back-off."""
    require_perm(actor, "federation.change_partner")
    return [fetch_source(source) for source in partner.sources.all()]


def fetch_due_sources(now=None):
    """The beat's job: fetch every active partner's documents whose time has come."""
    now = now or timezone.now()
    due = PartnerSource.objects.filter(partner__active=True).exclude(next_fetch_at__gt=now)
    return [fetch_source(source, now=now) for source in due.order_by("pk")]


def latest_versions(sources):
    """{source pk: the newest kept version} of ``sources`` (one query)."""
    newest = (
        PartnerDocument.objects.filter(source__in=sources)
        .values("source_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    return {version.source_id: version for version in PartnerDocument.objects.filter(pk__in=newest)}
