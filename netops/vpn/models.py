"""VPN accounts: one per VPN subscription, with its keys or credentials and last seen status."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.crypto import EncryptedTextField
from coin.members.audit import AuditedQuerySet
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription
from netops import validators as v

from .choices import VPNProtocol

# WireGuard re-handshakes every two minutes while traffic flows.
HANDSHAKE_FRESH = timedelta(minutes=3)


class VPNAccountQuerySet(AuditedQuerySet):
    def provisioned(self):
        """Accounts the endpoints must serve: subscription running today, not suspended."""
        current = Subscription.objects.current().filter(status=SubscriptionStatus.ACTIVE)
        return self.filter(subscription__in=current, suspended=False)


class VPNAccount(models.Model):
    """The VPN access of one subscription, served by one endpoint.

    WireGuard: ``public_key`` is the member's; ``private_key`` (encrypted at
    rest) is kept only when the server generated the pair, so the member can
    download a complete configuration; a member who pastes their own public key
    leaves no private key here. OpenVPN: ``username`` and a password hash.
    """

    subscription = models.OneToOneField(
        "offers.Subscription",
        on_delete=models.PROTECT,
        related_name="vpn_account",
        verbose_name=_("subscription"),
    )
    protocol = models.CharField(
        _("protocol"), max_length=16, choices=VPNProtocol.choices, default=VPNProtocol.WIREGUARD
    )
    endpoint = models.ForeignKey(
        "netops.Endpoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vpn_accounts",
        verbose_name=_("endpoint"),
    )
    public_key = models.CharField(
        _("WireGuard public key"), max_length=44, blank=True, validators=[v.validate_wireguard_key]
    )
    private_key = EncryptedTextField(_("WireGuard private key"), blank=True, editable=False)
    username = models.CharField(
        _("OpenVPN login"), max_length=64, unique=True, validators=[v.validate_account_name]
    )
    password_hash = models.CharField(
        _("OpenVPN password hash"), max_length=200, blank=True, editable=False
    )
    suspended = models.BooleanField(_("suspended"), default=False)
    provisioning_job = models.ForeignKey(
        "netops.ProvisioningJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("job carrying the last change"),
        help_text=_("The provisioning job that brings the account's last change to its endpoint."),
    )
    keys_changed_at = models.DateTimeField(
        _("keys changed at"), null=True, blank=True, editable=False
    )
    last_handshake_at = models.DateTimeField(
        _("last handshake"), null=True, blank=True, editable=False
    )
    rx_bytes = models.BigIntegerField(_("received bytes"), default=0, editable=False)
    tx_bytes = models.BigIntegerField(_("sent bytes"), default=0, editable=False)
    status_checked_at = models.DateTimeField(
        _("status checked at"), null=True, blank=True, editable=False
    )

    objects = VPNAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("VPN account")
        verbose_name_plural = _("VPN accounts")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_key"],
                condition=~models.Q(public_key=""),
                name="vpnaccount_unique_public_key",
            ),
            # The validators' rules, held by the database too (the values reach endpoint files).
            models.CheckConstraint(
                condition=models.Q(public_key="")
                | models.Q(public_key__regex=v.WIREGUARD_KEY_REGEX),
                name="vpnaccount_public_key_format",
            ),
            models.CheckConstraint(
                condition=models.Q(username__regex=v.ACCOUNT_NAME_REGEX),
                name="vpnaccount_username_format",
            ),
        ]

    def __str__(self):
        return self.username

    def clean(self):
        # Endpoint kinds and protocols share their values ("wireguard", "openvpn").
        if self.endpoint is not None and self.endpoint.kind != self.protocol:
            raise ValidationError(
                {
                    "endpoint": _("This server does not serve %(protocol)s.")
                    % {"protocol": self.get_protocol_display()}
                }
            )

    @property
    def member(self):
        return self.subscription.member

    @property
    def is_up(self):
        """True when the tunnel handshaked recently (WireGuard)."""
        return (
            self.last_handshake_at is not None
            and timezone.now() - self.last_handshake_at < HANDSHAKE_FRESH
        )
