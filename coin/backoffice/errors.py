"""Service errors shown on the form that caused them."""

from django.core.exceptions import NON_FIELD_ERRORS


def add_service_errors(form, error):
    """Put a service's ``ValidationError`` on ``form``: each message on its field, the rest on top.

    A message keyed by a field the form does not show (``member``, ``offer``
    chosen by the URL, ...) goes to the non-field errors, so nothing is lost.
    """
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
