"""Key material of VPN accounts: WireGuard X25519 pairs, OpenVPN passwords.

WireGuard keys are Curve25519 keys in base64, generated with ``cryptography``
(the same primitive ``wg genkey`` uses). OpenVPN passwords are stored as
PBKDF2-SHA256 hashes in a format the endpoint's check script verifies with
Python's standard library alone.
"""

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PBKDF2_ITERATIONS = 200_000
_RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}


def generate_wireguard_keypair():
    """A fresh (private_key, public_key) pair, both base64 as WireGuard writes them."""
    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(private_raw).decode(), base64.b64encode(
        private.public_key().public_bytes(**_RAW)
    ).decode()


def wireguard_public_key(private_key):
    """The public key of a base64 WireGuard private key."""
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return base64.b64encode(private.public_key().public_bytes(**_RAW)).decode()


def clean_wireguard_public_key(text):
    """A pasted WireGuard public key, normalised; a ValidationError says what is wrong with it."""
    value = (text or "").strip()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    # Canonical base64 only: ``wg`` refuses a key whose padding bits are set (validators.py).
    if len(raw) != 32 or base64.b64encode(raw).decode() != value:
        raise ValidationError(
            _(
                "This is not a WireGuard public key: it is 44 characters of base64 ending with “=”, "
                "as “wg pubkey” prints it."
            ),
            code="invalid_key",
        )
    return value


def generate_password():
    """A random password members can type: 20 characters from an unambiguous alphabet."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def hash_password(password, *, salt=None, iterations=PBKDF2_ITERATIONS):
    """``pbkdf2_sha256$iterations$salt$hash`` (base64), checkable by :func:`check_password`."""
    salt = salt or secrets.token_hex(12)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


def check_password(password, encoded):
    """True when ``password`` matches the hash ``encoded``, compared in constant time."""
    try:
        algorithm, iterations, salt, _digest = encoded.split("$", 3)
    except ValueError:
        return False
    if algorithm != "pbkdf2_sha256":
        return False
    return hmac.compare_digest(
        hash_password(password, salt=salt, iterations=int(iterations)), encoded
    )
