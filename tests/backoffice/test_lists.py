"""The members list: filters, search, sorting, pagination and the CSV export of what is shown."""

import csv
import io
import re

from django.urls import reverse

from coin.members.choices import MemberStatus

URL = "/gestion/members/"


def _usernames(response):
    return [row.record.username for row in response.context["table"].paginated_rows]


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_list_is_served_at_gestion(role_holder):
    assert reverse("backoffice:member_list") == URL


def test_filters_by_status_and_kind_and_searches_names_email_and_username(make_member, role_holder):
    client = role_holder("admissions")
    make_member("zoe", first_name="Zoé", last_name="Martin", status=MemberStatus.APPLICANT)
    make_member("acme", kind="organisation", organisation_name="Acme coopérative")
    paul = make_member("paul", first_name="Paul", last_name="Durand")
    type(paul).objects.filter(pk=paul.pk).update(email="pdurand@example.net")  # test setup
    assert _usernames(client.get(URL, {"status": "applicant"})) == ["zoe"]
    assert _usernames(client.get(URL, {"kind": "organisation"})) == ["acme"]
    assert _usernames(client.get(URL, {"q": "coopérative"})) == ["acme"]
    assert _usernames(client.get(URL, {"q": "pdurand@"})) == ["paul"]
    assert _usernames(client.get(URL, {"q": "martin zoé"})) == ["zoe"]
    assert _usernames(client.get(URL, {"q": "ZOE"})) == ["zoe"]  # the username, any case
    # An unknown status is a form error on the filter, not a 500 nor a silent "everything".
    for query in ({"status": "nonsense"}, {"status": "nonsense", "export": "csv"}):
        response = client.get(URL, query)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert response.context["filterset"].form.errors["status"]
        assert _usernames(response) == []


def test_sorts_by_a_column_both_ways(make_member, role_holder):
    client = role_holder("admissions")
    for name in ("bea", "carl", "abel"):
        make_member(name)
    ascending = [u for u in _usernames(client.get(URL, {"sort": "username"})) if len(u) <= 4]
    descending = [u for u in _usernames(client.get(URL, {"sort": "-username"})) if len(u) <= 4]
    assert ascending == ["abel", "bea", "carl"]
    assert descending == ["carl", "bea", "abel"]


def test_paginates_by_fifty(make_member, role_holder):
    client = role_holder("admissions")
    for _i in range(60):
        make_member()
    first, second = client.get(URL), client.get(URL, {"page": 2})
    assert len(_usernames(first)) == 50
    assert len(_usernames(second)) == 11
    assert not set(_usernames(first)) & set(_usernames(second))


def test_csv_export_has_every_filtered_row_sorted_not_just_one_page(make_member, role_holder):
    client = role_holder("admissions")
    for n in range(55):
        make_member(f"cand{n:02}", status=MemberStatus.APPLICANT)
    make_member("active1")
    rows = _csv(client.get(URL, {"status": "applicant", "sort": "-username", "export": "csv"}))
    header, body = rows[0], rows[1:]
    assert "Statut" in header or "Status" in header
    assert [row[0] for row in body] == [f"cand{n:02}" for n in reversed(range(55))]
    assert {row[header.index("Statut" if "Statut" in header else "Status")] for row in body} == {
        str(MemberStatus.APPLICANT.label)
    }


def test_csv_export_defuses_spreadsheet_formulas(make_member, role_holder):
    client = role_holder("admissions")
    make_member("mallory", first_name="=HYPERLINK(1)", last_name="+1")
    rows = _csv(client.get(URL, {"q": "mallory", "export": "csv"}))
    assert rows[1][1] == "'=HYPERLINK(1) +1"


def test_the_applicants_list_holds_only_applicants(make_member, role_holder):
    client = role_holder("admissions")
    make_member("newcomer", status=MemberStatus.APPLICANT)
    make_member("old")
    assert _usernames(client.get(reverse("backoffice:applicant_list"))) == ["newcomer"]


def test_the_menu_shows_only_the_lists_the_roles_allow(role_holder):
    admissions = role_holder("admissions").get(reverse("backoffice:home"))
    network = role_holder("network").get(reverse("backoffice:home"))
    admissions_links = {
        url for _group, entries in admissions.context["menu"] for _t, url in entries
    }
    network_links = {url for _group, entries in network.context["menu"] for _t, url in entries}
    assert reverse("backoffice:applicant_list") in admissions_links
    assert reverse("backoffice:applicant_list") not in network_links
    assert reverse("backoffice:member_list") in network_links
    assert reverse("backoffice:applicant_list") not in network.content.decode()


def test_the_subscriptions_list_filters_by_offer_and_member_and_exports(world, role_holder):
    client = role_holder("network")
    url = reverse("backoffice:subscription_list")
    response = client.get(url, {"offer": world.dsl_offer.pk})
    assert [row.record for row in response.context["table"].paginated_rows] == [world.subscription]
    assert client.get(url, {"offer": world.vpn_offer.pk}).context["table"].paginator.count == 0
    assert client.get(url, {"q": "applicant"}).context["table"].paginator.count == 0
    rows = _csv(client.get(url, {"q": world.member.username, "export": "csv"}))
    assert rows[1][:2] == [world.member.username, world.dsl_offer.name]
    assert rows[1][3] == "32.00"  # a number a spreadsheet can add up, not "32,00 €"


def test_amounts_are_written_as_everywhere_else_in_the_readers_language(world, make_member, login):
    url = reverse("backoffice:subscription_list")
    for language, price in (("fr", "32,00 €"), ("en", "€32.00")):
        reader = login(make_member(roles=["network"], language=language))
        page = reader.get(url).content.decode()
        assert re.search(rf'<td class="number"[^>]*>{re.escape(price)}</td>', page), language
        member_page = reader.get(reverse("backoffice:member_detail", args=[world.member.pk]))
        assert price in member_page.content.decode(), language


def test_odd_query_strings_give_a_page_not_an_error_nor_every_row(make_member, role_holder):
    client = role_holder("admissions")
    for _i in range(60):
        make_member()
    assert len(_usernames(client.get(URL, {"per_page": 100000}))) == 50
    assert len(_usernames(client.get(URL, {"page": 999}))) == 11  # the last page
    assert len(_usernames(client.get(URL, {"page": "abc"}))) == 50
    assert len(_usernames(client.get(URL, {"page": -3}))) == 50
    assert client.get(URL, {"sort": "password"}).status_code == 200
    assert client.get(URL, {"q": "x" * 500}).context["filterset"].form.errors["q"]
