"""Models of the federation: the ISP's public description (isp.json), its periodic reports,
and the partner ISPs whose documents are fetched and kept."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet

from .choices import (
    DocumentKind,
    FetchStatus,
    FinanceSharing,
    ProgressStatus,
    ReportKind,
    ReportStatus,
)
from .validators import (
    validate_chatrooms,
    validate_geojson_area,
    validate_other_websites,
    validate_technologies,
)

WEB_URL = [URLValidator(schemes=["http", "https"])]


class IspProfile(models.Model):
    """What the board publishes about the ISP in isp.json (one row); the counts are computed."""

    name = models.CharField(_("name"), max_length=200)
    shortname = models.CharField(_("short name"), max_length=15, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    logo_url = models.URLField(_("logo URL"), max_length=300, blank=True, validators=WEB_URL)
    website = models.URLField(_("website"), max_length=300, blank=True, validators=WEB_URL)
    other_websites = models.JSONField(
        _("other websites"), default=dict, blank=True, validators=[validate_other_websites]
    )
    email = models.EmailField(_("contact e-mail"))
    main_mailing_list = models.EmailField(_("main public mailing list"), blank=True)
    creation_date = models.DateField(_("created on"), null=True, blank=True)
    ffdn_member_since = models.DateField(_("member of the federation since"), null=True, blank=True)
    progress_status = models.PositiveSmallIntegerField(
        _("progress"), choices=ProgressStatus.choices, null=True, blank=True
    )
    chatrooms = models.JSONField(
        _("chat rooms"), default=list, blank=True, validators=[validate_chatrooms]
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    extended_address = models.CharField(_("address (more)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    locality = models.CharField(_("town"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country_name = models.CharField(_("country"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    finance_sharing = models.CharField(
        _("finances shared in reports"),
        max_length=8,
        choices=FinanceSharing.choices,
        default=FinanceSharing.NONE,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ISP description")
        verbose_name_plural = _("ISP description")
        permissions = [("publish_report", _("Can publish federation reports"))]
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="federation_one_isp_profile"),
            models.CheckConstraint(
                condition=Q(progress_status__isnull=True)
                | Q(progress_status__gte=1, progress_status__lte=7),
                name="federation_progress_status_1_to_7",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="federation_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="federation_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The profile, or None before the board filled it in."""
        return cls.objects.filter(pk=1).first()


class CoveredArea(models.Model):
    """An area the ISP serves, with its technologies and, optionally, its shape (GeoJSON)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    technologies = models.JSONField(_("technologies"), validators=[validate_technologies])
    area = models.JSONField(
        _("area (GeoJSON)"), null=True, blank=True, validators=[validate_geojson_area]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("covered area")
        verbose_name_plural = _("covered areas")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class IspDocumentState(models.Model):
    """The ETag of the isp.json last served and when its content last changed (one row):
    what conditional GETs are answered from."""

    etag = models.CharField(max_length=80)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="federation_one_state")]

    def __str__(self):
        return f"{self.etag} {self.changed_at:%Y-%m-%d %H:%M:%S}"


class ReportQuerySet(AuditedQuerySet):
    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)

    def update(self, **kwargs):
        if self.filter(status=ReportStatus.PUBLISHED).exists():
            raise ValidationError(_("A published report never changes."))
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=ReportStatus.PUBLISHED).exists():
            raise ValidationError(_("A published report is never deleted."))
        return super().delete()


class Report(models.Model):
    """A report ("bilan") of a period built from live data; immutable once published."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    document = models.JSONField(_("document"))
    created_at = models.DateTimeField(_("generated"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("generated by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("federation report")
        verbose_name_plural = _("federation reports")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="federation_report_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT)
                | Q(published_at__isnull=False, status=ReportStatus.PUBLISHED),
                name="federation_published_report_is_dated",
            ),
            # One published report per period: a second would contradict the first.
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=Q(status="published"),
                name="federation_one_published_report_per_period",
            ),
        ]

    def __str__(self):
        return (
            f"{date_format(self.period_start, 'SHORT_DATE_FORMAT')} – "
            f"{date_format(self.period_end, 'SHORT_DATE_FORMAT')}"
        )

    def save(self, *args, **kwargs):
        if self.pk and Report.objects.filter(pk=self.pk, status=ReportStatus.PUBLISHED).exists():
            raise ValidationError(_("A published report never changes."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ValidationError(_("A published report is never deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == ReportStatus.PUBLISHED


class Partner(models.Model):
    """A partner ISP of the federation whose documents are fetched."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("fetched"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner ISP")
        verbose_name_plural = _("partner ISPs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerSource(models.Model):
    """One document of a partner (its isp.json, or its latest report) and how fetching it goes."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="sources", verbose_name=_("partner")
    )
    kind = models.CharField(_("document"), max_length=8, choices=DocumentKind.choices)
    url = models.URLField(_("URL"), max_length=500, validators=WEB_URL)
    status = models.CharField(
        _("last fetch"), max_length=16, choices=FetchStatus.choices, default=FetchStatus.NEVER
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_fetch_at = models.DateTimeField(_("next fetch"), null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    objects = AuditedQuerySet.as_manager()

    # What each fetch updates: not worth an audit event each time.
    FETCH_STATE = (
        "status",
        "detail",
        "checked_at",
        "failures",
        "next_fetch_at",
        "etag",
        "last_modified",
    )

    class Meta:
        verbose_name = _("partner document")
        verbose_name_plural = _("partner documents")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "kind"], name="federation_one_source_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.partner} {self.get_kind_display()}"


class PartnerDocument(models.Model):
    """One version of a partner's document, as fetched and validated (kept, never changed)."""

    source = models.ForeignKey(
        PartnerSource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("source")
    )
    fetched_at = models.DateTimeField(_("fetched"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("partner document version")
        verbose_name_plural = _("partner document versions")
        ordering = ["-fetched_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], name="federation_version_once")
        ]

    def __str__(self):
        return f"{self.source} {self.fetched_at:%Y-%m-%d %H:%M}"
