"""A rack's front elevation as SVG: every unit, free or occupied, machines at their units.

Every text that comes from a record (descriptions, names) is XML-escaped; the
result is a standalone, well-formed SVG document. Colours are presentation
attributes, not ``style`` (the site's Content-Security-Policy forbids inline styles).
"""

from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

UNIT = 22  # pixels per unit
LEFT = 40  # room for the unit numbers
WIDTH = 360
TOP = 8
LABEL_MAX = 40  # characters: a long description is cut, the page lists it whole

FREE, OTHER, OWN, SUSPENDED, ASSOCIATION = "#f4f4f4", "#9aa5b1", "#2b7bb9", "#d9822b", "#5a8f29"


def _cut(text):
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _label(machine, viewer, show_owners):
    """What the box says: everything for volunteers; for a member, only their own machine."""
    if show_owners:
        owner = machine.member.display_name if machine.member_id else _("association")
        return f"{machine.description} — {owner}"
    if viewer is not None and machine.member_id == viewer.pk:
        return machine.description
    return _("occupied")


def _fill(machine, viewer, show_owners):
    if not show_owners:
        return OWN if viewer is not None and machine.member_id == viewer.pk else OTHER
    if machine.suspended:
        return SUSPENDED
    return ASSOCIATION if machine.member_id is None else OWN


def elevation_svg(rack, machines, *, viewer=None, show_owners=True):
    """The SVG text of ``rack`` with ``machines`` (present ones, ``member`` selected).

    ``show_owners`` (volunteers) names every machine and its owner; otherwise only
    ``viewer``'s own machines are named and highlighted, the others say "occupied".
    """
    height = TOP * 2 + rack.height_u * UNIT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(str(rack))}>',
        f"<title>{escape(str(rack))}</title>",
    ]

    def y_of(unit):  # top edge of ``unit`` (1 = bottom)
        return TOP + (rack.height_u - unit) * UNIT

    for unit in range(1, rack.height_u + 1):
        y = y_of(unit)
        parts.append(
            f'<rect class="unit" data-unit="{unit}" x="{LEFT}" y="{y}" width="{WIDTH - LEFT - 4}" '
            f'height="{UNIT}" fill="{FREE}" stroke="#cccccc"/>'
            f'<text x="{LEFT - 6}" y="{y + UNIT - 7}" text-anchor="end" font-size="11" '
            f'fill="#555555">{unit}</text>'
        )
    for machine in machines:
        if machine.first_unit is None:
            continue
        top_unit = machine.first_unit + machine.height_u - 1
        y = y_of(top_unit)
        label = _cut(_label(machine, viewer, show_owners))
        highlighted = not show_owners and viewer is not None and machine.member_id == viewer.pk
        extra = ' stroke-width="3"' if highlighted else ""
        css = "machine own" if highlighted else "machine"
        parts.append(
            f'<g class="{css}" data-machine="{machine.pk}" '
            f'data-first-unit="{machine.first_unit}" data-height="{machine.height_u}">'
            f'<rect x="{LEFT + 2}" y="{y + 1}" width="{WIDTH - LEFT - 8}" '
            f'height="{machine.height_u * UNIT - 2}" rx="3" '
            f'fill="{_fill(machine, viewer, show_owners)}" stroke="#333333"'
            f"{extra}/>"
            f'<text x="{LEFT + 10}" y="{y + UNIT - 7}" font-size="12" fill="#ffffff">'
            f"{escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
