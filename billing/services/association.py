"""The association's billing settings (identity, bank details, terms), edited by the finances role."""

from django.db import transaction

from coin.members import audit
from coin.members.services import require_perm

from ..models import AssociationSettings


@transaction.atomic
def save_association_settings(*, actor, **values):
    """Create or change the settings row with ``values``; every field is validated first.

    The IBAN, BIC and creditor identifier are stored compact and must be valid
    (they are printed on every invoice and written into SEPA files): a bad one
    is a ValidationError on its field and nothing is stored.
    """
    config = AssociationSettings.objects.select_for_update().filter(pk=1).first()
    require_perm(
        actor,
        "billing.add_associationsettings"
        if config is None
        else "billing.change_associationsettings",
    )
    config = config or AssociationSettings(pk=1)
    for name, value in values.items():
        setattr(config, name, value)
    config.full_clean()
    with audit.acting_as(actor):
        config.save()
    return config
