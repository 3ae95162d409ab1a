"""Error pages are the association's pages, in the reader's language, never a bare "403 Forbidden"."""

from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

ISP = "Rézo Libre"


def test_a_missing_page_says_so_in_french_then_in_english(db, settings):
    settings.COIN_ISP_NAME = ISP
    client = Client()
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in page and ISP in page and "Not Found" not in page
    client.post(reverse("portal:set_language"), {"language": "en"})
    page = client.get("/no/such/page/").content.decode()
    assert "Page not found" in page and "Page introuvable" not in page


def test_a_volunteer_without_the_right_gets_a_translated_refusal(make_member, login, settings):
    settings.COIN_ISP_NAME = ISP
    client = login(make_member(roles=["admissions"], language="fr"))
    response = client.get(reverse("admin:billing_invoice_changelist"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Accès refusé" in page and ISP in page
    assert "Forbidden" not in page


def test_a_server_error_page_is_translated():
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    for language, words in (("fr", "Erreur du serveur"), ("en", "Server error")):
        with translation.override(language):
            response = server_error(request)
        assert response.status_code == 500
        assert words in response.content.decode()
