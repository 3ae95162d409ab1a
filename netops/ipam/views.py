"""Member pages of IPAM: my addresses and their reverse DNS names (thin: services do the work)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coin.forms import add_service_error

from . import services
from .choices import AllocationState
from .forms import ReverseDNSForm
from .models import IPAllocation, ReverseDNSRecord


def _my_allocations(request):
    return IPAllocation.objects.filter(member=request.user, state=AllocationState.ALLOCATED)


def addresses_panel(request):
    """Dashboard section: the member's prefixes (two queries whatever their number)."""
    allocations = list(
        _my_allocations(request)
        .select_related("pool", "subscription__offer")
        .prefetch_related("reverse_dns")
    )
    return {"allocations": allocations} if allocations else None


@login_required
def reverse_dns(request, pk):
    """The PTR names of one of the member's prefixes; another member's gives 404."""
    allocation = get_object_or_404(_my_allocations(request).select_related("pool"), pk=pk)
    form = ReverseDNSForm(
        request.POST or None, initial={"address": str(allocation.block.cidr()).split("/")[0]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_reverse_dns(
                allocation,
                form.cleaned_data["address"],
                form.cleaned_data["hostname"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The reverse DNS name is saved; it is published at the next zone update."),
            )
            return redirect("netops:reverse_dns", pk=allocation.pk)
    records = allocation.reverse_dns.all()
    return render(
        request,
        "netops/ipam/reverse_dns.html",
        {"allocation": allocation, "records": records, "form": form},
    )


@login_required
@require_POST
def reverse_dns_delete(request, pk, record_pk):
    """Remove one PTR name of one of the member's prefixes."""
    allocation = get_object_or_404(_my_allocations(request), pk=pk)
    record = get_object_or_404(ReverseDNSRecord, pk=record_pk, allocation=allocation)
    services.remove_reverse_dns(record, actor=request.user)
    messages.success(request, _("The reverse DNS name is removed."))
    return redirect("netops:reverse_dns", pk=allocation.pk)
