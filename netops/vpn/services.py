"""VPN account operations: create with a subscription, keys and passwords, client configurations.

Private keys and passwords are returned to the caller once and never logged:
the audit log records that they changed, not their values. Every change that
the endpoint must know about queues a provisioning job after commit.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_owner_or_perm, require_perm
from coin.offers.choices import OfferKind
from netops.ipam.choices import AllocationState
from netops.provisioning import desired as provisioning_desired
from netops.provisioning import services as provisioning
from netops.provisioning.choices import EndpointKind
from netops.provisioning.models import Endpoint

from . import desired, keys, render
from .choices import VPNProtocol
from .models import VPNAccount

ENDPOINT_KIND = {
    VPNProtocol.WIREGUARD: EndpointKind.WIREGUARD,
    VPNProtocol.OPENVPN: EndpointKind.OPENVPN,
}


def choose_endpoint(protocol):
    """The active endpoint of the protocol's kind serving the fewest accounts, or None."""
    return (
        Endpoint.objects.filter(kind=ENDPOINT_KIND[protocol], is_active=True)
        .annotate(load=Count("vpn_accounts"))
        .order_by("load", "pk")
        .first()
    )


def _username(subscription):
    base = re.sub(r"[^a-z0-9-]", "", slugify(subscription.member.username))[:40] or "member"
    return f"{base}-{subscription.pk}"


@transaction.atomic
def create_account(subscription, *, actor, protocol=VPNProtocol.WIREGUARD):
    """The VPN account of a VPN subscription, with a server-generated WireGuard key pair.

    Idempotent: an existing account is returned unchanged. The private key is
    stored encrypted so the member can download a complete configuration.
    """
    existing = VPNAccount.objects.filter(subscription=subscription).first()
    if existing is not None:
        return existing
    private_key, public_key = keys.generate_wireguard_keypair()
    with audit.acting_as(actor):
        account = VPNAccount.objects.create(
            subscription=subscription,
            protocol=protocol,
            endpoint=choose_endpoint(protocol),
            username=_username(subscription),
            public_key=public_key,
            private_key=private_key,
            keys_changed_at=timezone.now(),
        )
    _provision(account, _("new VPN account %(name)s") % {"name": account.username}, actor)
    return account


@transaction.atomic
def assign_unserved_accounts(*, actor=None):
    """Give every account still without an endpoint (none existed when it was made) the least loaded
    active endpoint of its protocol, and queue those endpoints. Returns the accounts assigned."""
    assigned = []
    for account in (
        VPNAccount.objects.select_for_update().filter(endpoint__isnull=True).order_by("pk")
    ):
        endpoint = choose_endpoint(account.protocol)
        if endpoint is None:
            continue
        account.endpoint = endpoint
        with audit.acting_as(actor):
            account.save(update_fields=["endpoint"])
        assigned.append(account)
    jobs = provisioning.request_for_accounts(
        assigned, reason=_("accounts waiting for a server"), actor=actor
    )
    _remember_jobs(assigned, jobs)
    return assigned


def _remember_jobs(accounts, jobs):
    """Point each account at the job that carries its change (what the portal's state reads)."""
    by_endpoint = {job.endpoint_id: job for job in jobs}
    for account in accounts:
        job = by_endpoint.get(account.endpoint_id)
        if job is not None:
            account.provisioning_job = job
            # Bookkeeping, not a change anyone made: kept out of the audit log.
            VPNAccount.objects.filter(pk=account.pk).update(provisioning_job=job)


def _provision(account, reason, actor):
    if account.endpoint_id:
        job = provisioning.request_provisioning(account.endpoint, reason=reason, actor=actor)
        _remember_jobs([account], [job])


def _save(account, actor, fields, reason):
    with audit.acting_as(actor):
        account.save(update_fields=fields)
    _provision(account, reason, actor)


@transaction.atomic
def generate_keys(account, *, actor):
    """Replace the account's WireGuard key pair by a new server-generated one; return the private key.

    The old key stops working at the next provisioning run.
    """
    require_owner_or_perm(actor, account.subscription.member_id, "netops.change_vpnaccount")
    private_key, public_key = keys.generate_wireguard_keypair()
    account.private_key, account.public_key, account.keys_changed_at = (
        private_key,
        public_key,
        timezone.now(),
    )
    _save(
        account,
        actor,
        ["private_key", "public_key", "keys_changed_at"],
        _("new keys for %(name)s") % {"name": account.username},
    )
    return private_key


@transaction.atomic
def set_public_key(account, public_key, *, actor):
    """Use the member's own WireGuard public key; the server forgets any private key it held."""
    require_owner_or_perm(actor, account.subscription.member_id, "netops.change_vpnaccount")
    value = keys.clean_wireguard_public_key(public_key)
    if VPNAccount.objects.filter(public_key=value).exclude(pk=account.pk).exists():
        raise ValidationError(
            {
                "public_key": _(
                    "This public key is already used by another VPN account: generate a new pair."
                )
            }
        )
    account.public_key, account.private_key, account.keys_changed_at = value, "", timezone.now()
    _save(
        account,
        actor,
        ["public_key", "private_key", "keys_changed_at"],
        _("new public key for %(name)s") % {"name": account.username},
    )
    return account


