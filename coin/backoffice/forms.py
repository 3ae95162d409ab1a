"""The base of action forms: plain forms (never model forms) that know their target object."""

from django import forms


class ActionForm(forms.Form):
    """A form for an action page; ``target`` is the object the action acts on, if any."""

    def __init__(self, *args, target=None, **kwargs):
        self.target = target
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    """A date picker the browser draws (no script needed)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
