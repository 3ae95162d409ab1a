"""Member pages of DSL lines (thin: services do the work): the dashboard panel, a line's page
with its session, the PPP password revealed on request, a new password, a fault report.

Every view looks the line up among the member's own: another member's id gives 404.
The password is in no page unless the member has just asked for it (POST, audited);
such responses are never cached.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coin.forms import add_service_error

from . import services
from .choices import DSLLineStatus
from .models import DSLLine

# The portal's badge classes (active / suspended / ended) for a line's status.
PORTAL_BADGE = {DSLLineStatus.ACTIVE: "active", DSLLineStatus.FAULT: "suspended"}
REPORTS_SHOWN = 5


class FaultReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What happens?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=gettext_lazy("Since when, what the modem's lights show, what you tried."),
    )


def _my_lines(request):
    return DSLLine.objects.filter(subscription__member=request.user).select_related(
        "subscription__offer", "session"
    )


def dsl_panel(request):
    """Dashboard section: the member's DSL lines, their status and session (one query)."""
    lines = list(_my_lines(request).exclude(status=DSLLineStatus.TERMINATED).order_by("pk"))
    for line in lines:
        line.portal_badge = PORTAL_BADGE.get(line.status, "ended")
    return {"lines": lines} if lines else None


def _page(request, line, *, password=None, form=None, status=200):
    line.portal_badge = PORTAL_BADGE.get(line.status, "ended")
    context = {
        "line": line,
        "session": getattr(line, "session", None),
        "password": password,
        "form": form or FaultReportForm(),
        "reports": list(line.fault_reports.order_by("-created_at", "-pk")[:REPORTS_SHOWN]),
    }
    return render(request, "netops/dsl/line.html", context, status=status)


@never_cache
@login_required
def line_page(request, pk):
    """One line: status, dates, session (up since, bytes), PPP login, fault reports."""
    return _page(request, get_object_or_404(_my_lines(request), pk=pk))


@never_cache
@login_required
@require_POST
def reveal_password(request, pk):
    """The same page with the PPP password shown, this once (the service audits it)."""
    line = get_object_or_404(_my_lines(request), pk=pk)
    return _page(request, line, password=services.reveal_password(line, actor=request.user))


@never_cache
@login_required
@require_POST
def new_password(request, pk):
    """A new PPP password, shown on this page once: the old one stops at the next provisioning."""
    line = get_object_or_404(_my_lines(request), pk=pk)
    password = services.regenerate_password(line, actor=request.user)
    messages.success(
        request,
        _("Your new password works once the RADIUS servers have it, within a few minutes."),
    )
    return _page(request, line, password=password)


@login_required
@require_POST
def report_fault(request, pk):
    """A fault report: the network volunteers are e-mailed; errors stay on the form."""
    line = get_object_or_404(_my_lines(request), pk=pk)
    form = FaultReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_fault(line, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Thank you: the volunteers have your report."))
            return redirect("netops:dsl_line", pk=line.pk)
    return _page(request, line, form=form, status=400)
