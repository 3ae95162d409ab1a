"""Debug pages and error reports do not show passwords written inside connection URLs."""

import secrets
import sys

from django.test import RequestFactory
from django.views.debug import technical_500_response

# Made at run time: the debug page quotes this file's source lines, literals included.
BROKER_PASSWORD = secrets.token_hex(8)
DATABASE_PASSWORD = secrets.token_hex(8)


def debug_page_of_a_failure(request):
    broker = f"redis://:{BROKER_PASSWORD}@127.0.0.1:6379/0"  # a local variable in the traceback
    try:
        raise RuntimeError(f"cannot reach {broker.split('@')[1]}")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_the_debug_page_masks_passwords_in_urls(settings, monkeypatch):
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = f"redis://:{BROKER_PASSWORD}@127.0.0.1:6379/0"
    settings.CELERY_RESULT_BACKEND = f"redis://coin:{BROKER_PASSWORD}@127.0.0.1:6379/1"
    # runserver copies the environment into request.META, where the debug page shows it.
    request = RequestFactory().get(
        "/", DATABASE_URL=f"postgres://coin:{DATABASE_PASSWORD}@127.0.0.1/coin"
    )

    page = debug_page_of_a_failure(request)

    assert "CELERY_BROKER_URL" in page and "127.0.0.1:6379/0" in page  # still useful
    assert "postgres://coin:********@127.0.0.1/coin" in page
    assert BROKER_PASSWORD not in page
    assert DATABASE_PASSWORD not in page
