"""Member pages of VPN accounts: status, configuration file, QR code, keys (thin: services do the work).

Every view looks the account up among the member's own: another member's id gives 404.
Responses that carry a private key or password are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coin.qr import qr_svg

from . import services
from .choices import VPNProtocol
from .forms import ProtocolForm, PublicKeyForm
from .models import VPNAccount
from .state import provisioning_state


def _my_accounts(request):
    return VPNAccount.objects.filter(subscription__member=request.user).select_related(
        "endpoint", "subscription__offer"
    )


def vpn_panel(request):
    """Dashboard section: the member's VPN accounts and whether each tunnel is up (one query)."""
    accounts = list(_my_accounts(request).order_by("pk"))
    return {"accounts": accounts} if accounts else None


@never_cache
@login_required
def account(request, pk, *, password=None):
    """One VPN account: status, download, QR code, key and protocol forms."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    config_error = None
    try:
        services.client_config(vpn)
    except ValidationError as error:
        config_error = " ".join(error.messages)
    context = {
        "account": vpn,
        "config_error": config_error,
        "public_key_form": PublicKeyForm(),
        "protocol_form": ProtocolForm(initial={"protocol": vpn.protocol}),
        "password": password,
        "is_wireguard": vpn.protocol == VPNProtocol.WIREGUARD,
        "provisioning": provisioning_state(vpn),
    }
    return render(request, "netops/vpn/account.html", context)


@never_cache
@login_required
def config_file(request, pk):
    """The client configuration as a file to save (.conf or .ovpn)."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    try:
        filename, text = services.client_config(vpn)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("netops:vpn_account", pk=vpn.pk)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def config_qr(request, pk):
    """The WireGuard configuration as a QR code (SVG) for the mobile apps."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk, protocol=VPNProtocol.WIREGUARD)
    try:
        _filename, text = services.client_config(vpn)
    except ValidationError:
        return HttpResponse(status=404)
    return HttpResponse(qr_svg(text), content_type="image/svg+xml")


@login_required
@require_POST
def generate_keys(request, pk):
    """New server-generated WireGuard keys: the old configuration stops working."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    services.generate_keys(vpn, actor=request.user)
    if provisioning_state(vpn) is None:  # no server assigned: nothing to send anywhere yet
        messages.warning(
            request,
            _("New keys are ready, but no VPN server is assigned to this account yet."),
        )
    else:  # the job carrying the keys is queued: say so, not that it is done
        messages.success(
            request,
            _(
                "New keys are ready: download the new configuration. It works once the VPN "
                "server has your new key (the state below says when); until then, your old "
                "configuration keeps working."
            ),
        )
    return redirect("netops:vpn_account", pk=vpn.pk)


@login_required
@require_POST
def set_public_key(request, pk):
    """Use the member's own WireGuard public key (the server then keeps no private key)."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    form = PublicKeyForm(request.POST)
    if form.is_valid():
        try:
            services.set_public_key(vpn, form.cleaned_data["public_key"], actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "Your public key is saved. Put your private key in the downloaded configuration."
                ),
            )
    else:
        for message in form.errors.get("public_key", []):
            messages.error(request, message)
    return redirect("netops:vpn_account", pk=vpn.pk)


@never_cache
@login_required
@require_POST
def reset_password(request, pk):
    """A new OpenVPN password, shown on this page only, once."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    password = services.reset_password(vpn, actor=request.user)
    return account(request, pk, password=password)


@login_required
@require_POST
def change_protocol(request, pk):
    """Switch between WireGuard and OpenVPN."""
    vpn = get_object_or_404(_my_accounts(request), pk=pk)
    form = ProtocolForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("protocol", []):
            messages.error(request, message)
        return redirect("netops:vpn_account", pk=vpn.pk)
    try:
        services.change_protocol(vpn, form.cleaned_data["protocol"], actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "The VPN protocol is changed: download the new configuration; it works once the "
                "server has it (the state below says when)."
            ),
        )
    return redirect("netops:vpn_account", pk=vpn.pk)
