"""A member logs in and finds their VPN configuration and their invoice."""

from pathlib import Path

from playwright.sync_api import expect

from .conftest import log_in


def test_a_member_logs_in_and_gets_their_vpn_configuration_and_invoice(browse, subscriber):
    account = subscriber.subscriptions.get().vpn_account
    invoice = subscriber.invoices.get()
    page = browse()
    log_in(page, subscriber)
    expect(page.get_by_role("heading", name="Bonjour, Alice Martin")).to_be_visible()
    expect(page.get_by_role("heading", name="Mon VPN")).to_be_visible()

    page.get_by_role("link", name=account.username).click()
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    qr.evaluate("image => image.decode()")  # waits for the picture; fails if it is broken
    assert qr.evaluate("image => image.naturalWidth") > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le fichier de configuration").click()
    assert download.value.suggested_filename == f"{account.username}.conf"
    config = Path(download.value.path()).read_text()
    assert f"PrivateKey = {account.private_key}" in config
    assert "Address = 192.0.2.2/32" in config
    assert "Endpoint = vpn.example.net" in config

    page.get_by_role("link", name="Mon compte").first.click()
    invoices = page.locator("table.invoices")
    expect(invoices).to_contain_text(invoice.number)
    expect(invoices).to_contain_text("30,00")
    pdf_link = invoices.locator("tr", has_text=invoice.number).get_by_role("link", name="PDF")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
