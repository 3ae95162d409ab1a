"""Form helpers shared by every app's views and admin pages."""


def add_service_error(form, error, field=None):
    """Show a service's ``ValidationError`` on ``form``, in the user's language, never as a 500.

    Messages keyed by a field the form has go on that field; the others (and an
    error without keys) go on ``field``, or on the whole form when it is None.
    """
    if hasattr(error, "error_dict"):
        items = error.message_dict.items()
    else:
        items = [(field, error.messages)]
    for name, messages in items:
        form.add_error(name if name in form.fields else field, messages)
