from django.db import connection


def test_the_suite_runs_on_postgresql(db):
    """The README's test command runs against PostgreSQL, as production does."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000
