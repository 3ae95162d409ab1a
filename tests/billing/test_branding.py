"""Pages carry the association's name from its settings, not "coin"."""

from django.urls import reverse


def test_pages_show_the_associations_name(make_member, login, association, settings):
    settings.COIN_ISP_NAME = "coin"
    page = login(make_member()).get(reverse("portal:dashboard")).content.decode()
    assert "<title>" in page and "· Rézo Libre</title>" in page
    assert '<a class="brand"' in page and ">Rézo Libre</a>" in page
