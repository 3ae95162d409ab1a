"""The association's name, as members know it: page brand, mail sender and signature.

It comes from the first registered source that knows it (billing registers
its ``AssociationSettings.legal_name`` in ``BillingConfig.ready``), else from
the ``COIN_ISP_NAME`` setting; so core never imports the apps.
"""

from django.conf import settings

_name_sources = []


def register_name_source(source):
    """Add ``source``, a callable returning the association's name or "" (idempotent)."""
    if source not in _name_sources:
        _name_sources.append(source)


def association_name():
    """The association's name, as members know it: never "coin" unless nothing else is set."""
    for source in _name_sources:
        name = source()
        if name:
            return name
    return settings.COIN_ISP_NAME
