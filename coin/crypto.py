"""Secrets at rest: VPN private keys, PPP passwords.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` library) under ``settings.COIN_ENCRYPTION_KEYS``: the first key
encrypts, every key decrypts, so keys rotate by prepending a new one and
re-saving. A database dump alone never reveals a secret.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _cipher():
    keys = settings.COIN_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("COIN_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(plaintext):
    """The token that :func:`decrypt` turns back into ``plaintext`` (a str)."""
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(token):
    """The plaintext of ``token``; raises ImproperlyConfigured when no configured key opens it."""
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A secret cannot be decrypted with COIN_ENCRYPTION_KEYS (wrong or missing key)."
        ) from exc


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the plaintext (or "" / None)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
