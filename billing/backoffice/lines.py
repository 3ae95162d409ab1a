"""The draft invoice's line editor: a formset of plain forms; the service stores the lines.

The form only builds unsaved ``InvoiceLine`` objects from what was typed (the
existing lines of the draft, changed in memory, and new ones) and hands them to
``services.save_draft_lines``, which checks, computes the amounts and stores them.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.choices import LineKind
from billing.models import InvoiceLine
from coin.backoffice.forms import ActionForm, DateInput

LINE_FIELDS = ("kind", "description", "period_start", "period_end", "unit_price", "quantity")


class LineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=LineKind.choices, initial=LineKind.OTHER)
    description = forms.CharField(label=_("description"), max_length=200)
    period_start = forms.DateField(label=_("from"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("until"), required=False, widget=DateInput)
    unit_price = forms.DecimalField(label=_("unit price"), max_digits=10, decimal_places=2)
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=8, decimal_places=2, initial=1, min_value=0
    )


LineFormSet = forms.formset_factory(LineForm, extra=2, can_delete=True, max_num=200)


class LinesForm(ActionForm):
    """Wraps the line formset so the action page validates and reports it as one form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = {line.pk: line for line in self.target.lines.order_by("position", "pk")}
        initial = [
            {"id": line.pk, **{name: getattr(line, name) for name in LINE_FIELDS}}
            for line in self.existing.values()
        ]
        self.lines = LineFormSet(
            self.data if self.is_bound else None, initial=initial, prefix="lines"
        )

    def is_valid(self):
        # Both run, so every line's errors show at once.
        return all([super().is_valid(), self.lines.is_valid()])

    def add_error(self, field, error):
        # A service error about a line's field (say, its quantity) is shown on top:
        # the service does not say which line, and the form has no such field itself.
        if field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)

    def line_objects(self):
        """(changed, deleted): unsaved line objects for the service; nothing is written here."""
        changed, deleted = [], []
        for position, form in enumerate(self.lines.forms):
            data = form.cleaned_data
            if not data or not form.has_changed() and not data.get("id"):
                continue
            line = self.existing.get(data.get("id")) or InvoiceLine(invoice=self.target)
            if data.get("DELETE"):
                if line.pk:
                    deleted.append(line)
                continue
            for name in LINE_FIELDS:
                setattr(line, name, data[name])
            line.position = position
            changed.append(line)
        return changed, deleted
