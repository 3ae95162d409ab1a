"""Mail to members goes through one helper: the member's language, the association's name."""

from django.core import mail

from coin import association
from coin.association import association_name, register_name_source
from coin.members import services
from coin.members.choices import MemberStatus


def test_the_welcome_mail_is_in_the_members_language_and_the_associations_name(
    make_member, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COIN_ISP_NAME = "Rézo du Coin"
    member = make_member(status=MemberStatus.APPLICANT, language="fr")
    services.send_welcome_email(member)
    (message,) = mail.outbox
    assert message.subject == "Bienvenue chez Rézo du Coin"
    assert message.from_email.startswith('"Rézo du Coin" <')


def test_a_registered_source_names_the_association_before_the_setting(db, settings):
    settings.COIN_ISP_NAME = "fallback"
    assert association_name() == "fallback"  # no source knows a name yet (no billing settings)

    def source():
        return "Rézo Libre"

    register_name_source(source)
    try:
        assert association_name() == "Rézo Libre"
    finally:
        association._name_sources.remove(source)
