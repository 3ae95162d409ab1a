"""Post an admin change page as a volunteer would: what the page shows, plus their edits."""

from datetime import date, datetime


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _form_data(form):
    data = {}
    for bound in form:
        value = bound.value()
        if bound.field.widget.__class__.__name__ == "CheckboxInput" and not value:
            continue  # an unticked box is absent from a real submission
        if hasattr(bound.field.widget, "widgets"):  # split date/time
            for index, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = _plain(part)
            continue
        data[bound.html_name] = _plain(value)
    return data


def change_form_data(response):
    """The data a browser would post back, unchanged, from the admin page in ``response``."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def add_inline_row(data, prefix, **values):
    """Add one row to the inline formset ``prefix`` of ``data`` (from :func:`change_form_data`)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = _plain(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    return data
