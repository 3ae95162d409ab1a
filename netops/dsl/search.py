"""What the back office's search box finds among DSL lines: a line number (NDI), a PPP login
or a wholesale order reference. Imported by ``netops.search``. One SQL query at most."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from coin.backoffice.search import Hit, SearchProvider, register_search

from .choices import DSLLineStatus
from .models import DSLLine


def _filter(query):
    """The lines the text designates, or None when it cannot be a number, login or reference."""
    compact = query.compact.replace(".", "").replace("-", "")
    digits = compact.removeprefix("+")
    if digits.isdigit():
        if len(digits) < 6:
            return None  # too short for a line number: no query at all
        # 04 78 12 34 56, 0478123456 or +33 4 78 12 34 56: the last nine digits.
        return DSLLine.objects.filter(ndi__endswith=digits[-9:])
    if len(query.words) != 1 or len(query.text) < 3:
        return None
    return DSLLine.objects.filter(
        Q(ppp_login__istartswith=query.text.lower()) | Q(order_reference__iexact=query.text)
    )


def find_lines(query, limit):
    """Lines whose NDI ends with the digits typed, whose login starts with the text, or whose
    order reference is the text; one more than ``limit`` (the box then asks for more)."""
    lines = _filter(query)
    if lines is None:
        return []
    rows = lines.select_related("subscription__member").order_by("ppp_login")[: limit + 1]
    return [
        Hit(
            f"{line.ppp_login} — {line.subscription.member}",
            reverse("backoffice:dsl_line_detail", args=[line.pk]),
            " · ".join(
                part
                for part in (line.ndi, line.order_reference, str(DSLLineStatus(line.status).label))
                if part
            ),
        )
        for line in rows
    ]


register_search(
    SearchProvider(
        "dsl_lines",
        gettext_lazy("DSL lines"),
        find_lines,
        permission="netops.view_dslline",
        order=35,
    )
)