@transaction.atomic
def reset_password(account, *, actor):
    """A new OpenVPN password for the account; returned once, only its hash is kept."""
    require_owner_or_perm(actor, account.subscription.member_id, "netops.change_vpnaccount")
    password = keys.generate_password()
    account.password_hash = keys.hash_password(password)
    _save(
        account,
        actor,
        ["password_hash"],
        _("new password for %(name)s") % {"name": account.username},
    )
    return password


@transaction.atomic
def change_protocol(account, protocol, *, actor):
    """Move the account to WireGuard or OpenVPN (and to an endpoint of that kind).

    Refused (``ValidationError`` on ``protocol``, nothing changed) when no
    active server of that protocol exists: the working peer stays where it is.
    """
    require_owner_or_perm(actor, account.subscription.member_id, "netops.change_vpnaccount")
    if protocol not in VPNProtocol.values:
        raise ValidationError({"protocol": _("Unknown VPN protocol.")})
    if protocol == account.protocol and account.endpoint_id:
        return account
    endpoint = choose_endpoint(protocol)
    if endpoint is None:
        names = {
            "protocol": VPNProtocol(protocol).label,
            "current": VPNProtocol(account.protocol).label,
        }
        if account.endpoint_id is None:  # nothing works yet: promise nothing
            message = _("The association has no %(protocol)s server yet.") % names
        else:
            message = (
                _(
                    "The association has no %(protocol)s server yet: your VPN stays on "
                    "%(current)s and keeps working."
                )
                % names
            )
        raise ValidationError({"protocol": message})
    old_endpoint = account.endpoint
    account.protocol = protocol
    account.endpoint = endpoint
    _save(
        account,
        actor,
        ["protocol", "endpoint"],
        _("%(name)s moved to %(protocol)s") % {"name": account.username, "protocol": protocol},
    )
    if old_endpoint is not None and old_endpoint != account.endpoint:
        provisioning.request_provisioning(
            old_endpoint, reason=_("%(name)s left") % {"name": account.username}, actor=actor
        )
    return account


@transaction.atomic
def update_account(account, *, actor):
    """Store a volunteer's edit of an account (protocol, endpoint, public key, suspension).

    Requires the network role. Every field is validated first (``ValidationError``
    by field, nothing stored); a new public key drops the private key the server
    held (it no longer matches). The endpoints before and after are provisioned.
    """
    require_perm(actor, "netops.change_vpnaccount")
    before = (
        VPNAccount.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=account.pk)
    )
    if account.public_key != before.public_key:
        account.private_key, account.keys_changed_at = "", timezone.now()
    account.full_clean()
    with audit.acting_as(actor):
        account.save()
    reason = _("%(name)s changed by %(who)s") % {
        "name": account.username,
        "who": actor.display_name if actor is not None else "coin",
    }
    _provision(account, reason, actor)
    if before.endpoint is not None and before.endpoint_id != account.endpoint_id:
        provisioning.request_provisioning(before.endpoint, reason=reason, actor=actor)
    return account


def _held(account):
    return list(
        account.subscription.ip_allocations.filter(state=AllocationState.ALLOCATED)
        .select_related("pool")
        .order_by("pool__family", "network")
    )


def client_settings(endpoint):
    """What clients need to know of ``endpoint`` (render.ClientSettings)."""
    return render.ClientSettings(
        public_host=endpoint.public_host,
        listen_port=endpoint.listen_port,
        server_public_key=endpoint.server_public_key,
        dns=tuple(item.strip() for item in endpoint.client_dns.split(",") if item.strip()),
        ca_certificate=endpoint.openvpn_ca,
    )


def client_config(account):
    """(file name, text) of the member's client configuration; ValidationError if none can be made yet."""
    if account.endpoint is None:
        raise ValidationError(
            _(
                "No VPN server is assigned to this account yet: "
                "please contact the volunteers of the association."
            )
        )
    settings_ = client_settings(account.endpoint)
    try:
        if account.protocol == VPNProtocol.OPENVPN:
            return f"{account.username}.ovpn", render.openvpn_client_config(settings_)
        peer = desired.peer_of(account, _held(account))
        return f"{account.username}.conf", render.wireguard_client_config(
            peer, settings_, account.private_key or None
        )
    except render.UnsafeValue:
        raise ValidationError(
            _(
                "Your configuration cannot be made: a setting of the VPN server is not valid. "
                "Please contact the volunteers of the association."
            )
        ) from None


def set_suspended(member, suspended, *, actor=None):
    """Suspend or restore every VPN account of ``member``; queues the endpoints.

    Returns the accounts changed.
    """
    accounts = list(
        VPNAccount.objects.filter(subscription__member=member)
        .exclude(suspended=suspended)
        .select_related("endpoint")
    )
    with transaction.atomic(), audit.acting_as(actor):
        for account in accounts:
            account.suspended = suspended
            account.save(update_fields=["suspended"])
        reason = _("suspension of %(name)s") if suspended else _("restoration of %(name)s")
        jobs = provisioning.request_for_accounts(
            accounts, reason=reason % {"name": member.display_name}, actor=actor
        )
        _remember_jobs(accounts, jobs)
    return accounts


def is_vpn_subscription(subscription):
    """True when the subscription's offer is a VPN."""
    return subscription.offer.kind == OfferKind.VPN


# How provisioning learns what VPN endpoints serve, without importing this app
# (registered for both endpoint kinds by NetopsConfig.ready).
SOURCE = provisioning_desired.Source(
    peers=desired.peers,
    files=desired.files,
    record_status=desired.record_wireguard_status,
    claim_waiting=assign_unserved_accounts,
)
