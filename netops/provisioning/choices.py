"""Choices of provisioning."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


class EndpointKind(models.TextChoices):
    WIREGUARD = "wireguard", _("WireGuard concentrator")
    OPENVPN = "openvpn", _("OpenVPN server")
    RADIUS = "radius", _("RADIUS server (FreeRADIUS)")


@badge_colours(
    QUEUED="info", RUNNING="info", RETRYING="warning", SUCCEEDED="success", FAILED="danger"
)
class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    RETRYING = "retrying", _("waiting to retry")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
