"""Choices of VPN accounts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VPNProtocol(models.TextChoices):
    WIREGUARD = "wireguard", _("WireGuard")
    OPENVPN = "openvpn", _("OpenVPN")
