"""Issue 16 item 1: /isp.json in the FFDN ISP format 0.1, valid against its schema (with
GeoJSON areas), counts from the database, and conditional GETs a crawler can use."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import http_date

from coin.federation import services
from coin.federation.models import CoveredArea
from coin.members.choices import MemberStatus

PARIS_EAST = {
    "type": "Polygon",
    "coordinates": [[[2.37, 48.84], [2.42, 48.84], [2.42, 48.88], [2.37, 48.88], [2.37, 48.84]]],
}
TWO_ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[2.0, 48.0], [2.1, 48.0], [2.1, 48.1], [2.0, 48.0]]],
        [[[3.0, 48.0], [3.1, 48.0], [3.1, 48.1], [3.0, 48.0]]],
    ],
}


def test_isp_json_is_not_found_before_the_isp_is_described(client, db):
    assert client.get("/isp.json").status_code == 404


def test_isp_json_is_valid_with_areas_and_counts_from_the_database(
    client, profile, isp_schema_validator, make_member, vpn_offer, dsl_offer, subscribe
):
    services.save_covered_area(
        actor=None, name="Paris Est", technologies=["vpn", "dsl"], shape=PARIS_EAST
    )
    services.save_covered_area(actor=None, name="Îles", technologies=["wifi"], shape=TWO_ISLANDS)
    services.save_covered_area(actor=None, name="France", technologies=["vpn"])
    vpn, dsl, both, none = (make_member(name) for name in ("vpn", "dsl", "both", "none"))
    subscribe(vpn, vpn_offer)
    subscribe(dsl, dsl_offer)
    subscribe(both, vpn_offer)
    subscribe(both, dsl_offer)
    ended = make_member("ended")
    subscribe(ended, vpn_offer, starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
    make_member("gone", status=MemberStatus.RESIGNED)

    response = client.get(reverse("federation:isp_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    errors = [error.message for error in isp_schema_validator.iter_errors(document)]
    assert errors == []
    assert document["version"] == 0.1
    assert document["memberCount"] == 5  # active: vpn, dsl, both, none, ended
    assert document["subscriberCount"] == 3  # an Internet access today: vpn, dsl, both
    areas = {area["name"]: area for area in document["coveredAreas"]}
    assert areas["Paris Est"]["area"]["type"] == "Polygon"
    assert areas["Îles"]["area"]["type"] == "MultiPolygon" and "area" not in areas["France"]
    assert document["registeredOffice"]["locality"] == "Paris"
    assert document["coordinates"] == {"latitude": 48.864716, "longitude": 2.3984}
    assert document["chatrooms"][1] == "xmpp:membres@chat.rezo.example?join"


def test_a_crawler_gets_304_until_the_content_changes(client, profile, make_member):
    first = client.get("/isp.json")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and "max-age=3600" in first["Cache-Control"]
    assert client.get("/isp.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/isp.json", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Asking again changes nothing: the same ETag, the same date.
    again = client.get("/isp.json")
    assert (again["ETag"], again["Last-Modified"]) == (etag, modified)

    make_member("newcomer")  # one more member: the content changes
    changed = client.get("/isp.json", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["memberCount"] == 1
    assert changed["ETag"] != etag
    old = http_date(0)
    assert client.get("/isp.json", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_what_would_break_isp_json_is_refused_on_its_field(profile):
    with pytest.raises(ValidationError) as too_long:
        services.update_profile(actor=None, shortname="A name far too long for it")
    assert "shortname" in too_long.value.message_dict
    with pytest.raises(ValidationError) as bad_url:
        services.update_profile(actor=None, website="javascript:alert(1)")
    assert "website" in bad_url.value.message_dict
    with pytest.raises(ValidationError) as bad_chat:
        services.update_profile(actor=None, chatrooms=["not a uri"])
    assert "chatrooms" in bad_chat.value.message_dict
    with pytest.raises(ValidationError) as point:
        services.save_covered_area(
            actor=None,
            name="Point",
            technologies=["vpn"],
            shape={"type": "Point", "coordinates": [2, 48]},
        )
    assert "area" in point.value.message_dict
    with pytest.raises(ValidationError) as tech:
        services.save_covered_area(actor=None, name="Fibre", technologies=["fibre"])
    assert "technologies" in tech.value.message_dict
    assert not CoveredArea.objects.exists()


def test_the_board_edits_the_description_and_a_bad_area_errs_on_its_field(
    profile, make_member, login
):
    board = login(make_member("sasha", roles=["board"]))
    response = board.post(
        reverse("backoffice:covered_area_add"),
        {"name": "Lyon", "technologies": ["vpn"], "shape": '{"type": "Polygon"', "position": "0"},
    )
    assert response.status_code == 200
    assert "shape" in response.context["form"].errors
    response = board.post(
        reverse("backoffice:covered_area_add"),
        {
            "name": "Lyon",
            "technologies": ["vpn"],
            "shape": '{"type": "Point", "coordinates": [4, 45]}',
            "position": "0",
        },
    )
    assert "shape" in response.context["form"].errors and not CoveredArea.objects.exists()
    page = board.get(reverse("backoffice:isp_profile")).content.decode()
    assert "Rézo Libre" in page and "/isp.json" in page
    # Finances may not touch the public description.
    finances = login(make_member("claude", roles=["finances"]))
    assert finances.get(reverse("backoffice:isp_profile_edit")).status_code == 403
    assert finances.post(reverse("backoffice:isp_profile_edit"), {"name": "x"}).status_code == 403


def test_members_who_left_are_not_counted_and_the_document_stays_cached_a_while(
    client, profile, make_member
):
    make_member("a")
    make_member("b", status=MemberStatus.EXCLUDED)
    make_member("c", status=MemberStatus.APPLICANT)
    assert client.get("/isp.json").json()["memberCount"] == 1
