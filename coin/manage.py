"""The ``coin`` console script: Django's manage.py for this project."""

import os
import sys


def main():
    """Run a Django management command with coin's settings; files it creates are owner-only."""
    from coin.files import restrict_umask

    restrict_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
