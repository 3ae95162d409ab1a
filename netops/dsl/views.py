"""Member pages of DSL lines (thin): for now the dashboard panel, the member's own lines only."""

from .choices import DSLLineStatus
from .models import DSLLine

# The portal's badge classes (active / suspended / ended) for a line's status.
PORTAL_BADGE = {DSLLineStatus.ACTIVE: "active", DSLLineStatus.FAULT: "suspended"}


def dsl_panel(request):
    """Dashboard section: the member's DSL lines, their status and PPP login (one query).

    The password is not shown here: revealing it on request is a page of its own (to come).
    """
    lines = list(
        DSLLine.objects.filter(subscription__member=request.user)
        .exclude(status=DSLLineStatus.TERMINATED)
        .order_by("pk")
    )
    for line in lines:
        line.portal_badge = PORTAL_BADGE.get(line.status, "ended")
    return {"lines": lines} if lines else None
