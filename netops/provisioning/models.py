"""Endpoints (servers coin configures over SSH) and the record of each provisioning job."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from netops import validators as v

from .choices import EndpointKind, JobStatus

PORT = [MinValueValidator(1), MaxValueValidator(65535)]
CONTROL_CHARACTERS = r"[\x01-\x1f\x7f]"  # one regex for PostgreSQL and SQLite (Python re)


class Endpoint(models.Model):
    """A server whose configuration coin renders from the database and pushes over SSH.

    ``host_key`` is pinned: coin connects only to a server presenting exactly
    this key. It is empty until a volunteer confirms the fingerprint of
    ``offered_host_key`` (seen on first contact). A different key later sets
    ``host_key_alarm`` and stops provisioning until a volunteer decides.
    """

    name = models.CharField(
        _("name"), max_length=100, unique=True, validators=[v.validate_no_control_characters]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EndpointKind.choices)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("New VPN accounts go to active endpoints.")
    )
    ssh_host = models.CharField(_("SSH address"), max_length=253, validators=[v.validate_host])
    ssh_port = models.PositiveIntegerField(_("SSH port"), default=22, validators=PORT)
    ssh_user = models.CharField(
        _("SSH user"), max_length=64, default="root", validators=[v.validate_ssh_user]
    )
    host_key = models.TextField(_("pinned host key"), blank=True, editable=False)
    offered_host_key = models.TextField(
        _("host key seen, awaiting confirmation"), blank=True, editable=False
    )
    host_key_alarm = models.TextField(_("host key alarm"), blank=True, editable=False)
    config_dir = models.CharField(
        _("configuration directory"),
        max_length=255,
        default="/etc/coin",
        validators=[v.validate_config_dir],
        help_text=_(
            "Directory on the endpoint that coin owns: files there that coin did not render are removed."
        ),
    )
    reload_command = models.CharField(
        _("reload command"),
        max_length=500,
        validators=[v.validate_no_control_characters],
        help_text=_(
            "Run after files changed, e.g. /etc/coin/wireguard-sync coin0 (coin writes that script)."
        ),
    )
    interface = models.CharField(
        _("tunnel interface"),
        max_length=15,
        default="coin0",
        validators=[v.validate_interface_name],
    )
    public_host = models.CharField(
        _("public address"),
        max_length=253,
        validators=[v.validate_host],
        help_text=_("Host name or address members' VPN clients connect to."),
    )
    listen_port = models.PositiveIntegerField(_("VPN port"), default=51820, validators=PORT)
    server_public_key = models.CharField(
        _("server public key"),
        max_length=44,
        blank=True,
        validators=[v.validate_wireguard_key],
        help_text=_("WireGuard: the endpoint interface's public key."),
    )
    openvpn_ca = models.TextField(
        _("OpenVPN CA certificate"),
        blank=True,
        max_length=20000,
        validators=[v.validate_pem_certificates],
        help_text=_("PEM, sent to OpenVPN clients."),
    )
    client_dns = models.CharField(
        _("DNS servers for clients"),
        max_length=255,
        blank=True,
        validators=[v.validate_dns_servers],
        help_text=_("IP addresses separated by commas, e.g. 192.0.2.53, 2001:db8::53"),
    )
    route_via = models.GenericIPAddressField(
        _("next hop on the core router"),
        null=True,
        blank=True,
        help_text=_(
            "Members' IPv4 prefixes on this endpoint are routed to this address; empty: no IPv4 routes."
        ),
    )
    route_via_ipv6 = models.GenericIPAddressField(
        _("IPv6 next hop on the core router"),
        protocol="IPv6",
        null=True,
        blank=True,
        help_text=_(
            "Members' IPv6 prefixes on this endpoint are routed to this address; empty: no IPv6 routes."
        ),
    )
    needs_reload = models.BooleanField(_("needs a reload"), default=False, editable=False)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)
    drift_checked_at = models.DateTimeField(
        _("drift checked at"), null=True, blank=True, editable=False
    )
    drifted_files = models.JSONField(
        _("files that differ"), default=list, blank=True, editable=False
    )
    drift_error = models.TextField(_("drift check error"), blank=True, editable=False)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["name"]
        # The validators' simplest rules, held by the database too: no writer can skip them.
        constraints = [
            models.CheckConstraint(
                condition=Q(ssh_port__gte=1, ssh_port__lte=65535)
                & Q(listen_port__gte=1, listen_port__lte=65535),
                name="endpoint_ports_in_range",
            ),
            models.CheckConstraint(
                condition=Q(interface__regex=v.INTERFACE_REGEX), name="endpoint_interface_name"
            ),
            models.CheckConstraint(
                condition=Q(ssh_host__regex=v.HOST_REGEX) & Q(public_host__regex=v.HOST_REGEX),
                name="endpoint_hosts",
            ),
            models.CheckConstraint(
                condition=Q(ssh_user__regex=v.SSH_USER_REGEX), name="endpoint_ssh_user"
            ),
            models.CheckConstraint(
                condition=Q(config_dir__regex=v.CONFIG_DIR_REGEX), name="endpoint_config_dir"
            ),
            models.CheckConstraint(
                condition=Q(server_public_key="")
                | Q(server_public_key__regex=v.WIREGUARD_KEY_REGEX),
                name="endpoint_server_public_key",
            ),
            models.CheckConstraint(
                condition=Q(client_dns__regex=v.DNS_LIST_REGEX), name="endpoint_client_dns"
            ),
            models.CheckConstraint(
                condition=~Q(reload_command__regex=CONTROL_CHARACTERS)
                & ~Q(name__regex=CONTROL_CHARACTERS),
                name="endpoint_no_control_characters",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def reachable(self):
        """Whether the last periodic check reached it (None before the first check)."""
        if self.drift_checked_at is None:
            return None
        return not self.drift_error


class ProvisioningJob(models.Model):
    """One run of the provisioning engine against one endpoint: what changed, output, duration, outcome.

    Never holds a secret: file names and hashes only, never contents.
    """

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("endpoint")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    changed_files = models.JSONField(_("files written"), default=list, blank=True)
    removed_files = models.JSONField(_("files removed"), default=list, blank=True)
    routes_added = models.JSONField(_("routes added"), default=list, blank=True)
    routes_removed = models.JSONField(_("routes removed"), default=list, blank=True)
    output = models.TextField(_("reload output"), blank=True)
    error = models.TextField(_("error"), blank=True)
    alerted_at = models.DateTimeField(
        _("volunteers alerted at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("provisioning job")
        verbose_name_plural = _("provisioning jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self):
        return f"{self.endpoint} #{self.pk}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def changed_anything(self):
        return bool(
            self.changed_files or self.removed_files or self.routes_added or self.routes_removed
        )
