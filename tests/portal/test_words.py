"""The words people read: every page of the demo ISP, in French and in English.

Walks the member portal, the volunteer area and the back office as the demo's
members and volunteers and fails on English left in French pages, on ISO or
American dates inside sentences, and on the software's name where the
association's belongs.
"""

import html
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from coin.members.models import Member

ISP = "Rézo Libre"
MEMBERS = ("alix", "benoit", "fabrique")
VOLUNTEERS = ("sasha", "camille", "dominique", "claude")

# English words that were shown as is on French pages (field labels without a
# translation, Python's None, the stored English name of a built-in role...).
ENGLISH_ON_FRENCH_PAGES = re.compile(
    r"\b(Duration|None|Invoice|Mandate|Member|Role|Statement|Pk|Collegial board|"
    r"Admissions|Network|your private key|Forbidden|Not Found)\b"
)
FRENCH_SLIPS = re.compile(
    r"Ajout de [aeiouéèêhAEIOUÉ]|Modification de [aeiouéèêh]|Affichage de [aeiouéèêh]|"
    r"\b1 (préfixes|rapprochées|lignes|nouvelles|factures)\b|\b0 octet reçus|"
    r"factures sélectionnés|\bMandats\b(?! SEPA)"
)
PYTHON_NONE = re.compile(r"\bNone\b(?! available)")  # "None available": Django's English
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
AMERICAN_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
    r"|\b\d{1,2}:\d{2} [ap]\.m\.|\bmidnight\b|\bnoon\b"
)
# Members read the association's name; volunteers also read about the software
# itself (its SSH key, the files it writes on a server), so there only the page
# title and the header are checked. Mandate references (COIN-...) are data.
SOFTWARE_NAME = re.compile(r"\bcoin\b")

ADMIN_PAGE = re.compile(r"^/admin/(\w+/(\w+/((add|\d+/change)/)?)?)?$")


def visible_text(page):
    """What a reader sees: no tags, scripts or styles; entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(title.group(1) if title else ""), " ".join(html.unescape(body).split())


def problems(url, page, language):
    """The wrong words of one page, each with a little context."""
    title, text = visible_text(page)
    found, rules = [], [(ISO_DATE, "ISO date")]
    header = re.search(r'<(div id="site-name"|a class="brand")[^>]*>(.*?)</(div|a)>', page, re.S)
    named = f"{title} · {visible_text(header.group(2))[1] if header else ''}"
    if SOFTWARE_NAME.search(named) or named.count(ISP) < 2:
        found.append(f"{url}: title and header {named!r} do not name the association")
    if not url.startswith("/admin/"):
        rules.append((SOFTWARE_NAME, "'coin' instead of the association's name"))
    if language == "fr":
        rules += [(ENGLISH_ON_FRENCH_PAGES, "English"), (FRENCH_SLIPS, "French slip")]
    else:
        rules += [(AMERICAN_DATE, "American date"), (PYTHON_NONE, "Python's None")]
    # Code and file excerpts (a key's comment, a zone file's header) are data, not wording.
    prose = visible_text(re.sub(r"<(pre|code)\b.*?</\1>", " ", page, flags=re.S))[1]
    for pattern, what in rules:
        read = prose if pattern is SOFTWARE_NAME else text
        for match in pattern.finditer(read):
            context = read[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"{url}: {what}: …{context}…")
    return found


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # the demo refuses to load otherwise
    settings.COIN_ISP_NAME = ISP
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False


def links(page, prefix):
    return {
        html.unescape(href)
        for href in re.findall('href="(' + re.escape(prefix) + '[^"#?]*)"', page)
        if "logout" not in href
    }


def walk_portal(client, language):
    found, todo, seen = [], [reverse("portal:dashboard"), reverse("portal:profile")], set()
    while todo:
        url = todo.pop()
        if url in seen or url.startswith(("/admin/", "/static/", "/media/")):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        found += problems(url, page, language)
        todo += sorted(links(page, "/") - seen)
    return seen, found


def walk_volunteer_area(client, language):
    found, todo, seen = [], [reverse("admin:index")], set()
    while todo:
        url = todo.pop()
        if url in seen or not ADMIN_PAGE.match(url):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        if not url.startswith("/admin/members/auditevent/") or url.endswith("auditevent/"):
            # An audit event's detail shows the recorded field diff as JSON: data, not prose.
            found += problems(url, page, language)
        new = sorted(links(page, "/admin/") - seen)
        # Two objects per list are enough: the same template renders them all.
        changes = [u for u in new if u.endswith("/change/")]
        todo += [u for u in new if not u.endswith("/change/")] + changes[:2]
    return seen, found


def walk_back_office(client, language):
    """Every back-office page the volunteer may open: lists, two objects each, action pages."""
    found, todo, seen = [], [reverse("backoffice:home")], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue  # a download (an invoice's PDF, a batch's XML, a CSV export)
        found += problems(url, response.content.decode(), language)
        new = sorted(links(response.content.decode(), "/gestion/") - seen)
        objects = [u for u in new if re.search(r"/\d+/$", u)]
        todo += [u for u in new if u not in objects] + objects[:2]
    return seen, found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_speaks_the_readers_language_with_local_dates_and_the_associations_name(
    demo, login, language
):
    Member.objects.update(language=language)
    found = []
    for username in MEMBERS:
        pages, member_found = walk_portal(login(Member.objects.get(username=username)), language)
        found += member_found
        assert len(pages) > 5, pages  # the walk reached the member's pages
    admin_seen, back_office_seen = set(), set()
    for username in VOLUNTEERS:
        client = login(Member.objects.get(username=username))
        pages, volunteer_found = walk_volunteer_area(client, language)
        admin_seen |= pages
        found += volunteer_found
        pages, back_office_found = walk_back_office(client, language)
        back_office_seen |= pages
        found += back_office_found
    assert len(admin_seen) > 40, admin_seen  # and the volunteers' lists, forms and objects
    assert len(back_office_seen) > 8, back_office_seen  # and the back office's pages
    found = sorted(set(found))
    assert not found, "\n".join(found[:60])


def test_a_built_in_role_is_named_in_the_readers_language_unless_renamed(demo):
    from django.utils import translation

    from coin.members.models import Role

    board = Role.objects.get(slug="board")
    with translation.override("fr"):
        assert str(board) == "Collégiale"
    with translation.override("en"):
        assert str(board) == "Collegial board"
    board.name = "Conseil d'administration"
    board.save()
    with translation.override("en"):
        assert str(board) == "Conseil d'administration"  # the board's own choice stays


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_public_pages_speak_the_visitors_language_and_name_the_association(demo, language):
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    found = []
    for url in ("/", reverse("portal:apply"), reverse("portal:application_sent")):
        response = visitor.get(url)
        assert response.status_code == 200, url
        found += problems(url, response.content.decode(), language)
    assert found == []
