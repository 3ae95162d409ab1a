"""The FreeRADIUS users file of DSL lines: every value escaped or refused, output stable."""

import pytest

from netops.dsl import render
from netops.dsl.choices import SuspendedLines

ALICE = render.Line(
    login="alice-1",
    password="s3cretPassw0rd",
    ipv4=("198.51.100.10/32",),
    ipv6=("2001:db8:200::/56",),
)


def test_an_active_line_gets_its_password_address_link_prefix_and_delegated_prefix():
    text = render.users_file([ALICE])
    assert text.startswith("# Managed by coin")
    assert (
        "\"alice-1\" Cleartext-Password := 's3cretPassw0rd'\n"
        "\tFramed-IP-Address = 198.51.100.10,\n"
        "\tFramed-IPv6-Prefix = 2001:db8:200::/64,\n"
        "\tDelegated-IPv6-Prefix = 2001:db8:200::/56\n"
    ) in text


def test_a_password_with_quotes_backslashes_and_percent_signs_stays_one_literal_value():
    line = render.Line(login="bob-2", password="a'b\"c\\d%{User-Name}e")
    text = render.users_file([line])
    # Single quotes: FreeRADIUS expands nothing inside; only \ and ' are escaped.
    assert "\"bob-2\" Cleartext-Password := 'a\\'b\"c\\\\d%{User-Name}e'\n" in text
    assert text.count('\n"') == 1  # one entry, no line added by the password


@pytest.mark.parametrize(
    "password",
    ["two\nlines", "tab\there", "nul\x00", "é-accent", "x" * 129, ""],
)
def test_a_password_that_cannot_be_written_safely_is_refused_without_being_echoed(password):
    with pytest.raises(render.UnsafeValue) as error:
        render.users_file([render.Line(login="carol-3", password=password)])
    if password:
        assert password not in str(error.value)


@pytest.mark.parametrize(
    "login", ['bad"login', "two\nlines", "UPPER", "a b", "x@", "-leading", "a" * 65]
)
def test_a_login_that_is_not_a_plain_word_is_refused(login):
    with pytest.raises(render.UnsafeValue):
        render.users_file([render.Line(login=login, password="s3cretPassw0rd")])


def test_an_address_that_does_not_parse_or_is_of_the_wrong_family_is_refused():
    for line in (
        render.Line(login="d-4", password="s3cretPassw0rd", ipv4=("198.51.100.1/32\nx",)),
        render.Line(login="d-4", password="s3cretPassw0rd", ipv4=("2001:db8::/64",)),
        render.Line(login="d-4", password="s3cretPassw0rd", ipv6=("not-a-prefix",)),
    ):
        with pytest.raises(render.UnsafeValue):
            render.users_file([line])


def test_a_suspended_line_is_rejected_or_restricted_to_the_walled_garden_per_the_policy():
    suspended = render.Line(login="eve-5", password="s3cretPassw0rd", suspended=True)
    rejected = render.users_file([suspended], suspended=SuspendedLines.REJECT)
    assert '"eve-5" Auth-Type := Reject\n' in rejected
    assert "s3cretPassw0rd" not in rejected
    garden = render.users_file(
        [suspended], suspended=SuspendedLines.WALLED_GARDEN, walled_garden_pool="garden"
    )
    assert '"eve-5" Cleartext-Password := \'s3cretPassw0rd\'\n\tFramed-Pool = "garden"\n' in (
        garden
    )
    assert "Framed-IP-Address" not in garden
    with pytest.raises(render.UnsafeValue):
        render.users_file(
            [suspended], suspended=SuspendedLines.WALLED_GARDEN, walled_garden_pool='x" y'
        )
    with pytest.raises(render.UnsafeValue):
        render.users_file([suspended], suspended="accept-anyway")


def test_extra_prefixes_become_routes_and_an_explicit_link_prefix_is_used_as_is():
    line = render.Line(
        login="f-6",
        password="s3cretPassw0rd",
        ipv4=("198.51.100.10/32", "203.0.113.16/29"),
        ipv6=("2001:db8:1::/64", "2001:db8:2::/48"),
    )
    assert render.address_attributes(line) == [
        ("Framed-IP-Address", "198.51.100.10"),
        ("Framed-Route", '"203.0.113.16/29 0.0.0.0 1"'),
        ("Framed-IPv6-Prefix", "2001:db8:1::/64"),
        ("Delegated-IPv6-Prefix", "2001:db8:2::/48"),
    ]


def test_the_same_lines_in_any_order_render_the_same_bytes():
    other = render.Line(login="zed-9", password="anotherPassw0rd")
    assert render.users_file([ALICE, other]) == render.users_file([other, ALICE])
