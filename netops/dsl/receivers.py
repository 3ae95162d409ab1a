"""DSL lines follow subscriptions: ordered when a DSL subscription starts, gone from RADIUS when
it ends."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from coin.offers.signals import subscription_ended, subscription_started

from . import services
from .choices import IN_SERVICE
from .models import DSLLine


@receiver(subscription_started, dispatch_uid="dsl-create-line")
def create_dsl_line(sender, subscription, actor, **kwargs):
    """A DSL subscription gets its line, “ordered”, with its PPP credentials."""
    if services.is_dsl_subscription(subscription):
        services.open_line(subscription, actor=actor)


@receiver(subscription_ended, dispatch_uid="dsl-deprovision-line")
def deprovision_dsl_line(sender, subscription, actor, **kwargs):
    """An ended subscription's line leaves the RADIUS servers (now if the last day is past,
    else at the hourly run, which renders only current subscriptions)."""
    line = DSLLine.objects.filter(subscription=subscription, status__in=IN_SERVICE).first()
    if line is not None:
        services.provision_radius(
            reason=_("end of %(login)s") % {"login": line.ppp_login}, actor=actor
        )
