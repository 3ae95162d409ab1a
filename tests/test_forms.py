"""One way to put a service's ValidationError on a form: on its fields, the rest on top."""

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from coin.forms import add_service_error


class _Form(forms.Form):
    ends_on = forms.DateField(required=False)
    note = forms.CharField(required=False)


@pytest.mark.parametrize(
    "error, on_field, on_top",
    [
        (ValidationError({"ends_on": "too early"}), ["too early"], []),
        # A key the form does not show (chosen by the URL, say) is not lost: it goes on top.
        (ValidationError({"member": "not active", "ends_on": "x"}), ["x"], ["not active"]),
        (ValidationError({NON_FIELD_ERRORS: "whole"}), [], ["whole"]),
        (ValidationError("plain message"), [], ["plain message"]),
        (ValidationError(["one", "two"]), [], ["one", "two"]),
    ],
)
def test_service_errors_map_onto_fields_or_the_top_of_the_form(error, on_field, on_top):
    form = _Form({})
    assert form.is_valid()
    add_service_error(form, error)
    assert not form.is_valid()
    assert form.errors.get("ends_on", []) == on_field
    assert list(form.non_field_errors()) == on_top


def test_a_message_without_a_shown_field_can_go_on_a_chosen_field():
    form = _Form({})
    assert form.is_valid()
    add_service_error(form, ValidationError({"member": "not active"}), field="note")
    assert form.errors == {"note": ["not active"]}
    form = _Form({})
    form.is_valid()
    add_service_error(form, ValidationError("plain"), field="note")
    assert form.errors == {"note": ["plain"]}
