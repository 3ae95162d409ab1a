"""Error reports (debug pages, error e-mails) that do not show passwords written in URLs.

Django's :class:`~django.views.debug.SafeExceptionReporterFilter` hides a setting or an
environment variable when its *name* looks secret (KEY, PASS, TOKEN...). A connection URL
carries its password in its *value*, under a harmless name: ``CELERY_BROKER_URL``,
``CELERY_RESULT_BACKEND``, ``DATABASE_URL`` in the environment. This filter masks the
password part of every URL in settings, request metadata and frame variables.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host — the password runs to the last "@" before the host; when
# unsure (a "host:port/path@x"), masking too much is the safe mistake.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^@\s]+(?=@)", re.I)
MASK = "********"


def mask_url_passwords(text):
    """``text`` with the password of every ``scheme://user:password@host`` replaced by a mask.

    Text without one is returned as it was (the very object: lazy strings stay lazy).
    """
    masked = _URL_PASSWORD.sub(lambda match: match["head"] + MASK, str(text))
    return text if masked == str(text) else masked


class SecretMaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: passwords inside URLs are masked wherever a string is shown."""

    def cleanse_setting(self, key, value):
        """Mask URL passwords in a setting or META value, then apply Django's name rules."""
        if isinstance(value, str):
            value = mask_url_passwords(value)
        return super().cleanse_setting(key, value)

    def get_traceback_frame_variables(self, request, tb_frame):
        """The frame's local variables, with URL passwords in string values masked."""
        return [
            (name, mask_url_passwords(value) if isinstance(value, str) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
