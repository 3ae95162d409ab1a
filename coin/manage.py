"""The ``coin`` console script: Django's manage.py for this project."""

import os
import sys

from coin.files import restrict_umask


def main():
    """Run a Django management command with coin's settings; files it creates are owner-only.

    Settings that production refuses (a weak secret key, no base URL...) end the command
    with their one-line message and exit status 1, not with a traceback.
    """
    restrict_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coin.settings")
    from importlib import import_module

    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Importing the settings module runs its checks; Django reuses the imported module.
        import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as error:
        sys.exit(f"coin: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
