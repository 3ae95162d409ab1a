"""Status colours, declared once next to the choices they colour.

A choices class takes its colours with the ``badge_colours`` decorator; the
``badge`` template tag and ``BadgeColumn`` draw every badge from them. This
module imports nothing from the project, so any app's ``choices.py`` may use it.
"""

# The colours a badge may take: meanings, not hues (the stylesheet picks the hues).
COLOURS = ("neutral", "info", "success", "warning", "danger")

_coloured_classes = []


def badge_colours(**colours):
    """Class decorator: ``@badge_colours(ACTIVE="success", ...)`` keyed by member name.

    Every member of the class must get a colour from ``COLOURS``; anything else is
    a programming error, raised at import time.
    """

    def decorate(choices_class):
        by_value = {}
        for member in choices_class:
            colour = colours.get(member.name)
            if colour not in COLOURS:
                raise ValueError(f"{choices_class.__name__}.{member.name}: colour {colour!r}")
            by_value[member.value] = colour
        unknown = set(colours) - set(choices_class.__members__)
        if unknown:
            raise ValueError(f"{choices_class.__name__}: no such members {sorted(unknown)}")
        choices_class.badge_colours = by_value
        _coloured_classes.append(choices_class)
        return choices_class

    return decorate


def colour_of(field, value):
    """The colour of ``value`` in the model ``field``'s choices ("neutral" if they have none)."""
    return _colours_for_field(field).get(value, "neutral")


_by_field = {}


def _colours_for_field(field):
    # A model field keeps its choices as a list, not the class they came from:
    # find the coloured class with the same values once, then remember it.
    key = (field.model._meta.label_lower, field.name)
    if key not in _by_field:
        choices = [(value, str(label)) for value, label in field.choices or ()]
        _by_field[key] = next(
            (
                cls.badge_colours
                for cls in _coloured_classes
                if [(value, str(label)) for value, label in cls.choices] == choices
            ),
            {},
        )
    return _by_field[key]
