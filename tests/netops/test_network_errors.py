"""Network failures reach volunteers as a short reason in their language, not the OS's English."""

import socket

import pytest
from django.utils import translation

from netops.provisioning import ssh


def test_an_unknown_host_name_is_explained_in_french():
    # The resolver's own error, made without a DNS query (numeric-only lookup).
    with pytest.raises(socket.gaierror) as caught:
        socket.getaddrinfo("endpoint.example.net", 22, flags=socket.AI_NUMERICHOST)
    assert "Name or service not known" in str(caught.value)
    with translation.override("fr"):
        reason = ssh.describe(caught.value)
    assert reason == "le nom d'hôte est inconnu (vérifiez son orthographe et le DNS)"


def test_a_refused_connection_is_explained_in_english():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]  # bound but not listening: the connection is refused
        with translation.override("en"):
            with pytest.raises(ssh.EndpointUnreachable) as caught:
                ssh.fetch_host_key("127.0.0.1", port, timeout=2)
    assert "the connection was refused" in str(caught.value)
    assert "Errno" not in str(caught.value)


def test_the_wireguard_placeholder_key_is_in_the_members_language():
    from netops.vpn import render

    peer = render.Peer(username="alix", public_key="x" * 42 + "A=", ipv4=("192.0.2.10/32",))
    client = render.ClientSettings(
        public_host="vpn.example.net", listen_port=51820, server_public_key="y" * 42 + "A="
    )
    with translation.override("fr"):
        assert "PrivateKey = <votre clé privée>" in render.wireguard_client_config(peer, client)
