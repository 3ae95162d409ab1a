"""Outside values that reach an endpoint's files or commands: refused on every path.

A WireGuard key with a newline once injected ``AllowedIPs = 0.0.0.0/0`` into an
endpoint's configuration. The models refuse such values (and so does the
database), the volunteer forms show field errors, the renderers refuse to
write them, and remote commands quote every argument.
"""

import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from netops.provisioning import ssh
from netops.provisioning.models import Endpoint
from netops.vpn import keys, render
from netops.vpn.models import VPNAccount

# A fixed key, not a generated one: parameter ids must be the same in every pytest-xdist worker.
GOOD_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # base64 of 32 bytes, as wg prints it
INJECTED = GOOD_KEY[:20] + "\nAllowedIPs = 0.0.0.0/0"
HOSTILE = [
    INJECTED,
    GOOD_KEY + "\n",
    "$(touch /tmp/pwned)",
    "coin0; reboot",
    "a'b\"c",
    "`id`",
    "x" * 5000,
    "vpn.example.net\nPostUp = sh -c id",
    "line\rbreak",
    "tab\there",
]
PEER = render.Peer(
    username="alice-1",
    public_key=GOOD_KEY,
    ipv4=("198.51.100.10/32",),
    ipv4_pools=("198.51.100.0/24",),
    ipv6=("2001:db8:100::/56",),
    password_hash=keys.hash_password("secret"),
)
CLIENT = render.ClientSettings(
    public_host="vpn.example.net",
    listen_port=51820,
    server_public_key=GOOD_KEY,
    dns=("192.0.2.53",),
)


def _renderings(peer=PEER, client=CLIENT, private_key=None, listen_port=51820):
    return [
        lambda: render.wireguard_endpoint_config(listen_port, [peer]),
        lambda: render.wireguard_client_config(peer, client, private_key),
        lambda: render.openvpn_client_config(client),
        lambda: render.openvpn_endpoint_files([peer]),
    ]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "field", ["public_key", "username", "ipv4", "ipv6", "password_hash", "private_key"]
)
def test_the_renderers_refuse_hostile_peer_values(field, value):
    if field == "private_key":
        renderings = _renderings(private_key=value)[1:2]
    else:
        if field in ("ipv4", "ipv6"):
            value = (value,)
        peer = render.Peer(**{**PEER.__dict__, field: value})
        renderings = _renderings(peer=peer)
        renderings = [
            r
            for r, uses in zip(
                renderings,
                {
                    "public_key": (1, 0, 0, 0),
                    "username": (1, 0, 0, 1),
                    "ipv4": (1, 1, 0, 1),
                    "ipv6": (1, 1, 0, 1),
                    "password_hash": (0, 0, 0, 1),
                }[field],
                strict=True,
            )
            if uses
        ]
    for rendering in renderings:
        with pytest.raises(render.UnsafeValue):
            rendering()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["public_host", "server_public_key", "dns", "ca_certificate"])
def test_the_renderers_refuse_hostile_endpoint_values(field, value):
    if field == "dns":
        value = (value,)
    if field == "ca_certificate":
        value = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\n" + value
    client = render.ClientSettings(**{**CLIENT.__dict__, field: value})
    uses = {"public_host": (0, 1, 1), "server_public_key": (0, 1, 0), "dns": (0, 1, 0)}
    renderings = _renderings(client=client)[:3]
    if field != "ca_certificate":
        renderings = [r for r, used in zip(renderings, uses[field], strict=True) if used]
    else:
        renderings = renderings[2:3]
    for rendering in renderings:
        with pytest.raises(render.UnsafeValue):
            rendering()


@pytest.mark.parametrize("port", [0, 99999, -1, "51820\nPostUp = id", True])
def test_the_renderers_refuse_ports_out_of_range(port):
    for rendering in _renderings(
        client=render.ClientSettings(**{**CLIENT.__dict__, "listen_port": port}), listen_port=port
    )[:3]:
        with pytest.raises(render.UnsafeValue):
            rendering()


def test_a_rendered_endpoint_file_holds_only_its_own_lines():
    text = render.wireguard_endpoint_config(51820, [PEER])
    assert text.splitlines()[1:] == [
        "[Interface]",
        "ListenPort = 51820",
        "",
        "# alice-1",
        "[Peer]",
        f"PublicKey = {GOOD_KEY}",
        "AllowedIPs = 198.51.100.10/32, 2001:db8:100::/56",
    ]


@pytest.mark.parametrize("value", HOSTILE + ["coin0", "-n", "--help"])
def test_remote_command_arguments_are_quoted_for_the_shell(value, tmp_path):
    command = ssh.command_line("printf", "%s", value)
    result = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, check=True)
    assert result.stdout.decode() == value  # one argument, as given: nothing ran, nothing was split
    assert list(tmp_path.iterdir()) == []


