"""WSGI entry point for gunicorn: ``gunicorn coin.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from coin.files import restrict_umask

# Files the web process creates (SQLite journal, PDFs, generated keys) are owner-only.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coin.settings")
application = get_wsgi_application()
