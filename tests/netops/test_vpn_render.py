"""The configuration files coin renders, checked as the programs that read them would."""

import base64

from netops.vpn import keys, render

PEER = render.Peer(
    username="alice-1",
    public_key="A" * 43 + "=",
    ipv4=("198.51.100.10/32",),
    ipv4_pools=("198.51.100.0/24",),
    ipv6=("2001:db8:100::/56",),
)
CLIENT = render.ClientSettings(
    public_host="vpn.example.net",
    listen_port=51820,
    server_public_key="S" * 42 + "A=",
    dns=("192.0.2.53",),
)


def _sections(text):
    """WireGuard ini-like sections as a list of (name, {key: value})."""
    sections = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            sections.append((line.strip("[]"), {}))
        else:
            key, _, value = line.partition("=")
            sections[-1][1][key.strip()] = value.strip()
    return sections


def test_endpoint_config_lists_every_peer_with_its_routed_prefixes_and_no_private_key():
    other = render.Peer(
        username="bob-2",
        public_key="B" * 42 + "A=",
        ipv4=("198.51.100.11/32",),
        ipv4_pools=("198.51.100.0/24",),
    )
    text = render.wireguard_endpoint_config(51820, [other, PEER])
    sections = _sections(text)
    assert sections[0] == ("Interface", {"ListenPort": "51820"})
    assert [s[1] for s in sections[1:]] == [
        {"PublicKey": PEER.public_key, "AllowedIPs": "198.51.100.10/32, 2001:db8:100::/56"},
        {"PublicKey": other.public_key, "AllowedIPs": "198.51.100.11/32"},
    ]
    assert "PrivateKey" not in text


def test_endpoint_config_is_the_same_bytes_whatever_the_order_of_members():
    other = render.Peer(username="bob-2", public_key="B" * 42 + "A=")
    assert render.wireguard_endpoint_config(1, [PEER, other]) == render.wireguard_endpoint_config(
        1, [other, PEER]
    )


def test_a_member_without_a_key_yet_is_left_out():
    keyless = render.Peer(
        username="carol-3", ipv4=("198.51.100.12/32",), ipv4_pools=("198.51.100.0/24",)
    )
    assert "198.51.100.12" not in render.wireguard_endpoint_config(51820, [keyless])


def test_client_config_uses_the_first_address_of_the_routed_ipv6_prefix():
    private, public = keys.generate_wireguard_keypair()
    sections = dict(_sections(render.wireguard_client_config(PEER, CLIENT, private)))
    assert sections["Interface"] == {
        "PrivateKey": private,
        "Address": "198.51.100.10/32, 2001:db8:100::1/128",
        "DNS": "192.0.2.53",
    }
    assert sections["Peer"]["Endpoint"] == "vpn.example.net:51820"
    assert sections["Peer"]["AllowedIPs"] == "0.0.0.0/0, ::/0"
    assert sections["Peer"]["PublicKey"] == CLIENT.server_public_key


def test_client_config_without_the_private_key_says_where_to_put_it():
    from django.utils import translation

    with translation.override("en"):
        text = render.wireguard_client_config(PEER, CLIENT, None)
    assert "PrivateKey = <your private key>" in text


def test_ipv6_endpoint_hosts_are_bracketed():
    client = render.ClientSettings(public_host="2001:db8::1", listen_port=51820)
    assert "Endpoint = [2001:db8::1]:51820" in render.wireguard_client_config(PEER, client)


def test_openvpn_server_files_push_each_members_address_and_route_their_prefix():
    password_hash = keys.hash_password("secret-password")
    peer = render.Peer(
        username="alice-1",
        password_hash=password_hash,
        ipv4=PEER.ipv4,
        ipv4_pools=PEER.ipv4_pools,
        ipv6=PEER.ipv6,
    )
    files = render.openvpn_endpoint_files([peer])
    assert "ifconfig-push 198.51.100.10 255.255.255.0" in files["ccd/alice-1"]
    assert "iroute-ipv6 2001:db8:100::/56" in files["ccd/alice-1"]
    assert f"alice-1:{password_hash}" in files["users"]
    assert "secret-password" not in "".join(files.values())


def test_openvpn_check_script_accepts_the_right_password_only(tmp_path):
    import subprocess
    import sys

    files = render.openvpn_endpoint_files(
        [render.Peer(username="alice-1", password_hash=keys.hash_password("right one"))]
    )
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    credentials = tmp_path / "credentials"
    for password, expected in (("right one", 0), ("wrong one", 1)):
        credentials.write_text(f"alice-1\n{password}\n")
        status = subprocess.run(
            [sys.executable, str(tmp_path / "check-password"), str(credentials)]
        ).returncode
        assert status == expected


def test_openvpn_client_config_embeds_the_ca():
    client = render.ClientSettings(
        public_host="vpn.example.net",
        listen_port=1194,
        ca_certificate="-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----",
    )
    text = render.openvpn_client_config(client)
    assert "remote vpn.example.net 1194" in text
    assert "auth-user-pass" in text
    assert "<ca>\n-----BEGIN CERTIFICATE-----" in text


def test_generated_wireguard_keys_are_a_matching_pair():
    private, public = keys.generate_wireguard_keypair()
    assert len(base64.b64decode(private)) == 32
    assert keys.wireguard_public_key(private) == public
    assert keys.clean_wireguard_public_key(f"  {public}\n") == public
