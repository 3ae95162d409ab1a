"""French by default, English when chosen, and no untranslated string in the catalogue."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_pages_are_in_french_by_default_even_for_an_english_browser(db):
    response = Client().get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "Connexion" in response.content.decode()


def test_a_visitor_can_choose_english(db):
    client = Client()
    response = client.post(
        reverse("portal:set_language"), {"language": "en", "next": reverse("portal:login")}
    )
    assert response.status_code == 302
    page = client.get(reverse("portal:login")).content.decode()
    assert "Log in" in page and "Connexion" not in page


def test_a_members_choice_follows_them_to_every_session(make_member, vpn_offer):
    from coin.offers import services

    member = make_member()
    services.subscribe(member, vpn_offer, actor=None)
    client = Client()
    client.post(reverse("portal:login"), {"username": member.username, "password": PASSWORD})
    assert "Mes abonnements" in client.get(reverse("portal:dashboard")).content.decode()
    client.post(reverse("portal:set_language"), {"language": "en"})
    member.refresh_from_db()
    assert member.language == "en"

    other_browser = Client()
    other_browser.post(reverse("portal:login"), {"username": member.username, "password": PASSWORD})
    page = other_browser.get(reverse("portal:dashboard")).content.decode()
    assert "My subscriptions" in page and "VPN" in page


def _entries(po_path):
    """(msgid, msgstr, flags) of every entry of a .po file, header excluded."""
    import re

    text = po_path.read_text()
    entries = []
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0], re.M)
        )
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        if not msgid:
            continue
        entries.append((msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs], flags))
    return entries


def test_every_string_has_a_french_translation(tmp_path):
    """Re-extract the strings from a copy of the code: the French catalogue must be current and complete."""
    catalogue = ROOT / "coin" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    for package in ("coin", "netops", "billing", "datacenter", "monitoring"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    # Run from the copy, so that the copy's settings (and locale folder) are the ones written to.
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(tmp_path), COIN_VAR_DIR=str(tmp_path / "var")),
        check=True,
    )
    extracted = {
        msgid
        for msgid, _s, _f in _entries(
            tmp_path / "coin" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
        )
    }
    shipped = {msgid: (msgstrs, flags) for msgid, msgstrs, flags in _entries(catalogue)}
    missing = sorted(extracted - set(shipped))
    assert not missing, (
        f"strings not in the French catalogue (see docs/translating.md): {missing[:10]}"
    )
    untranslated = sorted(
        m for m in extracted if not all(shipped[m][0]) or "fuzzy" in shipped[m][1]
    )
    assert not untranslated, f"strings without a French translation: {untranslated[:10]}"
