from django.db import connection


def test_the_suite_runs_on_postgresql(db):
    """The README's test command runs against PostgreSQL, as production does."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_every_model_change_has_its_migration(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "makemigrations", "--check", "--dry-run", stdout=out
    )  # exits non-zero when one is missing
    assert "No changes detected" in out.getvalue()
