"""Choices of the federation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


class ProgressStatus(models.IntegerChoices):
    """The ISP format's progressStatus (its specification, section 3.1)."""

    CONSIDERED = 1, _("Project considered")
    FOUNDERS = 2, _("Primary members found")
    STRUCTURE_BEING_CREATED = 3, _("Legal structure being created")
    STRUCTURE_CREATED = 4, _("Legal structure created")
    BASE_TOOLS = 5, _("Base tools created (bank account, first members)")
    PARTIAL = 6, _("ISP partially functional (first subscribers, maybe in degraded mode)")
    WORKING = 7, _("ISP fully working")


class Technology(models.TextChoices):
    """The ISP format's coveredArea.technologies (its specification, section 3.3)."""

    FTTH = "ftth", _("fibre to the home")
    FTTB = "fttb", _("fibre to the building")
    DSL = "dsl", _("DSL")
    WIFI = "wifi", _("Wi-Fi")
    VPN = "vpn", _("VPN")
    CUBE = "cube", _("self-hosting box (cube)")


class FinanceSharing(models.TextChoices):
    """How much of the finances the board shares in published reports."""

    NONE = "none", _("nothing")
    TOTALS = "totals", _("totals: income, expenses, result")
    DETAIL = "detail", _("detail: income by kind, expenses by account, receivables")


@badge_colours(DRAFT="warning", PUBLISHED="success")
class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class ReportKind(models.TextChoices):
    QUARTER = "quarter", _("quarter")
    ON_DEMAND = "on_demand", _("on demand")


@badge_colours(
    NEVER="neutral",
    OK="success",
    NOT_MODIFIED="success",
    MALFORMED="danger",
    INVALID="danger",
    TOO_LARGE="danger",
    TIMEOUT="warning",
    UNREACHABLE="warning",
    GONE="danger",
    HTTP_ERROR="warning",
)
class FetchStatus(models.TextChoices):
    """What the last fetch of a partner's document gave."""

    NEVER = "never", _("not fetched yet")
    OK = "ok", _("fetched, valid")
    NOT_MODIFIED = "not_modified", _("unchanged since the last fetch")
    MALFORMED = "malformed", _("not JSON")
    INVALID = "invalid", _("JSON, but not valid against the schema")
    TOO_LARGE = "too_large", _("too large")
    TIMEOUT = "timeout", _("too slow (timed out)")
    UNREACHABLE = "unreachable", _("unreachable")
    GONE = "gone", _("gone (404 or 410)")
    HTTP_ERROR = "http_error", _("HTTP error")


class DocumentKind(models.TextChoices):
    ISP = "isp", _("isp.json")
    REPORT = "report", _("report")
