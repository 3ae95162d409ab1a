"""Incident notes: posted and closed by the network volunteers, shown to the members they
concern. Every change here is audited and checks the actor's right."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_perm
from netops.dsl.models import DSLLine
from netops.provisioning.choices import EndpointKind
from netops.provisioning.models import Endpoint
from netops.vpn.models import VPNAccount

from .models import Incident


def _clean_text(value, field, limit):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    if any(ord(char) < 32 and char not in "\n\r\t" for char in value):
        raise ValidationError({field: _("The text holds control characters.")})
    return value


@transaction.atomic
def post_incident(*, actor, title, text, endpoints=(), starts_at=None):
    """Post an incident note, open from ``starts_at`` (now by default, never more than a
    week ahead) until it is closed; it names the endpoints concerned (none: everyone)."""
    require_perm(actor, "monitoring.add_incident")
    now = timezone.now()
    starts_at = starts_at or now
    if starts_at > now + timedelta(days=7):
        raise ValidationError({"starts_at": _("An incident is posted at most a week ahead.")})
    incident = Incident(
        title=_clean_text(title, "title", 120),
        text=_clean_text(text, "text", 2000),
        starts_at=starts_at,
        created_by=actor,
    )
    with audit.acting_as(actor):
        incident.save()
        incident.endpoints.set(Endpoint.objects.filter(pk__in=[e.pk for e in endpoints]))
    return incident


@transaction.atomic
def close_incident(incident, *, actor, ends_at=None):
    """Say the incident is over (now by default, never before it began); once."""
    require_perm(actor, "monitoring.change_incident")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.ends_at is not None:
        raise ValidationError(_("This incident is already over."))
    ends_at = ends_at or timezone.now()
    if ends_at < incident.starts_at:
        raise ValidationError({"ends_at": _("An incident cannot end before it began.")})
    incident.ends_at = ends_at
    with audit.acting_as(actor):
        incident.save(update_fields=["ends_at"])
    return incident


def incidents_for(member, now=None):
    """The open incidents that concern ``member``: those naming an endpoint their service goes
    through (their VPN accounts' servers; with a DSL line in service, the RADIUS servers) and
    those naming none (everyone). Two queries."""
    now = now or timezone.now()
    vpn = VPNAccount.objects.provisioned().filter(subscription__member=member).values("endpoint")
    concerned = Q(endpoints__in=vpn) | Q(endpoints__isnull=True)
    if DSLLine.objects.in_service().filter(subscription__member=member).exists():
        concerned |= Q(endpoints__kind=EndpointKind.RADIUS)
    return Incident.objects.open_at(now).filter(concerned).distinct().order_by("-starts_at")