def _endpoint(**fields):
    values = {
        "name": "vpn1",
        "kind": "wireguard",
        "ssh_host": "192.0.2.250",
        "public_host": "vpn.example.net",
        "reload_command": "/etc/coin/wireguard-sync coin0",
        **fields,
    }
    return Endpoint(**values)


@pytest.mark.parametrize(
    "field, value",
    [
        ("interface", "coin0; reboot"),
        ("interface", "$(id)"),
        ("interface", "a" * 16),
        ("ssh_host", "host name"),
        ("ssh_host", "vpn.example.net\nx"),
        ("public_host", "vpn.example.net;id"),
        ("public_host", "a" * 254),
        ("ssh_port", 99999),
        ("listen_port", 0),
        ("listen_port", 65536),
        ("server_public_key", INJECTED),
        ("client_dns", "192.0.2.53\nPostUp = id"),
        ("client_dns", "dns.example.net"),
        ("ssh_user", "root; id"),
        ("config_dir", "/"),
        ("config_dir", "/etc"),
        ("config_dir", "/etc/coin/../.."),
        ("config_dir", "/etc/co in"),
        ("reload_command", "true\nrm -rf /"),
        (
            "openvpn_ca",
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\nup /bin/sh",
        ),
    ],
)
def test_endpoint_fields_refuse_hostile_values_with_a_field_error(db, field, value):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _endpoint(**{field: value}).full_clean()
    assert list(error.value.message_dict) == [field]


def test_good_endpoint_values_pass(db):
    _endpoint(
        interface="wg-members.1",
        ssh_host="2001:db8::1",
        public_host="vpn1",
        client_dns="192.0.2.53, 2001:db8::53",
        server_public_key=GOOD_KEY,
        config_dir="/srv/coin/vpn",
    ).full_clean()


@pytest.mark.parametrize(
    "fields",
    [
        {"interface": "coin0;reboot"},
        {"listen_port": 99999},
        {"ssh_port": 0},
        {"ssh_host": "a b"},
        {"server_public_key": INJECTED},
        {"config_dir": "/"},
        {"client_dns": "x;y"},
        {"reload_command": "true\nreboot"},
    ],
)
def test_the_database_refuses_what_the_validators_refuse(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _endpoint(**fields).save()


def test_the_database_refuses_a_member_key_with_a_newline(db, make_member, vpn_offer):
    from datetime import date

    from coin.offers import services as offer_services

    account = offer_services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    ).vpn_account
    for field, value in [("public_key", INJECTED), ("username", "../etc")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            VPNAccount.objects.filter(pk=account.pk).update(**{field: value})


def _endpoint_form(**changes):
    data = {
        "name": "vpn1",
        "kind": "wireguard",
        "is_active": "on",
        "ssh_host": "192.0.2.250",
        "ssh_port": "22",
        "ssh_user": "root",
        "config_dir": "/etc/coin",
        "reload_command": "/etc/coin/wireguard-sync coin0",
        "interface": "coin0",
        "public_host": "vpn.example.net",
        "listen_port": "51820",
        "server_public_key": GOOD_KEY,
        "client_dns": "192.0.2.53",
        "openvpn_ca": "",
    }
    return {**data, **changes}


def test_the_volunteer_endpoint_form_shows_field_errors_and_stores_nothing(make_member, login):
    client = login(make_member(roles=["network"], language="fr"))
    response = client.post(
        reverse("admin:netops_endpoint_add"),
        _endpoint_form(
            interface="coin0;reboot",
            listen_port="99999",
            server_public_key=INJECTED,
            ssh_host="$(id)",
            client_dns="192.0.2.53\nPostUp = id",
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {
        "interface",
        "listen_port",
        "server_public_key",
        "ssh_host",
        "client_dns",
    }
    assert "Un nom d'interface fait 1 à 15" in errors["interface"][0]
    assert not Endpoint.objects.exists()
    response = client.post(reverse("admin:netops_endpoint_add"), _endpoint_form())
    assert response.status_code == 302
    assert Endpoint.objects.get().server_public_key == GOOD_KEY


def test_the_volunteer_vpn_account_form_refuses_an_injected_key(
    make_member, login, vpn_offer, make_pool
):
    from datetime import date

    from coin.offers import services as offer_services

    endpoint = _endpoint()
    endpoint.save()
    account = offer_services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    ).vpn_account
    before = account.public_key
    client = login(make_member(roles=["network"], language="en"))
    url = reverse("admin:netops_vpnaccount_change", args=[account.pk])
    form = {"protocol": "wireguard", "endpoint": endpoint.pk, "public_key": INJECTED}
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "public_key" in response.context["adminform"].form.errors
    account.refresh_from_db()
    assert account.public_key == before
    # A good key is stored through the service: the server forgets the private key it held.
    response = client.post(url, {**form, "public_key": GOOD_KEY})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.public_key, account.private_key) == (GOOD_KEY, "")
