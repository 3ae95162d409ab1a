"""A WireGuard key coin accepts is one ``wg`` reads: no padding bits set, in Python and in PostgreSQL.

Python's base64 decodes "…l9=" as the same 32 bytes as "…l8=", but ``wg``
refuses it; written into an endpoint's file, such a key would stop the reload
of every member's tunnel there.
"""

import shutil
import subprocess
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coin.offers import services as offer_services
from netops.validators import validate_wireguard_key
from netops.vpn import keys
from netops.vpn.models import VPNAccount

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _with_padding_bits(key, bits):
    return key[:42] + ALPHABET[ALPHABET.index(key[42]) | bits] + "="


def _wg_reads(key):
    result = subprocess.run(["wg", "pubkey"], input=key + "\n", capture_output=True, text=True)
    return result.returncode == 0


def _accepted(key):
    try:
        validate_wireguard_key(key)
        keys.clean_wireguard_public_key(key)
    except ValidationError:
        return False
    return True


@pytest.mark.skipif(shutil.which("wg") is None, reason="needs wireguard-tools")
@pytest.mark.parametrize("bits", [0, 1, 2, 3])
def test_coin_accepts_exactly_the_keys_wg_reads(bits):
    for _ in range(5):
        _private, public = keys.generate_wireguard_keypair()
        key = _with_padding_bits(public, bits)
        assert _accepted(key) == _wg_reads(key) == (bits == 0), key


def test_the_database_refuses_a_key_with_padding_bits(make_member, vpn_offer):
    subscription = offer_services.subscribe(
        make_member(), vpn_offer, actor=None, starts_on=date(2026, 1, 1)
    )
    account = subscription.vpn_account
    with pytest.raises(IntegrityError), transaction.atomic():
        VPNAccount.objects.filter(pk=account.pk).update(
            public_key=_with_padding_bits(account.public_key, 1)
        )
