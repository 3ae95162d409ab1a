"""Validators of DSL lines: values that reach the RADIUS servers' files or the wholesale orders.

The ``*_REGEX`` constants are also the database's check constraints (POSIX regexes that
PostgreSQL and Python read alike).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A French line number (NDI, “numéro de désignation de l'installation”): ten digits, 0 first.
NDI_REGEX = r"^0[1-9][0-9]{8}$"
# A PPP login: it becomes a word in the RADIUS users file, optionally with the ISP's realm.
PPP_LOGIN_REGEX = r"^[a-z0-9][a-z0-9._-]{0,63}(@[a-z0-9][a-z0-9.-]{0,62})?$"
# The name of an address pool on the LNS (Framed-Pool).
POOL_NAME_REGEX = r"^[A-Za-z0-9_.-]{1,64}$"
# What a PPP password may hold: printable ASCII, as RADIUS carries at most 128 bytes.
PPP_PASSWORD_REGEX = r"^[\x20-\x7e]{8,128}$"


def validate_ndi(value):
    """Ten digits starting with 0, without spaces (e.g. 0478123456)."""
    if not re.fullmatch(NDI_REGEX, value or ""):
        raise ValidationError(
            _("A line number is ten digits starting with 0, without spaces (e.g. 0478123456)."),
            code="invalid_ndi",
        )


def normalise_ndi(value):
    """The NDI as stored: spaces, dots and dashes people type between digits removed."""
    return re.sub(r"[\s.-]", "", value or "")


def validate_ppp_login(value):
    """A PPP login: lower-case letters, digits, “.”, “_”, “-”, and an optional “@realm”."""
    if not re.fullmatch(PPP_LOGIN_REGEX, value or ""):
        raise ValidationError(
            _(
                "A PPP login is 1 to 64 lower-case letters, digits, “_”, “.” or “-”, "
                "optionally followed by “@” and a domain."
            ),
            code="invalid_ppp_login",
        )


def validate_ppp_password(value):
    """8 to 128 printable ASCII characters (what a modem's settings page accepts)."""
    if not re.fullmatch(PPP_PASSWORD_REGEX, value or ""):
        raise ValidationError(
            _("A PPP password is 8 to 128 printable ASCII characters."),
            code="invalid_ppp_password",
        )


def validate_pool_name(value):
    """An address pool name on the LNS: letters, digits, “_”, “.” or “-”."""
    if not re.fullmatch(POOL_NAME_REGEX, value or ""):
        raise ValidationError(
            _("A pool name is 1 to 64 letters, digits, “_”, “.” or “-”."), code="invalid_pool"
        )
