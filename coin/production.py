"""What ``COIN_ENV=production`` refuses to start without.

Called by the settings module, before Django is set up: it reads only the values it is
given and raises :class:`~django.core.exceptions.ImproperlyConfigured` with a message an
operator can act on. These are start-up errors for operators, so they are in English.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Django's own bar (its security.W009 check): long and not made of a few repeated characters.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5
# Keys published somewhere (examples, tutorials, Django's startproject): anyone may know them.
KNOWN_SECRET_KEY_PREFIXES = ("django-insecure-",)
KNOWN_SECRET_KEYS = frozenset(
    {"changeme", "change-me", "secret", "secret-key", "your-secret-key", "coin", "insecure"}
)

_SECRET_KEY_HINT = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
    "and give it as COIN_SECRET_KEY."
)


def check_secret_key(secret_key, local_secret_file):
    """Refuse a missing, short, repetitive, published or locally generated secret key.

    ``local_secret_file`` is the file a local (non-production) run generates its key into:
    a production key equal to it was copied from a development checkout.
    """
    if not secret_key:
        raise ImproperlyConfigured(
            f"COIN_SECRET_KEY must be set when COIN_ENV=production. {_SECRET_KEY_HINT}"
        )
    if secret_key.lower() in KNOWN_SECRET_KEYS or secret_key.startswith(KNOWN_SECRET_KEY_PREFIXES):
        raise ImproperlyConfigured(
            f"COIN_SECRET_KEY is a published example value, not a secret. {_SECRET_KEY_HINT}"
        )
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS
    ):
        raise ImproperlyConfigured(
            f"COIN_SECRET_KEY is too weak: it needs at least {MIN_SECRET_KEY_LENGTH} characters, "
            f"not a few repeated ones. {_SECRET_KEY_HINT}"
        )
    if local_secret_file.exists() and local_secret_file.read_text().strip() == secret_key:
        raise ImproperlyConfigured(
            f"COIN_SECRET_KEY is the key generated for local use in {local_secret_file}. "
            f"{_SECRET_KEY_HINT}"
        )


def check_base_url(base_url):
    """Refuse a missing base URL, or one that is not ``https://host``: it goes into e-mailed links."""
    if not base_url:
        raise ImproperlyConfigured(
            "COIN_BASE_URL must be set when COIN_ENV=production: the address members reach "
            "the portal at, used in links sent by e-mail (e.g. https://coin.example.org)."
        )
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ImproperlyConfigured(
            f"COIN_BASE_URL must be an https:// address with a host name, not {base_url!r}."
        )


def check_debug(debug):
    """Refuse DEBUG in production: its error pages show code, settings and request data."""
    if debug:
        raise ImproperlyConfigured(
            "COIN_DEBUG must not be on when COIN_ENV=production: debug pages show the code, "
            "settings and requests to anyone who triggers an error."
        )
