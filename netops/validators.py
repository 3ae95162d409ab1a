"""Field validators of netops: values that end up in an endpoint's files or commands.

Every value here reaches a configuration file (WireGuard, OpenVPN) or a
command run over SSH, so each validator accepts only the characters that
value needs: never a newline, a control character, a quote or a shell
metacharacter. The models use them (so every writer meets them, admin forms
included) and mirror the simplest of them as database check constraints
(see the ``*_REGEX`` constants, kept in PostgreSQL's regex dialect too).
"""

import base64
import binascii
import re

import netaddr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class UnsafeValue(ValueError):
    """A value would change the meaning of the file it is written into: nothing is rendered.

    Raised by the renderers (``netops.vpn.render``), caught by the provisioning engine.
    """


# Also the database check constraints (POSIX regexes PostgreSQL understands as is).
# The 43rd character carries the last 4 bits of the key and 2 bits of padding that must be
# zero: ``wg`` refuses a key whose padding is not (one such key stops a whole endpoint's reload).
WIREGUARD_KEY_REGEX = r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"
INTERFACE_REGEX = r"^[a-zA-Z0-9_.-]{1,15}$"
HOST_REGEX = r"^[A-Za-z0-9.:-]{1,253}$"
SSH_USER_REGEX = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"
CONFIG_DIR_REGEX = r"^(/[A-Za-z0-9_.-]+){2,}/?$"
ACCOUNT_NAME_REGEX = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
DNS_LIST_REGEX = r"^[0-9A-Fa-f.:, ]*$"

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PEM_CERTIFICATES = re.compile(
    r"^(-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=]{1,76}\r?\n)+-----END CERTIFICATE-----[\r\n]*)+$"
)


def has_control_characters(value):
    """True when ``value`` holds a newline, a tab or any other control character."""
    return bool(_CONTROL.search(str(value)))


def validate_no_control_characters(value):
    """Refuse newlines and control characters: one line of a file or command, never two."""
    if has_control_characters(value):
        raise ValidationError(
            _("Newlines and control characters are not allowed here."), code="control_characters"
        )


def validate_wireguard_key(value):
    """A WireGuard key as ``wg`` prints it and reads it: 44 characters of base64 (32 bytes,
    zero padding bits), nothing else."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32 or not re.fullmatch(WIREGUARD_KEY_REGEX, value):
        raise ValidationError(
            _(
                "This is not a WireGuard key: it is 44 characters of base64 ending with “=”, "
                "as “wg pubkey” prints it."
            ),
            code="invalid_key",
        )


def validate_interface_name(value):
    """A Linux interface name: 1 to 15 letters, digits, “_”, “.” or “-” (not “.” or “..”)."""
    if not re.fullmatch(INTERFACE_REGEX, value) or value in (".", ".."):
        raise ValidationError(
            _(
                "An interface name is 1 to 15 letters, digits, “_”, “.” or “-”, e.g. coin0 or wg-members."
            ),
            code="invalid_interface",
        )


def validate_host(value):
    """A host name (RFC 1123 labels) or an IPv4 or IPv6 address."""
    if netaddr.valid_ipv4(value, flags=netaddr.INET_PTON) or netaddr.valid_ipv6(value):
        return
    if len(value) > 253 or not _HOSTNAME.fullmatch(value) or value.replace(".", "").isdigit():
        raise ValidationError(
            _("Enter a host name (e.g. vpn.example.net) or an IP address."), code="invalid_host"
        )


def validate_dns_servers(value):
    """Comma-separated IPv4 or IPv6 addresses (empty: none)."""
    items = [item.strip() for item in value.split(",")]
    if value.strip() == "":
        return
    for item in items:
        if not (netaddr.valid_ipv4(item, flags=netaddr.INET_PTON) or netaddr.valid_ipv6(item)):
            raise ValidationError(
                _(
                    "“%(value)s” is not an IP address: list DNS servers as addresses separated by commas."
                ),
                code="invalid_dns",
                params={"value": item[:50]},
            )


def validate_ssh_user(value):
    """A Unix login name: letters, digits, “_”, “.” and “-”."""
    if not re.fullmatch(SSH_USER_REGEX, value):
        raise ValidationError(
            _("A user name is letters, digits, “_”, “.” or “-”, e.g. root or coin."),
            code="invalid_user",
        )


def validate_config_dir(value):
    """An absolute directory at least two levels deep (coin removes the files there it did not render,
    so “/” or “/etc” would be disastrous), with no “..” and no unusual character."""
    parts = value.strip("/").split("/")
    if not re.fullmatch(CONFIG_DIR_REGEX, value) or any(part in (".", "..") for part in parts):
        raise ValidationError(
            _(
                "Enter an absolute directory at least two levels deep that coin owns alone, "
                "e.g. /etc/coin (letters, digits, “_”, “.” and “-” only)."
            ),
            code="invalid_directory",
        )


def validate_account_name(value):
    """A VPN login: it becomes a file name on the endpoint and a word in its files."""
    if not re.fullmatch(ACCOUNT_NAME_REGEX, value):
        raise ValidationError(
            _(
                "A login is 1 to 64 letters, digits, “_”, “.” or “-”, starting with a letter or digit."
            ),
            code="invalid_login",
        )


def validate_pem_certificates(value):
    """One or more PEM certificates and nothing else (the text is copied into clients' files)."""
    if value and not _PEM_CERTIFICATES.fullmatch(value.strip() + "\n"):
        raise ValidationError(
            _(
                "Paste the certificate in PEM form only: from “-----BEGIN CERTIFICATE-----” "
                "to “-----END CERTIFICATE-----”."
            ),
            code="invalid_pem",
        )
