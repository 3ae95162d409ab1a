from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "coin.offers"
    label = "offers"
    verbose_name = _("Offers and subscriptions")

    def ready(self):
        from coin.members import audit

        from .models import Offer, Subscription, SubscriptionPrice

        audit.register(Offer)
        audit.register(Subscription)
        audit.register(SubscriptionPrice)
