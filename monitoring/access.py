"""Who may read /metrics: a bearer token or a source network from the settings.

Both empty (the default) refuse everyone: the figures name endpoints, pools and money.
"""

import hmac
import ipaddress

from django.conf import settings


def may_scrape(request):
    """True if the request carries the configured bearer token or comes from an allowed network."""
    token = getattr(settings, "COIN_METRICS_TOKEN", "")
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:], token):
        return True
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in allowed_networks())


def allowed_networks():
    """The networks of ``COIN_METRICS_NETWORKS`` (comma-separated CIDRs); bad ones are skipped."""
    networks = []
    for text in getattr(settings, "COIN_METRICS_NETWORKS", "").split(","):
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            continue
    return networks
